"""The ledger tests log in with force_login: the shared ``users`` without ten Argon2 hashes each test."""

from __future__ import annotations

import pytest

from tests.conftest import ROLE_REGION


@pytest.fixture
def users(regions):
    from fangpin.accounts.models import User

    made = {}
    for role, code in ROLE_REGION.items():
        user = User(username=role.value, role=role.value, region_id=code,
                    department_kind="medical_insurance" if role.value == "department" else "")
        user.set_unusable_password()
        user.save()
        made[role.value] = user
    return made


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    """Import jobs run in the request (no thread) and keep their files in a temporary media root."""
    settings.LEDGER_RUN_INLINE = True
    settings.MEDIA_ROOT = tmp_path / "media"
