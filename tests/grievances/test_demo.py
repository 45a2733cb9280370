"""demo_grievances: the source county's 57 received / 55 resolved, across states, once per county."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangpin.core.grievance import OPEN_STATES
from fangpin.grievances.models import Grievance, GrievanceEvent
from tests.conftest import OWN_VILLAGE

pytestmark = pytest.mark.django_db


def test_demo_makes_57_received_55_resolved_and_runs_once(users, make_household, capsys):
    make_household(OWN_VILLAGE)
    call_command("demo_grievances", "--county", "130633", "--if-empty")
    assert "受理 57 件，化解 55 件（96.5%）" in capsys.readouterr().out
    rows = list(Grievance.objects.all())
    assert len(rows) == 57 and sum(g.resolved for g in rows) == 55
    assert {g.state for g in rows if g.state in OPEN_STATES} == {"assigned", "responded"}
    late = Grievance.objects.get(state="assigned")
    assert late.owner == users["village"] and late.household is not None and late.kind == "excluded"
    assert len({g.kind for g in rows}) == 5 and len({g.received_at.strftime("%Y-%m") for g in rows}) >= 11
    assert GrievanceEvent.objects.filter(action="reopen").exists()
    assert all(g.village_id.startswith("130633") for g in rows)
    assert all(g.no[2:8] == f"{timezone.localtime(g.received_at):%y%m%d}" for g in rows)  # numbered by the day received
    call_command("demo_grievances", "--county", "130633", "--if-empty")
    assert "跳过" in capsys.readouterr().out and Grievance.objects.count() == 57
