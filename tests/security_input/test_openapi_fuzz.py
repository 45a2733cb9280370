"""schemathesis against /api/openapi.json as the lowest-privilege user (a village token): no 5xx.

In-process: the schema and every call go through Django's WSGI application, inside the test's
database transaction. Each operation gets a bounded number of generated requests (positive and
negative data), FANGPIN_API_FUZZ_EXAMPLES per operation (CI: 15). A few households exist in the
user's village and elsewhere, so id-shaped parameters sometimes hit real rows.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.conftest import tokens as tokens  # noqa: PLC0414,F401  (the API tests' fixture)
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE

EXAMPLES = int(os.environ.get("FANGPIN_API_FUZZ_EXAMPLES", "15"))
pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: the WSGI handler must not close the connection holding the
    test transaction (on PostgreSQL it would, between requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    return schema, [result.ok() for result in schema.get_all_operations()]


def test_no_server_errors_for_a_village_token(tokens, make_household, keep_test_connection):
    for village in (OWN_VILLAGE, OTHER_COUNTY_VILLAGE):
        make_household(village, members=(("张三", "head"), ("李四", "spouse")))
    headers = {"Authorization": f"Bearer {tokens['village']}", "Accept": "application/json"}
    schema, operations = _operations()
    assert len(operations) >= 5
    failures: list[str] = []
    calls = 0
    statuses: dict[int, int] = {}

    def fuzz(operation):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def call(case):
            nonlocal calls
            response = case.call(headers={**(case.headers or {}), **headers})
            calls += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{operation.label} → {response.status_code}: {case.as_curl_command()[:300]}")

        call()

    for operation in operations:
        fuzz(operation)
    assert calls >= len(operations) * 3
    assert statuses.get(200, 0) >= len(operations), statuses  # the token works: many calls get through
    print(f"{len(operations)} operations, {calls} calls, statuses {dict(sorted(statuses.items()))}")
    assert failures == [], "\n".join(sorted(set(failures))[:20])
