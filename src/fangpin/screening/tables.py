"""The engine's input tables (one row per thing) and the set-based facts of every household.

- ``households``: one row per household, exactly the registry's ``HouseholdFacts`` fields (the rigid
  expenditure dict as four money columns);
- ``members``: (household_id, person, labour), ``person`` being the core ``person_key`` of the ID number;
- one table per department kind (core ``SCHEMAS``): ``person`` and the schema's other field keys.

``facts(tables, period_end)`` is the Ibis expression of what ``core.screening.screening_facts`` does
household by household; the parity suite checks the two agree on every field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from fangpin.core.rules import HouseholdFacts
from fangpin.core.screening import ABLE, DROPOUT, SCHEMAS, WORST_HOUSING, WORST_WATER, Kind, window

MONEY = "decimal(14, 2)"
SUM = "decimal(38, 2)"  # a sum of amounts (exact; wider than one amount)
RIGID_COLUMNS = ("medical_oop", "schooling_exp", "disaster_loss", "accident_exp")
EVENT_COLUMNS = ("new_disabilities", "job_losses", "earner_deaths", "accident_injuries")

HOUSEHOLDS = ibis.schema({
    "household_id": "int64", "household_type": "string", "persons": "int64", "net_income": MONEY,
    "last_year_net_income": MONEY, "medical_oop": MONEY, "schooling_exp": MONEY, "disaster_loss": MONEY,
    "accident_exp": MONEY, "housing_safety": "string", "water": "string", "dropouts": "int64",
    "uninsured": "int64", "food_secure": "boolean",
})
MEMBERS = ibis.schema({"household_id": "int64", "person": "int64", "labour": "string"})
_TYPES = {Kind.DATE: "date", Kind.MONEY: MONEY, Kind.CODE: "string", Kind.TEXT: "string"}


def department_schema(kind: str) -> ibis.Schema:
    """``person`` (int64) then the schema's fields by key: dates as date, money as decimal(14, 2)."""
    fields = {"person": "int64"}
    fields.update({f.key: _TYPES[f.kind] for f in SCHEMAS[kind].fields if f.kind != Kind.ID})
    return ibis.schema(fields)


SCHEMA_OF: dict[str, ibis.Schema] = {"households": HOUSEHOLDS, "members": MEMBERS} | {
    kind: department_schema(kind) for kind in SCHEMAS}


def as_tables(tables: Mapping[str, Any]) -> dict[str, ir.Table]:
    """Ibis tables for every input: Ibis expressions as given, anything else (Arrow, pandas) as a memtable,
    a department kind without a table as an empty one. Unknown names are an error."""
    unknown = set(tables) - set(SCHEMA_OF)
    if unknown:
        raise ValueError(f"未知的数据表：{', '.join(sorted(unknown))}")
    for required in ("households", "members"):
        if required not in tables:
            raise ValueError(f"缺少数据表：{required}")
    out: dict[str, ir.Table] = {}
    for name, schema in SCHEMA_OF.items():
        given = tables.get(name)
        if given is None:
            out[name] = ibis.memtable(schema.to_pyarrow().empty_table())
        else:
            table = given if isinstance(given, ir.Table) else ibis.memtable(given)
            missing = [col for col in schema.names if col not in table.columns]
            if missing:
                raise ValueError(f"数据表 {name} 缺少列：{', '.join(missing)}")
            out[name] = table.cast({col: schema[col] for col in schema.names if table.schema()[col] != schema[col]})
    return out


def households_table(rows: Iterable[tuple[int, HouseholdFacts]]) -> pa.Table:
    """The ``households`` input from (household id, registry facts) pairs, e.g. ``cases.facts.facts_for``'s."""
    return pa.Table.from_pylist([{
        "household_id": hid, "household_type": f.household_type, "persons": f.persons,
        "net_income": f.net_income, "last_year_net_income": f.last_year_net_income,
        **{item: f.rigid.get(item, Decimal("0.00")) for item in RIGID_COLUMNS},
        "housing_safety": f.housing_safety, "water": f.water, "dropouts": f.dropouts,
        "uninsured": f.uninsured, "food_secure": f.food_secure,
    } for hid, f in rows], schema=HOUSEHOLDS.to_pyarrow())


def members_table(rows: Iterable[tuple[int, int, str]]) -> pa.Table:
    """The ``members`` input from (household id, person key, labour) triples."""
    triples = list(rows)
    household_ids, persons, labours = zip(*triples, strict=True) if triples else ((), (), ())
    return pa.table({"household_id": pa.array(household_ids, pa.int64()), "person": pa.array(persons, pa.int64()),
                     "labour": pa.array(labours, pa.string())})


def _zero() -> ir.DecimalScalar:
    return ibis.literal(Decimal("0.00"), type=MONEY)


def _in_window(t: ir.Table, kind: str, period_end: dt.date) -> ir.Table:
    start, end = window(period_end)
    day = t[SCHEMAS[kind].date_field]
    return t.filter(day > start, day <= end)


def _date_key(day: ir.DateValue) -> ir.IntegerValue:
    """A date as yyyymmdd (orders like the date, portable across backends)."""
    return day.year().cast("int64") * 10000 + day.month().cast("int64") * 100 + day.day().cast("int64")


# What one department record can say about its person, as a small integer (the events' ``what``).
MEDICAL, DISASTER, HOUSING, WATER, DISABILITY, JOB_LOSS, DEATH, ACCIDENT, DROPPED_OUT = range(1, 10)


def facts(tables: Mapping[str, Any], period_end: dt.date) -> ir.Table:
    """One row per household: its registry facts updated by its members' department records in the 12
    months ending on ``period_end`` (see ``core.screening.screening_facts`` for each rule).

    Shape of the plan (one pass over each department table, one join with the members):
    records in the window → events (person, what, amount, code, order key) → folded per (person, what)
    → joined with the members once → folded per household → one left join with the registry.
    """
    t = as_tables(tables)
    h, m = t["households"], t["members"]
    # A member listed twice still counts once; able if any listing says so.
    members = m.group_by("household_id", "person").agg(able=m.labour.isin(tuple(ABLE)).cast("int8").max())

    def event(what: int, kind: str, amount: str | None = None, code: str | None = None,
              badness: Mapping[str, int] | None = None, only: tuple[str, ...] = ()) -> ir.Table:
        r = _in_window(t[kind], kind, period_end)
        if only and code is not None:
            r = r.filter(r[code].isin(only))
        if amount:  # only the window's sum counts: fold per person here (one row per person, not per record)
            r = r.group_by("person").agg(amount=r[amount].fill_null(_zero()).sum().cast(SUM))
            return r.select("person", what=ibis.literal(what, type="int8"), amount="amount",
                            code=ibis.null("string"), key=ibis.literal(0, type="int64"))
        # the order key (date, then badness) only matters where the latest value counts (housing, water)
        key = ibis.literal(0, type="int64")
        if badness is not None and code is not None:
            key = _date_key(r[SCHEMAS[kind].date_field]) * 10 + r[code].substitute(dict(badness), else_=0)
        return r.select(
            "person", what=ibis.literal(what, type="int8"), amount=ibis.null(SUM),
            code=r[code] if code and badness is not None else ibis.null("string"), key=key.cast("int64"))

    # Dropouts: per pupil the latest status (a dropout wins a same-day tie) before anything else.
    edu = _in_window(t["education"], "education", period_end)
    pupil = edu.select("person", key=_date_key(edu.event_date) * 10
                       + edu.status.isin(tuple(DROPOUT)).fill_null(False).cast("int64"))
    pupil = pupil.group_by("person").agg(key=pupil.key.max())
    dropped = pupil.filter(pupil.key % 10 == 1).select(
        "person", what=ibis.literal(DROPPED_OUT, type="int8"), amount=ibis.null(SUM), code=ibis.null("string"),
        key=pupil.key.cast("int64"))

    # Amounts are folded per person already (one row per (person, what)); the other events are folded here.
    events = ibis.union(
        event(HOUSING, "housing", code="rating", badness=WORST_HOUSING),
        event(WATER, "water", code="status", badness=WORST_WATER),
        event(DISABILITY, "disabled_federation"),
        event(JOB_LOSS, "hr_social_security", code="event", only=("unemployed", "dismissed")),
        event(DEATH, "public_security", code="event", only=("death",)),
        event(ACCIDENT, "public_security", code="event", only=("accident",)),
        dropped,
    )
    per_person = ibis.union(
        event(MEDICAL, "medical_insurance", amount="out_of_pocket"),
        event(DISASTER, "emergency", amount="loss"),
        events.group_by("person", "what").agg(
            amount=events.amount.sum().cast(SUM), code=events.code.argmax(events.key), key=events.key.max()),
    )
    e = per_person.join(members, "person")
    what, counts = e.what, {}
    for name, which, able_only in (("dept_dropouts", DROPPED_OUT, False), ("new_disabilities", DISABILITY, False),
                                   ("job_losses", JOB_LOSS, True), ("earner_deaths", DEATH, True),
                                   ("accident_injuries", ACCIDENT, False)):
        counts[name] = e.person.count(where=(what == which) & (e.able == 1) if able_only else what == which)
    folded = e.group_by("household_id").agg(
        dept_medical=e.amount.sum(where=what == MEDICAL), dept_disaster=e.amount.sum(where=what == DISASTER),
        dept_housing=e.code.argmax(e.key, where=what == HOUSING), dept_water=e.code.argmax(e.key, where=what == WATER),
        **counts)
    j = h.left_join(folded, "household_id").drop("household_id_right")
    return j.select(
        "household_id", "household_type", "persons", "net_income", "last_year_net_income",
        medical_oop=ibis.greatest(j.medical_oop, j.dept_medical.fill_null(_zero())).cast(MONEY),
        schooling_exp=j.schooling_exp,
        disaster_loss=ibis.greatest(j.disaster_loss, j.dept_disaster.fill_null(_zero())).cast(MONEY),
        accident_exp=j.accident_exp,
        housing_safety=j.dept_housing.fill_null(j.housing_safety),
        water=j.dept_water.fill_null(j.water),
        dropouts=ibis.greatest(j.dropouts, j.dept_dropouts.fill_null(0)).cast("int64"),
        uninsured=j.uninsured, food_secure=j.food_secure,
        **{name: j[name].fill_null(0).cast("int64") for name in EVENT_COLUMNS},
    )
