"""Panels of the later apps (防贫保险, 诉求, 督战) on hand-built rows: figures, scope and the drill codes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fangpin.dashboards.panels import PANELS, available_panels
from fangpin.dashboards.panels_more import OWN_LEVEL
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.dashboards.test_panels import run, table
from tests.grievances.conftest import make_grievance  # noqa: F401  (registers through the grievance service)
from tests.insurance.conftest import make_scheme

pytestmark = pytest.mark.django_db


def test_the_later_apps_panels_show_when_their_apps_are_installed():
    keys = [p.key for p in available_panels()]
    assert keys.index("assistance") < keys.index("insurance_fund") < keys.index("grievances") < keys.index(
        "supervision")


def test_insurance_fund_and_claims_of_the_year(users, make_household):
    from fangpin.insurance.models import Claim, LedgerEntry

    scheme, other = make_scheme("130633", 2026), make_scheme("130623", 2026)
    make_scheme("130633", 2025)
    for s, kind, amount in [(scheme, "premium", 200000), (scheme, "topup", 50000), (scheme, "payout", 9000),
                            (scheme, "payout", 3000), (other, "premium", 777)]:
        LedgerEntry.objects.create(scheme=s, kind=kind, amount=Decimal(amount), date=dt.date(2026, 3, 1))
    now = timezone.now()
    for village, state, amount in [(OWN_VILLAGE, "approved", 9000), (OTHER_TOWNSHIP_VILLAGE, "approved", 3000),
                                   (OWN_VILLAGE, "open", None), (OTHER_COUNTY_VILLAGE, "approved", 777)]:
        Claim.objects.create(scheme=other if village == OTHER_COUNTY_VILLAGE else scheme,
                             household=make_household(village), source="case", item="medical_oop", summary="住院",
                             state=state, opened_at=now, approved_amount=amount)
    fund = table(run("insurance_fund", "130633"))
    assert fund["保费收入"] == [200000.0] and fund["追加资金"] == [50000.0] and fund["赔付支出"] == [12000.0]
    assert fund["结余"] == [238000.0]
    assert table(run("insurance_fund", "130633100"))["结余"] == [238000.0]  # a township shows its county's fund
    assert table(run("insurance_fund", "1306"))["保费收入"] == [200777.0]
    claims = run("insurance_claims", "130633")
    assert table(claims)["已赔付"] == [2, 12000.0] and table(claims)["待核查"] == [1, 0.0]
    assert "已赔付 2 户 12,000.00 元" in claims.note
    assert table(run("insurance_claims", "130633100"))["已赔付"] == [1, 9000.0]


def test_grievances_per_township_counted_like_the_ledger(make_grievance):  # noqa: F811
    from fangpin.grievances.models import Grievance

    day = dt.date(2026, 6, 15)
    closed_ok = [make_grievance(OWN_VILLAGE), make_grievance(SIBLING_VILLAGE)]
    unhappy = make_grievance(OWN_VILLAGE)
    late = make_grievance(OTHER_TOWNSHIP_VILLAGE)
    elsewhere = make_grievance(OWN_VILLAGE)  # then moved to 涞水县, outside 易县
    Grievance.objects.filter(pk__in=[g.pk for g in closed_ok]).update(state="closed", satisfaction="satisfied")
    Grievance.objects.filter(pk=unhappy.pk).update(state="closed", satisfaction="unsatisfied")
    Grievance.objects.filter(pk=late.pk).update(state="assigned", due=day - dt.timedelta(days=1))
    Grievance.objects.filter(pk=elsewhere.pk).update(village_id=OTHER_COUNTY_VILLAGE)
    data = run("grievances", "130633")
    rows = table(data)
    assert rows["易州镇"] == [3, 2, 66.7, 0, 0, 1] and rows["梁格庄镇"] == [1, 0, 0.0, 1, 1, 0]
    assert data.drill == ["130633100", "130633101"]
    assert "受理 4 件，已化解 2 件，化解率 50.0%" in data.note


def test_supervision_problems_per_sub_region_with_the_own_level(users, make_rule):
    from fangpin.supervision.models import Problem

    day = dt.date(2026, 6, 15)
    rule = make_rule()
    now = timezone.now()

    def problem(region, state="assigned", deadline=day + dt.timedelta(days=3)):
        return Problem.objects.create(rule=rule, region_id=region, supervisor_region_id="13",
                                      owner=users["county"], metric="remaining", value=Decimal(1), finding="超阈值",
                                      state=state, deadline=deadline, assigned_by=users["province"],
                                      assigned_at=now, state_since=now)

    problem(OWN_VILLAGE)
    problem("130633100", deadline=day - dt.timedelta(days=1))
    problem(OTHER_TOWNSHIP_VILLAGE, state="closed")
    problem("130633")
    problem(OTHER_COUNTY_VILLAGE)
    data = run("supervision", "130633")
    rows = table(data)
    assert rows["易州镇"] == [2, 1, 0] and rows["梁格庄镇"] == [0, 0, 1] and rows[f"易县（{OWN_LEVEL}）"] == [1, 0, 0]
    assert data.drill == ["130633100", "130633101", "130633"]
    assert data.note == "未销号 3 个，其中超过整改期限 1 个"
    assert table(run("supervision", OWN_VILLAGE)) == {"东关村委会": [1, 0, 0]}


@pytest.fixture
def make_rule(users):
    from fangpin.supervision.models import Rule

    def factory():
        return Rule.objects.create(region_id="13", name="未消除风险", metric="remaining", level=5, comparator="gt",
                                   value=Decimal(0), created_by=users["province"])

    return factory


def test_every_panel_is_registered_once():
    assert len(PANELS) == len({p.key for p in PANELS.values()})
