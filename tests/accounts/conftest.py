"""Fixtures of the accounts tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 makes the ten-user fixture cost seconds per test; the hasher is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
