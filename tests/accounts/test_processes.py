"""Two server processes of one instance share the default cache: a TOTP code works once.

The attack (issue 6): with no CACHES configured, each gunicorn process had its own memory
cache, so allauth's record of used TOTP codes (and its rate limits) were per process, and
the same code was accepted twice within its 30 seconds. The default cache is now the
database, shared by every process on every machine. This test starts two real servers on
one fresh installation and replays a code from the first on the second.
"""

import http.cookiejar
import re
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from unittest import TestCase

from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value

from pharmagarde.core.management.commands import serve
from tests.base import PASSWORD
from tests.test_cli import ROOT, free_port, fresh_env, pharmagarde

EMAIL = "claire@exemple.fr"
CREATE_USER = """
import os
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user(username="claire", email=os.environ["E"],
                                            password=os.environ["P"])
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
TOTP.activate(user, os.environ["S"])
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor with its own cookies, talking to one server."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(self.base + path, body, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx
            response = error
        return response.status, response.headers.get("Location", ""), response.read().decode()

    def post_form(self, path, data):
        _status, _location, page = self.request(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **data})


class TOTPReplayAcrossProcessesTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.secret = generate_totp_secret()
        cls.env = {"SECRET_KEY": "processes-test-" + "k" * 40}
        result = pharmagarde("init", data_dir=cls.tmp.name, **cls.env)
        assert result.returncode == 0, result.stderr
        result = pharmagarde("shell", "-c", CREATE_USER, data_dir=cls.tmp.name,
                             E=EMAIL, P=PASSWORD, S=cls.secret, **cls.env)
        assert result.returncode == 0, result.stderr
        cls.ports, cls.servers = [free_port(), free_port()], []
        for port in cls.ports:
            argv = serve.gunicorn_argv(host="127.0.0.1", port=port, workers=1, threads=1)
            cls.servers.append(subprocess.Popen(
                argv, cwd=ROOT, env=fresh_env(cls.tmp.name, **cls.env),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while not all(serve.is_listening("127.0.0.1", p) for p in cls.ports):
            assert time.monotonic() < deadline, "the servers did not start"
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.terminate()
        for server in cls.servers:
            server.wait(timeout=30)
        cls.tmp.cleanup()
        super().tearDownClass()

    def sign_in(self, port, code):
        browser = Browser(port)
        status, location, _page = browser.post_form(
            "/comptes/login/", {"login": EMAIL, "password": PASSWORD})
        self.assertEqual((status, location), (302, "/comptes/2fa/authenticate/"))
        return browser.post_form("/comptes/2fa/authenticate/", {"code": code})

    def test_a_code_used_on_one_process_is_refused_on_the_other(self):
        # Far enough from the end of its 30 seconds for both sign-ins to fit in.
        while time.time() % 30 > 20:
            time.sleep(0.5)
        code = format_hotp_value(hotp_value(self.secret, int(time.time()) // 30))
        first = self.sign_in(self.ports[0], code)
        self.assertEqual(first[0], 302, "the first use of the code signs in")
        second = self.sign_in(self.ports[1], code)
        self.assertEqual(second[0], 200, "the same code is refused on the other process")
        self.assertIn("Code incorrect", second[2])
