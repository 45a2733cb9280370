"""Existing 监测户 adopted into MONITORING cases: who, what the rules suggest, idempotence, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.cases.adopt import do_adopt_monitored
from fangpin.cases.models import Case, CaseStep
from fangpin.cases.services import CaseError, do_open_lead
from fangpin.core.roles import Role
from fangpin.core.workflow import Action, IllegalTransition, State, next_state
from fangpin.registry.models import HouseholdYear
from tests.conftest import OTHER_COUNTY_VILLAGE, PASSWORD

ZERO = Decimal("0")


@pytest.fixture
def ledger(make_household, policy):
    former_poor = make_household(hh_type="jiance", exit_year=2019)  # two members
    HouseholdYear.objects.create(household=former_poor, year=2026, wage=Decimal("8000"), business=ZERO,
                                 property_income=ZERO, transfer=ZERO, production_cost=ZERO, medical_oop=ZERO,
                                 schooling_exp=ZERO, disaster_loss=ZERO, accident_exp=ZERO)
    no_year = make_household(hh_type="jiance")
    with_case = make_household(hh_type="jiance")
    do_open_lead(with_case, "visit", "走访发现困难")
    make_household(hh_type="tuopin")
    make_household(OTHER_COUNTY_VILLAGE, hh_type="jiance")
    return {"former_poor": former_poor, "no_year": no_year, "with_case": with_case}


def test_adopts_each_monitored_household_once_with_the_rules_suggestion(users, ledger):
    result = do_adopt_monitored(users["county"], "130633", effective_date=dt.date(2026, 3, 1))
    assert (result.adopted, result.already) == (2, 1)
    adopted = Case.objects.filter(channel="ledger")
    assert {c.household_id for c in adopted} == {ledger["former_poor"].pk, ledger["no_year"].pk}
    poor = adopted.get(household=ledger["former_poor"])
    # 8,000 for two = 4,000 < 7,300 and the household left poverty in 2019 → 脱贫不稳定户
    assert (poor.state, poor.category, poor.effective_date) == (State.MONITORING, "脱贫不稳定户", dt.date(2026, 3, 1))
    assert [f["rule"] for f in poor.findings] == ["income_below_line"]
    plain = adopted.get(household=ledger["no_year"])
    assert (plain.category, plain.risk_types, plain.findings) == ("边缘易致贫户", ["其他"], [])
    steps = CaseStep.objects.filter(case__in=adopted)
    assert {(s.action, s.actor_id) for s in steps} == {(Action.ADOPT, users["county"].pk)}
    event = AuditEvent.objects.get(action="case.adopt")
    assert event.detail["adopted"] == 2 and event.region_code == "130633"
    again = do_adopt_monitored(users["county"], "130633")
    assert (again.adopted, again.already) == (0, 3)
    assert Case.objects.filter(channel="ledger").count() == 2


def test_only_county_users_adopt_and_only_in_their_scope(users, ledger):
    with pytest.raises(CaseError, match="县级"):
        do_adopt_monitored(users["village"], "130633100201")
    with pytest.raises(CaseError, match="管辖范围"):
        do_adopt_monitored(users["county"], "130623")
    assert not Case.objects.filter(channel="ledger").exists()


def test_adopt_is_no_move_of_the_procedure():
    for state in State:
        with pytest.raises(IllegalTransition):
            next_state(state, Action.ADOPT, Role.COUNTY)


def test_page_shows_the_count_and_posts(client, users, ledger):
    assert client.login(username=users["county"].username, password=PASSWORD)
    page = client.get(reverse("cases:adopt"))
    assert "<strong>2</strong>" in page.content.decode()
    response = client.post(reverse("cases:adopt"), follow=True)
    assert "已为 2 户存量监测户建立监测帮扶案件" in response.content.decode()
    assert "<strong>0</strong>" in response.content.decode()
    assert client.login(username=users["township"].username, password=PASSWORD)
    assert client.post(reverse("cases:adopt")).status_code == 403
