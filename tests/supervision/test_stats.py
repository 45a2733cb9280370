"""Region statistics against hand-built households, cases and follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangpin.core.regions import Level
from fangpin.supervision.stats import region_stats
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.supervision.conftest import TODAY

THREE = (("甲", "head"), ("乙", "spouse"), ("丙", "child"))


def _followup(case, day, visitor, **checks):
    from fangpin.plans.models import FollowUp

    return FollowUp.objects.create(case=case, visit_date=day, visitor=visitor, income_12m=Decimal(9000), persons=3,
                                   per_capita=Decimal(3000), **checks)


def test_figures_per_village_township_and_county(make_household, make_case, users):
    from fangpin.registry.models import Member

    own_monitored = make_household(OWN_VILLAGE, members=THREE, hh_type="jiance")  # registered 监测户: 3 persons
    in_procedure = make_household(OWN_VILLAGE, members=THREE[:2])  # decided through the procedure: 2 persons
    make_case(in_procedure, state="monitoring")
    lead = make_household(OWN_VILLAGE, members=THREE[:1])
    make_case(lead, state="verifying", step_due=TODAY - dt.timedelta(days=1))  # overdue, not monitored
    make_household(SIBLING_VILLAGE, members=THREE, housing_safety="D")  # 脱贫户, dangerous house, no monitoring
    make_household(OTHER_TOWNSHIP_VILLAGE, members=THREE, hh_type="yiban", water="unsafe_quality")  # 一般农户
    make_household(OTHER_COUNTY_VILLAGE, members=THREE, hh_type="jiance")
    Member.objects.filter(household=own_monitored, relation="child").update(status="moved_out")

    villages = {r.code: r for r in region_stats("130633", Level.VILLAGE, TODAY)}
    own = villages[OWN_VILLAGE]
    assert (own.households, own.population, own.remaining_households, own.remaining) == (3, 5, 2, 4)
    assert own.overdue_steps == 1 and own.villages_without == 0
    assert own.incidence == Decimal("80.00") and own.scale_excess == Decimal("75.00")
    sibling = villages[SIBLING_VILLAGE]
    assert (sibling.remaining, sibling.housing_water_gaps, sibling.villages, sibling.villages_without) == (0, 1, 1, 1)
    assert villages[OTHER_TOWNSHIP_VILLAGE].housing_water_gaps == 0  # 一般农户 are not counted
    assert OTHER_COUNTY_VILLAGE not in villages

    towns = {r.code: r for r in region_stats("130633", Level.TOWNSHIP, TODAY)}
    assert (towns["130633100"].villages, towns["130633100"].villages_without) == (2, 1)
    assert towns["130633100"].population == 8 and towns["130633101"].villages_without == 1

    counties = {r.code: r for r in region_stats("1306", Level.COUNTY, TODAY)}
    assert counties["130633"].remaining == 4 and counties["130623"].remaining == 3
    assert counties["130633"].population == 11


def test_latest_followup_gaps_only(make_household, make_case, users):
    case = make_case(make_household(OWN_VILLAGE, members=THREE))
    _followup(case, dt.date(2026, 1, 10), users["village"], housing_ok=False, water_ok=False, medical_ok=False)
    _followup(case, dt.date(2026, 2, 10), users["village"], water_ok=False)  # the latest: one gap left
    closed = make_case(make_household(OWN_VILLAGE, members=THREE), state="closed",
                       closed_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    _followup(closed, dt.date(2026, 1, 20), users["village"], housing_ok=False)  # a closed case no longer counts
    row = {r.code: r for r in region_stats("130633100", Level.VILLAGE, TODAY)}[OWN_VILLAGE]
    assert row.guarantee_gaps == 1


def test_deep_poverty_county_has_a_ten_percent_limit(regions, make_household):
    from fangpin.regions.models import Region

    Region.objects.filter(code="130633").update(deep_poverty=True)
    rows = {r.code: r for r in region_stats("1306", Level.COUNTY, TODAY)}
    assert rows["130633"].scale_limit == 10 and rows["130623"].scale_limit == 5
    assert {r.code: r.scale_limit for r in region_stats("130633", Level.VILLAGE, TODAY)}[OWN_VILLAGE] == 10


def test_query_count_does_not_grow_with_households(make_household, make_case):
    for _ in range(3):
        make_case(make_household(OWN_VILLAGE))
    with CaptureQueriesContext(connection) as few:
        region_stats("130633", Level.VILLAGE, TODAY)
    for village in (SIBLING_VILLAGE, OTHER_TOWNSHIP_VILLAGE) * 5:
        make_case(make_household(village))
    with CaptureQueriesContext(connection) as many:
        region_stats("130633", Level.VILLAGE, TODAY)
    assert len(many) == len(few) <= 8


def test_problem_counts_per_township(users, make_household):
    from fangpin.supervision.models import Problem, Rule
    from fangpin.supervision.stats import problem_counts

    rule = Rule.objects.create(region_id="13", name="r", metric="remaining", level=5, comparator="gt", value=0,
                               created_by=users["province"])

    def problem(region, state, deadline):
        return Problem.objects.create(rule=rule, region_id=region, supervisor_region_id="13", owner=users["village"],
                                      metric="remaining", value=1, finding="f", state=state, deadline=deadline,
                                      assigned_by=users["province"], assigned_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                                      state_since=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))

    problem(OWN_VILLAGE, "assigned", TODAY - dt.timedelta(days=1))
    problem(SIBLING_VILLAGE, "submitted", TODAY + dt.timedelta(days=1))
    problem(OTHER_TOWNSHIP_VILLAGE, "closed", TODAY - dt.timedelta(days=9))
    problem("130633", "assigned", TODAY - dt.timedelta(days=1))  # a county problem: not a township's
    problem(OTHER_COUNTY_VILLAGE, "assigned", TODAY - dt.timedelta(days=1))  # another county
    counts = problem_counts("130633", Level.TOWNSHIP, TODAY)
    assert counts == {"130633100": {"open": 2, "overdue": 1, "closed": 0},
                      "130633101": {"open": 0, "overdue": 0, "closed": 1}}
    assert problem_counts("1306", Level.COUNTY, TODAY)["130633"] == {"open": 3, "overdue": 2, "closed": 1}
