"""The `pharmagarde` command (pharmagarde.cli) and the commands it is mostly used for.

The end-to-end tests run the command in a subprocess, with the production settings and an
empty temporary data directory: exactly what a fresh installation sees.
"""

import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from io import StringIO
from pathlib import Path
from unittest import TestCase, mock

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase as DjangoTestCase

from pharmagarde import cli
from pharmagarde.core.management.commands import serve
from tests.base import make_user

ROOT = Path(__file__).resolve().parent.parent
# What the test settings put in the environment must not leak into a "fresh" install.
LEAKY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "SECRET_KEY_FILE", "PHARMAGARDE_DATA_DIR",
         "DATABASE_URL", "DEBUG", "HTTPS", "HOST", "PORT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def fresh_env(data_dir, **extra):
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    env.update(PHARMAGARDE_DATA_DIR=str(data_dir), HTTPS="false", **extra)
    return env


def pharmagarde(*args, data_dir, timeout=120, **extra):
    return subprocess.run(
        [sys.executable, "-m", "pharmagarde.cli", *args], cwd=ROOT,
        env=fresh_env(data_dir, **extra), capture_output=True, text=True, timeout=timeout,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HelpTests(TestCase):
    def test_it_lists_the_project_commands_in_french(self):
        with tempfile.TemporaryDirectory() as data_dir:
            result = pharmagarde("help", data_dir=data_dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        for command in ["up", "init", "serve", "worker", "demo", "createadmin", "audit verify",
                        "migrate"]:
            self.assertIn(f"  {command} ", result.stdout)
        self.assertIn("Démarre le serveur web", result.stdout)

    def test_it_shows_help_without_any_secret_or_data(self):
        with tempfile.TemporaryDirectory() as data_dir:
            result = pharmagarde(data_dir=Path(data_dir) / "absent")
            self.assertFalse((Path(data_dir) / "absent").exists())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Commandes :", result.stdout)

    def test_it_dispatches_to_the_django_command(self):
        with tempfile.TemporaryDirectory() as data_dir:
            result = pharmagarde("help", "demo", data_dir=data_dir, SECRET_KEY="k" * 50)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("--code", result.stdout)
        self.assertIn("usage: pharmagarde demo", result.stdout)


class SecretKeyTests(TestCase):
    def test_it_refuses_to_start_without_a_secret_when_debug_is_off(self):
        with tempfile.TemporaryDirectory() as data_dir:
            result = pharmagarde("serve", data_dir=data_dir)
        self.assertEqual(result.returncode, 2)
        self.assertIn("Aucune clé secrète", result.stderr)
        self.assertIn("pharmagarde init", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_it_writes_nothing_when_a_key_is_given(self):
        with tempfile.TemporaryDirectory() as data_dir, mock.patch.dict(
            os.environ, {"SECRET_KEY": "given", "PHARMAGARDE_DATA_DIR": data_dir}
        ):
            self.assertIsNone(cli.ensure_secret_key())
            self.assertFalse((Path(data_dir) / "secret_key").exists())

    def test_it_writes_the_key_where_secret_key_file_says(self):
        with tempfile.TemporaryDirectory() as data_dir:
            path = Path(data_dir) / "etc" / "key"
            with mock.patch.dict(os.environ, {"SECRET_KEY_FILE": str(path)}):
                os.environ.pop("SECRET_KEY", None)
                self.assertEqual(cli.ensure_secret_key(), path)
            self.assertGreaterEqual(len(path.read_text().strip()), 50)


class InitAndServeTests(TestCase):
    """One fresh installation, initialised twice, then served with its worker."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data_dir = Path(cls.tmp.name) / "data"
        cls.first = pharmagarde("init", data_dir=cls.data_dir)
        cls.key_after_first = cls.key_file().read_text()
        cls.second = pharmagarde("init", data_dir=cls.data_dir)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    @classmethod
    def key_file(cls):
        return cls.data_dir / "secret_key"

    def test_it_initialises_a_fresh_data_directory(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)
        self.assertIn("Clé secrète créée", self.first.stdout)
        self.assertTrue((self.data_dir / "pharmagarde.sqlite3").is_file())
        self.assertTrue((self.data_dir / "static" / "staticfiles.json").is_file())

    def test_it_makes_the_key_and_the_directory_private(self):
        self.assertEqual(stat.S_IMODE(self.key_file().stat().st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(self.data_dir.stat().st_mode), 0o700)
        self.assertGreaterEqual(len(self.key_after_first.strip()), 50)

    def test_it_keeps_the_key_on_the_second_run(self):
        self.assertEqual(self.second.returncode, 0, self.second.stderr)
        self.assertNotIn("Clé secrète créée", self.second.stdout)
        self.assertEqual(self.key_file().read_text(), self.key_after_first)

    def test_it_runs_the_worker_in_batch_mode(self):
        result = pharmagarde("worker", "--batch", data_dir=self.data_dir, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("No more tasks", result.stdout + result.stderr)

    def test_it_serves_the_sign_in_page_and_stops_cleanly_with_its_worker(self):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "pharmagarde.cli", "serve", "--with-worker",
             "--workers", "1"],
            cwd=ROOT, env=fresh_env(self.data_dir, PORT=str(port)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
        reader.start()
        try:
            status = wait_for_page(f"http://127.0.0.1:{port}/comptes/login/", process)
            self.assertEqual(status, 200)
            # The web server may answer before the worker has said it started (a loaded
            # machine): stop both only once both are up, or the log would miss the worker.
            deadline = time.monotonic() + 60
            while not any("Starting worker" in line for line in list(lines)):
                self.assertLess(time.monotonic(), deadline, "".join(lines))
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            reader.join(timeout=10)
        output = "".join(lines)
        self.assertEqual(process.returncode, 0, output)
        self.assertIn("Starting worker", output)
        self.assertIn("Shutting down: Master", output)


def wait_for_page(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                return response.status
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} ne répond pas après {timeout} s")


class GunicornTests(TestCase):
    def test_it_binds_host_and_port(self):
        argv = serve.gunicorn_argv(host="0.0.0.0", port="9000", workers=3)
        self.assertEqual(argv[argv.index("--bind") + 1], "0.0.0.0:9000")
        self.assertEqual(argv[argv.index("--workers") + 1], "3")
        self.assertEqual(argv[argv.index("--access-logfile") + 1], "-")

    def test_it_brackets_an_ipv6_host(self):
        self.assertEqual(serve.bind_address("::", 8000), "[::]:8000")

    def test_it_takes_the_worker_count_from_web_concurrency(self):
        with mock.patch.dict(os.environ, {"WEB_CONCURRENCY": "5"}):
            self.assertEqual(serve.default_workers(), 5)
        with mock.patch.dict(os.environ, {"WEB_CONCURRENCY": ""}):
            self.assertTrue(2 <= serve.default_workers() <= 8)


SUPERVISOR = textwrap.dedent("""
    import sys
    from pharmagarde.core.management.commands.serve import supervise
    sleeper = [sys.executable, "-c", "import time; print('child', flush=True); time.sleep(60)"]
    others = {"sleep": sleeper, "fail": [sys.executable, "-c", "raise SystemExit(3)"]}
    sys.exit(supervise([sleeper, others[sys.argv[1]]], ready_check=lambda: True,
                       on_ready=lambda: print("ready", flush=True)))
""")


def start_supervisor(other):
    return subprocess.Popen([sys.executable, "-c", SUPERVISOR, other], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)


class SupervisorTests(TestCase):
    def test_it_stops_both_children_on_sigterm(self):
        process = start_supervisor("sleep")
        while "ready" not in process.stdout.readline():
            pass
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=20), 0)

    def test_it_stops_everything_when_a_child_dies(self):
        process = start_supervisor("fail")
        started = time.monotonic()
        self.assertEqual(process.wait(timeout=20), 3)
        self.assertLess(time.monotonic() - started, 15)


class CreateAdminTests(DjangoTestCase):
    PASSWORD = "Boussole-Lavande-Agrafe-47"

    def createadmin(self, *args, **env):
        out, err = StringIO(), StringIO()
        with mock.patch.dict(os.environ, env):
            call_command("createadmin", *args, stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    def password_file(self, password):
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)  # noqa: SIM115
        handle.write(password + "\n")
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_it_creates_an_account_with_a_verified_address(self):
        output = self.createadmin("--email", "Titulaire@Pharmacie.fr", "--password-file",
                                  self.password_file(self.PASSWORD), "--noinput")
        user = get_user_model().objects.get(email="titulaire@pharmacie.fr")
        self.assertTrue(user.check_password(self.PASSWORD))
        self.assertTrue(EmailAddress.objects.get(user=user).verified)
        self.assertFalse(user.is_superuser)
        self.assertIn("Compte créé", output)

    def test_it_reads_the_password_from_the_environment(self):
        self.createadmin("--email", "dpo@pharmacie.fr", "--noinput",
                         PHARMAGARDE_ADMIN_PASSWORD=self.PASSWORD)
        self.assertTrue(get_user_model().objects.get(email="dpo@pharmacie.fr")
                        .check_password(self.PASSWORD))

    def test_it_refuses_a_password_against_the_policy(self):
        with self.assertRaisesMessage(CommandError, "Mot de passe refusé"):
            self.createadmin("--email", "a@pharmacie.fr", "--noinput",
                             PHARMAGARDE_ADMIN_PASSWORD="court")
        self.assertFalse(get_user_model().objects.exists())

    def test_it_refuses_an_address_already_taken(self):
        make_user("pris@pharmacie.fr")
        with self.assertRaisesMessage(CommandError, "existe déjà"):
            self.createadmin("--email", "PRIS@pharmacie.fr", "--noinput",
                             PHARMAGARDE_ADMIN_PASSWORD=self.PASSWORD)

    def test_it_asks_in_french_until_the_password_is_acceptable(self):
        typed = iter(["court", "court", self.PASSWORD, "autre", self.PASSWORD, self.PASSWORD])
        with mock.patch("builtins.input", return_value="moi@pharmacie.fr") as ask, \
                mock.patch("getpass.getpass", side_effect=lambda prompt: next(typed)):
            output = self.createadmin(PHARMAGARDE_ADMIN_PASSWORD="")
        self.assertIn("Adresse e-mail", ask.call_args.args[0])
        self.assertIn("Mot de passe refusé", output)
        self.assertIn("diffèrent", output)
        self.assertTrue(get_user_model().objects.get(email="moi@pharmacie.fr")
                        .check_password(self.PASSWORD))
