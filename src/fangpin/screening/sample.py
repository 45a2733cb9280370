"""The shared sample: households, members and department records crafted to hit every rule and every
edge, then padded with seeded random households. The core and every engine run the same sample and
must agree (tests/screening/test_parity.py); the benchmark can grow it.

Edges covered: the window's open start and closed end, the day after the period, ties (same-day housing,
water and school records), members unable to work, people outside any household, a person in two
households, a member listed twice, ID numbers ending in X, zero persons, negative income, a null
last-year income, a null out-of-pocket figure, registry figures larger than the departments', and
amounts that sit exactly on a rounding half (the core rounds half to even).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from fangpin.core.idcard import make_id
from fangpin.core.policy import Policy
from fangpin.core.rules import HouseholdFacts, evaluate
from fangpin.core.screening import SCHEMAS, Kind, MemberRef, Record, person_key, screening_facts, window
from fangpin.screening.tables import RIGID_COLUMNS, department_schema, households_table, members_table

CENT = Decimal("0.01")
POLICIES = (
    Policy(version="13-2026-1", year=2026, monitoring_line=Decimal("7300")),
    # What-if drafts that put other roundings on a half: line in cents, factor 1.005, collapse 30 %, fewer items.
    Policy(version="13-2026-d1", year=2026, monitoring_line=Decimal("7300.01"), collapse_ratio=Decimal("0.3"),
           rigid_factor=Decimal("1.005")),
    Policy(version="13-2026-d2", year=2026, monitoring_line=Decimal("6000"), rigid_factor=Decimal("1.5"),
           rigid_items=("medical_oop", "disaster_loss")),
)


def money(value: str | int | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Household:
    household_id: int
    facts: HouseholdFacts  # the registry's
    members: tuple[MemberRef, ...]
    note: str = ""  # what edge it is there for


@dataclass
class Sample:
    period_end: dt.date
    households: list[Household] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    # --- the core path -------------------------------------------------------------------------------
    def core_facts(self) -> dict[int, HouseholdFacts]:
        """``core.screening.screening_facts`` household by household (the reference)."""
        by_person: dict[int, list[Record]] = defaultdict(list)
        for record in self.records:
            by_person[record.person].append(record)
        out = {}
        for h in self.households:
            mine = [r for person in {m.person for m in h.members} for r in by_person[person]]
            out[h.household_id] = screening_facts(h.facts, h.members, mine, self.period_end)
        return out

    def core_fired(self, policy: Policy) -> set[tuple[int, str]]:
        return {(hid, f.rule) for hid, facts in self.core_facts().items() for f in evaluate(facts, policy)}

    # --- the engine's input ------------------------------------------------------------------------------
    def tables(self) -> dict[str, pa.Table]:
        """Arrow tables in the engine's layout (``screening.tables``): households, members, one per kind."""
        out = {"households": households_table((h.household_id, h.facts) for h in self.households),
               "members": members_table((h.household_id, m.person, m.labour) for h in self.households
                                        for m in h.members)}
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.records:
            schema = SCHEMAS[r.kind]
            by_kind[r.kind].append({"person": r.person, schema.date_field: r.day, **r.values})
        for kind in SCHEMAS:
            arrow = department_schema(kind).to_pyarrow()
            out[kind] = pa.Table.from_pylist([{name: row.get(name) for name in arrow.names} for row in by_kind[kind]],
                                             schema=arrow)
        return out


class _People:
    """Distinct valid ID numbers as person keys; ``x=True`` gives one whose check digit is X."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, x: bool = False, area: str = "130633") -> int:
        while True:
            self.n += 1
            idn = make_id(area, dt.date(1940, 1, 1) + dt.timedelta(days=self.n // 1000), self.n % 1000)
            if idn.endswith("X") == x or not x:
                return person_key(idn)


def _facts(kind: str = "yiban", persons: int = 3, net: str = "36000", last: str | None = "30000",
           **kw: Any) -> HouseholdFacts:
    rigid = {item: money(kw.pop(item, 0)) for item in RIGID_COLUMNS}
    return HouseholdFacts(household_type=kind, persons=persons, net_income=money(net),
                          last_year_net_income=None if last is None else money(last), rigid=rigid, **kw)


def build(n: int = 400, period_end: dt.date = dt.date(2026, 10, 31), seed: int = 20261031) -> Sample:
    """The crafted households, then random ones up to ``n`` households in all."""
    start, end = window(period_end)
    before, first, after = start, start + dt.timedelta(days=1), end + dt.timedelta(days=1)  # out, in, out
    mid = start + (end - start) / 2
    person = _People()
    s = Sample(period_end)
    ids = iter(range(1, 10**9))

    def hh(facts: HouseholdFacts, labours: tuple[str, ...] = ("full",), note: str = "",
           x: tuple[int, ...] = ()) -> list[int]:
        people = [person(x=i in x) for i in range(len(labours))]
        s.households.append(Household(next(ids), facts, tuple(MemberRef(p, lab) for p, lab in zip(people, labours,
                                                                                                   strict=True)), note))
        return people

    def rec(kind: str, who: int, day: dt.date, **values: Any) -> None:
        s.records.append(Record(kind, who, day, values))

    # Income line: below; exactly on it; on a half cent (7299.995 → 7300.00, 7300.005 → 7300.00); zero persons.
    hh(_facts(persons=3, net="20000", last="21000"), ("full", "none", "none"), "below the line")
    hh(_facts(persons=2, net="14600", last="14000"), ("full", "weak"), "exactly on the line")
    hh(_facts(persons=2, net="14599.99", last="14000"), ("full", "weak"), "per capita 7299.995 rounds up to the line")
    hh(_facts(persons=2, net="14600.01", last="14000"), ("full", "weak"), "per capita 7300.005 rounds down (even)")
    hh(_facts(persons=0, net="0", last=None), (), "zero persons, no members")
    hh(_facts(persons=1, net="-500", last=None, schooling_exp="100"), ("weak",), "negative income, no last year")

    # Rigid expenditure over the window's edges (start out, next day in, end in, day after out).
    head, child, elder = hh(_facts(medical_oop="2000"), ("full", "none", "lost"), "medical over the window", x=(1,))
    rec("medical_insurance", elder, before, out_of_pocket=money(9000), total_cost=money(20000))
    rec("medical_insurance", elder, first, out_of_pocket=money(18000), reimbursed=money(4000))
    rec("medical_insurance", head, end, out_of_pocket=money("13000.50"))
    rec("medical_insurance", head, after, out_of_pocket=money(50000))
    rec("medical_insurance", child, mid, out_of_pocket=None)  # no figure: counts as 0
    [p] = hh(_facts(medical_oop="40000"), ("full",), "the registry's medical figure is larger")
    rec("medical_insurance", p, mid, out_of_pocket=money(100))
    [p] = hh(_facts(last="20000", net="25000"), ("full",), "rigid exactly at the limit")
    rec("medical_insurance", p, mid, out_of_pocket=money("19999.99"))
    rec("medical_insurance", p, first, out_of_pocket=money("0.01"))
    [p] = hh(_facts(last=None, net="10000", disaster_loss="500"), ("full",), "no last year: this year's is the base")
    rec("emergency", p, mid, loss=money("10000.01"), disaster_kind="洪涝")
    rec("emergency", p, mid, loss=money(0))
    [p] = hh(_facts(persons=1, last="1", net="9000", medical_oop="1.01"), ("full",), "1.00 × 1.005 = 1.005 → 1.00")
    [p] = hh(_facts(persons=1, last="3", net="9000", medical_oop="3.02"), ("full",), "3.00 × 1.005 = 3.015 → 3.02")
    [p] = hh(_facts(last="20000", net="30000", disaster_loss="20000", accident_exp="10000"), ("full",),
             "accident spending counts only under the policy that lists it")

    # Income collapse: just under half, exactly half; half cents under a 30 % draft; nothing to compare with.
    hh(_facts(last="30000", net="14999.99"), ("full",), "collapse")
    hh(_facts(last="30000", net="15000"), ("full",), "exactly half: no collapse")
    hh(_facts(persons=1, last="0.05", net="0.03"), ("full",), "0.05 × 0.7 = 0.035 → 0.04")
    hh(_facts(persons=1, last="0.15", net="0.10"), ("full",), "0.15 × 0.7 = 0.105 → 0.10")
    hh(_facts(last="0", net="-10"), ("full",), "last year zero")
    hh(_facts(last="-100", net="-1000"), ("full",), "last year negative")

    # 两不愁三保障 from the registry.
    hh(_facts(food_secure=False), ("full",), "food")
    hh(_facts(uninsured=2, kind="tuopin"), ("full", "none"), "uninsured")
    hh(_facts(housing_safety="D", kind="jiance"), ("full",), "registry D house, no record")
    hh(_facts(water="unsafe_quantity"), ("full",), "registry water")

    # Housing and water: the latest record replaces the registry's; the worse on one day.
    [p, q] = hh(_facts(housing_safety="C"), ("full", "none"), "D then B: B")
    rec("housing", p, first, rating="D")
    rec("housing", q, mid, rating="B")
    [p, q] = hh(_facts(housing_safety="A"), ("full", "none"), "same-day B and C: C")
    rec("housing", p, mid, rating="B")
    rec("housing", q, mid, rating="C")
    rec("housing", p, before, rating="D")
    rec("housing", p, after, rating="D")
    [p] = hh(_facts(water="inconvenient"), ("full",), "water fixed by a later check")
    rec("water", p, first, status="unsafe_quality")
    rec("water", p, end, status="safe")
    [p] = hh(_facts(), ("full",), "same-day safe and unsafe: unsafe")
    rec("water", p, mid, status="safe")
    rec("water", p, mid, status="unsafe_quality")

    # Dropouts.
    [p, c] = hh(_facts(dropouts=2), ("full", "none"), "registry 2 > departments 1")
    rec("education", c, mid, status="dropout")
    [p, c, d] = hh(_facts(), ("full", "none", "none"), "back to school; same-day tie: the dropout wins", x=(2,))
    rec("education", c, first, status="dropout")
    rec("education", c, mid, status="enrolled")
    rec("education", d, mid, status="enrolled")
    rec("education", d, mid, status="dropout")
    [p, c] = hh(_facts(), ("full", "none"), "suspected dropout after enrolment; old dropout out of the window")
    rec("education", c, before, status="dropout")
    rec("education", c, first, status="enrolled")
    rec("education", c, end, status="suspected_dropout")
    [p, c] = hh(_facts(), ("full", "none"), "suspended and a dropout after the period")
    rec("education", c, mid, status="suspended")
    rec("education", c, after, status="dropout")

    # Department-only events; labour capacity matters for job losses and deaths.
    head, child, elder, weak = hh(_facts(), ("full", "none", "lost", "weak"), "events", x=(0,))
    rec("disabled_federation", child, mid, grade="2", disability_kind="肢体")
    rec("disabled_federation", child, end, grade="1")
    rec("disabled_federation", elder, before, grade="3")
    rec("hr_social_security", head, first, event="dismissed")
    rec("hr_social_security", head, mid, event="employed")
    rec("hr_social_security", elder, mid, event="unemployed")
    rec("hr_social_security", weak, end, event="unemployed")
    rec("public_security", elder, mid, event="death")
    rec("public_security", child, first, event="accident")
    rec("public_security", child, mid, event="accident")
    rec("public_security", weak, after, event="death")
    head, weak = hh(_facts(), ("lost", "weak"), "death of a weak earner; moved out is nothing")
    rec("public_security", weak, end, event="death")
    rec("public_security", head, mid, event="moved_out")
    rec("civil_affairs", head, mid, event="dibao_in", amount=money(300))

    # People: outside any household, in two households, listed twice in one.
    for kind, values in (("public_security", {"event": "death"}), ("medical_insurance", {"out_of_pocket": money(99999)}),
                         ("housing", {"rating": "D"}), ("education", {"status": "dropout"})):
        rec(kind, person(), mid, **values)
        rec(kind, person(x=True), mid, **values)
    [shared] = hh(_facts(), ("full",), "a person in two households")
    rec("hr_social_security", shared, mid, event="unemployed")
    rec("medical_insurance", shared, mid, out_of_pocket=money(40000))
    s.households.append(Household(next(ids), _facts(), (MemberRef(shared, "none"),), "the same person, unable to work"))
    [twice] = hh(_facts(last="10000", net="30000"), ("none",), "a member listed twice")
    s.households[-1] = replace_members(s.households[-1], (MemberRef(twice, "none"), MemberRef(twice, "full")))
    rec("public_security", twice, mid, event="death")
    rec("medical_insurance", twice, mid, out_of_pocket=money("6000.00"))
    rec("medical_insurance", twice, mid, out_of_pocket=money("5000.00"))

    _pad(s, n, random.Random(seed), person, ids, start, end)
    return s


def replace_members(h: Household, members: tuple[MemberRef, ...]) -> Household:
    return Household(h.household_id, h.facts, members, h.note)


LABOURS = ("full", "full", "weak", "none", "lost")
DEPARTMENT_VALUES: dict[str, dict[str, tuple[Any, ...]]] = {
    "civil_affairs": {"event": tuple(c for c, _ in SCHEMAS["civil_affairs"].field("event").codes)},
    "disabled_federation": {"grade": ("1", "2", "3", "4")},
    "hr_social_security": {"event": ("unemployed", "dismissed", "employed")},
    "education": {"status": ("enrolled", "enrolled", "dropout", "suspected_dropout", "suspended")},
    "housing": {"rating": ("A", "B", "B", "C", "D")},
    "public_security": {"event": ("death", "accident", "moved_out")},
    "water": {"status": ("safe", "safe", "inconvenient", "unsafe_quantity", "unsafe_quality")},
}


def _pad(s: Sample, n: int, rng: random.Random, person: _People, ids: Iterator[int], start: dt.date,
         end: dt.date) -> None:
    span = (end - start).days + 60
    while len(s.households) < n:
        size = rng.choice((1, 2, 3, 3, 4, 4, 5, 6))

        def amount(top: int) -> Decimal:
            return (Decimal(rng.randint(0, top * 100)) / 100).quantize(CENT)

        facts = HouseholdFacts(
            household_type=rng.choice(("tuopin", "jiance", "yiban", "yiban")),
            persons=size if rng.random() > 0.05 else rng.choice((0, size + 1)),
            net_income=amount(20000 * size) - (amount(3000) if rng.random() < 0.05 else 0),
            last_year_net_income=None if rng.random() < 0.15 else amount(20000 * size),
            rigid={item: amount(rng.choice((0, 0, 500, 5000, 40000))) for item in RIGID_COLUMNS},
            housing_safety=rng.choice("AAAABBC" + "D" * (rng.random() < 0.1)),
            water=rng.choice(("safe",) * 8 + ("inconvenient", "unsafe_quality")),
            dropouts=int(rng.random() < 0.04), uninsured=int(rng.random() < 0.05) * rng.randint(1, size),
            food_secure=rng.random() > 0.02,
        )
        members = tuple(MemberRef(person(x=rng.random() < 0.1), rng.choice(LABOURS)) for _ in range(size))
        s.households.append(Household(next(ids), facts, members, "random"))
        for m in members:
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 4))):
                kind = rng.choice(tuple(SCHEMAS))
                day = start - dt.timedelta(days=30) + dt.timedelta(days=rng.randint(0, span))
                if rng.random() < 0.1:
                    day = rng.choice((start, start + dt.timedelta(days=1), end, end + dt.timedelta(days=1)))
                values: dict[str, Any] = {}
                for f in SCHEMAS[kind].fields:
                    if f.kind == Kind.MONEY:
                        values[f.key] = amount(rng.choice((300, 3000, 30000))) if f.required or rng.random() < 0.7 \
                            else None
                    elif f.kind == Kind.CODE:
                        values[f.key] = rng.choice(DEPARTMENT_VALUES[kind][f.key])
                s.records.append(Record(kind, m.person, day, values))
        if rng.random() < 0.05:  # someone the registry does not know
            s.records.append(Record("public_security", person(), end, {"event": "death"}))
