"""Content Security Policy, deploy hardening and upload limits (docs/security-input.md).

Imported at the end of settings.py (``from fangpin.security_settings import *``), so it reads the
mode from the environment itself instead of importing settings. Production values make
``fangpin check --deploy`` clean; dev and the test suite run over plain HTTP.
"""

from __future__ import annotations

from fangpin.envreaders import envbool, envint, envlist, envstr

_PRODUCTION = envstr("FANGPIN_MODE", "dev") == "production"
_MB = 1024 * 1024

# ---- Content Security Policy (django-csp; the middleware sits right after SecurityMiddleware) ----
# Same origin only; no inline script or style anywhere (templates use classes, htmx is a static
# file), no eval, no plugins, no framing, forms post only to this site.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": [_SELF],
    },
}

# ---- HTTPS and headers ----------------------------------------------------------------------------
# Behind the county's reverse proxy (nginx terminates TLS) set FANGPIN_BEHIND_PROXY=1 so Django
# trusts X-Forwarded-Proto from it; never set it when Django is reachable directly.
if envbool("FANGPIN_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("FANGPIN_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = envint("FANGPIN_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
SECURE_HSTS_PRELOAD = envbool("FANGPIN_HSTS_PRELOAD", _PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = _PRODUCTION
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = envlist("FANGPIN_CSRF_TRUSTED_ORIGINS", [])

# ---- uploads (fangpin.uploads) ---------------------------------------------------------------------
# The guarded handler comes first: it counts each file's bytes as they arrive and keeps nothing past
# the limit, so an oversized upload never fills memory or the temp directory.
FILE_UPLOAD_HANDLERS = [
    "fangpin.uploads.GuardedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_NUMBER_FILES = 10
UPLOAD_MAX_BYTES = envint("FANGPIN_UPLOAD_MAX_BYTES", envint("FANGPIN_LEDGER_MAX_UPLOAD_BYTES", 50 * _MB))
UPLOAD_ZIP_MAX_ENTRIES = envint("FANGPIN_UPLOAD_ZIP_MAX_ENTRIES", 1000)
UPLOAD_ZIP_MAX_TOTAL_BYTES = envint("FANGPIN_UPLOAD_ZIP_MAX_TOTAL_BYTES", 1024 * _MB)
UPLOAD_ZIP_MAX_RATIO = envint("FANGPIN_UPLOAD_ZIP_MAX_RATIO", 200)
UPLOAD_MAX_CELLS = envint("FANGPIN_UPLOAD_MAX_CELLS", 30_000_000)

__all__ = [name for name in dir() if name.isupper()]
