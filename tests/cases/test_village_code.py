"""Case.village_code is the household's village, kept by the database (migration cases 0007).

Region counts (the pipeline, the national export) read it instead of joining households, so it must be
right whatever wrote the rows: a case opened by the services, cases adopted in bulk, a household moved by
a form or by a bulk UPDATE, and a stray value written into the case itself. On SQLite a later migration
that rebuilds one of the two tables would drop its trigger silently: these tests would say so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from fangpin.cases.models import Case
from fangpin.cases.services import do_open_lead
from fangpin.cases.views import pipeline_rows
from fangpin.registry.models import Household
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


def codes(*cases: Case) -> list[str]:
    return [Case.objects.values_list("village_code", flat=True).get(pk=c.pk) for c in cases]


def test_a_case_takes_its_households_village_however_it_is_written(make_household, policy):
    opened = do_open_lead(make_household(OWN_VILLAGE), "visit", "走访发现困难").case
    now = timezone.now()
    direct = Case.objects.create(household=make_household(SIBLING_VILLAGE), state="lead", channel="visit",
                                 policy=policy, opened_at=now, state_since=now)
    bulk = Case.objects.bulk_create([Case(household=make_household(OTHER_COUNTY_VILLAGE), state="monitoring",
                                          channel="ledger", policy=policy, opened_at=now, state_since=now)])
    bulk_pk = bulk[0].pk or Case.objects.get(household__village_id=OTHER_COUNTY_VILLAGE).pk
    assert codes(opened, direct, Case(pk=bulk_pk)) == [OWN_VILLAGE, SIBLING_VILLAGE, OTHER_COUNTY_VILLAGE]


def test_the_cases_follow_a_household_that_moves(make_household, policy):
    household = make_household(OWN_VILLAGE)
    case = do_open_lead(household, "visit", "走访发现困难").case
    household.village_id = SIBLING_VILLAGE
    household.save(update_fields=["village_id"])
    assert codes(case) == [SIBLING_VILLAGE]
    Household.objects.filter(pk=household.pk).update(village_id=OTHER_TOWNSHIP_VILLAGE)  # a bulk UPDATE, as the ledger does
    assert codes(case) == [OTHER_TOWNSHIP_VILLAGE]


def test_a_stray_value_written_into_the_case_is_put_right(make_household, policy):
    case = do_open_lead(make_household(OWN_VILLAGE), "visit", "走访发现困难").case
    Case.objects.filter(pk=case.pk).update(village_code=OTHER_COUNTY_VILLAGE)
    assert codes(case) == [OWN_VILLAGE]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET village_code = %s WHERE id = %s", ["130633999999", case.pk])
    assert codes(case) == [OWN_VILLAGE]


def test_the_pipeline_counts_a_moved_household_where_it_now_lives(users, make_household, policy):
    household = make_household(OWN_VILLAGE)
    do_open_lead(household, "visit", "走访发现困难")
    day = dt.date(2026, 12, 1)

    def township_total(code: str) -> int:
        users["township"].region_id = code
        return sum(r["total"] for r in pipeline_rows(users["township"], day))

    assert township_total("130633100") == 1 and township_total("130633101") == 0
    household.village_id = OTHER_TOWNSHIP_VILLAGE
    household.save()
    assert township_total("130633100") == 0 and township_total("130633101") == 1
