"""Settings from typed environment readers. SQLite by default; production fails fast."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from fangpin.envreaders import database_from_url, envbool, envint, envlist, envstr

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(envstr("FANGPIN_VAR_DIR") or Path.cwd() / "var")

# dev: a laptop or the test suite; demo: `make demo`; production: a county deployment.
MODE = envstr("FANGPIN_MODE", "dev")
if MODE not in ("dev", "demo", "production"):
    raise ImproperlyConfigured("FANGPIN_MODE must be dev, demo or production")
PRODUCTION = MODE == "production"


def _required(name: str) -> str:
    value = envstr(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when FANGPIN_MODE=production")
    return value


def _dev_keys() -> dict[str, str]:
    """Random keys kept in var/ so a dev or demo database stays readable across restarts."""
    path = VAR_DIR / "dev-keys.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "pii_keys": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "blind_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


if PRODUCTION:
    SECRET_KEY = _required("FANGPIN_SECRET_KEY")
    PII_KEYS = _required("FANGPIN_PII_KEYS")
    BLIND_INDEX_KEY = _required("FANGPIN_BLIND_INDEX_KEY")
    ALLOWED_HOSTS = envlist("FANGPIN_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("FANGPIN_ALLOWED_HOSTS must be set when FANGPIN_MODE=production")
else:
    _keys = (
        {}
        if envstr("FANGPIN_PII_KEYS") and envstr("FANGPIN_BLIND_INDEX_KEY") and envstr("FANGPIN_SECRET_KEY")
        else _dev_keys()
    )
    SECRET_KEY = envstr("FANGPIN_SECRET_KEY") or _keys["secret_key"]
    PII_KEYS = envstr("FANGPIN_PII_KEYS") or _keys["pii_keys"]
    BLIND_INDEX_KEY = envstr("FANGPIN_BLIND_INDEX_KEY") or _keys["blind_index_key"]
    ALLOWED_HOSTS = envlist("FANGPIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DEBUG = envbool("FANGPIN_DEBUG", MODE == "dev")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "fangpin.regions",
    "fangpin.accounts",
    "fangpin.audit",
    "fangpin.registry",
    "fangpin.ledger",
    "fangpin.cases",
    "fangpin.plans",
    "fangpin.api",
    "fangpin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fangpin.audit.middleware.AuditDeniedMiddleware",
]

ROOT_URLCONF = "fangpin.urls"
WSGI_APPLICATION = "fangpin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangpin.accounts.context.role_context",
            ],
        },
    },
]

_database_url = envstr("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("FANGPIN_SQLITE_PATH") or str(VAR_DIR / "fangpin.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE: writers queue on the lock instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = envint("FANGPIN_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
# The project package is not an app, so its static/ (app.css, htmx) must be listed for the finders.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LEDGER_MAX_UPLOAD_BYTES = envint("FANGPIN_LEDGER_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

LIST_PAGE_SIZE = envint("FANGPIN_LIST_PAGE_SIZE", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Request bodies can hold ID numbers: never log them.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

from fangpin.security_settings import *  # noqa: E402,F403  CSP, deploy hardening, upload limits
