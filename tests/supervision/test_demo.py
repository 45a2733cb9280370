"""demo_supervision: rules, a campaign in three phases and problems through the services; once only."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangpin.supervision.models import Campaign, Problem, Rule
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE


@pytest.fixture
def demo_world(users, make_household, make_case):
    from fangpin.accounts.models import User

    User.objects.create(username="village2", role="village", region_id=SIBLING_VILLAGE)
    for _ in range(3):
        make_household(OWN_VILLAGE, hh_type="jiance")  # incidence far over 1.5 %
    make_household(SIBLING_VILLAGE)


def test_demo_supervision_once(demo_world, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo_supervision", county="130633", if_empty=True)
    assert Rule.objects.filter(region_id="13").count() == 7 and Rule.objects.filter(region_id="1306").count() == 1
    assert Campaign.objects.get().phases.count() == 3
    problems = list(Problem.objects.all())
    assert [(p.region_id, p.state) for p in problems] == [(OWN_VILLAGE, "assigned")]  # incidence > 1.5 %
    assert problems[0].is_overdue(timezone.localdate())  # assigned three weeks ago, ten days to rectify
    call_command("demo_supervision", county="130633", if_empty=True)
    assert "跳过" in capsys.readouterr().out and Rule.objects.count() == 8


def test_demo_refused_in_production(demo_world, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo_supervision", county="130633")
