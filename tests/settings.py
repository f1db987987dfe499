"""Test settings: production settings plus what makes the suite fast and self-contained."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("PHARMAGARDE_DATA_DIR", tempfile.mkdtemp(prefix="pharmagarde-tests-"))
os.environ.setdefault("HTTPS", "false")

from pharmagarde.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests that check hashing switch it back on.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise warns on every request when STATIC_ROOT does not exist; tests serve from
# the app folders (StaticFilesStorage), so an empty directory is enough.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Peer averages carry noise in production; tests of the arithmetic make it negligible
# (scale 100 / (units × 10⁹)) and the tests of the protection put it back.
PEER_EPSILON = 1e9
# One process: a local-memory cache, emptied before every test (conftest.py). The shared
# database cache of production is tested with real processes (tests/accounts/test_processes.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
