"""The identification procedure through its services: one open case, every step by its role,
deadlines in working days, stale and concurrent approvals, illegal moves."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, CaseStep, Holiday, PolicyVersion
from fangpin.cases.services import CaseError, StaleCase, do_case_action, do_open_lead, overdue, policy_for
from fangpin.core.workflow import IllegalTransition, State
from tests.conftest import OTHER_COUNTY_VILLAGE

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)



REVIEW = {"date": "2026-11-25", "attendance": 31, "votes_for": 29, "votes_against": 2, "minutes": "评议同意纳入"}
DECISION = {"category": "边缘易致贫户", "risk_types": ["因病"], "effective_date": "2026-12-10"}


def walk_to(case_id, users, target: State, start: dt.datetime):
    """Drive a case from LEAD to ``target`` with the right role at each step; returns the time used."""
    steps = [
        (State.LEAD, "start_verify", "village", {}),
        (State.VERIFYING, "submit", "village", {}),
        (State.VILLAGE_REVIEW, "submit", "village", REVIEW),
        (State.NOTICE, "submit", "village", {}),
        (State.TOWNSHIP_REVIEW, "submit", "township", {}),
        (State.COUNTY_DECISION, "submit", "county", DECISION),
    ]
    now = start
    for state, action, role, data in steps:
        if state == target:
            break
        if state == State.NOTICE:
            now += dt.timedelta(days=5)
        do_case_action(users[role], case_id, action, seen_state=state, data=data, now=now)
    return now


def test_policy_for_prefers_the_county_and_the_latest_version(regions, policy):
    county = PolicyVersion.objects.create(region_id="130633", year=2026, effective_from=dt.date(2026, 7, 1),
                                          version="130633-2026-1", monitoring_line=Decimal("7600"))
    assert policy_for("130633100201", dt.date(2026, 6, 30)) == policy
    assert policy_for("130633100201", dt.date(2026, 7, 1)) == county
    assert policy_for(OTHER_COUNTY_VILLAGE, dt.date(2026, 7, 1)) == policy
    with pytest.raises(CaseError, match="尚未配置"):
        policy_for("130633100201", dt.date(2019, 12, 31))


def test_a_household_has_one_open_case_and_new_leads_attach(make_household, users, policy):
    household = make_household()
    first = do_open_lead(household, "self", "因病支出大", now=at(2026, 11, 2))
    second = do_open_lead(household, "visit", "走访发现住房漏雨", user=users["village"], now=at(2026, 11, 3))
    assert first.case_id == second.case_id
    assert Case.objects.filter(household=household).count() == 1
    assert first.receipt_no != second.receipt_no
    assert AuditEvent.objects.filter(action="case.lead", object_id=str(first.case_id)).count() == 2


def test_every_step_by_its_role_reaches_monitoring(make_household, users, policy):
    household = make_household()
    case_id = do_open_lead(household, "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.MONITORING, at(2026, 11, 2))
    case = Case.objects.get(pk=case_id)
    assert case.state == State.MONITORING
    assert (case.category, case.risk_types, case.effective_date) == ("边缘易致贫户", ["因病"], dt.date(2026, 12, 10))
    assert list(CaseStep.objects.filter(case=case).values_list("to_state", flat=True)) == [
        "verifying", "village_review", "notice", "township_review", "county_decision", "monitoring"]
    assert CaseStep.objects.get(case=case, to_state="notice").data["votes_for"] == 29


def test_wrong_role_or_skipped_step_is_refused(make_household, users, policy):
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    with pytest.raises(IllegalTransition):
        do_case_action(users["township"], case_id, "start_verify", seen_state="lead")
    with pytest.raises(IllegalTransition):
        do_case_action(users["county"], case_id, "submit", seen_state="lead")
    assert Case.objects.get(pk=case_id).state == "lead" and not CaseStep.objects.exists()


def test_out_of_scope_users_cannot_act(make_household, users, policy):
    case_id = do_open_lead(make_household(OTHER_COUNTY_VILLAGE), "self", "申请", now=at(2026, 11, 2)).case_id
    with pytest.raises(CaseError, match="不在您的管辖范围"):
        do_case_action(users["village"], case_id, "start_verify", seen_state="lead")


def test_review_needs_its_minutes_and_notice_its_days(make_household, users, policy):
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.VILLAGE_REVIEW, at(2026, 11, 2))
    with pytest.raises(CaseError, match="民主评议须记录"):
        do_case_action(users["village"], case_id, "submit", seen_state="village_review", data={"date": "2026-11-03"})
    do_case_action(users["village"], case_id, "submit", seen_state="village_review", data=REVIEW, now=at(2026, 11, 4))
    assert Case.objects.get(pk=case_id).notice_ends == dt.date(2026, 11, 9)
    with pytest.raises(CaseError, match="公示期未满"):
        do_case_action(users["village"], case_id, "submit", seen_state="notice", now=at(2026, 11, 8))
    do_case_action(users["village"], case_id, "submit", seen_state="notice", now=at(2026, 11, 9))


def test_objection_upheld_sends_the_case_back_to_verification(make_household, users, policy):
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.NOTICE, at(2026, 11, 2))
    with pytest.raises(IllegalTransition, match="理由"):
        do_case_action(users["village"], case_id, "objection_upheld", seen_state="notice")
    do_case_action(users["village"], case_id, "objection_upheld", seen_state="notice", reason="群众反映有经营收入")
    assert Case.objects.get(pk=case_id).state == "verifying"


def test_a_stale_page_cannot_move_the_case_twice(make_household, users, policy):
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    do_case_action(users["village"], case_id, "start_verify", seen_state="lead")
    do_case_action(users["village"], case_id, "submit", seen_state="verifying")
    with pytest.raises(StaleCase):  # a second click on the old page
        do_case_action(users["village"], case_id, "submit", seen_state="verifying")
    assert CaseStep.objects.filter(case_id=case_id).count() == 2


def test_identification_deadline_counts_working_days_over_national_day(make_household, users, policy):
    case = do_open_lead(make_household(), "self", "申请", now=at(2026, 9, 28)).case
    # 15 working days from Mon 28 Sep 2026: 29, 30 Sep; 8, 9, 10(调休), 12–16, 19–23 Oct → 23 Oct
    assert case.identification_due == dt.date(2026, 10, 23)
    assert case.step_due == dt.date(2026, 10, 10)  # verification, 5 working days: 29, 30 Sep, 8, 9, 10 Oct
    assert list(overdue(users["county"], dt.date(2026, 10, 12))) == [case]
    assert list(overdue(users["county"], dt.date(2026, 10, 10))) == []
    do_open_lead(make_household(OTHER_COUNTY_VILLAGE), "self", "申请", now=at(2026, 9, 28))
    assert list(overdue(users["county"], dt.date(2026, 10, 12))) == [case]  # the other county's is not listed


def test_office_holidays_move_deadlines(make_household, users, policy):
    Holiday.objects.create(date=dt.date(2026, 11, 24), name="地方假日")
    case = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 23)).case
    assert case.step_due == dt.date(2026, 12, 1)  # 25, 26, 27, 30 Nov, 1 Dec


def followups(users, case_id, *visits):
    from fangpin.plans.services import do_record_followup

    for day, income in visits:  # two persons; 7,300 a person is the line
        do_record_followup(users["village"], case_id, visit_date=day, income_12m=Decimal(income), persons=2,
                           now=at(day.year, day.month, day.day, 18))


def test_elimination_needs_the_core_criteria_and_keeps_the_check(make_household, users, policy):
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.MONITORING, at(2026, 11, 2))  # effective 2026-12-10
    with pytest.raises(CaseError, match="收入稳定超过监测线仅 0 个月，须满 6 个月"):
        do_case_action(users["township"], case_id, "start_elimination", seen_state="monitoring")
    followups(users, case_id, (dt.date(2026, 12, 15), "20000"), (dt.date(2027, 3, 15), "20000"),
              (dt.date(2027, 5, 20), "20000"))
    with pytest.raises(CaseError, match="仅 5 个月"):
        do_case_action(users["township"], case_id, "start_elimination", seen_state="monitoring")
    followups(users, case_id, (dt.date(2027, 6, 20), "20000"))
    case = do_case_action(users["township"], case_id, "start_elimination", seen_state="monitoring",
                          now=at(2027, 6, 21))
    assert case.state == State.ELIM_VERIFYING
    step = CaseStep.objects.filter(case_id=case_id).latest("id")
    assert step.data["elimination_check"] == {"eligible": True, "missing": [], "keep_monitoring": ""}


def test_elimination_refused_for_a_household_living_on_social_security(make_household, users, policy):
    from fangpin.registry.models import Member

    household = make_household(is_dibao=True)
    Member.objects.filter(household=household).update(labour="none")
    case_id = do_open_lead(household, "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.MONITORING, at(2026, 11, 2))
    followups(users, case_id, (dt.date(2026, 12, 15), "20000"), (dt.date(2027, 6, 20), "20000"))
    with pytest.raises(CaseError, match="继续监测"):
        do_case_action(users["township"], case_id, "start_elimination", seen_state="monitoring",
                       now=at(2027, 6, 21))
    assert Case.objects.get(pk=case_id).state == State.MONITORING


def test_eliminated_case_closes_and_the_household_can_reenter(make_household, users, policy):
    household = make_household()
    case_id = do_open_lead(household, "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.MONITORING, at(2026, 11, 2))
    followups(users, case_id, (dt.date(2026, 12, 15), "20000"), (dt.date(2027, 6, 20), "20000"))
    now = at(2027, 6, 21)
    do_case_action(users["township"], case_id, "start_elimination", seen_state="monitoring", now=now)
    do_case_action(users["village"], case_id, "submit", seen_state="elim_verifying", now=now)
    do_case_action(users["village"], case_id, "submit", seen_state="elim_review", data=REVIEW, now=now)
    now += dt.timedelta(days=5)
    do_case_action(users["village"], case_id, "submit", seen_state="elim_notice", now=now)
    do_case_action(users["county"], case_id, "submit", seen_state="elim_decision", now=now)
    assert Case.objects.get(pk=case_id).closed_at is not None
    again = do_open_lead(household, "screening", "医保大额支出预警", now=now + dt.timedelta(days=90))
    assert again.case_id != case_id


@pytest.mark.django_db(transaction=True)
def test_two_users_approving_at_once_make_one_transition(make_household, users, policy):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    case_id = do_open_lead(make_household(), "self", "申请", now=at(2026, 11, 2)).case_id
    do_case_action(users["village"], case_id, "start_verify", seen_state="lead")
    barrier, outcomes = threading.Barrier(2), []

    def approve():
        try:
            barrier.wait()
            do_case_action(users["village"], case_id, "submit", seen_state="verifying")
            outcomes.append("ok")
        except StaleCase:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale"]
    assert CaseStep.objects.filter(case_id=case_id, to_state="village_review").count() == 1


def test_county_decision_keeps_the_findings_and_their_policy_version(make_household, users, policy):
    from fangpin.registry.models import HouseholdYear

    household = make_household()  # two members
    zero = Decimal("0")
    # net income 9,000 for 2 persons = 4,500 per person < 7,300; medical 12,000 > 9,000 income
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal("9000"), business=zero,
                                 property_income=zero, transfer=zero, production_cost=zero,
                                 medical_oop=Decimal("12000"), schooling_exp=zero, disaster_loss=zero,
                                 accident_exp=zero)
    case_id = do_open_lead(household, "self", "申请", now=at(2026, 11, 2)).case_id
    walk_to(case_id, users, State.COUNTY_DECISION, at(2026, 11, 2))
    assert Case.objects.get(pk=case_id).findings == []  # only the decision takes the snapshot
    do_case_action(users["county"], case_id, "submit", seen_state="county_decision", data=DECISION,
                   now=at(2026, 11, 20))
    findings = {f["rule"]: f for f in Case.objects.get(pk=case_id).findings}
    assert set(findings) == {"income_below_line", "rigid_over_income"}
    assert findings["income_below_line"]["text"] == "人均纯收入 4,500 元 < 监测线 7,300 元"
    assert {f["policy_version"] for f in findings.values()} == {"13-2026-1"}
