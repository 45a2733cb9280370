"""Settings from typed environment readers. SQLite by default; production fails fast."""

from __future__ import annotations

import base64
import datetime
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "fangpin.regions",
    "fangpin.accounts",
    "fangpin.audit",
    "fangpin.registry",
    "fangpin.ledger",
    "fangpin.cases",
    "fangpin.plans",
    "fangpin.api",
    "fangpin.datasets",
    "fangpin.alerts",
    "fangpin.employment",
    "fangpin.reports",
    "fangpin.insurance",
    "fangpin.dashboards",
    "fangpin.grievances",
    "fangpin.supervision",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fangpin.accounts.middleware.LoginPolicyMiddleware",
    "fangpin.audit.middleware.AuditDeniedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fangpin.urls"
WSGI_APPLICATION = "fangpin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Its {% url %} replaces Django's: same syntax and output, each URL name reversed once.
            "builtins": ["fangpin.fasturl"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangpin.accounts.context.role_context",
            ],
        },
    },
    {
        # Row fragments of the busiest tables only (fangpin.fragments, <app>/jinja2/); pages stay Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "fangpin.fragments.environment"},
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
# Login policy (docs/security-login.md): 等保 2.0 L3 identification and authentication, ASVS L2 V2/V3.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fangpin.accounts.validators.MinimumLengthValidator",
     "OPTIONS": {"min_length": envint("FANGPIN_PASSWORD_MIN_LENGTH", 8)}},
    {"NAME": "fangpin.accounts.validators.CharacterClassesValidator",
     "OPTIONS": {"min_classes": envint("FANGPIN_PASSWORD_MIN_CLASSES", 3)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fangpin.accounts.validators.PasswordHistoryValidator",
     "OPTIONS": {"count": envint("FANGPIN_PASSWORD_HISTORY", 5)}},
]
FANGPIN_PASSWORD_MAX_AGE_DAYS = envint("FANGPIN_PASSWORD_MAX_AGE_DAYS", 90)  # 0: passwords never expire
FANGPIN_IDLE_MINUTES = envint("FANGPIN_IDLE_MINUTES", 15)
# Second factor for county-and-above, departments, insurers and the three administrators.
FANGPIN_REQUIRE_TOTP = envbool("FANGPIN_REQUIRE_TOTP", PRODUCTION)
# API tokens stand in for a login: they always expire (at most this many days), sooner for TOTP roles.
FANGPIN_API_TOKEN_MAX_DAYS = envint("FANGPIN_API_TOKEN_MAX_DAYS", 90)
FANGPIN_API_TOKEN_MAX_DAYS_TOTP = envint("FANGPIN_API_TOKEN_MAX_DAYS_TOTP", 30)
# Superuser accounts may log in only while this is on; each such login is audited as break-glass.
FANGPIN_BREAK_GLASS = envbool("FANGPIN_BREAK_GLASS", False)
AUTHENTICATION_BACKENDS = [
    "fangpin.accounts.backends.LockoutBackend",  # django-axes: refuses locked-out usernames
    "fangpin.accounts.backends.PolicyBackend",
]
# django-axes, database handler: 5 failures within 15 minutes lock the username for 15 minutes.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = envint("FANGPIN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("FANGPIN_LOCKOUT_MINUTES", 15))
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "fangpin.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# Per username only (axes.W006): counting per IP would lock a whole township office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "old_password", "token"]
OTP_TOTP_ISSUER = envstr("FANGPIN_TOTP_ISSUER", "防返贫监测")
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
# Home-page counts over a township or larger region are cached this long (0: never; dev and tests).
FANGPIN_FIGURES_CACHE_SECONDS = envint("FANGPIN_FIGURES_CACHE_SECONDS", 0 if MODE == "dev" else 300)
# Grievances (诉求): working days to the owner's first response, and from the response to the return visit.
FANGPIN_GRIEVANCE_RESPONSE_DAYS = envint("FANGPIN_GRIEVANCE_RESPONSE_DAYS", 5)
FANGPIN_GRIEVANCE_VISIT_DAYS = envint("FANGPIN_GRIEVANCE_VISIT_DAYS", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID numbers and phones in a log line (an address typed with an ID in it) are masked on the way out.
    "filters": {"redact_pii": {"()": "fangpin.ops.logredact.RedactPII"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_pii"]}},
    # Request bodies can hold ID numbers: never log them.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
                # A template variable that fails to resolve is logged at DEBUG with the whole context (the
                # request's address, form values): never below INFO.
                "django.template": {"level": "INFO"}},
}

from fangpin.security_settings import *  # noqa: E402,F403  CSP, deploy hardening, upload limits
