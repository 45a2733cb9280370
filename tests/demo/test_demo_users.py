"""`fangpin demo_users`: one account per role on stable demo regions, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fangpin.accounts.models import User
from fangpin.core.roles import ROLES
from fangpin.demo.services import DEMO_PASSWORD


def run() -> str:
    out = io.StringIO()
    call_command("demo_users", county="130633", stdout=out)
    return out.getvalue()


def test_one_account_per_role_with_the_demo_password(yixian):
    run()
    users = {u.username: u for u in User.objects.all()}
    assert {u.role for u in users.values()} == {r.value for r in ROLES}
    assert len(users) == 11
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD)
        assert user.display_name and user.is_active
        user.clean()  # region level fits the role


def test_village_accounts_sit_in_two_rural_villages_of_one_township(yixian):
    run()
    regions = dict(User.objects.values_list("username", "region_id"))
    assert regions["village"] == "130633100204"  # 易州镇 中亢各庄村民委员会, its first 村委会
    assert regions["village2"] == "130633100205"
    assert regions["township"] == "130633100"
    assert (regions["county"], regions["city"], regions["province"]) == ("130633", "1306", "13")
    assert User.objects.get(username="department").department_kind == "medical_insurance"
    assert User.objects.get(username="village").display_name == "中亢各庄村防贫监测员"


def test_running_again_restores_the_demo_state_without_duplicates(yixian):
    run()
    changed = User.objects.get(username="county")
    changed.set_password("something-else-2026")
    changed.is_active = False
    changed.save()
    run()
    assert User.objects.count() == 11
    county = User.objects.get(username="county")
    assert county.is_active and county.check_password(DEMO_PASSWORD)


def test_is_refused_in_production(yixian, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run()
    assert not User.objects.exists()
