"""No registry page ever contains an ID number in clear (the unmask answer excepted)."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fangpin.core.idcard import IdNumberError, parse_id
from fangpin.registry.models import HouseholdYear
from tests.registry.conftest import clear_ids, member_post

EIGHTEEN = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def valid_ids_in(text: str) -> list[str]:
    found = []
    for candidate in EIGHTEEN.findall(text):
        with contextlib.suppress(IdNumberError):
            found.append(parse_id(candidate).value)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["village", "county", "province"])
def test_no_page_contains_a_clear_id_number(login, make_household, role):
    household = make_household(members=(("张三", "head"), ("李四", "spouse"), ("张小", "son")))
    year = HouseholdYear.objects.create(household=household, year=2024, wage=Decimal("9000"))
    member = household.members.first()
    client = login(role)
    # some history first, so the change list is rendered too
    login("village").post(reverse("registry:member_edit", args=[member.pk]),
                          member_post(name=member.name, relation="head", labour="weak", id_number=""))
    client = login(role)
    pages = [
        reverse("registry:list"), reverse("registry:list") + "?q=zs", reverse("registry:list") + "?township=130633100",
        reverse("registry:villages") + "?township=130633100", reverse("registry:detail", args=[household.pk]),
        reverse("registry:create"), reverse("registry:edit", args=[household.pk]),
        reverse("registry:member_add", args=[household.pk]), reverse("registry:member_edit", args=[member.pk]),
        reverse("registry:member_status", args=[member.pk]), reverse("registry:member_unmask", args=[member.pk]),
        reverse("registry:year_add", args=[household.pk]), reverse("registry:year_edit", args=[year.pk]),
    ]
    clear = clear_ids(household)
    rendered = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.content.decode()
        rendered += 1
        assert not [c for c in clear if c in body], url
        assert valid_ids_in(body) == [], url
    assert rendered >= (13 if role != "province" else 5)
