"""The household detail page: members masked, income per capita, history, and the view audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import HouseholdYear, Member
from tests.conftest import OTHER_COUNTY_VILLAGE
from tests.registry.conftest import clear_ids


@pytest.mark.django_db
def test_detail_is_audited_as_household_view(login, make_household, users):
    household = make_household()
    response = login("township").get(reverse("registry:detail", args=[household.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="household.view")
    assert (event.username, event.object_id, event.region_code) == ("township", str(household.pk),
                                                                    household.village_id)


@pytest.mark.django_db
def test_detail_shows_members_masked_and_never_in_clear(login, make_household):
    household = make_household(members=(("张三", "head"), ("李四", "spouse")))
    body = login("village").get(reverse("registry:detail", args=[household.pk])).content.decode()
    for member in household.members.all():
        assert member.name in body and member.id_masked in body and member.phone_masked in body
    assert all(clear not in body for clear in clear_ids(household))
    assert "13800138000" not in body


@pytest.mark.django_db
def test_per_capita_net_income_counts_members_in_household(login, make_household):
    household = make_household(members=(("张三", "head"), ("李四", "spouse"), ("张五", "son")))
    Member.objects.filter(household=household, name="张五").update(status="deceased")
    HouseholdYear.objects.create(household=household, year=2024, wage=Decimal("12000"), business=Decimal("3000"),
                                 production_cost=Decimal("1000"))
    body = login("village").get(reverse("registry:detail", args=[household.pk])).content.decode()
    assert "<b>7000.00</b>" in body  # (12000 + 3000 − 1000) / 2 persons in the household


@pytest.mark.django_db
def test_detail_out_of_scope_is_404_and_not_audited_as_view(login, make_household):
    theirs = make_household(OTHER_COUNTY_VILLAGE)
    response = login("county").get(reverse("registry:detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="household.view").exists()


@pytest.mark.django_db
def test_view_only_roles_see_no_edit_or_unmask_buttons(login, make_household):
    household = make_household()
    body = login("city").get(reverse("registry:detail", args=[household.pk])).content.decode()
    assert "修改户信息" not in body and "显示</button>" not in body
    body = login("county").get(reverse("registry:detail", args=[household.pk])).content.decode()
    assert "修改户信息" in body and "显示</button>" in body
