"""Assistance verbs: each by its role, in its region, in the right case state, audited; referrals
reach only their department; concurrent accepts make one move; elimination facts from follow-ups."""

import datetime as dt
import threading
from decimal import Decimal as D
from unittest import mock

import pytest
from django.db import connection

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.plans import services
from fangpin.plans.models import INSURER, FollowUp, Measure, Plan
from fangpin.plans.services import (
    PlanError,
    StaleMeasure,
    do_accept_measure,
    do_add_measure,
    do_cancel_measure,
    do_complete_measure,
    do_decline_measure,
    do_record_followup,
    do_refer_measure,
    do_save_plan,
    elimination_check,
    elimination_facts,
)
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE

pytestmark = pytest.mark.django_db


def audit(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def referred(users, case, code="medical_aid", kind="medical_insurance"):
    measure = do_add_measure(users["village"], case.pk, code=code)
    return do_refer_measure(users["township"], measure.pk, department_kind=kind)


# ---------------------------------------------------------------- plan and helper


def test_save_plan_encrypts_and_masks_the_helper_phone_and_audits_masked(users, case):
    plan = do_save_plan(users["village"], case.pk, helper_name=" 王帮扶 ", helper_unit="易州镇党委 组织委员",
                        helper_phone="13912345678")
    plan.refresh_from_db()
    assert (plan.helper_name, plan.helper_phone_masked) == ("王帮扶", "139****5678")
    assert "13912345678" not in plan.helper_phone_cipher and pii.decrypt(plan.helper_phone_cipher) == "13912345678"
    event = audit("plan.helper")
    assert event.object_id == str(plan.pk) and event.region_code == case.household.village_id
    assert "13912345678" not in str(event.detail) + event.summary and event.detail["phone"] == "139****5678"
    # replacing the helper without a phone keeps the stored number; "" clears it
    do_save_plan(users["county"], case.pk, helper_name="赵新", helper_phone=None)
    plan.refresh_from_db()
    assert (plan.helper_name, plan.helper_phone_masked) == ("赵新", "139****5678")
    do_save_plan(users["county"], case.pk, helper_name="赵新", helper_phone="")
    plan.refresh_from_db()
    assert (plan.helper_phone_cipher, plan.helper_phone_masked) == ("", "")
    assert Plan.objects.filter(case=case).count() == 1


def test_helper_needs_a_name_and_an_account_over_the_household(users, case, make_case):
    with pytest.raises(PlanError, match="帮扶责任人：请填写姓名"):
        do_save_plan(users["village"], case.pk, helper_name="  ")
    with pytest.raises(PlanError, match="责任人账户"):
        do_save_plan(users["county"], case.pk, helper_name="王", helper_user=users["department"].__class__(
            username="x", role="village", region_id=OTHER_TOWNSHIP_VILLAGE))
    with pytest.raises(PlanError, match="干部账户"):
        do_save_plan(users["county"], case.pk, helper_name="王", helper_user=users["department"])
    plan = do_save_plan(users["county"], case.pk, helper_name="王", helper_user=users["township"])
    assert plan.helper_user == users["township"]


@pytest.mark.parametrize("state", ["lead", "verifying", "notice", "county_decision", "eliminated", "rejected"])
def test_nothing_is_recorded_outside_monitoring_and_elimination(users, make_case, state):
    case = make_case(state=state)
    for call in (lambda: do_save_plan(users["village"], case.pk, helper_name="王"),
                 lambda: do_add_measure(users["village"], case.pk, code="dibao"),
                 lambda: do_record_followup(users["village"], case.pk, visit_date=dt.date(2026, 2, 1),
                                            income_12m=D("9000"), persons=1)):
        with pytest.raises(PlanError, match="只有监测帮扶中或风险消除办理中的案件"):
            call()
    assert not Measure.objects.exists() and not FollowUp.objects.exists() and not Plan.objects.exists()


def test_elimination_states_still_take_measures(users, make_case):
    case = make_case(state="elim_review")
    assert do_add_measure(users["village"], case.pk, code="social_aid").status == "planned"


def test_wrong_role_and_wrong_region_are_refused(users, make_case):
    far = make_case(village=OTHER_COUNTY_VILLAGE)
    with pytest.raises(PlanError, match="不在您的管辖范围内"):
        do_add_measure(users["county"], far.pk, code="dibao")
    sibling = make_case(village=OTHER_TOWNSHIP_VILLAGE)
    with pytest.raises(PlanError, match="不在您的管辖范围内"):
        do_record_followup(users["township"], sibling.pk, visit_date=dt.date(2026, 2, 1), income_12m=D("1"),
                           persons=1)
    for role in ("department", "insurer", "city", "auditadmin"):
        with pytest.raises(PlanError, match="不能编辑帮扶计划"):
            do_add_measure(users[role], sibling.pk, code="dibao")
    assert not Measure.objects.exists()


# ---------------------------------------------------------------- measures


def test_add_measure_takes_the_core_label_and_checks_its_figures(users, case):
    m = do_add_measure(users["village"], case.pk, code="public_post", detail="村保洁员", amount=D("500"),
                       start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 12, 31))
    assert (m.group, m.label, m.status, m.created_by) == ("就业帮扶", "公益岗位", "planned", users["village"])
    assert audit("measure.add").detail["code"] == "public_post"
    with pytest.raises(PlanError, match="未知的措施代码"):
        do_add_measure(users["village"], case.pk, code="lottery")
    with pytest.raises(PlanError, match="结束日期 2026-01-01 早于开始日期 2026-02-01"):
        do_add_measure(users["village"], case.pk, code="dibao", start_date=dt.date(2026, 2, 1),
                       end_date=dt.date(2026, 1, 1))
    with pytest.raises(PlanError, match="金额：不能为负数"):
        do_add_measure(users["village"], case.pk, code="dibao", amount=D("-1"))


def test_adopting_a_suggestion(users, make_case, make_household):
    from fangpin.registry.models import Member

    household = make_household(members=(("老人", "head"),))
    Member.objects.filter(household=household).update(birth_date=dt.date(1940, 3, 1), labour="lost")
    case = make_case(household=household)
    codes = [s.code for s in services.suggestions(case, dt.date(2026, 3, 1))]
    assert codes[:2] == ["dibao", "tekun"] and "elderly_subsidy" in codes and "medical_aid" in codes
    first = services.suggestions(case, dt.date(2026, 3, 1))[0]
    m = do_add_measure(users["village"], case.pk, code=first.code, detail=first.reason)
    assert (m.label, m.detail) == ("低保", "家庭无劳动能力，符合条件的纳入低保")


def test_refer_accept_complete_by_the_department_of_that_kind(users, case):
    m = referred(users, case)
    assert (m.status, m.department_kind, m.referred_by) == ("referred", "medical_insurance", users["township"])
    assert audit("measure.refer").summary == "医疗救助：已计划 → 已转办（医保局）"
    with pytest.raises(PlanError, match="未转办给您所在的部门"):
        do_accept_measure(users["insurer"], m.pk)
    m = do_accept_measure(users["department"], m.pk)
    assert (m.status, m.accepted_by) == ("accepted", users["department"])
    with pytest.raises(PlanError, match="由部门登记落实情况"):
        do_complete_measure(users["village"], m.pk, result="村里办了")
    with pytest.raises(PlanError, match="落实情况：请填写"):
        do_complete_measure(users["department"], m.pk, result=" ")
    m = do_complete_measure(users["department"], m.pk, result="医疗救助 3,200 元已拨付", done_date=dt.date(2026, 3, 2))
    m.refresh_from_db()
    assert (m.status, m.done_by, m.done_date, m.result) == ("done", users["department"], dt.date(2026, 3, 2),
                                                           "医疗救助 3,200 元已拨付")
    assert audit("measure.complete").detail["to"] == "done"
    with pytest.raises(PlanError, match="措施“已落实”时不能取消"):
        do_cancel_measure(users["village"], m.pk, reason="改主意")


def test_department_of_another_kind_or_another_county_cannot_touch_it(users, case, make_case):
    from fangpin.accounts.models import User

    civil = User.objects.create(username="minzheng", role="department", region_id="130633",
                                department_kind="civil_affairs")
    m = referred(users, case)
    with pytest.raises(PlanError, match="未转办给您所在的部门"):
        do_accept_measure(civil, m.pk)
    far = make_case(village=OTHER_COUNTY_VILLAGE)
    far_measure = Measure.objects.create(plan=Plan.objects.create(case=far), code="medical_aid", group="兜底保障",
                                         label="医疗救助", status="referred", department_kind="medical_insurance")
    with pytest.raises(PlanError, match="不存在或不在您的管辖范围内"):
        do_accept_measure(users["department"], far_measure.pk)
    assert Measure.objects.get(pk=far_measure.pk).status == "referred"
    assert Measure.objects.get(pk=m.pk).status == "referred"


def test_insurance_goes_to_the_insurer_only(users, case):
    ins = do_add_measure(users["village"], case.pk, code="insurance")
    with pytest.raises(PlanError, match="防贫保险措施转办给保险公司"):
        do_refer_measure(users["village"], ins.pk, department_kind="civil_affairs")
    other = do_add_measure(users["village"], case.pk, code="dibao")
    with pytest.raises(PlanError, match="防贫保险措施转办给保险公司"):
        do_refer_measure(users["village"], other.pk, department_kind=INSURER)
    ins = do_refer_measure(users["village"], ins.pk, department_kind=INSURER)
    with pytest.raises(PlanError, match="未转办给您所在的部门"):
        do_accept_measure(users["department"], ins.pk)
    assert do_accept_measure(users["insurer"], ins.pk).status == "accepted"
    assert list(services.referred_to_user(users["insurer"])) == [ins]
    assert list(services.referred_to_user(users["village"])) == []


def test_decline_returns_it_to_planned_with_the_reason(users, case):
    m = referred(users, case)
    with pytest.raises(PlanError, match="退回须填写理由"):
        do_decline_measure(users["department"], m.pk, reason="")
    m = do_decline_measure(users["department"], m.pk, reason="该户已享受大病保险报销")
    m.refresh_from_db()
    assert (m.status, m.department_kind, m.reason, m.closed_by) == (
        "planned", "", "医保局退回：该户已享受大病保险报销", users["department"])
    assert audit("measure.decline").detail["reason"] == "该户已享受大病保险报销"
    # planned again: the village may refer it elsewhere or do it itself
    m = do_complete_measure(users["village"], m.pk, result="村级协调解决", done_date=dt.date(2026, 3, 1))
    assert m.status == "done" and m.done_by == users["village"]


def test_cancel_needs_a_reason_and_keeps_the_row(users, case):
    m = referred(users, case)
    with pytest.raises(PlanError, match="取消须填写理由"):
        do_cancel_measure(users["village"], m.pk, reason=" ")
    with pytest.raises(PlanError, match="不能编辑帮扶计划"):
        do_cancel_measure(users["department"], m.pk, reason="不想办")
    do_cancel_measure(users["village"], m.pk, reason="户已纳入特困供养")
    m.refresh_from_db()
    assert (m.status, m.reason) == ("cancelled", "户已纳入特困供养")
    with pytest.raises(PlanError, match="措施“已取消”时不能接收"):
        do_accept_measure(users["department"], m.pk)


def test_a_stale_measure_is_not_moved_twice(users, case):
    m = referred(users, case)
    stale = Measure.objects.select_related("plan__case").get(pk=m.pk)
    do_accept_measure(users["department"], m.pk)  # someone else got there first
    with mock.patch.object(services, "_measure_for", return_value=stale), \
            pytest.raises(StaleMeasure, match="已被他人办理"):
        do_decline_measure(users["department"], m.pk, reason="迟到的退回")
    m.refresh_from_db()
    assert (m.status, m.reason) == ("accepted", "")


@pytest.mark.django_db(transaction=True)
def test_two_departments_accepting_at_once_make_one_move(users, case):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    from fangpin.accounts.models import User

    other = User.objects.create(username="yibao2", role="department", region_id="130633",
                                department_kind="medical_insurance")
    m = referred(users, case)
    barrier, outcomes = threading.Barrier(2), []

    def accept(user):
        try:
            barrier.wait()
            do_accept_measure(user, m.pk)
            outcomes.append("ok")
        except PlanError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (users["department"], other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditEvent.objects.filter(action="measure.accept", object_id=str(m.pk)).count() == 1
    assert Measure.objects.get(pk=m.pk).status == "accepted"


# ---------------------------------------------------------------- follow-ups and elimination


def test_record_followup_computes_per_capita_and_checks_dates(users, case):
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 1)):
        f = do_record_followup(users["village"], case.pk, visit_date=dt.date(2026, 2, 10), income_12m=D("22000"),
                               persons=3, checks={"housing": False}, rigid_resolved=False, effect_note="公益岗位在岗")
        assert (f.per_capita, f.unmet_guarantees, f.visitor) == (D("7333.33"), ("housing",), users["village"])
        assert audit("followup.record").detail == {"case": case.pk, "per_capita": "7333.33", "unmet": ["housing"],
                                                   "rigid_resolved": False}
        with pytest.raises(PlanError, match="回访日期：不能晚于今天"):
            do_record_followup(users["village"], case.pk, visit_date=dt.date(2026, 3, 2), income_12m=D("1"),
                               persons=1)
    with pytest.raises(PlanError, match="不能早于纳入监测日期 2026-01-05"):
        do_record_followup(users["village"], case.pk, visit_date=dt.date(2026, 1, 4), income_12m=D("1"), persons=1)
    with pytest.raises(PlanError, match="家庭人口：至少 1 人"):
        do_record_followup(users["village"], case.pk, visit_date=dt.date(2026, 2, 1), income_12m=D("1"), persons=0)


def followup(users, case, day, per_capita, **kw):
    return do_record_followup(users["village"], case.pk, visit_date=day, income_12m=D(per_capita) * 2, persons=2,
                              **kw)


def test_elimination_facts_and_check_from_followups(users, case):
    # line 7,300: 8,000 on 01-10 (above), 7,000 on 02-10 (below: reset), then above 03-10 → 09-09
    followup(users, case, dt.date(2026, 1, 10), "8000")
    followup(users, case, dt.date(2026, 2, 10), "7000")
    followup(users, case, dt.date(2026, 3, 10), "7400")
    followup(users, case, dt.date(2026, 6, 12), "7600")
    facts = elimination_facts(case)
    assert (facts.months_above_line, facts.labour_members, facts.relies_on_social_security) == (3, 2, False)
    check = elimination_check(case)
    assert not check.eligible and check.missing == ("收入稳定超过监测线仅 3 个月，须满 6 个月",)
    followup(users, case, dt.date(2026, 9, 9), "7800", checks={"water": False}, rigid_resolved=False)
    check = elimination_check(case)
    assert elimination_facts(case).months_above_line == 6
    assert check.missing == ("饮水安全尚未保障", "大额医疗、教育等刚性支出问题尚未解决")
    followup(users, case, dt.date(2026, 9, 20), "7800")
    assert elimination_check(case).eligible


def test_no_labour_on_dibao_stays_monitored(users, make_household, make_case):
    from fangpin.registry.models import Member

    household = make_household(members=(("独居老人", "head"),), is_dibao=True)
    Member.objects.filter(household=household).update(labour="lost")
    case = make_case(household=household)
    followup(users, case, dt.date(2026, 1, 10), "9000")
    followup(users, case, dt.date(2026, 8, 10), "9000")
    check = elimination_check(case)
    facts = elimination_facts(case)
    assert (facts.labour_members, facts.relies_on_social_security, facts.months_above_line) == (0, True, 7)
    assert not check.eligible and "继续监测" in check.keep_monitoring


def test_followup_due_from_effective_date_then_from_the_last_visit(users, case):
    due = services.followup_status(case, dt.date(2026, 2, 10))
    assert (due.due, due.overdue, due.days_overdue) == (dt.date(2026, 2, 4), True, 6)  # 01-05 + 30 days
    followup(users, case, dt.date(2026, 2, 8), "8000")
    due = services.followup_status(case, dt.date(2026, 2, 10))
    assert (due.due, due.overdue, due.due_soon) == (dt.date(2026, 3, 10), False, False)
