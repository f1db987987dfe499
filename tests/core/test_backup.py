"""Pharmagarde's own backups: `backup`, `restore --check`, `restore --into`, and the page.

Three levels, all with real files: the file format on its own (every byte flipped, every
cut, chunks swapped); the commands through call_command on the test database (committed
data: TransactionTestCase), with evidence files on disk and the check's real child process;
and a fresh installation in a temporary folder, backed up by `python manage.py backup` in
a subprocess while another process keeps writing to it, then checked by `pharmagarde
restore --check` in another. On PostgreSQL (DATABASE_URL in the environment) the same
tests go through pg_dump, pg_restore and a scratch database; they are skipped when those
tools are missing.
"""

import io
import os
import secrets
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pharmagarde.actions.models import Action, ActionEvidence
from pharmagarde.core import audit, backup, backup_check
from pharmagarde.core.backup_format import (
    HEADER,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    new_key_file,
    read_key,
)
from pharmagarde.core.models import AuditEntry, InstanceBackup
from tests.base import BaseTestCase, make_organisation, make_user
from tests.test_cli import ROOT, fresh_env, pharmagarde

ON_POSTGRES = connection.vendor == "postgresql"
PG_TOOLS = all(shutil.which(tool) for tool in ("pg_dump", "pg_restore"))
needs_pg_tools = unittest.skipIf(ON_POSTGRES and not PG_TOOLS, "pg_dump or pg_restore missing")

WRONG_KEY = "Cette clé n'est pas celle de la sauvegarde"
TRUNCATED = "Sauvegarde incomplète"
TAMPERED = "Sauvegarde altérée"


def seal(data, key, chunk_size=64):
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, chunk_size=chunk_size)
    writer.write(data)
    writer.finish()
    return out.getvalue()


def unseal(blob, key):
    reader = DecryptingReader(io.BytesIO(blob), key)
    data = reader.read()
    reader.drain()
    return data


def chunks(blob):
    """The sealed chunks of a blob, each with its 4-byte prefix."""
    found, offset = [], HEADER.size
    while offset < len(blob):
        (length,) = struct.unpack(">I", blob[offset: offset + 4])
        end = offset + 4 + (length & 0x7FFF_FFFF)
        found.append(blob[offset:end])
        offset = end
    return found


class FormatTests(SimpleTestCase):
    key = secrets.token_bytes(32)
    data = secrets.token_bytes(300)  # five chunks of 64 bytes, the last one short

    def test_it_reads_back_what_it_wrote_whatever_the_length(self):
        for length in (0, 1, 63, 64, 65, 128, 300):
            with self.subTest(length=length):
                self.assertEqual(unseal(seal(self.data[:length], self.key), self.key),
                                 self.data[:length])

    def test_it_writes_no_plain_text(self):
        marker = b"ordonnance-secrete-" * 10
        self.assertNotIn(b"ordonnance-secrete", seal(marker, self.key, chunk_size=1 << 20))

    def test_a_wrong_key_is_named_as_such(self):
        blob = seal(self.data, self.key)
        with self.assertRaisesMessage(BackupError, WRONG_KEY):
            unseal(blob, secrets.token_bytes(32))

    def test_a_file_cut_anywhere_is_refused(self):
        blob = seal(self.data, self.key)
        for cut in range(HEADER.size, len(blob)):
            with self.subTest(cut=cut), self.assertRaisesMessage(BackupError, TRUNCATED):
                unseal(blob[:cut], self.key)

    def test_any_flipped_byte_is_refused(self):
        blob = seal(self.data, self.key)
        for position in range(len(blob)):
            damaged = bytearray(blob)
            damaged[position] ^= 0x01
            with self.subTest(position=position), self.assertRaises(BackupError):
                unseal(bytes(damaged), self.key)

    def test_a_flipped_byte_in_the_content_is_called_tampering(self):
        blob = bytearray(seal(self.data, self.key))
        blob[HEADER.size + 4 + 10] ^= 0x80
        with self.assertRaisesMessage(BackupError, TAMPERED + " : le bloc n° 1"):
            unseal(bytes(blob), self.key)

    def test_chunks_swapped_or_removed_are_refused(self):
        blob = seal(self.data, self.key)
        header, parts = blob[:HEADER.size], chunks(blob)
        self.assertEqual(len(parts), 5)
        swapped = header + parts[1] + parts[0] + b"".join(parts[2:])
        with self.assertRaisesMessage(BackupError, TAMPERED):
            unseal(swapped, self.key)
        with self.assertRaisesMessage(BackupError, TAMPERED):
            unseal(header + parts[0] + b"".join(parts[2:]), self.key)
        with self.assertRaisesMessage(BackupError, TRUNCATED):
            unseal(header + b"".join(parts[:-1]), self.key)

    def test_data_after_the_end_is_refused(self):
        with self.assertRaisesMessage(BackupError, "des données suivent sa fin"):
            unseal(seal(self.data, self.key) + b"x", self.key)

    def test_another_file_is_not_taken_for_a_backup(self):
        with self.assertRaisesMessage(BackupError, "n'est pas une sauvegarde Pharmagarde"):
            unseal(b"SQLite format 3\x00" + bytes(200), self.key)


class KeyFileTests(SimpleTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)

    def test_new_key_is_private_and_never_replaced(self):
        path = self.folder / "cle"
        out = io.StringIO()
        call_command("backup", new_key=str(path), stdout=out)
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        text = path.read_text()
        self.assertIn("Clé de sauvegarde créée", out.getvalue())
        self.assertIn("hors de la machine", out.getvalue())
        self.assertNotIn(text.strip().split(":")[1], out.getvalue())
        self.assertEqual(len(read_key(path)), 32)
        with self.assertRaisesMessage(CommandError, "existe déjà"):
            call_command("backup", new_key=str(path), stdout=io.StringIO())
        self.assertEqual(path.read_text(), text)

    def test_another_secret_is_not_taken_for_a_backup_key(self):
        path = self.folder / "secret_key"
        path.write_text("django-" + "x" * 50 + "\n")
        with self.assertRaisesMessage(BackupError, "n'est pas une clé de sauvegarde"):
            read_key(path)
        with self.assertRaisesMessage(BackupError, "Fichier de clé introuvable"):
            read_key(self.folder / "absente")


@needs_pg_tools
class BackupCommandTests(TransactionTestCase):
    """The commands on the test database, with evidence files in their own media folder."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        self.media, self.dest, self.scratch = (self.tmp / n for n in ("media", "dest", "tmp"))
        for folder in (self.media, self.dest, self.scratch):
            folder.mkdir()
        media = override_settings(MEDIA_ROOT=str(self.media))
        media.enable()
        self.addCleanup(media.disable)
        self.key_path = self.tmp / "keys" / "cle"
        self.key_path.parent.mkdir()
        new_key_file(self.key_path)
        self.org = make_organisation("Pharmacie Alpha", "alpha")
        self.user = make_user("alice@alpha.example")
        action = Action.objects.create(organisation=self.org, title="Sauvegarder le LGO")
        self.evidence = ActionEvidence.objects.create(
            organisation=self.org, action=action, original_name="preuve.pdf", size=17,
            file=ContentFile(b"%PDF-1.4 contenu!", name="preuve.pdf"),
            content_type="application/pdf")
        for _ in range(3):
            audit.record("organisation.updated", actor=self.user, organisation=self.org)

    def run_backup(self, **options):
        out, err = io.StringIO(), io.StringIO()
        call_command("backup", to=str(self.dest), key_file=str(self.key_path), stdout=out,
                     stderr=err, **options)
        return out.getvalue(), err.getvalue()

    def check(self, path, key_path=None):
        out = io.StringIO()
        call_command("restore", check=str(path), key_file=str(key_path or self.key_path),
                     scratch=str(self.scratch), stdout=out)
        return out.getvalue()

    def only_backup(self):
        (path,) = self.dest.iterdir()
        return path

    def test_a_backup_restores_and_both_are_recorded(self):
        out, _err = self.run_backup()
        path = self.only_backup()
        self.assertRegex(path.name, r"^pharmagarde-\d{4}-\d\d-\d\d-\d{6}\.sauvegarde$")
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertIn(f"Sauvegarde écrite : {path}", out)
        self.assertIn("1 fichier de preuve", out)
        done = InstanceBackup.objects.get(kind="backup")
        self.assertTrue(done.ok)
        self.assertEqual((done.size, done.file_name), (path.stat().st_size, str(path)))

        report = self.check(path)
        self.assertIn("Restauration vérifiée en ", report)
        self.assertIn("journal d'audit intact (3 entrées)", report)
        self.assertIn("1 fichier de preuve, présent", report)
        self.assertIn("schéma déjà à jour", report)
        checked = InstanceBackup.objects.get(kind="check")
        self.assertTrue(checked.ok)
        self.assertEqual(checked.detail, report.strip())
        self.assertGreater(checked.duration, timedelta(0))
        self.assertEqual(list(self.scratch.iterdir()), [], "the scratch folder is removed")
        # Both are in the audit log too, named after the command that ran.
        made = AuditEntry.objects.get(action="instance.backup_made")
        self.assertEqual((made.actor_label, made.details["taille"]),
                         ("pharmagarde backup", path.stat().st_size))
        self.assertEqual(AuditEntry.objects.get(action="instance.backup_checked").actor_label,
                         "pharmagarde restore --check")

    def test_the_key_and_the_secrets_stay_out_of_everything_written(self):
        out, err = self.run_backup()
        self.check(self.only_backup())
        key_text = self.key_path.read_text().strip().split(":")[1]
        blob = self.only_backup().read_bytes()
        details = " ".join(InstanceBackup.objects.values_list("detail", flat=True))
        for secret in (key_text, read_key(self.key_path).hex()):
            self.assertNotIn(secret, out + err + details)
            self.assertNotIn(secret.encode(), blob)
        self.assertNotIn(settings.SECRET_KEY.encode(), blob)
        self.assertNotIn(b"%PDF-1.4 contenu!", blob)

    def test_the_check_of_a_folder_takes_its_newest_backup(self):
        with self.assertRaisesMessage(CommandError, f"Aucune sauvegarde dans {self.dest}"):
            self.check(self.dest)
        backup.write_backup(self.dest, read_key(self.key_path),
                            now=timezone.now() - timedelta(days=1))
        self.run_backup()
        self.check(self.dest)
        newest = InstanceBackup.objects.get(kind="backup", ok=True).file_name
        self.assertEqual(InstanceBackup.objects.get(kind="check", ok=True).file_name, newest)

    def test_restore_into_gives_a_data_directory(self):
        self.run_backup()
        into = self.tmp / "restauree"
        out = io.StringIO()
        call_command("restore", str(self.only_backup()), into=str(into),
                     key_file=str(self.key_path), stdout=out)
        self.assertIn(f"restaurée dans {into}", out.getvalue())
        self.assertEqual((into / "media" / self.evidence.file.name).read_bytes(),
                         b"%PDF-1.4 contenu!")
        self.assertEqual(stat.S_IMODE((into / "secret_key").stat().st_mode), 0o600)
        database = into / ("pharmagarde.dump" if ON_POSTGRES else "pharmagarde.sqlite3")
        self.assertTrue(database.is_file())
        with self.assertRaisesMessage(CommandError, "n'est pas vide"):
            call_command("restore", str(self.only_backup()), into=str(into),
                         key_file=str(self.key_path), stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "l'instance en marche"):
            call_command("restore", str(self.only_backup()),
                         into=str(Path(settings.DATA_DIR) / "restauree"),
                         key_file=str(self.key_path), stdout=io.StringIO())

    def test_a_missing_evidence_file_fails_the_check(self):
        Path(self.evidence.file.path).unlink()
        self.run_backup()
        with self.assertRaisesMessage(CommandError, "1 fichier(s) de preuve absent(s)"):
            self.check(self.only_backup())
        self.assertFalse(InstanceBackup.objects.get(kind="check").ok)

    def test_an_altered_audit_log_fails_the_check(self):
        entry = AuditEntry.objects.order_by("id")[1]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s",
                           ["member.removed", entry.id])
        self.run_backup()
        with self.assertRaisesMessage(CommandError, "journal d'audit altéré"):
            self.check(self.only_backup())

    def test_wrong_key_truncated_or_flipped_are_refused_and_recorded(self):
        self.run_backup()
        path = self.only_backup()
        other_key = self.tmp / "keys" / "autre"
        new_key_file(other_key)
        truncated, flipped = self.tmp / "coupee.sauvegarde", self.tmp / "abimee.sauvegarde"
        blob = path.read_bytes()
        truncated.write_bytes(blob[: len(blob) // 2])
        damaged = bytearray(blob)
        damaged[len(blob) // 3] ^= 0xFF
        flipped.write_bytes(bytes(damaged))
        for file, key, message in [(path, other_key, WRONG_KEY), (truncated, None, TRUNCATED),
                                   (flipped, None, TAMPERED)]:
            with self.subTest(message), self.assertRaisesMessage(CommandError, message):
                self.check(file, key)
        failed = InstanceBackup.objects.filter(kind="check", ok=False)
        self.assertEqual(failed.count(), 3)
        self.assertEqual(AuditEntry.objects.filter(action="instance.check_failed").count(), 3)
        self.assertEqual(list(self.scratch.iterdir()), [])

    def test_it_refuses_a_key_kept_with_the_backups(self):
        inside = self.dest / "cle"
        new_key_file(inside)
        with self.assertRaisesMessage(CommandError, "rangée avec les sauvegardes"):
            call_command("backup", to=str(self.dest), key_file=str(inside),
                         stdout=io.StringIO())
        self.assertEqual(list(self.dest.iterdir()), [inside])
        failed = InstanceBackup.objects.get(kind="backup")
        self.assertFalse(failed.ok)
        self.assertIn("rangée avec les sauvegardes", failed.detail)

    def test_it_says_what_is_missing(self):
        for options, message in [
            ({"to": str(self.tmp / "absent")}, "n'existe pas (disque externe non branché ?)"),
            ({"to": str(self.media)}, "dans celui des fichiers envoyés"),
            ({"to": ""}, "Aucun dossier de destination"),
            ({"to": str(self.dest), "key_file": ""}, "Aucune clé de sauvegarde"),
        ]:
            options.setdefault("key_file", str(self.key_path))
            with self.subTest(message), self.assertRaisesMessage(CommandError, message):
                call_command("backup", stdout=io.StringIO(), **options)

    def test_it_warns_about_a_key_others_can_read(self):
        self.key_path.chmod(0o644)
        _out, err = self.run_backup()
        self.assertIn(f"chmod 600 {self.key_path}", err)

    def test_keep_deletes_the_oldest(self):
        key = read_key(self.key_path)
        start = timezone.now()
        for day in range(3):
            backup.write_backup(self.dest, key, now=start - timedelta(days=3 - day))
        self.run_backup(keep=2)
        names = sorted(path.name for path in self.dest.iterdir())
        self.assertEqual(len(names), 2)
        self.assertEqual(names[-1], backup.backup_name(
            InstanceBackup.objects.get(kind="backup").started_at))


# A fresh installation, written to by a process of its own while it is backed up.
SETUP = """
from django.core.files.base import ContentFile
from pharmagarde.actions.models import Action, ActionEvidence
from pharmagarde.core import audit
from pharmagarde.core.models import Organisation
org = Organisation.objects.create(name="Pharmacie Alpha", slug="alpha", kind="officine",
                                  siret="73282932000074")
action = Action.objects.create(organisation=org, title="Tester la restauration")
ActionEvidence.objects.create(organisation=org, action=action, original_name="preuve.pdf",
                              file=ContentFile(b"%PDF-1.4 preuve", name="preuve.pdf"),
                              size=15, content_type="application/pdf")
audit.record("organisation.created", organisation=org)
"""
WRITER = """
import os, time
from pathlib import Path
from pharmagarde.core import audit
from pharmagarde.core.models import Organisation
org = Organisation.objects.get(slug="alpha")
log = open(os.environ["WRITER_LOG"], "a", buffering=1)
stop, deadline = Path(os.environ["WRITER_STOP"]), time.monotonic() + 120
while not stop.exists() and time.monotonic() < deadline:
    entry = audit.record("organisation.updated", organisation=org, details={"n": 1})
    log.write(f"{time.time()} {entry.id}\\n")
"""
# Runs a command and prints, last, the peak memory of it and its children (kB).
PEAK_MEMORY = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


@needs_pg_tools
class LiveInstanceTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp())
        cls.data_dir, cls.dest = cls.tmp / "data", cls.tmp / "disque-externe"
        cls.dest.mkdir()
        cls.key = cls.tmp / "cle-sauvegarde"
        new_key_file(cls.key)
        cls.env = {"SECRET_KEY": "live-backup-test-" + "k" * 40}
        cls.database = None
        if ON_POSTGRES:
            cls.database = f"pharmagarde_bk_{secrets.token_hex(4)}"
            cls.admin_sql(f'CREATE DATABASE "{cls.database}"')
            settings_dict = connection.settings_dict
            cls.env["DATABASE_URL"] = backup_check._scratch_database_url(
                settings_dict, cls.database)
        for args in (("migrate", "--verbosity", "0"), ("shell", "-c", SETUP)):
            result = cls.run_pharmagarde(*args)
            assert result.returncode == 0, result.stderr
        if not ON_POSTGRES:
            # About 48 MB more, so that the copy takes long enough for the writer to be
            # caught in the middle of it.
            with sqlite3.connect(cls.data_dir / "pharmagarde.sqlite3") as db:
                db.execute("CREATE TABLE zz_filler (b BLOB)")
                db.execute("INSERT INTO zz_filler SELECT randomblob(1048576) FROM (WITH "
                           "RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE "
                           "x < 48) SELECT x FROM c)")

    @classmethod
    def tearDownClass(cls):
        if cls.database:
            cls.admin_sql(f'DROP DATABASE IF EXISTS "{cls.database}" WITH (FORCE)')
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def admin_sql(cls, statement):
        import psycopg

        # The maintenance database: the test database may not exist yet.
        conninfo, _env = backup.pg_conninfo(connection.settings_dict, dbname="postgres")
        with psycopg.connect(conninfo, password=connection.settings_dict.get("PASSWORD"),
                             autocommit=True) as admin:
            admin.execute(statement)

    @classmethod
    def run_pharmagarde(cls, *args, **extra):
        return pharmagarde(*args, data_dir=cls.data_dir, **cls.env, **extra)

    def manage(self, *args, measure=False):
        argv = [sys.executable, "manage.py", *args]
        if measure:
            argv = [sys.executable, "-c", PEAK_MEMORY, *argv]
        return subprocess.run(argv, cwd=ROOT, env=fresh_env(self.data_dir, **self.env),
                              capture_output=True, text=True, timeout=300)

    def newest_backup(self):
        return sorted(self.dest.glob("*.sauvegarde"))[-1]

    def test_a_backup_taken_while_another_process_writes_restores_whole(self):
        log, stop = self.tmp / "writer.log", self.tmp / "writer.stop"
        writer = subprocess.Popen(
            [sys.executable, "-m", "pharmagarde.cli", "shell", "-c", WRITER], cwd=ROOT,
            env=fresh_env(self.data_dir, WRITER_LOG=str(log), WRITER_STOP=str(stop),
                          **self.env),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not log.exists() or len(log.read_text().splitlines()) < 20:
                self.assertLess(time.monotonic(), deadline, "the writer did not start")
                time.sleep(0.1)
            result = self.manage("backup", "--to", str(self.dest), "--key-file", str(self.key))
            time.sleep(0.3)
        finally:
            stop.touch()
            _out, writer_errors = writer.communicate(timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(writer.returncode, 0, writer_errors)
        self.assertIn("Sauvegarde écrite", result.stdout)

        # The writer went on during the snapshot, and the snapshot holds a whole chain.
        extracted = backup_check.extract(self.newest_backup(), read_key(self.key),
                                         self.tmp / "extrait")
        begin, end = (datetime.fromisoformat(t).timestamp()
                      for t in extracted.manifest["snapshot"])
        writes = [float(line.split()[0]) for line in log.read_text().splitlines()]
        self.assertTrue(any(begin <= at <= end for at in writes),
                        f"no write during the snapshot ({end - begin:.3f} s)")
        self.assertTrue(any(at > end for at in writes))
        if not ON_POSTGRES:
            with sqlite3.connect(extracted.database) as db:
                self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
                entries = db.execute("SELECT count(*) FROM core_auditentry").fetchone()[0]
                broken = db.execute(
                    "SELECT count(*) FROM core_auditentry a JOIN core_auditentry b ON b.id = "
                    "(SELECT max(id) FROM core_auditentry WHERE id < a.id) "
                    "WHERE a.previous_hash != b.entry_hash").fetchone()[0]
            self.assertEqual(broken, 0)
            self.assertLess(entries, len(writes) + 1, "later writes are not in the copy")

        check = self.run_pharmagarde("restore", "--check", str(self.newest_backup()),
                                     "--key-file", str(self.key))
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("Restauration vérifiée en ", check.stdout)
        self.assertIn("journal d'audit intact", check.stdout)
        self.assertIn("1 fichier de preuve, présent", check.stdout)

    def test_a_damaged_backup_fails_with_a_french_message_and_a_non_zero_exit(self):
        result = self.manage("backup", "--to", str(self.dest), "--key-file", str(self.key))
        self.assertEqual(result.returncode, 0, result.stderr)
        blob = self.newest_backup().read_bytes()
        other_key = self.tmp / "autre-cle"
        if not other_key.exists():
            new_key_file(other_key)
        damaged = bytearray(blob)
        damaged[len(blob) // 2] ^= 0x01
        cases = [("coupee", blob[:-100], self.key, TRUNCATED),
                 ("abimee", bytes(damaged), self.key, TAMPERED),
                 ("autre", blob, other_key, WRONG_KEY)]
        for name, content, key, message in cases:
            path = self.tmp / f"{name}.sauvegarde"
            path.write_bytes(content)
            with self.subTest(message):
                check = self.run_pharmagarde("restore", "--check", str(path),
                                             "--key-file", str(key))
                self.assertNotEqual(check.returncode, 0)
                self.assertIn(message, check.stderr)
                self.assertNotIn("Traceback", check.stderr)

    def test_memory_stays_bounded_by_the_chunks_not_the_evidence(self):
        small = self.manage("backup", "--to", str(self.dest), "--key-file", str(self.key),
                            measure=True)
        self.assertEqual(small.returncode, 0, small.stderr)
        big = self.data_dir / "media" / "gros-fichier.bin"
        with big.open("wb") as handle:
            for _ in range(96):
                handle.write(os.urandom(1 << 20))
        try:
            time.sleep(1)  # another second, another file name
            large = self.manage("backup", "--to", str(self.dest), "--key-file",
                                str(self.key), measure=True)
            self.assertEqual(large.returncode, 0, large.stderr)
            self.assertGreater(self.newest_backup().stat().st_size, 96 << 20)
            check = self.manage("restore", "--check", str(self.newest_backup()),
                                "--key-file", str(self.key), measure=True)
            self.assertEqual(check.returncode, 0, check.stderr)
        finally:
            big.unlink()
        peak = {name: int(result.stdout.split()[-1]) // 1024
                for name, result in [("small", small), ("large", large), ("check", check)]}
        # 96 MB more evidence moves the peak by less than 16 MB (chunks of 1 MiB).
        self.assertLess(peak["large"] - peak["small"], 16, peak)
        self.assertLess(peak["check"] - peak["small"], 16, peak)


class InstanceBackupsPageTests(BaseTestCase):
    url = reverse("instance_backups")

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = make_user("admin@instance.example")
        get_user_model().objects.filter(pk=cls.admin.pk).update(is_superuser=True,
                                                                is_staff=True)

    def record(self, kind, ok, *, days_ago, detail="", name="/mnt/s/pharmagarde-x.sauvegarde"):
        return InstanceBackup.objects.create(
            kind=kind, ok=ok, started_at=timezone.now() - timedelta(days=days_ago),
            duration=timedelta(seconds=3.2), size=12_345_678, file_name=name, detail=detail)

    def test_only_superusers_see_it(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))
        for user in (self.owner, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_the_header_links_it_for_superusers_only(self):
        self.client.force_login(self.owner)
        self.assertNotContains(self.client.get(self.org_url("dashboard")), self.url)
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(self.url), f'href="{self.url}"')

    def test_it_says_when_nothing_was_ever_done(self):
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertShows(response, "Aucune sauvegarde réussie n'a encore été faite.")
        self.assertShows(response, "Aucune restauration n'a encore été vérifiée.")

    def test_it_shows_the_last_backup_and_the_last_successful_check(self):
        self.record("check", True, days_ago=10, detail="Restauration vérifiée en 4,2 s : ok.")
        self.record("check", False, days_ago=1, detail="Sauvegarde altérée : le bloc n° 3")
        self.record("backup", True, days_ago=3, detail="ancienne")
        self.record("backup", True, days_ago=0, detail="12 Mo en 1,1 s : base SQLite")
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertShows(response, "12 Mo en 1,1 s : base SQLite")
        self.assertShows(response, "Restauration vérifiée en 4,2 s : ok.")
        self.assertShows(response, "Dernière vérification, en échec")
        self.assertShows(response, "Sauvegarde altérée : le bloc n° 3", count=1)
        self.assertNotContains(response, "Aucune sauvegarde réussie depuis")
        self.assertNotContains(response, "Aucune restauration vérifiée depuis")

    def test_it_warns_when_backups_or_checks_are_late(self):
        self.record("backup", True, days_ago=3)
        self.record("backup", False, days_ago=0, detail="Dossier de destination absent")
        self.record("check", True, days_ago=100)
        self.client.force_login(self.admin)
        response = self.client.get(self.url)
        self.assertShows(response, "Aucune sauvegarde réussie depuis 3")
        self.assertShows(response, "Aucune restauration vérifiée depuis 3")
        self.assertShows(response, "Dernière sauvegarde réussie")
        self.assertShows(response, "Dossier de destination absent", count=1)

    def test_its_query_count_does_not_grow_with_the_history(self):
        self.client.force_login(self.admin)
        self.assertQueriesConstant(
            self.url, lambda i: self.record("backup" if i % 2 else "check", bool(i % 3),
                                            days_ago=i))
