"""Plan, referral and follow-up pages: render, post each form, Chinese errors, masking, audit."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from fangpin.audit.models import AuditEvent
from fangpin.plans.models import INSURER, FollowUp, Measure, Plan
from fangpin.plans.services import do_add_measure, do_record_followup, do_refer_measure, do_save_plan
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_plan_page_shows_household_suggestions_and_check_and_is_audited(client, users, case):
    do_save_plan(users["village"], case.pk, helper_name="王帮扶", helper_unit="镇干部", helper_phone="13912345678")
    client.force_login(users["village"])
    body = client.get(reverse("plans:case", args=[case.pk])).content.decode()
    assert case.household.hh_no in body and "王帮扶" in body and "139****5678" in body and "13912345678" not in body
    assert "建议措施" in body and "务工就业推荐" in body and "?adopt=job_placement" in body
    assert "收入稳定超过监测线仅 0 个月，须满 6 个月" in body
    assert "已超期" in body  # monitored since 2026-01-05 and never visited
    assert f'name="visit_date" value="{timezone.localdate():%Y-%m-%d}"' in body  # date inputs need the ISO form
    event = AuditEvent.objects.filter(action="plan.view").last()
    assert event.object_id == str(case.pk) and event.user_id == users["village"].pk


def test_adopt_prefills_the_add_measure_form(client, users, case):
    client.force_login(users["village"])
    body = client.get(reverse("plans:case", args=[case.pk]) + "?adopt=medical_aid").content.decode()
    assert "采纳：医疗救助" in body
    assert re.search(r'<option value="medical_aid" selected>', body)
    assert "因病致贫返贫风险" in body


def test_add_measure_posts_and_redirects_with_a_message(client, users, case):
    client.force_login(users["village"])
    url = reverse("plans:add_measure", args=[case.pk])
    response = client.post(url, {"code": "public_post", "detail": "保洁员", "amount": "500"}, follow=True)
    assert messages_of(response) == ["已新增帮扶措施"]
    m = Measure.objects.get()
    assert (m.label, m.amount, m.created_by) == ("公益岗位", D("500"), users["village"])
    response = client.post(url, {"code": "", "amount": "abc"}, follow=True)
    assert messages_of(response) == ["措施：这个字段是必填项。；金额（元）：输入一个数字。"]
    assert Measure.objects.count() == 1


def test_forms_refuse_when_the_case_is_not_monitored(client, users, make_case):
    case = make_case(state="township_review")
    client.force_login(users["village"])
    body = client.get(reverse("plans:case", args=[case.pk])).content.decode()
    assert "本页只读" in body and "记录回访</button>" not in body
    response = client.post(reverse("plans:add_measure", args=[case.pk]), {"code": "dibao"}, follow=True)
    assert "只有监测帮扶中或风险消除办理中的案件" in messages_of(response)[0]
    assert not Measure.objects.exists()


def test_helper_form_validates_the_phone(client, users, case):
    client.force_login(users["township"])
    url = reverse("plans:save_helper", args=[case.pk])
    response = client.post(url, {"helper_name": "王", "helper_phone": "1391234"}, follow=True)
    assert messages_of(response) == ["联系电话：手机号应为以 13–19 开头的 11 位数字，实际 7 位"]
    response = client.post(url, {"helper_name": "王", "helper_unit": "镇干部", "helper_phone": "139 1234 5678",
                                 "helper_user": users["village"].pk}, follow=True)
    assert messages_of(response) == ["已保存帮扶责任人"]
    plan = Plan.objects.get()
    assert (plan.helper_phone_masked, plan.helper_user) == ("139****5678", users["village"])


def test_refer_complete_cancel_from_the_plan_page(client, users, case):
    a = do_add_measure(users["village"], case.pk, code="medical_aid")
    b = do_add_measure(users["village"], case.pk, code="social_aid")
    c = do_add_measure(users["village"], case.pk, code="dibao")
    client.force_login(users["village"])
    r = client.post(reverse("plans:measure_refer", args=[a.pk]), {"department_kind": "medical_insurance"}, follow=True)
    assert messages_of(r) == ["已转办：医疗救助"]
    r = client.post(reverse("plans:measure_complete", args=[b.pk]), {"result": "结对企业捐助", "done_date": "2026-02-01"},
                    follow=True)
    assert messages_of(r) == ["已登记落实：社会帮扶"]
    r = client.post(reverse("plans:measure_cancel", args=[c.pk]), {"reason": ""}, follow=True)
    assert messages_of(r) == ["理由：这个字段是必填项。"]
    r = client.post(reverse("plans:measure_cancel", args=[c.pk]), {"reason": "不符合低保条件"}, follow=True)
    assert messages_of(r) == ["已取消：低保"]
    assert dict(Measure.objects.values_list("code", "status")) == {
        "medical_aid": "referred", "social_aid": "done", "dibao": "cancelled"}
    body = r.content.decode()
    assert "医保局" in body and "不符合低保条件" in body and "结对企业捐助" in body


def test_record_followup_form(client, users, case):
    client.force_login(users["village"])
    url = reverse("plans:record_followup", args=[case.pk])
    r = client.post(url, {"visit_date": "2026-02-10", "income_12m": "16000", "persons": "2", "food": "on",
                          "education": "on", "medical": "on", "water": "on", "effect_note": "务工稳定"}, follow=True)
    assert messages_of(r) == ["已记录帮扶回访"]
    f = FollowUp.objects.get()
    assert (f.per_capita, f.unmet_guarantees, f.rigid_resolved) == (D("8000.00"), ("housing",), False)
    assert "住房安全" in r.content.decode()
    r = client.post(url, {"visit_date": "", "income_12m": "-5", "persons": "0"}, follow=True)
    msg = messages_of(r)[0]
    assert "回访日期：这个字段是必填项。" in msg and "近12个月家庭纯收入（元）" in msg and "家庭人口" in msg


def test_referrals_list_shows_only_the_users_department_pending_first(client, users, case, make_case):
    older = referred_measure(users, case, "medical_aid")
    second = make_case(village=SIBLING_VILLAGE)
    accepted = referred_measure(users, second, "medical_aid")
    Measure.objects.filter(pk=accepted.pk).update(status="accepted")
    newer = referred_measure(users, case, "temp_relief")
    civil = referred_measure(users, case, "dibao", kind="civil_affairs")
    ins = do_add_measure(users["village"], case.pk, code="insurance")
    do_refer_measure(users["village"], ins.pk, department_kind=INSURER)
    client.force_login(users["department"])
    body = client.get(reverse("plans:referrals")).content.decode()
    ids = [int(x) for x in re.findall(r'id="referral-(\d+)"', body)]
    assert ids == [older.pk, newer.pk, accepted.pk]
    assert civil.pk not in ids and ins.pk not in ids
    assert "13800138000" not in body  # members' phones never show
    client.force_login(users["insurer"])
    body = client.get(reverse("plans:referrals")).content.decode()
    assert re.findall(r'id="referral-(\d+)"', body) == [str(ins.pk)]


def referred_measure(users, case, code, kind="medical_insurance"):
    m = do_add_measure(users["township"], case.pk, code=code)
    return do_refer_measure(users["township"], m.pk, department_kind=kind)


def test_department_accepts_declines_and_completes_from_the_list(client, users, case):
    a = referred_measure(users, case, "medical_aid")
    b = referred_measure(users, case, "temp_relief")
    client.force_login(users["department"])
    r = client.post(reverse("plans:referral_accept", args=[a.pk]), follow=True)
    assert messages_of(r) == ["已接收：医疗救助"]
    r = client.post(reverse("plans:referral_decline", args=[b.pk]), {"reason": "应由民政局办理"}, follow=True)
    assert messages_of(r) == ["已退回：临时救助"]
    r = client.post(reverse("plans:referral_complete", args=[a.pk]), {"result": "", "done_date": "2026-03-01"},
                    follow=True)
    assert messages_of(r) == ["落实情况：这个字段是必填项。"]
    r = client.post(reverse("plans:referral_complete", args=[a.pk]), {"result": "已报销 4,000 元",
                                                                       "done_date": "2026-03-01"}, follow=True)
    assert messages_of(r) == ["已登记落实：医疗救助"]
    assert dict(Measure.objects.values_list("code", "status")) == {"medical_aid": "done", "temp_relief": "planned"}


def test_wrong_department_posting_is_refused_and_nothing_moves(client, users, case):
    m = referred_measure(users, case, "medical_aid")
    client.force_login(users["insurer"])
    r = client.post(reverse("plans:referral_accept", args=[m.pk]), follow=True)
    assert messages_of(r) == ["该措施未转办给您所在的部门，不能办理"]
    client.force_login(users["village"])  # a village user has no handle_referrals
    assert client.post(reverse("plans:referral_accept", args=[m.pk])).status_code == 403
    assert Measure.objects.get(pk=m.pk).status == "referred"


def test_followup_reminders_overdue_first_and_scoped(client, users, make_case):
    late = make_case(effective_date=dt.date(2025, 6, 1))
    later = make_case(effective_date=dt.date(2025, 9, 1))
    visited = make_case()
    do_record_followup(users["village"], visited.pk, visit_date=timezone.localdate(), income_12m=D("9000"), persons=1)
    make_case(village=OTHER_TOWNSHIP_VILLAGE, effective_date=dt.date(2025, 1, 1))
    client.force_login(users["township"])
    body = client.get(reverse("plans:followups")).content.decode()
    order = [m for m in re.findall(r'/plans/case/(\d+)/', body)]
    assert order == [str(late.pk), str(later.pk)]
    assert visited.household.hh_no not in body
