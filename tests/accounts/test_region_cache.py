"""Overviews above county level are computed once per region and cache period; counties and below
always see live figures. The region prefix filter selects exactly what LIKE 'prefix%' does."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from fangpin.accounts.access import code_prefix_q
from fangpin.regions.models import Region
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE

pytestmark = pytest.mark.django_db


def _total(client, user) -> int:
    client.force_login(user)
    response = client.get(reverse("registry:list"))
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_a_city_list_total_is_kept_for_the_period_a_county_total_is_live(client, users, make_household, cached):
    make_household(OWN_VILLAGE)
    assert _total(client, users["city"]) == 1 and _total(client, users["county"]) == 1
    make_household(OWN_VILLAGE)
    assert _total(client, users["city"]) == 1  # kept
    assert _total(client, users["county"]) == 2  # live
    client.force_login(users["city"])
    filtered = client.get(reverse("registry:list"), {"hh_type": "jiance"}).context["page"].paginator.count
    assert filtered == 0  # another filter is another total, not the kept one
    cache.clear()
    assert _total(client, users["city"]) == 2


def test_the_city_pipeline_is_computed_once_per_period(client, users, cached, monkeypatch):
    from fangpin.cases import views

    calls = []
    real = views.pipeline_rows
    monkeypatch.setattr(views, "pipeline_rows", lambda user, day: calls.append(user.region_id) or real(user, day))
    for role in ("city", "city", "county", "county"):
        client.force_login(users[role])
        response = client.get(reverse("cases:pipeline"))
        assert response.status_code == 200
    assert calls == ["1306", "130633", "130633"]
    assert "每 5 分钟更新" not in client.get(reverse("cases:pipeline")).content.decode()  # county: live, no note
    client.force_login(users["city"])
    assert "市、省级汇总每 5 分钟更新一次" in client.get(reverse("cases:pipeline")).content.decode()


def test_township_options_name_the_county_above_it_and_mark_the_choice(client, users, cached):
    client.force_login(users["city"])
    html = client.get(reverse("registry:list"), {"township": "130633101"}).content.decode()
    assert '<option value="130633101" selected>易县 梁格庄镇</option>' in html
    assert '<option value="130633100">易县 易州镇</option>' in html
    assert '<option value="130623100">涞水县 涞水镇</option>' in html
    client.force_login(users["county"])
    html = client.get(reverse("registry:list")).content.decode()
    assert '<option value="130633100">易州镇</option>' in html and "涞水镇" not in html


@pytest.mark.parametrize("prefix", ["", "1", "13", "1306", "130633", "130633100", "130633100201", "19", "99", "1399", "139", "0"])
def test_the_prefix_filter_selects_exactly_the_codes_starting_with_it(regions, prefix):
    extra = ["190000", "200000", "990000", "9999", "1399", "1400", "130634", "0100"]
    Region.objects.bulk_create([Region(code=c, name=c, level=3) for c in extra])
    every = list(Region.objects.values_list("code", flat=True))
    got = set(Region.objects.filter(code_prefix_q("code", prefix)).values_list("code", flat=True))
    assert got == {c for c in every if c.startswith(prefix)}
    assert OTHER_COUNTY_VILLAGE.startswith(prefix) == (OTHER_COUNTY_VILLAGE in got)
