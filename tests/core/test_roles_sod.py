"""三员分立 as data: each administrator holds one kind of power and none reads personal data."""

from __future__ import annotations

from fangpin.core import roles
from fangpin.core.roles import ADMIN_ROLES, Role

DATA = ("view_registry", "edit_registry", "import_ledger", "export_ledger", "unmask", "handle_cases",
        "view_pipeline", "handle_referrals", "manage_policy")
ADMIN = ("manage_users", "manage_regions", "manage_grants", "read_audit")


def _powers(role: Role, names) -> set[str]:
    return {name for name in names if roles.can(role, name)}


def test_each_administrator_has_its_own_powers_and_no_data():
    assert _powers(Role.SYSADMIN, ADMIN) == {"manage_users", "manage_regions"}
    assert _powers(Role.SECADMIN, ADMIN) == {"manage_grants"}
    assert _powers(Role.AUDITADMIN, ADMIN) == {"read_audit"}
    for role in ADMIN_ROLES:
        assert _powers(role, DATA) == set()


def test_business_roles_hold_no_administrator_power():
    for role in set(Role) - ADMIN_ROLES:
        assert _powers(role, ADMIN) == set(), role


def test_the_account_list_serves_the_system_and_security_administrators():
    assert {r for r in Role if roles.can(r, "view_users")} == {Role.SYSADMIN, Role.SECADMIN}
