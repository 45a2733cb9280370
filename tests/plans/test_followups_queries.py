"""The follow-up reminder list costs the same number of queries however many cases were never visited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("plans:followups")).status_code == 200
    return len(captured)


def test_no_query_per_unvisited_case(client, users, make_case):
    client.force_login(users["township"])
    make_case(effective_date=dt.date(2025, 6, 1))
    one = _queries(client)
    for _ in range(5):
        make_case(effective_date=dt.date(2025, 6, 1))
    assert _queries(client) == one


def test_status_looks_up_the_last_visit_only_when_not_given(make_case):
    from fangpin.plans.services import followup_status

    case = make_case(effective_date=dt.date(2025, 6, 1))
    day = dt.date(2026, 11, 23)
    with CaptureQueriesContext(connection) as given:
        never = followup_status(case, day, None)
    with CaptureQueriesContext(connection) as looked_up:
        found = followup_status(case, day)
    assert len(given) == 0 and len(looked_up) == 1
    assert never == found and never.overdue
