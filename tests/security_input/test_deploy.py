"""Production settings: ``fangpin check --deploy`` clean with fake keys, and the hardening values."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

FANGPIN = Path(sys.executable).with_name("fangpin")


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FANGPIN_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        FANGPIN_MODE="production",
        FANGPIN_SECRET_KEY=secrets.token_urlsafe(60),
        FANGPIN_PII_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        FANGPIN_BLIND_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        FANGPIN_ALLOWED_HOSTS="fangpin.example.gov.cn",
        FANGPIN_VAR_DIR=str(tmp_path),
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(FANGPIN), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_on_production_settings(tmp_path):
    done = run(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_notices_a_weakened_setting(tmp_path):
    """Proves the check above ran on these settings: turning the HTTPS redirect off is reported."""
    done = run(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path, FANGPIN_SSL_REDIRECT="0"))
    assert done.returncode != 0 and "security.W008" in done.stdout + done.stderr


def test_production_values(tmp_path):
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.DEBUG, "
            "s.MIDDLEWARE.index('csp.middleware.CSPMiddleware') == 1, s.FILE_UPLOAD_HANDLERS[0])")
    done = run(["shell", "--no-imports", "-c", code], production_env(tmp_path))
    assert done.stdout.splitlines()[-1].split() == ["True", "31536000", "True", "True", "True", "False", "True",
                                   "fangpin.uploads.GuardedUploadHandler"], done.stderr
