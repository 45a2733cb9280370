"""Registry test helpers: a logged-in client per role, and the clear ID numbers of a household."""

from __future__ import annotations

import pytest

from fangpin import pii


@pytest.fixture
def login(client, users):
    """login("village") → the test client logged in as that role's user."""

    def as_role(role: str):
        client.force_login(users[role])
        return client

    return as_role


def clear_ids(household) -> list[str]:
    return [pii.decrypt(m.id_cipher) for m in household.members.all()]


def member_post(**overrides) -> dict:
    data = {"name": "王五", "relation": "son", "health": "healthy", "disability_kind": "", "disability_grade": "",
            "labour": "full", "schooling": "none", "employment": "farming", "med_insurance": "on",
            "pension": "on", "phone": ""}
    data.update(overrides)
    return data


def household_post(household=None, **overrides) -> dict:
    data = {"hh_no": "", "village": "", "address": "", "hh_type": "tuopin", "exit_year": "",
            "housing_safety": "A", "water": "safe", "note": ""}
    if household is not None:
        data.update({"hh_no": household.hh_no, "village": household.village_id, "address": household.address,
                     "hh_type": household.hh_type, "exit_year": household.exit_year or "",
                     "housing_safety": household.housing_safety, "water": household.water, "note": household.note})
        for flag in ("is_dibao", "is_tekun", "is_disabled"):
            if getattr(household, flag):
                data[flag] = "on"
    data.update(overrides)
    return data
