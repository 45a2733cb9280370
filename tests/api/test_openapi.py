"""The OpenAPI document and the reference page: every operation present, no remote assets."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.api.conftest import Api

PATHS = {
    "/api/public/applications": {"post"}, "/api/public/status": {"post"},
    "/api/visits": {"get", "post"}, "/api/visits/{visit_id}": {"get"},
    "/api/cases": {"get"}, "/api/cases/{case_id}": {"get"}, "/api/cases/{case_id}/actions": {"post"},
    "/api/households/{household_id}/leads": {"post"}, "/api/pipeline": {"get"},
}


def test_openapi_json_lists_every_operation_with_its_security(client, db):
    response = client.get(reverse("api:openapi-json"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.") and doc["info"]["title"] == "防贫监测 API"
    assert {p: set(ops) for p, ops in doc["paths"].items()} == PATHS
    assert set(doc["components"]["securitySchemes"]) == {"BearerToken", "Session"}
    assert doc["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert "security" not in doc["paths"]["/api/public/applications"]["post"]
    assert doc["paths"]["/api/cases/{case_id}/actions"]["post"]["security"] == [{"BearerToken": []},
                                                                                 {"Session": []}]
    assert set(doc["paths"]["/api/cases/{case_id}/actions"]["post"]["responses"]) >= {"200", "409", "422"}


def test_reference_page_and_index_pull_nothing_remote(client, db):
    page = client.get(reverse("api:docs"))
    body = page.content.decode()
    assert page.status_code == 200 and "/api/cases/{case_id}/actions" in body and "办理案件" in body
    assert "cdn" not in body.lower() and "https://" not in body and "http://" not in body
    assert Api().get(reverse("api:api-root")).json()["openapi"] == "/api/openapi.json"
