"""Each role's home page: village figures, sub-region bars, a lookup, or the administrator's tools."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(make_household):
    make_household(OWN_VILLAGE)
    make_household(OWN_VILLAGE, hh_type="jiance")
    make_household(SIBLING_VILLAGE)
    make_household(OTHER_TOWNSHIP_VILLAGE)
    make_household(OTHER_COUNTY_VILLAGE)


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_village_sees_its_own_households(client, users, households):
    response = _home(client, users["village"])
    assert response.context["counts"]["total"] == 2
    assert response.context["counts"]["jiance"] == 1
    assert response.context["persons"] == 4
    assert "children" not in response.context


def test_county_sees_a_bar_per_township(client, users, households):
    response = _home(client, users["county"])
    bars = {c["region"].code: (c["n"], c["pct"]) for c in response.context["children"]}
    assert bars == {"130633100": (3, 100), "130633101": (1, 33)}
    assert 'class="bar-row"' in response.content.decode()


def test_city_bars_are_its_counties(client, users, households):
    bars = {c["region"].code: c["n"] for c in _home(client, users["city"]).context["children"]}
    assert bars == {"130623": 1, "130633": 4}


def test_department_gets_a_lookup(client, users, households):
    html = _home(client, users["department"]).content.decode()
    assert "查询农户" in html and 'name="q"' in html
    assert "医保局" in html


@pytest.mark.parametrize(("role", "links"), [
    ("sysadmin", ["accounts:users", "regions:list"]),
    ("auditadmin", ["audit:list", "audit:verify"]),
])
def test_administrators_see_their_tools(client, users, role, links):
    html = _home(client, users[role]).content.decode()
    for name in links:
        assert f'href="{reverse(name)}"' in html
    assert "登记农户" not in html  # no personal-data figures for 三员


def test_security_administrator_home(client, users):
    assert "三员分立" in _home(client, users["secadmin"]).content.decode()


def test_county_home_query_count_does_not_grow_with_townships(client, users, households, django_assert_max_num_queries):
    client.force_login(users["county"])
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))
