"""防贫保险 fixtures: the 2026 scheme of 易县 (the example configuration of docs/insurance.md), a monitored case
with a medical risk, a rigid-spending warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OWN_VILLAGE

EXAMPLE_ITEMS = {
    "medical_oop": {"warning_line": "5000", "deductible": "3000", "tiers": "0-20000:60%; 20000-50000:70%; 50000-:80%"},
    "schooling_exp": {"warning_line": "8000", "deductible": "2000", "tiers": "0-:50%"},
    "disaster_loss": {"warning_line": "10000", "deductible": "0", "tiers": "0-30000:40%; 30000-:50%"},
}


def make_scheme(county: str = "130633", year: int = 2026, **kw):
    from fangpin.insurance.models import Scheme

    fields = {"insurer_name": "示例财险易县支公司", "premium_per_person": Decimal(50), "line": Decimal(7300),
              "coverage_multiple": Decimal("1.5"), "covered_persons": 4000, "rural_population": 40000,
              "per_person_cap": Decimal(50000), "per_household_cap": Decimal(100000), "items": EXAMPLE_ITEMS}
    return Scheme.objects.create(region_id=county, year=year, **{**fields, **kw})


@pytest.fixture
def scheme(regions):
    return make_scheme()


@pytest.fixture
def funded(scheme, users):
    """The scheme with its premiums in (200,000 yuan)."""
    from fangpin.insurance.services import do_record_entry

    do_record_entry(users["county"], 2026, kind="premium", amount=Decimal(200000), day=dt.date(2026, 1, 10),
                    note="2026 年度保费")
    return scheme


@pytest.fixture
def make_case(make_household, policy):  # noqa: F811
    from fangpin.cases.models import Case

    def factory(village=OWN_VILLAGE, state="monitoring", **kw):
        household = kw.pop("household", None) or make_household(village)
        now = timezone.now()
        return Case.objects.create(household=household, state=state, channel="visit", policy=policy, opened_at=now,
                                   state_since=now, category="突发严重困难户", risk_types=kw.pop("risk_types", ["因病"]),
                                   effective_date=kw.pop("effective_date", dt.date(2026, 1, 5)), **kw)

    return factory


@pytest.fixture
def case(make_case):
    return make_case()


def make_warning(household, *, rule="rigid_over_income", risk="因病", period="2026-10"):
    from fangpin.alerts.models import ScreeningRun, Warning

    run = ScreeningRun.objects.create(region_id=household.village_id[:6], period=period, status="done")
    return Warning.objects.create(household=household, rule=rule, period=period, title="刚性支出明显超过上年收入",
                                  text=f"刚性支出 18,000 元（医疗自付 18,000 元）> 上年家庭纯收入 12,000 元 {household.hh_no}",
                                  risk_types=[risk], policy_version="13-2026-1", run=run,
                                  figures={"rigid": "18000", "last_year_income": "12000", "factor": "1"})
