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


def facts(tables: Mapping[str, Any], period_end: dt.date) -> ir.Table:
    """One row per household: its registry facts updated by its members' department records in the 12
    months ending on ``period_end`` (see ``core.screening.screening_facts`` for each rule)."""
    t = as_tables(tables)
    h, m = t["households"], t["members"]
    mine = m.select("household_id", "person").distinct()  # a member listed twice still counts once
    able = m.filter(m.labour.isin(tuple(ABLE))).select("household_id", "person").distinct()

    def recs(kind: str) -> ir.Table:
        return _in_window(t[kind], kind, period_end)

    def money_sum(kind: str, column: str, name: str) -> ir.Table:
        r = recs(kind)
        joined = r.select("person", value=r[column].fill_null(_zero())).join(mine, "person")
        return joined.group_by("household_id").agg(**{name: joined.value.sum()})

    def people(kind: str, name: str, among: ir.Table, column: str | None = None,
               values: tuple[str, ...] = ()) -> ir.Table:
        r = recs(kind)
        if column is not None:
            r = r.filter(r[column].isin(values))
        joined = r.select("person").join(among, "person")
        return joined.group_by("household_id").agg(**{name: joined.person.nunique()})

    def latest(kind: str, column: str, badness: Mapping[str, int], name: str) -> ir.Table:
        """The household's latest record's value (on one day, the worse one)."""
        r = recs(kind)
        joined = r.select("person", value=r[column], day=r[SCHEMAS[kind].date_field]).join(mine, "person")
        key = _date_key(joined.day) * 10 + joined.value.substitute(dict(badness), else_=0)
        return joined.group_by("household_id").agg(**{name: joined.value.argmax(key)})

    # Dropouts: per pupil the latest status (a dropout wins a same-day tie), then per household.
    edu = recs("education")
    pupil = edu.select("person", key=_date_key(edu.event_date) * 10
                       + edu.status.isin(tuple(DROPOUT)).fill_null(False).cast("int64"))
    pupil = pupil.group_by("person").agg(last=pupil.key.max())
    dropped = pupil.filter(pupil["last"] % 10 == 1).select("person").join(mine, "person")
    dropouts = dropped.group_by("household_id").agg(dept_dropouts=dropped.person.nunique())

    parts = [
        money_sum("medical_insurance", "out_of_pocket", "dept_medical"),
        money_sum("emergency", "loss", "dept_disaster"),
        latest("housing", "rating", WORST_HOUSING, "dept_housing"),
        latest("water", "status", WORST_WATER, "dept_water"),
        dropouts,
        people("disabled_federation", "new_disabilities", mine),
        people("hr_social_security", "job_losses", able, "event", ("unemployed", "dismissed")),
        people("public_security", "earner_deaths", able, "event", ("death",)),
        people("public_security", "accident_injuries", mine, "event", ("accident",)),
    ]
    joined = h
    for part in parts:
        joined = joined.left_join(part, "household_id").drop("household_id_right")
    j = joined
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
