"""Writing the demo county and its demo accounts.

``do_generate_demo`` writes everything in one transaction with large ``bulk_create`` batches
(``make demo`` runs it on SQLite). History is kept cheap: one ChangeRecord('create',
source='demo') per household, none per member, and one system audit event with the counts.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record_system_event
from fangpin.core.regions import Level
from fangpin.core.roles import DepartmentKind, Role
from fangpin.demo.calibration import NEIGHBOURS
from fangpin.demo.generator import Generator, Village
from fangpin.demo.plan import DemoHousehold, DemoMember
from fangpin.regions.models import Region
from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member
from fangpin.registry.people import id_columns, name_initials, phone_columns

BATCH = 2000
DEMO_PASSWORD = "Fangpin@2026"  # noqa: S105 - published in the README; refused in production


class DemoError(Exception):
    """Why the demo cannot be generated; ``str(err)`` is Chinese for the operator."""


@dataclass
class DemoResult:
    county: str
    skipped: bool = False
    households: int = 0
    members: int = 0
    years: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoError("生产环境（FANGPIN_MODE=production）不能写入演示数据或演示账号")


def county_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DemoError(f"区划 {code} 不存在：请先运行 fangpin load_regions 加载区划代码")
    if region.level != Level.COUNTY:
        raise DemoError(f"区划 {code}（{region.name}）不是县级单位")
    return region


def county_villages(county: Region) -> list[Village]:
    townships = dict(Region.objects.filter(parent=county, retired=False).values_list("code", "name"))
    rows = (Region.objects.filter(code_prefix_q("code", county.code), level=Level.VILLAGE, retired=False)
            .order_by("code").values_list("code", "name"))
    villages = [Village(code, name, townships.get(code[:9], "")) for code, name in rows]
    if not villages:
        raise DemoError(f"{county.name}（{county.code}）没有村级区划：请先运行 fangpin load_regions")
    return villages


def neighbour_areas(county: Region) -> tuple[str, ...]:
    """Known neighbours, else the other counties of the same city (not development zones)."""
    if county.code in NEIGHBOURS:
        return NEIGHBOURS[county.code]
    siblings = (Region.objects.filter(parent_id=county.parent_id, level=Level.COUNTY, retired=False)
                .exclude(code=county.code).exclude(code__regex=r"^\d{4}7\d$").values_list("code", flat=True))
    return tuple(sorted(siblings)) or (county.code,)


def existing_households(county: Region) -> int:
    return Household.objects.filter(code_prefix_q("village_id", county.code)).count()


def id_taken_check():
    """A check against ID numbers already registered anywhere (by blind index, never decrypting)."""
    taken = set(Member.objects.values_list("id_index", flat=True))
    return (lambda value: pii.id_index(value) in taken) if taken else (lambda _value: False)


def do_generate_demo(county_code: str, *, seed: int, scale: float = 1.0, if_empty: bool = False) -> DemoResult:
    refuse_in_production()
    if not 0 < scale <= 5:
        raise DemoError(f"--scale 应在 0 到 5 之间，实际为 {scale}")
    started = time.monotonic()
    county = county_region(county_code)
    with transaction.atomic():
        present = existing_households(county)
        if present:
            if if_empty:
                return DemoResult(county.code, skipped=True, households=present)
            raise DemoError(f"{county.name}已有 {present} 户农户数据；演示数据只生成到空县（加 --if-empty 则跳过）")
        plan = Generator(county.code, county_villages(county), seed=seed, scale=scale,
                         neighbours=neighbour_areas(county), taken=id_taken_check()).run()
        result = write_plan(county.code, plan)
        result.seconds = round(time.monotonic() - started, 1)
        record_system_event("demo.generate", summary=f"生成演示数据：{county.name} {result.households} 户",
                            detail={"county": county.code, "seed": seed, "scale": scale,
                                    "households": result.households, "members": result.members,
                                    "years": result.years, "by_type": result.by_type})
    return result


def write_plan(county: str, plan: list[DemoHousehold]) -> DemoResult:
    """Insert with executemany: the ORM's per-field preparation costs ~10× the database's time."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    insert(Household, [household_row(hh) for hh in plan])
    ids = dict(Household.objects.filter(code_prefix_q("village_id", county)).values_list("hh_no", "id"))
    members, years, history = [], [], []
    for hh in plan:
        pk = ids[hh.hh_no]
        members += [{**member_row(m), "household_id": pk} for m in hh.members]
        years += [{**{k: v if k == "year" else Decimal(v) for k, v in y.items()}, "household_id": pk}
                  for y in hh.years]
        history.append({"ts": now, "household_id": pk, "object_type": "household", "object_id": pk,
                        "object_label": hh.hh_no, "action": "create", "source": "demo"})
    insert(Member, members)
    insert(HouseholdYear, years)
    insert(ChangeRecord, history)
    return DemoResult(county, households=len(plan), members=len(members), years=len(years),
                      by_type=dict(Counter(hh.hh_type for hh in plan)))


def insert(model, rows: list[dict]) -> None:
    """Write database-ready rows (same keys in every row): INSERTs on SQLite, COPY on PostgreSQL.

    Columns the rows leave out get their field's default (auto_now fields: now), prepared once,
    so a field added to the model later with a default needs no change here.
    """
    if not rows:
        return
    given = list(rows[0])
    now = timezone.now()
    rest = {f.name: f.get_db_prep_save(now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                                       else f.get_default(), connection)
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in rows[0] and f.attname not in rows[0]}
    names = given + list(rest)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in names)
    tail = tuple(rest.values())
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows; executemany would make a round trip per row.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(tuple(r[f] for f in given) + tail)
            # Fresh statistics: with the planner still believing the table small, a county's member
            # count became a 1 s sequential scan until autovacuum came round (docs/load.md).
            cursor.execute(f"ANALYZE {table}")
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [tuple(r[f] for f in given) + tail for r in rows[start:start + BATCH]])


def household_row(hh: DemoHousehold) -> dict:
    return {"hh_no": hh.hh_no, "village_id": hh.village_code, "address": hh.address, "hh_type": hh.hh_type,
            "exit_year": hh.exit_year, "is_dibao": hh.is_dibao, "is_tekun": hh.is_tekun,
            "is_disabled": hh.is_disabled, "housing_safety": hh.housing, "water": hh.water, "note": hh.note}


def member_row(m: DemoMember) -> dict:
    idn = id_columns(m.idn)
    idn["birth_date"] = connection.ops.adapt_datefield_value(idn["birth_date"])
    return {"name": m.name, "name_initials": name_initials(m.name), "relation": m.relation, "health": m.health,
            "disability_kind": m.disability_kind, "disability_grade": m.disability_grade, "labour": m.labour,
            "schooling": m.schooling, "employment": m.employment, "med_insurance": m.med_insurance,
            "pension": m.pension, **idn, **phone_columns(m.phone)}


# --- demo accounts -------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    region_code: str
    display_name: str
    department_kind: str = ""


def demo_villages(county: Region) -> tuple[Village, Village]:
    """The first two 村委会 of the first township that has two (易县: 易州镇 中亢各庄, 宋村)."""
    by_township: dict[str, list[Village]] = {}
    for village in county_villages(county):
        if not village.residential:
            by_township.setdefault(village.code[:9], []).append(village)
    for code in sorted(by_township):
        if len(by_township[code]) >= 2:
            first, second = by_township[code][:2]
            return first, second
    raise DemoError(f"{county.name}没有含两个村委会的乡镇，无法设置村级演示账号")


def demo_logins(county: Region) -> list[DemoLogin]:
    village, village2 = demo_villages(county)
    township = Region.objects.get(code=village.code[:9])
    city = Region.objects.get(code=county.code[:4])
    province = Region.objects.get(code=county.code[:2])
    return [
        DemoLogin("village", Role.VILLAGE, village.code, f"{village.place}防贫监测员"),
        DemoLogin("village2", Role.VILLAGE, village2.code, f"{village2.place}防贫监测员"),
        DemoLogin("township", Role.TOWNSHIP, township.code, f"{township.name}乡村振兴办"),
        DemoLogin("county", Role.COUNTY, county.code, f"{county.name}乡村振兴局"),
        DemoLogin("city", Role.CITY, city.code, f"{city.name}乡村振兴局"),
        DemoLogin("province", Role.PROVINCE, province.code, f"{province.name}乡村振兴局"),
        DemoLogin("department", Role.DEPARTMENT, county.code, f"{county.name}医疗保障局",
                  DepartmentKind.MEDICAL_INSURANCE),
        DemoLogin("insurer", Role.INSURER, county.code, f"{county.name}防贫保险承保机构"),
        DemoLogin("sysadmin", Role.SYSADMIN, county.code, "系统管理员"),
        DemoLogin("secadmin", Role.SECADMIN, county.code, "安全保密管理员"),
        DemoLogin("auditadmin", Role.AUDITADMIN, county.code, "安全审计员"),
    ]


@transaction.atomic
def do_demo_users(county_code: str) -> list[DemoLogin]:
    """Create or reset one account per role (idempotent: re-running restores the demo state)."""
    from fangpin.accounts.models import User

    refuse_in_production()
    logins = demo_logins(county_region(county_code))
    for login in logins:
        user = User.objects.filter(username=login.username).first() or User(username=login.username)
        user.role, user.region_id, user.display_name = str(login.role), login.region_code, login.display_name
        user.department_kind, user.is_active = str(login.department_kind), True
        user.set_password(DEMO_PASSWORD)
        user.clean()
        user.save()
    record_system_event("demo.users", summary=f"设置演示账号 {len(logins)} 个",
                        detail={"county": county_code, "usernames": [lg.username for lg in logins]})
    return logins

