"""Supervision fixtures: the province's policy, monitored cases and province rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from fangpin.supervision import views

    monkeypatch.setattr(views, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def make_case(make_household, policy):  # noqa: F811
    from fangpin.cases.models import Case

    def factory(household, state="monitoring", **kw):
        now = timezone.now()
        return Case.objects.create(household=household, state=state, channel="visit", policy=policy, opened_at=now,
                                   state_since=now, category="边缘易致贫户", risk_types=["因病"],
                                   effective_date=dt.date(2026, 1, 5), **kw)

    return factory


@pytest.fixture
def make_rule(users):
    from fangpin.supervision.models import Rule

    def factory(metric="remaining", level=5, comparator="gt", value=0, region="13", **kw):
        return Rule.objects.create(region_id=region, name=kw.pop("name", f"{metric}{comparator}{value}"),
                                   metric=metric, level=level, comparator=comparator, value=Decimal(value),
                                   created_by=users["province" if region == "13" else "city"], **kw)

    return factory
