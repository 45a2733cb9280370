"""Two years of income and expenditure per household, spread around the monitoring line.

Transfers follow from entitlements (pension, 低保, 特困, disability subsidies); wages and farm
income follow from who works where, then are scaled so the household's per-capita net income
lands on a log-normal draw around the group's median. A few households are left below the
line, some get large medical bills or disaster losses, and a few see their income collapse
in the second year — the cases later risk screening must find.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

from fangpin.demo.calibration import REFERENCE_LINE, YEARS, GroupTargets
from fangpin.demo.plan import DemoHousehold, DemoMember

WAGES = {"local_job": (20_000, 36_000), "province_job": (26_000, 45_000), "outside_job": (36_000, 62_000),
         "public_post": (3_000, 6_000), "unemployed": (0, 3_000)}
SCHOOL_COST = {"preschool": (1_500, 3_000), "primary": (300, 800), "junior": (500, 1_200),
               "senior": (2_500, 5_000), "vocational": (1_000, 3_000), "college": (8_000, 16_000)}
# out-of-pocket after reimbursement, per person and year, by health
MEDICAL_COST = {"healthy": (0, 300), "chronic": (600, 2_500), "serious": (3_000, 12_000), "disabled": (200, 1_500)}
EVENT_COST = {"big_medical": (15_000, 80_000), "disaster": (3_000, 30_000), "accident": (5_000, 40_000)}


def keep_below_probability(group: GroupTargets) -> float:
    """Chance that a draw under the line stays there, so about ``below_line_share`` do."""
    natural = NormalDist().cdf(math.log(REFERENCE_LINE / group.income_median) / group.income_sigma)
    return min(1.0, group.below_line_share / natural) if natural > 0 else 1.0


def transfers(rng: random.Random, hh: DemoHousehold) -> int:
    poor = hh.hh_type != "yiban"
    total = rng.randint(150, 600)  # 耕地地力保护补贴 and similar per-household payments
    for m in hh.members:
        if m.age >= 60:
            total += rng.randint(2_000, 2_600)  # basic pension
        if m.disability_grade in ("1", "2"):
            total += 2_040 if poor else 1_080  # 重度残疾人护理补贴 (+ 困难残疾人生活补贴 for the poor)
        elif m.disability_grade and poor:
            total += 960
    if hh.is_tekun:
        total += hh.size * rng.randint(9_500, 11_500)
    elif hh.is_dibao:
        total += hh.size * rng.randint(2_800, 4_200)
    return total


def market(rng: random.Random, members: list[DemoMember]) -> tuple[int, int]:
    """(wages, gross farm and business receipts) before scaling."""
    wage = business = 0
    for m in members:
        if m.employment in WAGES:
            wage += rng.randint(*WAGES[m.employment])
        elif m.employment == "self_employed":
            business += rng.randint(30_000, 80_000)
        elif m.employment == "farming":
            business += rng.randint(5_000, 12_000) if m.labour == "full" else rng.randint(2_000, 6_000)
    return wage, business


def per_capita_target(rng: random.Random, group: GroupTargets, keep_below: float) -> float:
    target = rng.lognormvariate(math.log(group.income_median), group.income_sigma)
    if target < REFERENCE_LINE and rng.random() >= keep_below:
        target = REFERENCE_LINE * rng.uniform(1.02, 1.35)
    return target


def expenses(rng: random.Random, hh: DemoHousehold, year: int) -> dict[str, int]:
    medical = schooling = 0
    for m in hh.members:
        medical += rng.randint(*MEDICAL_COST[m.health])
        if m.schooling in SCHOOL_COST:
            schooling += rng.randint(*SCHOOL_COST[m.schooling])
    out = {"medical_oop": medical, "schooling_exp": schooling, "disaster_loss": 0, "accident_exp": 0}
    for event, field_name in (("big_medical", "medical_oop"), ("disaster", "disaster_loss"),
                              ("accident", "accident_exp")):
        if hh.events.get(event) == year:
            out[field_name] += rng.randint(*EVENT_COST[event])
    return out


def first_year(rng: random.Random, hh: DemoHousehold, keep_below: float) -> dict[str, int]:
    transfer = transfers(rng, hh)
    wage, business = market(rng, hh.members)
    cost_share = rng.uniform(0.25, 0.4)
    prop = rng.randint(300, 2_000) if rng.random() < (0.4 if hh.hh_type == "tuopin" else 0.25) else 0
    need = per_capita_target(rng, hh.group, keep_below) * hh.size - transfer - prop
    market_net = wage + business * (1 - cost_share)
    factor = min(3.0, max(0.3, need / market_net)) if market_net > 0 else 0.0
    wage, business = round(wage * factor), round(business * factor)
    # What work does not cover, grown-up children living away send their parents (transfer
    # income) — up to a limit, so working-age households stay on their own earnings.
    shortfall = need - (wage + business * (1 - cost_share))
    elders = sum(m.age >= 60 for m in hh.members)
    transfer += max(0, min(round(shortfall), 10_000 * elders + 3_000))
    year = {"year": YEARS[0], "wage": wage, "business": business, "property_income": prop,
            "transfer": transfer, "production_cost": round(business * cost_share)}
    year.update(expenses(rng, hh, YEARS[0]))
    return year


def second_year(rng: random.Random, hh: DemoHousehold, first: dict[str, int]) -> dict[str, int]:
    if "collapse" in hh.events:
        wage = round(first["wage"] * rng.uniform(0.05, 0.35))
        business = round(first["business"] * rng.uniform(0.2, 0.5))
    else:
        wage = round(first["wage"] * rng.lognormvariate(math.log(1.05), 0.12))
        business = round(first["business"] * rng.lognormvariate(math.log(1.02), 0.2))
    cost_share = first["production_cost"] / first["business"] if first["business"] else 0.3
    year = {"year": YEARS[1], "wage": wage, "business": business, "property_income": first["property_income"],
            "transfer": round(first["transfer"] * rng.uniform(1.0, 1.06)),
            "production_cost": round(business * cost_share)}
    year.update(expenses(rng, hh, YEARS[1]))
    return year


def net_income(year: dict[str, int]) -> int:
    return (year["wage"] + year["business"] + year["property_income"] + year["transfer"]
            - year["production_cost"])


def market_share(year: dict[str, int]) -> float:
    net = net_income(year)
    return (year["wage"] + year["business"] - year["production_cost"]) / net if net > 0 else 0.0
