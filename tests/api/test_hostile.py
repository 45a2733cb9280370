"""Hostile input (bounded hypothesis runs): any JSON to any operation answers 2xx or a 4xx JSON with a
Chinese ``detail`` — never a server error. schemathesis (issue 6) does the same from the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import OWN_VILLAGE

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False), st.text(max_size=40),
                    st.sampled_from(["", "\x00", "2026-01-05", "2999-12-31", "1e400", "NaN", "-1", "lead", "submit",
                                     "village_review", "因病", OWN_VILLAGE, "13063319700101001X"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                                          inner, max_size=3),
                      max_leaves=6)
KEYS = ["name", "id_number", "phone", "village", "risk_type", "text", "consent", "receipt_no", "hh_no", "visit_date",
        "income_12m", "last_year_income", "medical_oop", "food_ok", "water_ok", "note", "action", "seen_state",
        "reason", "data", "summary"]
bodies = st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=10), values)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def _check(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        detail = json.loads(response.content)["detail"]
        assert isinstance(detail, str) and not detail.isascii(), detail


@pytest.fixture
def targets(policy, make_household):
    from fangpin.cases.services import do_open_lead

    household = make_household(OWN_VILLAGE)
    case = do_open_lead(household, "self", "申请").case
    return [reverse("api:public_apply"), reverse("api:public_status"), reverse("api:visits"),
            reverse("api:case_actions", kwargs={"case_id": case.pk}),
            reverse("api:household_leads", kwargs={"household_id": household.pk})]


@FUZZ
@given(body=bodies, index=st.integers(min_value=0, max_value=4))
def test_any_json_body_is_answered_without_a_server_error(api, targets, body, index):
    client = api("village")
    client.client.defaults["REMOTE_ADDR"] = f"10.0.{index}.{len(str(body)) % 250}"  # stay under the rate limits
    _check(client.post(targets[index], body))


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["page", "page_size", "state", "household"]),
                             st.text(max_size=12) | st.integers(min_value=-(2**70), max_value=2**70).map(str),
                             max_size=3))
def test_any_query_is_answered_without_a_server_error(api, policy, query):
    for name in ("api:visits", "api:cases"):
        _check(api("county").get(reverse(name), **query))


def test_raw_garbage_bodies(api, targets):
    for raw in (b"", b"null", b"[]", b"\xff\xfe", b'{"a":', b"1" * 10000):
        for url in targets:
            response = api("village").client.post(url, raw, content_type="application/json",
                                                  headers=api("village").headers)
            _check(response)
