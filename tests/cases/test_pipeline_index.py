"""PostgreSQL: the region counts of open cases are answered from the covering index alone.

``case_open_by_household`` (migration cases 0007) holds every column the pipeline's grouped count reads,
so a township's count is a nested loop of index-only probes instead of a hash over every open case of
the province (docs/load.md). If the query comes to read another case column, this test says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangpin.cases.models import Case
from fangpin.cases.views import pipeline_rows

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="covering indexes: PostgreSQL only")]


def test_the_pipeline_count_reads_only_the_open_case_index(users, policy, make_household):
    now = timezone.now()
    for state in ("lead", "verify", "notice"):
        Case.objects.create(household=make_household(), state=state, channel="visit", policy=policy,
                            opened_at=now, state_since=now, step_due=dt.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        rows = pipeline_rows(users["township"], dt.date(2026, 6, 1))
    assert sum(r["total"] for r in rows) == 3 and sum(r["overdue"] for r in rows) == 3
    (count_sql,) = [q["sql"] for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]
    with connection.cursor() as cursor:
        # a handful of rows: without this the planner would rightly read the table itself
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {count_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using case_open_by_household on cases_case" in plan, plan
