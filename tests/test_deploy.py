"""`manage.py check --deploy` is clean with production settings.

Run in a subprocess: the test settings relax exactly what this check looks at.
"""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import TestCase

ROOT = Path(__file__).resolve().parent.parent
# Set by the test run (test settings, browser tests): production would not have them.
LEAKY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def check_deploy(**overrides):
    env = {key: value for key, value in os.environ.items()
           if key not in LEAKY}
    with tempfile.TemporaryDirectory() as data_dir:
        env.update(
            DJANGO_SETTINGS_MODULE="pharmagarde.settings", PHARMAGARDE_DATA_DIR=data_dir,
            HTTPS="true", SECRET_KEY=secrets.token_urlsafe(64),
            ALLOWED_HOSTS="pharmagarde.example.fr", **overrides,
        )
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )


class CheckDeployTests(TestCase):
    def test_it_reports_no_issue_with_production_settings(self):
        result = check_deploy()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_reports_no_issue_behind_a_tls_proxy(self):
        result = check_deploy(BEHIND_PROXY="true",
                              CSRF_TRUSTED_ORIGINS="https://pharmagarde.example.fr")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_it_still_warns_when_debug_is_on(self):
        # The check itself works: it is not silenced wholesale.
        result = check_deploy(DEBUG="true")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W018", result.stdout + result.stderr)
