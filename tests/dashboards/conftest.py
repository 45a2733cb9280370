"""A small county of hand-built cases: categories, risk types, months, a pipeline with overdue steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OWN_VILLAGE

DAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_day(monkeypatch):
    monkeypatch.setattr("fangpin.dashboards.views.today", lambda: DAY)
    return DAY


@pytest.fixture
def make_case(make_household, policy):  # noqa: F811
    from fangpin.cases.models import Case

    def factory(village=OWN_VILLAGE, state="monitoring", category="边缘易致贫户", risk_types=("因病",),
                effective_date=dt.date(2026, 3, 2), members=(("张三", "head"), ("李四", "spouse")), **kw):
        household = kw.pop("household", None) or make_household(village, members=members,
                                                                hh_type=kw.pop("hh_type", "tuopin"))
        now = timezone.now()
        return Case.objects.create(household=household, state=state, channel=kw.pop("channel", "visit"),
                                   policy=policy, opened_at=kw.pop("opened_at", now), state_since=now,
                                   category=category, risk_types=list(risk_types), effective_date=effective_date,
                                   **kw)

    return factory
