"""`fangpin demo_cases`: the demo county gets casework for every demo login, once."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, PolicyVersion
from fangpin.core.workflow import State
from fangpin.plans.models import FollowUp, Measure, Plan
from fangpin.registry.models import Household

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo_county(yixian):
    # seed 20 puts 33 households in the demo village, two of them 监测户 (the generator's structure does not
    # depend on Faker's name tables, so this holds across Faker releases)
    call_command("demo_data", county="130633", seed=20, scale=0.1, stdout=io.StringIO())
    call_command("demo_users", county="130633", stdout=io.StringIO())
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1), version="13-2026-1",
                                 monitoring_line=Decimal("7300"))


def test_every_monitored_household_gets_a_case_and_the_demo_village_a_pipeline(demo_county):
    from fangpin.demo.cases import do_demo_cases

    demo_village = Household.objects.filter(village__users__username="village")
    assert demo_village.count() >= 11 and demo_village.filter(hh_type="jiance").exists(), \
        "the fixture's seed must give the demo village a full pipeline and a 监测户"
    result = do_demo_cases("130633", seed=1, today=TODAY)
    jiance = Household.objects.filter(hh_type="jiance").count()
    assert jiance > 0 and result.adopted == jiance
    ledger = Case.objects.filter(channel="ledger")
    assert ledger.count() == jiance
    # all monitored, but for the stable household the demo puts on its way out (if it is a 监测户 of the ledger)
    assert ledger.exclude(state=State.MONITORING).count() == ledger.filter(state=State.ELIM_REVIEW).count() <= 1
    village_cases = Case.objects.filter(household__village__users__username="village").exclude(channel="ledger")
    states = set(village_cases.values_list("state", flat=True))
    assert {State.LEAD, State.VERIFYING} <= states
    # by_state: where each pipeline case stopped, plus the monitored household sent on to elimination review
    assert sum(n for state, n in result.by_state.items() if state != State.ELIM_REVIEW.value) == village_cases.count() + Case.objects.filter(
        household__village__users__username="village2").exclude(channel="ledger").count()
    # Some steps are overdue on the demo day, so queues show the overdue marker.
    assert Case.objects.filter(closed_at__isnull=True, step_due__lt=TODAY).exists()
    assert result.plans > 0 and Plan.objects.count() == result.plans
    assert Measure.objects.count() == result.measures >= result.plans
    assert FollowUp.objects.count() == result.followups > 0
    # The four longest-monitored households stay above the line: one is sent on to elimination review; the core
    # passes the others' elimination check, or keeps them in monitoring because they live on 兜底.
    from fangpin.plans.services import elimination_check

    stable = [p.case for p in Plan.objects.order_by("case__effective_date", "case_id")[:4]]
    assert len(stable) == 4 and sum(c.state == State.ELIM_REVIEW for c in stable) == 1
    for case in stable:
        if case.state == State.MONITORING:
            check = elimination_check(case)
            assert check.eligible or check.keep_monitoring, (case.pk, check)
    assert AuditEvent.objects.filter(action="demo.cases").count() == 1


def test_runs_once(demo_county):
    out = io.StringIO()
    call_command("demo_cases", county="130633", stdout=out)
    assert "存量监测户建档" in out.getvalue()
    again = io.StringIO()
    call_command("demo_cases", county="130633", if_empty=True, stdout=again)
    assert "跳过" in again.getvalue()
    with pytest.raises(CommandError, match="已有案件"):
        call_command("demo_cases", county="130633", stdout=io.StringIO())
