"""Pharmagarde settings: one module, driven by environment variables.

Every variable is documented in docs/configuration.md. Defaults are safe for production
(debug off, HTTPS on); `make run` sets the few that a local, plain-HTTP demo needs.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PHARMAGARDE_DATA_DIR", BASE_DIR.parent / "data")).resolve()

DEBUG = env_bool("DEBUG", False)
HTTPS = env_bool("HTTPS", True)


def read_secret_key():
    """The key comes from SECRET_KEY, SECRET_KEY_FILE, or the data directory's key file.

    `pharmagarde init` (run by `make run`) writes that file once, so restarts keep sessions.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(os.environ.get("SECRET_KEY_FILE", DATA_DIR / "secret_key"))
    if key_file.is_file():
        key = key_file.read_text().strip()
        if key:
            return key
    if DEBUG:
        from django.core.management.utils import get_random_secret_key

        return get_random_secret_key()
    raise ImproperlyConfigured(
        "Aucune clé secrète : définissez SECRET_KEY ou SECRET_KEY_FILE, "
        "ou lancez « pharmagarde init » pour en créer une dans le répertoire de données."
    )


SECRET_KEY = read_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "pharmagarde.core",
    "pharmagarde.accounts",
    "pharmagarde.diagnostic",
    "pharmagarde.actions",
    "pharmagarde.inventory",
    "pharmagarde.incidents",
    "pharmagarde.continuity",
    "pharmagarde.privacy",
    "pharmagarde.awareness",
    "pharmagarde.reports",
    "pharmagarde.federation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pharmagarde.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pharmagarde.core.middleware.NoStoreWhenSignedInMiddleware",
    # Before anything reads the body; after the session and the user, for the 400 page.
    "pharmagarde.core.middleware.UTF8RequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "pharmagarde.accounts.middleware.IdleTimeoutMiddleware",
    "pharmagarde.accounts.middleware.RequireMFAMiddleware",
    "pharmagarde.accounts.middleware.RestoreLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "pharmagarde.urls"
WSGI_APPLICATION = "pharmagarde.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pharmagarde.core.context_processors.organisations",
            ],
        },
    }
]

# Database: embedded SQLite (WAL) in the data directory by default, PostgreSQL by URL.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'pharmagarde.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (CONN_MAX_AGE) as on PostgreSQL: in WAL mode the last
    # connection to close checkpoints the whole log into the database and syncs it, so one
    # connection a request made a quiet server pay a checkpoint on almost every write.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN: no "database is locked" when two
        # transactions that read then write (audit chain, invitations) meet.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

def parse_cache_url(url):
    """CACHE_URL: empty or db:// for the database cache, redis://host:6379/0 (or rediss://)
    for Redis, locmem:// for a single-process cache (tests, one-off commands)."""
    scheme = urlsplit(url).scheme if url else "db"
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pharmagarde_cache",
            # Django's default (300 entries, a third culled at once) would drop the record
            # of a used TOTP code within minutes on a busy instance: keep far more.
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        }
    raise ImproperlyConfigured(
        f"CACHE_URL : schéma « {scheme} » inconnu (db://, redis://, rediss:// ou locmem://)."
    )


# One cache shared by every process of the instance, on every machine: allauth's record of
# used TOTP codes and its rate limits are only as good as the cache they live in. The
# database cache needs no extra server (its table is created by the migrations).
CACHES = {"default": parse_cache_url(os.environ.get("CACHE_URL", ""))}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Passwords: Argon2id, CNIL 2022 rules (12+ characters of four kinds), zxcvbn, max length.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "pharmagarde.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "pharmagarde.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "pharmagarde.accounts.passwords.ZxcvbnValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth
ACCOUNT_ADAPTER = "pharmagarde.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "pharmagarde.accounts.adapter.SocialAccountAdapter"
MFA_ADAPTER = "pharmagarde.accounts.adapter.MFAAdapter"
# The same forms with plainer French labels.
ACCOUNT_FORMS = {
    "login": "pharmagarde.accounts.forms.LoginForm",
    "signup": "pharmagarde.accounts.forms.SignupForm",
    "reset_password": "pharmagarde.accounts.forms.ResetPasswordForm",
    "add_email": "pharmagarde.accounts.forms.AddEmailForm",
}
MFA_FORMS = {
    "add_webauthn": "pharmagarde.accounts.forms.AddWebAuthnForm",
    # Wrong codes count against the sign-in throttle (accounts/second_factor.py).
    "authenticate": "pharmagarde.accounts.forms.AuthenticateForm",
    "reauthenticate": "pharmagarde.accounts.forms.ReauthenticateForm",
    "authenticate_webauthn": "pharmagarde.accounts.forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "pharmagarde.accounts.forms.ReauthenticateWebAuthnForm",
    "login_webauthn": "pharmagarde.accounts.forms.LoginWebAuthnForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Tell people by e-mail when their password, e-mail or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pharmagarde] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
ACCOUNT_RATE_LIMITS = {
    # Our own growing delay and lock-out (accounts/throttle.py), which also count wrong
    # second-factor codes (accounts/second_factor.py), replace allauth's login_failed
    # limit; the others stay on.
    "login_failed": False,
}
PHARMAGARDE_OPEN_SIGNUP = env_bool("OPEN_SIGNUP", True)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("WEBAUTHN_ALLOW_INSECURE_ORIGIN", not HTTPS)
MFA_TOTP_ISSUER = "Pharmagarde"

# Sign-in throttling (CNIL 2022 case 2 / ANS identification framework).
LOGIN_FAILURES_BEFORE_DELAY = 5
LOGIN_DELAY_SECONDS = 60  # doubling with each further failure…
LOGIN_DELAY_MAX_SECONDS = 3600  # …up to an hour, so that the lock-out below stays reachable
LOGIN_FAILURES_BEFORE_LOCK = 25
LOGIN_FAILURE_WINDOW_SECONDS = 24 * 3600
# Wrong second-factor codes in one pending sign-in before the password must be typed again.
MFA_FAILURES_BEFORE_RESTART = 3
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))

# Pro Santé Connect or any OpenID Connect provider, off unless configured.
SOCIALACCOUNT_PROVIDERS = {}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "").rstrip("/")
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": os.environ.get("OIDC_PROVIDER_ID", "psc"),
                "name": os.environ.get("OIDC_NAME", "Pro Santé Connect"),
                "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
                "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "token_auth_method": os.environ.get(
                        "OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"
                    ),
                    "scope": env_list("OIDC_SCOPES", "openid,email,profile"),
                },
            }
        ],
    }

# Sessions and cookies
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is the domain owner's decision (it binds every subdomain and is slow to
    # undo): opt in with SECURE_HSTS_PRELOAD=true; until then `check --deploy` stays quiet.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a reverse proxy, the client's address comes from the last X-Forwarded-For entry
# (the one our own proxy writes), and HTTPS from X-Forwarded-Proto.
# One rule decides the client address everywhere (audit log, our sign-in throttle and
# allauth's rate limits, which ask our adapter): pharmagarde.core.audit.client_ip.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# allauth reads these only where it does not ask the adapter; they say the same thing.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Evidence files: the size limit is enforced while the upload streams in, the number of
# files per answer, action… when one is attached (core/files.py).
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
MAX_EVIDENCE_FILES = 10
FILE_UPLOAD_HANDLERS = [
    "pharmagarde.core.files.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Strict Content Security Policy: no inline script or style anywhere.
_form_action = [SELF]
if OIDC_SERVER_URL:
    _parts = urlsplit(OIDC_SERVER_URL)
    _form_action.append(f"{_parts.scheme}://{_parts.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": _form_action,
    }
}

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
# Each language is named in itself, so that a reader finds their own.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide assets (app.css, app.js, htmx) live outside any app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"


def parse_email_url(url):
    """EMAIL_URL: smtp://user:password@host:587?tls=1 (or smtps:// for implicit TLS)."""
    parts = urlsplit(url)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    return {
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in {"1", "true", "yes"},
        "EMAIL_TIMEOUT": 10,
    }


EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    globals().update(parse_email_url(EMAIL_URL))
else:
    # No mail server configured: mails are written to the data directory for reading.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mails"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pharmagarde <pharmagarde@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every mail is sent by the worker (core/mail.py). A worker keeps a mail it is sending this
# long before another may try again (the first wait after a failure, doubled each time).
MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "120"))
# The scheduler inside every `pharmagarde worker` (core/scheduler.py): one run per interval,
# whatever the number of workers; reminders, digests, mail left behind.
SCHEDULER_INTERVAL_SECONDS = int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", "300"))
# Phishing campaigns (awareness/sending.py): how many sending tasks a launch starts (they
# share the campaign's rows; more run at once only with more workers), and how long a
# worker keeps the rows it claimed before another may take them over.
AWARENESS_SENDERS = int(os.environ.get("AWARENESS_SENDERS", "4"))
AWARENESS_LEASE_SECONDS = int(os.environ.get("AWARENESS_LEASE_SECONDS", "120"))
# The weekly digest: day (0 = Monday) and hour, in TIME_ZONE.
DIGEST_WEEKDAY = int(os.environ.get("DIGEST_WEEKDAY", "0"))
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))

INVITATION_VALIDITY_DAYS = 7
# The anonymous averages of organisations of the same kind (diagnostic/peers.py): one
# snapshot per period, from the assessments completed before it began; noise of scale
# 100 / (units × PEER_EPSILON) on each value (lib/smallcells.py).
PEER_SNAPSHOT_DAYS = int(os.environ.get("PEER_SNAPSHOT_DAYS", "7"))
PEER_EPSILON = 1.0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.security.DisallowedHost": {"level": "ERROR"}},
}
