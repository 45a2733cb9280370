"""Cases through the API: queue, detail (audited), every step to monitoring, illegal / stale / concurrent
moves (409), scope (404), roles (403), step data (422), leads, the pipeline, and no clear ID anywhere."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, CaseStep
from fangpin.cases.services import do_open_lead
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

CASES = reverse("api:cases")
REVIEW = {"date": "2026-11-25", "attendance": 31, "votes_for": 29, "votes_against": 2, "minutes": "评议同意纳入"}
DECISION = {"category": "边缘易致贫户", "risk_types": ["因病"], "effective_date": "2026-12-10"}
ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def act_url(case_id: int) -> str:
    return reverse("api:case_actions", kwargs={"case_id": case_id})


def detail_url(case_id: int) -> str:
    return reverse("api:case", kwargs={"case_id": case_id})


@pytest.fixture
def case(policy, make_household):
    return do_open_lead(make_household(OWN_VILLAGE, members=(("张三", "head"), ("李四", "spouse"))),
                        "self", "因病支出大").case


def test_every_step_to_monitoring_through_the_api(api, case):
    def act(role, action, seen, data=None, reason=""):
        return api(role).post(act_url(case.pk), {"action": action, "seen_state": seen, "data": data or {},
                                                 "reason": reason})

    assert act("village", "start_verify", "lead").json()["state"] == "verifying"
    assert act("village", "submit", "verifying").json()["state"] == "village_review"
    moved = act("village", "submit", "village_review", REVIEW)
    assert moved.status_code == 200 and moved.json()["state_label"] == "村内公示"
    early = act("village", "submit", "notice")
    assert early.status_code == 409 and "公示期未满" in early.json()["detail"]
    Case.objects.filter(pk=case.pk).update(notice_ends=timezone.localdate() - dt.timedelta(days=1))  # 5 days on
    assert act("village", "submit", "notice").json()["state"] == "township_review"
    assert act("township", "submit", "township_review").json()["state"] == "county_decision"
    shown = api("county").get(detail_url(case.pk)).json()
    decision = next(a for a in shown["actions"] if a["action"] == "submit")
    fields = {f["name"]: f for f in decision["data_fields"]}
    assert set(fields) == {"category", "risk_types", "effective_date"} and fields["risk_types"]["many"] is True
    assert "边缘易致贫户" in fields["category"]["choices"]
    done = act("county", "submit", "county_decision", DECISION)
    assert done.status_code == 200 and done.json()["state"] == "monitoring"
    case.refresh_from_db()
    assert (case.category, case.risk_types, case.effective_date) == ("边缘易致贫户", ["因病"], dt.date(2026, 12, 10))
    assert CaseStep.objects.get(case=case, to_state="notice").data["votes_for"] == 29
    assert AuditEvent.objects.filter(action="case.submit", object_id=str(case.pk)).count() == 5


def test_illegal_moves_are_409_with_the_core_message(api, case):
    wrong_role = api("township").post(act_url(case.pk), {"action": "start_verify", "seen_state": "lead"})
    assert wrong_role.status_code == 409 and "须由" in wrong_role.json()["detail"]
    skip = api("county").post(act_url(case.pk), {"action": "submit", "seen_state": "lead"})
    assert skip.status_code == 409 and "不能执行" in skip.json()["detail"]
    no_reason = api("village").post(act_url(case.pk), {"action": "reject", "seen_state": "lead"})
    assert no_reason.status_code == 409 and "理由" in no_reason.json()["detail"]
    nonsense = api("village").post(act_url(case.pk), {"action": "fly", "seen_state": "lead"})
    assert nonsense.status_code == 422 and "动作" in nonsense.json()["detail"]
    case.refresh_from_db()
    assert case.state == "lead" and not CaseStep.objects.exists()


def test_step_data_is_checked_by_the_page_form(api, case):
    for action, seen in (("start_verify", "lead"), ("submit", "verifying")):
        api("village").post(act_url(case.pk), {"action": action, "seen_state": seen})
    short = api("village").post(act_url(case.pk), {"action": "submit", "seen_state": "village_review",
                                                   "data": {"date": 20261125, "votes_for": "many"}})
    assert short.status_code == 422
    assert "参会人数" in short.json()["detail"] and "会议纪要" in short.json()["detail"]
    too_many = api("village").post(act_url(case.pk), {"action": "submit", "seen_state": "village_review",
                                                      "data": {**REVIEW, "votes_for": 40}})
    assert too_many.status_code == 422 and "超过参会人数" in too_many.json()["detail"]
    assert Case.objects.get(pk=case.pk).state == "village_review"


def test_a_stale_action_is_409_and_only_one_of_two_succeeds(api, case):
    first = api("village").post(act_url(case.pk), {"action": "start_verify", "seen_state": "lead"})
    second = api("village").post(act_url(case.pk), {"action": "start_verify", "seen_state": "lead"})
    assert (first.status_code, second.status_code) == (200, 409)
    assert "已被他人办理" in second.json()["detail"]
    assert CaseStep.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_actions_make_one_transition(tokens, policy, make_household):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    from tests.api.conftest import Api

    case = do_open_lead(make_household(OWN_VILLAGE), "self", "申请").case
    barrier, codes = threading.Barrier(2), []

    def approve():
        try:
            barrier.wait()
            codes.append(Api(tokens["village"]).post(act_url(case.pk), {"action": "start_verify",
                                                                       "seen_state": "lead"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    assert CaseStep.objects.filter(case=case, to_state="verifying").count() == 1


def test_scope_is_404_and_roles_without_handle_cases_are_403(api, policy, make_household):
    sibling = do_open_lead(make_household(SIBLING_VILLAGE), "self", "申请").case
    far = do_open_lead(make_household(OTHER_COUNTY_VILLAGE), "self", "申请").case
    assert api("village").get(detail_url(sibling.pk)).status_code == 404
    refused = api("village").post(act_url(sibling.pk), {"action": "start_verify", "seen_state": "lead"})
    assert refused.status_code == 404 and refused.json()["detail"] == "记录不存在或不在您的管辖范围内"
    assert api("county").get(detail_url(far.pk)).status_code == 404
    assert api("county").get(detail_url(99_999_999)).status_code == 404
    assert api("village").get(reverse("api:case", kwargs={"case_id": 2**40})).status_code == 404
    for role in ("department", "insurer", "city", "province"):
        assert api(role).get(detail_url(sibling.pk)).status_code == 403
        assert api(role).get(CASES).status_code == 403
        assert api(role).post(act_url(sibling.pk), {"action": "start_verify", "seen_state": "lead"}).status_code == 403
    assert not CaseStep.objects.exists()


def test_queue_by_state_and_detail_is_audited(api, case, make_household):
    mine = api("village").get(CASES).json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == case.pk
    item = mine["items"][0]
    assert item["head_name"] == "张三" and re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", item["head_id_masked"])
    assert api("township").get(CASES).json()["count"] == 0  # a lead is the village's to-do
    assert api("township").get(CASES, state="lead").json()["count"] == 1
    bad = api("township").get(CASES, state="nope")
    assert bad.status_code == 422 and "环节" in bad.json()["detail"]
    detail = api("village").get(detail_url(case.pk)).json()
    assert detail["leads"][0]["summary"] == "因病支出大" and detail["steps"] == []
    assert [(a["action"], a["needs_reason"]) for a in detail["actions"]] == [("start_verify", False),
                                                                              ("reject", True)]
    assert api("township").get(detail_url(case.pk)).json()["actions"] == []
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count() == 2


def test_open_a_lead_for_a_household(api, policy, make_household):
    household, sibling = make_household(OWN_VILLAGE), make_household(SIBLING_VILLAGE)
    url = reverse("api:household_leads", kwargs={"household_id": household.pk})
    created = api("village").post(url, {"summary": "走访发现住房漏雨"})
    assert created.status_code == 201 and created.json()["channel"] == "visit"
    again = api("village").post(url, {"summary": "又一条线索"}).json()
    assert again["case_id"] == created.json()["case_id"] and Case.objects.filter(household=household).count() == 1
    empty = api("village").post(url, {"summary": ""})
    assert empty.status_code == 422 and "线索摘要" in empty.json()["detail"]
    other = reverse("api:household_leads", kwargs={"household_id": sibling.pk})
    assert api("village").post(other, {"summary": "越权"}).status_code == 404
    assert not Case.objects.filter(household=sibling).exists()


def test_pipeline_counts_per_township(api, policy, make_household):
    do_open_lead(make_household(OWN_VILLAGE), "self", "申请")
    do_open_lead(make_household(OTHER_COUNTY_VILLAGE), "self", "申请")
    data = api("county").get(reverse("api:pipeline")).json()
    assert data["total"] == 1
    row = next(r for r in data["rows"] if r["code"] == "130633100")
    assert row["name"] == "易州镇" and row["total"] == 1
    assert next(c for c in row["cells"] if c["state"] == "lead")["n"] == 1
    assert api("village").get(reverse("api:pipeline")).status_code == 403


def test_no_clear_id_number_or_phone_in_any_response(api, case):
    members = list(case.household.members.all())
    secrets = [pii.decrypt(m.id_cipher) for m in members] + [pii.decrypt(m.phone_cipher) for m in members]
    bodies = [
        api("village").get(CASES).content, api("village").get(detail_url(case.pk)).content,
        api("village").post(act_url(case.pk), {"action": "start_verify", "seen_state": "lead"}).content,
        api("county").get(CASES, state="verifying").content, api("county").get(reverse("api:pipeline")).content,
        api("village").get(reverse("api:visits")).content,
    ]
    for raw in bodies:
        text = raw.decode()
        assert not any(s in text for s in secrets), text[:300]
        assert not ID_LIKE.search(text), text[:300]
