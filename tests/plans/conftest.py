"""A monitored case to plan for (纳入监测 on 2026-01-05 under the 7,300-yuan policy)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OWN_VILLAGE


@pytest.fixture
def make_case(make_household, policy):  # noqa: F811
    from fangpin.cases.models import Case

    def factory(village=OWN_VILLAGE, state="monitoring", **kw):
        household = kw.pop("household", None) or make_household(village)
        now = timezone.now()
        return Case.objects.create(household=household, state=state, channel="visit", policy=policy, opened_at=now,
                                   state_since=now, category="边缘易致贫户", risk_types=kw.pop("risk_types", ["因病"]),
                                   effective_date=kw.pop("effective_date", dt.date(2026, 1, 5)), **kw)

    return factory


@pytest.fixture
def case(make_case):
    return make_case()
