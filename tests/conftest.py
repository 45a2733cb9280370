"""Shared fixtures: a few real regions, one user per role, and household factories."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from fangpin.core.idcard import make_id, parse_id
from fangpin.core.regions import Level
from fangpin.core.roles import Role

# Real units from the statistics bureau list: 易县 and its neighbour 涞水县 (both in 保定市).
REGIONS = [
    ("13", "河北省", 1), ("1306", "保定市", 2),
    ("130633", "易县", 3), ("130633100", "易州镇", 4),
    ("130633100201", "东关村委会", 5), ("130633100202", "西关村委会", 5),
    ("130633101", "梁格庄镇", 4), ("130633101201", "梁格庄村委会", 5),
    ("130623", "涞水县", 3), ("130623100", "涞水镇", 4), ("130623100201", "北关村委会", 5),
]
OWN_VILLAGE = "130633100201"
SIBLING_VILLAGE = "130633100202"
OTHER_TOWNSHIP_VILLAGE = "130633101201"
OTHER_COUNTY_VILLAGE = "130623100201"

ROLE_REGION = {
    Role.VILLAGE: OWN_VILLAGE, Role.TOWNSHIP: "130633100", Role.COUNTY: "130633", Role.CITY: "1306",
    Role.PROVINCE: "13", Role.DEPARTMENT: "130633", Role.INSURER: "130633", Role.SYSADMIN: "130633",
    Role.SECADMIN: "130633", Role.AUDITADMIN: "130633",
}
PASSWORD = "Fp-test-pass-2026"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is right for production and slow on purpose; tests hash many passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    from fangpin.regions.models import Region

    objs = [Region(code=c, name=n, level=lvl, parent_id=c[: {2: 0, 4: 2, 6: 4, 9: 6, 12: 9}[len(c)]] or None)
            for c, n, lvl in REGIONS]
    Region.objects.bulk_create(objs)
    return {r.code: r for r in objs}


@pytest.fixture
def users(regions):
    """One active user per role, named after the role (password: PASSWORD)."""
    from fangpin.accounts.models import User

    made = {}
    for role, code in ROLE_REGION.items():
        user = User(username=role.value, role=role.value, region_id=code,
                    department_kind="medical_insurance" if role is Role.DEPARTMENT else "")
        user.set_password(PASSWORD)
        user.save()
        made[role.value] = user
    return made


_seq = itertools.count(1)


def new_id(area: str = "130633", year: int = 1970, male: bool = True) -> str:
    n = next(_seq)
    birth = dt.date(year, 1 + n % 12, 1 + n % 28)
    order = (n * 2 + (1 if male else 0)) % 1000
    return make_id(area, birth, order)


@pytest.fixture
def make_household(regions):
    """make_household(village_code, members=[(name, relation), ...]) → Household saved with members."""
    from fangpin.registry.models import Household, Member
    from fangpin.registry.people import id_columns, name_initials, phone_columns

    def factory(village: str = OWN_VILLAGE, members=(("张三", "head"), ("李四", "spouse")), hh_type="tuopin", **kw):
        n = next(_seq)
        household = Household.objects.create(hh_no=kw.pop("hh_no", f"{village}{n:05d}"), village_id=village,
                                             hh_type=hh_type, **kw)
        for name, relation in members:
            idn = parse_id(new_id(village[:6]))
            Member.objects.create(household=household, name=name, name_initials=name_initials(name),
                                  relation=relation, **id_columns(idn), **phone_columns("13800138000"))
        return household

    return factory


def level_of_code(code: str) -> Level:
    return Level({2: 1, 4: 2, 6: 3, 9: 4, 12: 5}[len(code)])


# --- Audit log vs. test flushes (H4, audit) ------------------------------------------------------
# Transactional and live_server tests empty every table after each test: SQLite with DELETE, which
# the audit log's append-only row triggers refuse; PostgreSQL with TRUNCATE, which its statement
# trigger refuses. In tests only, the flush drops those triggers and re-creates them afterwards.
@pytest.fixture(scope="session", autouse=True)
def _flush_around_audit_triggers() -> None:
    from django.db.backends.postgresql.base import DatabaseOperations as PostgresOps
    from django.db.backends.sqlite3.base import DatabaseOperations as SqliteOps

    from fangpin.audit import triggers

    # the current triggers (with the purge path), not the ones of the first migrations
    around = {SqliteOps: (triggers.SQLITE_DROP, triggers.SQLITE),
              PostgresOps: (triggers.POSTGRES_TRUNCATE_DROP, triggers.POSTGRES_TRUNCATE)}
    for ops, (drop, create) in around.items():
        def sql_flush(self, style, tables, *args, _original=ops.sql_flush, _drop=drop, _create=create, **kw):
            statements = _original(self, style, tables, *args, **kw)
            return [*_drop, *statements, *_create] if "audit_auditevent" in tables else statements

        ops.sql_flush = sql_flush
