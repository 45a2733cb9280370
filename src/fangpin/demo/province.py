"""A province-size demo registry for load tests: the demo county repeated over a province's real counties.

Each county is generated like ``demo_data`` (same generator, calibration and COPY writer, its own seed and
its own transaction, so an interrupted run resumes where it stopped: counties that already have
households are skipped). ID numbers are unique across the province: one set of blind indexes is kept in
memory for the whole run instead of re-reading the registry per county. Each county also gets the demo
casework (``demo_cases``: 监测户 adopted into cases, cases at every step in two villages, plans), run as
that county's demo users; at the end the standard demo logins point back at the first county.

Load-test accounts (``load_accounts``) are extra logins per role in several counties, townships and
villages, all with the published demo password; their usernames go to a JSON file the locustfile reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record_system_event
from fangpin.core.regions import Level
from fangpin.core.roles import DepartmentKind, Role
from fangpin.demo.generator import Generator
from fangpin.demo.services import (
    DEMO_PASSWORD,
    DemoError,
    county_villages,
    do_demo_users,
    existing_households,
    neighbour_areas,
    refuse_in_production,
    write_plan,
)
from fangpin.regions.models import Region
from fangpin.registry.models import Member

PER_COUNTY = 42_820  # households of one county at scale 1 (demo calibration)


@dataclass
class ProvinceResult:
    counties: list[str] = field(default_factory=list)
    households: int = 0
    members: int = 0
    generated: int = 0
    skipped: int = 0
    seconds: float = 0.0


def rural_counties(province: str, first: str) -> list[Region]:
    """Counties (县, not districts or development zones) of the province that have villages; ``first``
    leads, then the rest of its city, then the other cities in code order."""
    rows = list(Region.objects.filter(code_prefix_q("code", province), level=Level.COUNTY, retired=False,
                                      name__endswith="县").order_by("code"))
    with_villages = set(Region.objects.filter(code_prefix_q("code", province), level=Level.VILLAGE,
                                              retired=False)
                        .values_list("code", flat=True).order_by().distinct())
    counties = {c[:6] for c in with_villages}
    rows = [r for r in rows if r.code in counties]
    return sorted(rows, key=lambda r: (r.code != first, r.code[:4] != first[:4], r.code))


def do_generate_province(province: str, *, households: int, seed: int = 1, first: str = "130633",
                         cases: bool = True, say: Callable[[str], None] = lambda _s: None) -> ProvinceResult:
    refuse_in_production()
    started = time.monotonic()
    counties = rural_counties(province, first)
    if not counties:
        raise DemoError(f"区划 {province} 下没有带村级区划的县：请先运行 fangpin load_regions")
    result = ProvinceResult()
    taken: set[str] = set()

    def is_taken(value: str) -> bool:
        return pii.id_index(value) in taken

    for n, county in enumerate(counties):
        if result.households >= households:
            break
        result.counties.append(county.code)
        present = existing_households(county)
        if present:
            result.households += present
            result.skipped += 1
            say(f"{county.code} {county.name}: 已有 {present} 户，跳过")
            continue
        if not result.generated:  # read once, and only when a county is to be written
            taken.update(Member.objects.values_list("id_index", flat=True))
        scale = min(1.0, (households - result.households) / PER_COUNTY)
        t0 = time.monotonic()
        with transaction.atomic():
            plan = Generator(county.code, county_villages(county), seed=seed * 1000 + n, scale=max(scale, 0.01),
                             neighbours=neighbour_areas(county), taken=is_taken).run()
            written = write_plan(county.code, plan)
        taken.update(pii.id_index(m.idn.value) for hh in plan for m in hh.members)
        result.households += written.households
        result.members += written.members
        result.generated += 1
        say(f"{county.code} {county.name}: {written.households} 户 {written.members} 人，"
            f"{time.monotonic() - t0:.1f} 秒；累计 {result.households} 户")
    if cases:
        from fangpin.cases.models import Case
        from fangpin.demo.cases import do_demo_cases

        for code in result.counties:
            if Case.objects.filter(code_prefix_q("household__village_id", code)).exists():
                continue
            do_demo_users(code)  # demo_cases works as the county's demo users
            outcome = do_demo_cases(code, seed=seed)
            say(f"{code}: 存量监测户建档 {outcome.adopted} 户，演示村案件 {sum(outcome.by_state.values())} 件")
        do_demo_users(result.counties[0])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the cases' tables too: plans must see the new sizes
    result.seconds = round(time.monotonic() - started, 1)
    record_system_event("demo.province", summary=f"生成省级演示数据：{len(result.counties)} 个县 {result.households} 户",
                        detail={"province": province, "seed": seed, "counties": result.counties,
                                "households": result.households, "generated": result.generated})
    return result


@transaction.atomic
def load_accounts(counties: list[str], *, villages_per_county: int = 6) -> dict[str, list[str]]:
    """Logins per role for the load test in the given counties (idempotent; demo password).

    Names: ``lv<village code>``, ``lt<township>``, ``lc<county>``, ``lm<city>``, ``lp<province>``,
    ``ld<county>`` (医保局), ``li<county>`` (insurer). Returns usernames by role.
    """
    from fangpin.accounts.models import User

    refuse_in_production()
    password = make_password(DEMO_PASSWORD)  # hashed once: argon2 per account would take minutes
    wanted: list[tuple[str, Role, str, str]] = []
    for code in counties:
        villages = [v for v in county_villages(Region.objects.get(code=code)) if not v.residential]
        step = max(1, len(villages) // villages_per_county)
        picked = villages[::step][:villages_per_county]
        for v in picked:
            wanted.append((f"lv{v.code}", Role.VILLAGE, v.code, ""))
        for township in sorted({v.code[:9] for v in picked}):
            wanted.append((f"lt{township}", Role.TOWNSHIP, township, ""))
        wanted += [(f"lc{code}", Role.COUNTY, code, ""), (f"lm{code[:4]}", Role.CITY, code[:4], ""),
                   (f"lp{code[:2]}", Role.PROVINCE, code[:2], ""),
                   (f"ld{code}", Role.DEPARTMENT, code, DepartmentKind.MEDICAL_INSURANCE),
                   (f"li{code}", Role.INSURER, code, "")]
    by_role: dict[str, list[str]] = {}
    existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
    for username, role, region, kind in dict.fromkeys(wanted):
        by_role.setdefault(str(role), []).append(username)
        if username in existing:
            User.objects.filter(username=username).update(password=password, is_active=True,
                                                           must_change_password=False)
            continue
        user = User(username=username, role=str(role), region_id=region, department_kind=str(kind),
                    display_name=f"压测{username}", password=password)
        user.clean()
        user.save()
    record_system_event("demo.load_accounts", summary=f"设置压测账号 {sum(map(len, by_role.values()))} 个",
                        detail={"counties": counties})
    return by_role
