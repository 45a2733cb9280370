"""The province policy every case test starts from (河北, 7,300 yuan, in force since 2020)."""

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.cases.models import PolicyVersion


@pytest.fixture
def policy(regions):
    return PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1),
                                        version="13-2026-1", monitoring_line=Decimal("7300"))
