"""Grievance verbs: each by its role and (for answers) only by the owner, in the user's region, audited,
conditional on the state the user saw; an 应纳未纳 appeal opens a lead through the cases service."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, Lead
from fangpin.core.grievance import Kind, Outcome, Satisfaction, State
from fangpin.grievances import services
from fangpin.grievances.models import Grievance, GrievanceEvent
from fangpin.grievances.services import (
    GrievanceError,
    StaleGrievance,
    do_assign,
    do_link,
    do_open_lead,
    do_reopen,
    do_respond,
    do_visit,
)
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.grievances.conftest import PHONE

pytestmark = pytest.mark.django_db


def audit(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def assigned(users, make_grievance, owner="township", **kw):
    g = make_grievance(**kw)
    return do_assign(users["county"], g.pk, seen_state="received", owner=users[owner], leader="李镇长（副镇长）")


def test_register_stores_the_phone_encrypted_and_masked_and_audits_without_it(users, make_grievance):
    g = make_grievance()
    row = Grievance.objects.get(pk=g.pk)
    assert row.phone_masked == "139****2222" and PHONE not in row.phone_cipher
    assert row.state == State.RECEIVED and row.due == row.response_due
    event = audit("grievance.register")
    assert event.object_id == str(g.pk) and event.region_code == OWN_VILLAGE
    assert PHONE not in str(event.detail) + event.summary and "产业补助" not in event.summary


@override_settings(FANGPIN_GRIEVANCE_RESPONSE_DAYS=3)
def test_first_response_deadline_is_the_configured_working_days(users, make_grievance):
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)):  # Fri
        g = make_grievance()
    assert g.response_due == dt.date(2026, 11, 25)  # Mon, Tue, Wed


def test_village_registers_only_in_its_own_village(users, make_grievance):
    with pytest.raises(GrievanceError, match="管辖范围"):
        make_grievance(village=SIBLING_VILLAGE, user=users["village"])
    for role in ("city", "department", "sysadmin"):
        with pytest.raises(GrievanceError, match="不能登记"):
            make_grievance(user=users[role])


def test_register_links_a_household_only_in_scope(users, make_grievance, make_household):
    own, other = make_household(OWN_VILLAGE), make_household(OTHER_TOWNSHIP_VILLAGE)
    assert make_grievance(user=users["village"], hh_no=own.hh_no).household == own
    with pytest.raises(GrievanceError, match="不存在或不在您的管辖范围内"):
        make_grievance(user=users["village"], hh_no=other.hh_no)


def test_assign_by_township_or_county_to_an_account_covering_the_village(users, make_grievance):
    g = assigned(users, make_grievance, owner="village")
    assert (g.state, g.owner, g.leader) == (State.ASSIGNED, users["village"], "李镇长（副镇长）")
    assert audit("grievance.assign").detail["owner"] == users["village"].pk
    with pytest.raises(GrievanceError, match="交办诉求"):
        do_assign(users["village"], make_grievance().pk, seen_state="received", owner=users["village"])


def test_owner_must_cover_the_village(users, make_grievance, regions):
    from fangpin.accounts.models import User

    elsewhere = User.objects.create(username="liangge", role="township", region_id="130633101")
    g = make_grievance()
    with pytest.raises(GrievanceError, match="承办人"):
        do_assign(users["county"], g.pk, seen_state="received", owner=elsewhere)
    with pytest.raises(GrievanceError, match="承办人"):
        do_assign(users["county"], g.pk, seen_state="received", owner=users["department"])
    assert Grievance.objects.get(pk=g.pk).state == State.RECEIVED


def test_only_the_owner_answers(users, make_grievance):
    g = assigned(users, make_grievance)
    with pytest.raises(GrievanceError, match="只有承办人"):
        do_respond(users["county"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="已发放")
    with pytest.raises(GrievanceError, match="答复内容"):
        do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="  ")
    g = do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="补助已于本周发放")
    assert g.state == State.RESPONDED and g.first_response_at is not None and g.due > g.response_due - dt.timedelta(30)


def test_visit_closes_with_the_satisfaction_and_counts_as_resolved(users, make_grievance):
    g = assigned(users, make_grievance)
    do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="已发放")
    with pytest.raises(GrievanceError, match="回访诉求"):
        do_visit(users["village"], g.pk, seen_state="responded", satisfaction=Satisfaction.SATISFIED)
    g = do_visit(users["township"], g.pk, seen_state="responded", satisfaction=Satisfaction.BASIC, note="电话回访")
    assert g.state == State.CLOSED and g.closed_at and g.due is None and g.resolved
    assert audit("grievance.visit").detail["satisfaction"] == "basic"


def test_unsatisfied_reopens_with_a_fresh_deadline_and_satisfied_does_not(users, make_grievance):
    g = assigned(users, make_grievance)
    do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.EXPLAINED, response="不符合政策")
    g = do_reopen(users["county"], g.pk, seen_state="responded", reason="群众不认可答复")
    assert g.state == State.ASSIGNED and g.reopen_count == 1 and g.owner == users["township"]
    do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.PARTLY, response="补发一半")
    do_visit(users["county"], g.pk, seen_state="responded", satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(GrievanceError, match="不满意"):
        do_reopen(users["county"], g.pk, seen_state="closed", reason="再看看")
    assert list(GrievanceEvent.objects.filter(grievance=g).values_list("action", flat=True)) == [
        "register", "assign", "respond", "reopen", "respond", "visit"]


def test_closed_unsatisfied_may_reopen_later(users, make_grievance):
    g = assigned(users, make_grievance)
    do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.EXPLAINED, response="不符合政策")
    g = do_visit(users["county"], g.pk, seen_state="responded", satisfaction=Satisfaction.UNSATISFIED)
    assert g.state == State.CLOSED and not g.resolved
    g = do_reopen(users["county"], g.pk, seen_state="closed", reason="复查发现确有遗漏")
    assert g.state == State.ASSIGNED and g.satisfaction == "" and g.closed_at is None


def test_a_step_on_a_state_the_user_no_longer_sees_is_refused(users, make_grievance):
    g = assigned(users, make_grievance)
    with pytest.raises(StaleGrievance, match="已被他人办理"):
        do_assign(users["township"], g.pk, seen_state="received", owner=users["village"])
    assert Grievance.objects.get(pk=g.pk).owner == users["township"]


def test_the_update_is_conditional_on_the_state_read(users, make_grievance):
    """Two assigners read "received"; the first moves it; the second's filtered update finds nothing."""
    g = make_grievance()
    stale = Grievance.objects.get(pk=g.pk)
    do_assign(users["county"], g.pk, seen_state="received", owner=users["township"])
    with mock.patch.object(services, "grievance_for", return_value=stale), \
            pytest.raises(StaleGrievance):
        do_assign(users["township"], g.pk, seen_state="received", owner=users["village"])
    assert Grievance.objects.get(pk=g.pk).owner == users["township"]
    assert GrievanceEvent.objects.filter(grievance=g, action="assign").count() == 1


@pytest.mark.parametrize(("role", "village"), [("village", SIBLING_VILLAGE), ("township", OTHER_TOWNSHIP_VILLAGE),
                                             ("county", OTHER_COUNTY_VILLAGE)])
def test_out_of_scope_grievances_look_missing(users, make_grievance, role, village):
    from fangpin.accounts.models import User

    registrar = User.objects.create(username="xian2", role="county", region_id=village[:6])
    g = make_grievance(village=village, user=registrar)
    actor = users[role]
    for verb in (lambda: do_link(actor, g.pk, hh_no="x"),
                 lambda: do_respond(actor, g.pk, seen_state="received", outcome=Outcome.SOLVED, response="越权")):
        with pytest.raises(GrievanceError, match="不存在或不在您的管辖范围内"):
            verb()
    if actor.can("assign_grievances"):
        with pytest.raises(GrievanceError, match="不存在或不在您的管辖范围内"):
            do_assign(actor, g.pk, seen_state="received", owner=actor)
    assert GrievanceEvent.objects.filter(grievance=g).count() == 1


def test_excluded_appeal_opens_a_lead_on_the_households_case(users, make_grievance, make_household, policy):
    household = make_household(OWN_VILLAGE)
    g = make_grievance(kind=Kind.EXCLUDED, content="家里两人住院，申请纳入监测没有回音")
    with pytest.raises(GrievanceError, match="先关联农户"):
        do_open_lead(users["village"], g.pk)
    do_link(users["village"], g.pk, hh_no=household.hh_no)
    g = do_open_lead(users["village"], g.pk)
    lead = Lead.objects.get(pk=g.lead_id)
    assert lead.case.household == household and lead.details["grievance"] == g.no
    assert Case.objects.filter(household=household, closed_at__isnull=True).count() == 1
    assert audit("case.lead").object_id == str(lead.case_id) and audit("grievance.lead").detail["lead"] == lead.pk
    with pytest.raises(GrievanceError, match="已转入"):
        do_open_lead(users["village"], g.pk)
    other = make_grievance(kind=Kind.POLICY, hh_no=household.hh_no)
    with pytest.raises(GrievanceError, match="应纳未纳"):
        do_open_lead(users["village"], other.pk)


@pytest.mark.django_db(transaction=True)
def test_two_assigners_at_once_make_one_move(users, make_grievance):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    g = make_grievance()
    barrier, outcomes = threading.Barrier(2), []

    def assign(actor, owner):
        try:
            barrier.wait()
            do_assign(actor, g.pk, seen_state="received", owner=owner)
            outcomes.append("ok")
        except GrievanceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(users["county"], users["township"])),
               threading.Thread(target=assign, args=(users["township"], users["village"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert GrievanceEvent.objects.filter(grievance_id=g.pk, action="assign").count() == 1
    assert AuditEvent.objects.filter(action="grievance.assign", object_id=str(g.pk)).count() == 1
