"""Supervision verbs: rules, campaigns, findings, 交办, 整改 with evidence, 销号/退回, the monthly summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.audit.models import AuditEvent
from fangpin.supervision import services
from fangpin.supervision.models import Evidence, Problem
from fangpin.supervision.services import SupervisionError
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.supervision.conftest import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"evidence"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def monitored(make_household):
    """Two 监测户 in the user's own village, none in the sibling village."""
    return [make_household(OWN_VILLAGE, hh_type="jiance") for _ in range(2)]


def _assign(users, rule, region=OWN_VILLAGE, **kw):
    return services.do_assign(users["province"], rule.pk, region, deadline=kw.pop("deadline", TODAY + dt.timedelta(15)),
                              requirement="逐户核实并报送", today=TODAY, **kw)


def test_findings_list_regions_over_the_rule(users, monitored, make_rule, make_household):
    make_household(SIBLING_VILLAGE)
    rule = make_rule(metric="remaining_households", value=1)
    found = services.findings(users["province"], TODAY)
    assert [(f.rule.pk, f.breach.code, f.breach.value) for f in found] == [(rule.pk, OWN_VILLAGE, 2)]
    # the city sees the province's rules too; a county cannot supervise
    assert [f.breach.code for f in services.findings(users["city"], TODAY)] == [OWN_VILLAGE]


def test_campaign_rule_only_in_its_phase(users, monitored, make_rule):
    campaign = services.do_save_campaign(users["province"], name="百日攻坚")
    services.do_add_phase(users["province"], campaign.pk, name="第一阶段", start=dt.date(2026, 3, 20),
                          end=dt.date(2026, 4, 30))
    make_rule(metric="remaining_households", value=1, campaign=campaign)
    assert services.findings(users["province"], TODAY) == []
    assert len(services.findings(users["province"], dt.date(2026, 4, 1))) == 1
    with pytest.raises(SupervisionError, match="重叠"):
        services.do_add_phase(users["province"], campaign.pk, name="第二阶段", start=dt.date(2026, 4, 30),
                              end=dt.date(2026, 5, 31))


def test_rule_levels_below_the_supervisor_only(users):
    with pytest.raises(SupervisionError, match="对象层级"):
        services.do_save_rule(users["city"], name="", metric="remaining", level=2, comparator="gt", value=Decimal(1))
    rule = services.do_save_rule(users["city"], name="", metric="remaining", level=3, comparator="gt",
                                 value=Decimal(1000))
    assert rule.region_id == "1306" and "县级" in rule.name
    assert AuditEvent.objects.filter(action="supervision.rule", object_id=str(rule.pk)).exists()
    with pytest.raises(SupervisionError):
        services.do_save_rule(users["county"], name="x", metric="remaining", level=5, comparator="gt", value=1)


def test_assign_rectify_and_sign_off(users, monitored, make_rule):
    rule = make_rule(metric="remaining_households", value=1)
    problem = _assign(users, rule)
    assert (problem.state, problem.owner, problem.value) == ("assigned", users["village"], Decimal(2))
    assert problem.supervisor_region_id == "13" and "中" not in problem.phase
    step = services.do_rectify(users["village"], problem.pk, text="两户已制定帮扶计划",
                               files=[("照片.png", PNG, "image/png")])
    evidence = Evidence.objects.get(step=step)
    assert services.read_evidence(evidence) == PNG and evidence.name == "照片.png"
    services.do_review(users["province"], problem.pk, "sign_off")
    problem.refresh_from_db()
    assert problem.state == "closed" and problem.closed_at is not None
    actions = list(AuditEvent.objects.filter(object_type="problem", object_id=str(problem.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["supervision.assign", "supervision.submit", "supervision.sign_off"]


def test_send_back_then_resubmit(users, monitored, make_rule):
    problem = _assign(users, make_rule(metric="remaining_households", value=1))
    services.do_rectify(users["village"], problem.pk, text="已整改")
    with pytest.raises(SupervisionError, match="理由"):
        services.do_review(users["province"], problem.pk, "send_back", reason=" ")
    services.do_review(users["province"], problem.pk, "send_back", reason="佐证不足")
    problem.refresh_from_db()
    assert (problem.state, problem.returned_count) == ("returned", 1)
    services.do_rectify(users["village"], problem.pk, text="补充了帮扶计划")
    problem.refresh_from_db()
    assert problem.state == "submitted"


def test_only_the_region_owner_rectifies_and_only_the_assigning_unit_signs_off(users, monitored, make_rule):
    problem = _assign(users, make_rule(metric="remaining_households", value=1))
    with pytest.raises(SupervisionError, match="不能办理"):
        services.do_rectify(users["township"], problem.pk, text="乡镇代报")  # the owner is the village
    services.do_rectify(users["village"], problem.pk, text="已整改")
    with pytest.raises(SupervisionError, match="不能办理"):
        services.do_review(users["city"], problem.pk, "sign_off")  # the province assigned it
    with pytest.raises(SupervisionError, match="不在您的管辖范围"):
        services.do_rectify(users["village"], _other_problem(users, make_rule).pk, text="越权")


def _other_problem(users, make_rule):
    from fangpin.accounts.models import User
    from fangpin.registry.models import Household

    User.objects.create(username="village3", role="village", region_id=OTHER_TOWNSHIP_VILLAGE)
    Household.objects.create(hh_no="X1", village_id=OTHER_TOWNSHIP_VILLAGE, hh_type="jiance")
    return _assign(users, make_rule(metric="remaining_households", value=0, name="other"), region=OTHER_TOWNSHIP_VILLAGE)


def test_assign_checks_the_breach_afresh_and_refuses_duplicates(users, monitored, make_rule, make_household):
    rule = make_rule(metric="remaining_households", value=1)
    make_household(SIBLING_VILLAGE)
    with pytest.raises(SupervisionError, match="未达到"):
        _assign(users, rule, region=SIBLING_VILLAGE)
    _assign(users, rule)
    with pytest.raises(SupervisionError, match="重复交办"):
        _assign(users, rule)
    with pytest.raises(SupervisionError, match="期限"):
        _assign(users, make_rule(metric="remaining_households", value=0, name="b"), deadline=TODAY)
    with pytest.raises(SupervisionError, match="管辖范围"):
        services.do_assign(users["city"], rule.pk, "130723100201", deadline=TODAY + dt.timedelta(5), today=TODAY)
    assert Problem.objects.count() == 1


def test_region_without_an_account_cannot_be_assigned(users, make_rule, make_household):
    make_household(SIBLING_VILLAGE, hh_type="jiance")
    with pytest.raises(SupervisionError, match="没有可交办的村级账户"):
        _assign(users, make_rule(metric="remaining_households", value=0), region=SIBLING_VILLAGE)


def test_a_stale_second_sign_off_moves_nothing(users, monitored, make_rule):
    problem = _assign(users, make_rule(metric="remaining_households", value=1))
    services.do_rectify(users["village"], problem.pk, text="已整改")
    seen = Problem.objects.get(pk=problem.pk)
    services.do_review(users["province"], problem.pk, "send_back", reason="再核")
    with pytest.raises(SupervisionError, match="已被他人办理"):
        services._move(users["province"], seen, services.ProblemAction.SIGN_OFF, "", None)
    assert Problem.objects.get(pk=problem.pk).state == "returned"


def test_monthly_summary_and_summons(users, monitored, make_rule):
    rule = make_rule(metric="remaining_households", value=1)
    late = _assign(users, rule, deadline=TODAY + dt.timedelta(1))
    march = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    Problem.objects.filter(pk=late.pk).update(deadline=dt.date(2026, 3, 5), assigned_at=march)  # overdue by the 10th
    other = _assign(users, make_rule(metric="remaining", value=1, name="persons"))
    Problem.objects.filter(pk=other.pk).update(deadline=dt.date(2026, 3, 6), assigned_at=march)
    result = services.monthly(users["province"], 2026, 3, TODAY)
    [(row, name)] = result.rows
    assert (row.region, row.raised, row.overdue, row.open, name) == (OWN_VILLAGE, 2, 2, 2, "东关村委会")
    assert [e.region for e, _ in result.summons] == [OWN_VILLAGE]
    assert services.monthly(users["province"], 2026, 2, TODAY).rows == []


def _race(*calls):
    """Run the calls at once in threads; "ok" or the refusal's text for each."""
    import threading

    from django.db import connection

    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except SupervisionError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _needs_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_sign_off_and_send_back_at_once_make_one_move(users, monitored, make_rule):
    _needs_postgres()
    problem = _assign(users, make_rule(metric="remaining_households", value=1))
    services.do_rectify(users["village"], problem.pk, text="已整改")
    outcomes = _race(lambda: services.do_review(users["province"], problem.pk, "sign_off"),
                     lambda: services.do_review(users["province"], problem.pk, "send_back", reason="再核"))
    assert outcomes.count("ok") == 1 and any("已被他人办理" in o for o in outcomes)
    assert AuditEvent.objects.filter(action__in=["supervision.sign_off", "supervision.send_back"],
                                     object_id=str(problem.pk)).count() == 1
    assert problem.steps.count() == 3  # 交办, 报送, one review


@pytest.mark.django_db(transaction=True)
def test_two_assignments_of_the_same_breach_make_one_problem(users, monitored, make_rule):
    _needs_postgres()
    from fangpin.accounts.models import User

    rule = make_rule(metric="remaining_households", value=1)
    other = User.objects.create(username="province2", role="province", region_id="13")
    outcomes = _race(lambda: _assign(users, rule), lambda: services.do_assign(
        other, rule.pk, OWN_VILLAGE, deadline=TODAY + dt.timedelta(15), today=TODAY))
    assert outcomes.count("ok") == 1 and any("重复交办" in o for o in outcomes)
    assert Problem.objects.count() == 1


def test_assign_refuses_a_region_of_another_level_or_a_bad_code(users, monitored, make_rule):
    rule = make_rule(metric="remaining_households", value=1)
    with pytest.raises(SupervisionError, match="针对村级"):
        _assign(users, rule, region="130633100")
    with pytest.raises(SupervisionError, match="无效"):
        _assign(users, rule, region="1306331")
