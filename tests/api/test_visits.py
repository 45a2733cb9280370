"""Visit records through the API: the page's form and service, findings, scope, roles, audit."""

from __future__ import annotations

from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, VisitRecord
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE

VISITS = reverse("api:visits")


def visit(hh_no: str, **extra) -> dict:
    data = {"hh_no": hh_no, "visit_date": "2026-01-05", "income_12m": "30000", "labour_summary": "户主务工",
            "food_ok": True, "education_ok": True, "medical_ok": True, "housing_ok": True, "water_ok": True,
            "consent_data_query": True}
    data.update(extra)
    return data


def test_a_visit_returns_its_findings_and_opens_a_lead(api, policy, make_household):
    household = make_household(OWN_VILLAGE)  # two members: 10,000 yuan → 5,000 per head < 7,300
    response = api("village").post(VISITS, visit(household.hh_no, income_12m=10000, water_ok=False))
    assert response.status_code == 201, response.content
    data = response.json()
    assert {f["rule"] for f in data["findings"]} == {"income_below_line", "water"}
    below = next(f for f in data["findings"] if f["rule"] == "income_below_line")
    assert "5,000" in below["text"] and "7,300" in below["text"]
    assert data["policy_version"] == policy.version and data["hh_no"] == household.hh_no
    case = Case.objects.get(household=household)
    assert data["lead"]["case_id"] == case.pk == data["case_id"]
    assert AuditEvent.objects.filter(action="visit.create").count() == 1
    # a quiet visit: no findings, no lead
    quiet = make_household(OWN_VILLAGE)
    calm = api("village").post(VISITS, visit(quiet.hh_no)).json()
    assert calm["findings"] == [] and calm["lead"] is None and not Case.objects.filter(household=quiet).exists()


def test_list_is_scoped_and_paginated_and_detail_is_audited(api, policy, make_household):
    mine, sibling = make_household(OWN_VILLAGE), make_household(SIBLING_VILLAGE)
    for _ in range(3):
        api("village").post(VISITS, visit(mine.hh_no))
    api("township").post(VISITS, visit(sibling.hh_no))
    village_page = api("village").get(VISITS, page_size=2).json()
    assert village_page["count"] == 3 and len(village_page["items"]) == 2
    assert {i["hh_no"] for i in village_page["items"]} == {mine.hh_no}
    assert len(api("village").get(VISITS, page=2, page_size=2).json()["items"]) == 1
    assert api("township").get(VISITS).json()["count"] == 4
    assert api("township").get(VISITS, household=sibling.pk).json()["count"] == 1
    other = VisitRecord.objects.get(household=sibling)
    assert api("village").get(reverse("api:visit", kwargs={"visit_id": other.pk})).status_code == 404
    assert AuditEvent.objects.filter(action="visit.view").count() == 0
    read = api("township").get(reverse("api:visit", kwargs={"visit_id": other.pk}))
    assert read.status_code == 200 and read.json()["hh_no"] == sibling.hh_no
    assert AuditEvent.objects.filter(action="visit.view", object_id=str(other.pk)).count() == 1
    bad_page = api("village").get(VISITS, page=0)
    assert bad_page.status_code == 422 and bad_page.json()["detail"] == "页码：不能小于 1"


def test_wrong_role_out_of_region_and_bad_input(api, policy, make_household):
    sibling = make_household(SIBLING_VILLAGE)
    assert api("department").post(VISITS, visit(sibling.hh_no)).status_code == 403
    assert api("city").get(VISITS).status_code == 403
    out = api("village").post(VISITS, visit(sibling.hh_no))
    assert out.status_code == 422 and "不在您的管辖范围内" in out.json()["detail"]
    future = api("village").post(VISITS, visit(sibling.hh_no, visit_date="2999-01-01", income_12m=-5))
    assert future.status_code == 422 and "近12个月家庭纯收入" in future.json()["detail"]
    missing = api("village").post(VISITS, {"hh_no": sibling.hh_no})
    assert missing.status_code == 422 and "饮水安全有保障：必填" in missing.json()["detail"]
    assert not VisitRecord.objects.exists()


def test_no_policy_is_a_409_in_chinese(api, make_household):
    household = make_household(OWN_VILLAGE)
    response = api("village").post(VISITS, visit(household.hh_no))
    assert response.status_code == 409 and "监测政策" in response.json()["detail"]
