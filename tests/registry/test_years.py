"""Yearly income and expenditure: add once per year, correct later, history kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import ChangeRecord, HouseholdYear

ZEROS = {name: "0" for name in ("wage", "business", "property_income", "transfer", "production_cost",
                                "medical_oop", "schooling_exp", "disaster_loss", "accident_exp")}


@pytest.mark.django_db
def test_add_year_then_correct_it(login, make_household):
    household = make_household()
    client = login("village")
    response = client.post(reverse("registry:year_add", args=[household.pk]),
                           {**ZEROS, "year": "2024", "wage": "15000", "medical_oop": "4200.50"})
    assert response.status_code == 302
    row = HouseholdYear.objects.get(household=household)
    assert (row.year, row.wage, row.medical_oop) == (2024, Decimal("15000"), Decimal("4200.50"))
    client.post(reverse("registry:year_edit", args=[row.pk]), {**ZEROS, "wage": "16000", "medical_oop": "4200.50"})
    row.refresh_from_db()
    assert row.wage == Decimal("16000")
    update = ChangeRecord.objects.get(object_type="householdyear", action="update")
    assert update.changes == {"wage": {"label": "工资性收入", "old": "15000.00", "new": "16000"}}
    assert update.object_label == "2024 年收支"
    assert list(AuditEvent.objects.filter(action__startswith="household_year.").order_by("seq")
                .values_list("action", flat=True)) == [
        "household_year.create", "household_year.update"]


@pytest.mark.django_db
def test_year_entered_twice_is_refused(login, make_household):
    household = make_household()
    HouseholdYear.objects.create(household=household, year=2024)
    response = login("village").post(reverse("registry:year_add", args=[household.pk]), {**ZEROS, "year": "2024"})
    assert "该户 2024 年收支已录入" in response.content.decode()
    assert HouseholdYear.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("wage", "-1"), ("year", "1999"), ("transfer", "abc")])
def test_bad_amounts_are_refused(login, make_household, field, value):
    household = make_household()
    response = login("village").post(reverse("registry:year_add", args=[household.pk]),
                                     {**ZEROS, "year": "2024", field: value})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not HouseholdYear.objects.exists()
