"""The baselines of the screening benchmark: the same rules written by hand in SQL (the floor, on DuckDB over
the same files; the same text runs on PostgreSQL), and pandas, the core per household and PostgreSQL on a
sample of households (times extrapolated to all)."""


from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fangpin.core.policy import Policy
from fangpin.core.rules import RULES
from fangpin.core.screening import ABLE, DROPOUT, SCHEMAS, WORST_HOUSING, WORST_WATER, window
from fangpin.screening.bench_data import Dataset, _csv, _lit, _read, duckdb_connect, peak_rss_mb, reset_peak

# ---------------------------------------------------------------- the same rules, written by hand in SQL

BAD_WATER = tuple(code for code, bad in WORST_WATER.items() if bad)
RULE_SQL = {  # rule code → predicate over the facts ``f`` (cents, counts); {…} from the policy
    "income_below_line": "persons > 0 AND ({below_line})",
    "rigid_over_income": "rigid > 0 AND ({rigid_over})",
    "income_collapse": "last IS NOT NULL AND last > 0 AND NOT ({collapse_kept})",
    "food": "coalesce(NOT food_secure, false)",
    "education": "dropouts > 0",
    "medical": "uninsured > 0",
    "housing": "housing IN ('C', 'D')",
    "water": "water IN (" + ", ".join(f"'{c}'" for c in BAD_WATER) + ")",
    "new_disability": "new_disabilities > 0",
    "job_loss": "job_losses > 0",
    "earner_death": "earner_deaths > 0",
    "accident": "accident_injuries > 0",
}

FLOOR_SQL = """
WITH m AS (
  SELECT household_id, person, max(CASE WHEN labour IN ({able}) THEN 1 ELSE 0 END) AS able
  FROM {members} GROUP BY household_id, person),
p AS (
  SELECT person, sum(CAST(out_of_pocket * 100 AS BIGINT)) AS med, NULL::BIGINT AS dis, NULL::BIGINT AS hk,
         NULL::BIGINT AS wk, 0 AS dr, 0 AS nd, 0 AS jl, 0 AS ed, 0 AS ai
  FROM {medical_insurance} WHERE settle_date > DATE '{start}' AND settle_date <= DATE '{end}' GROUP BY person
  UNION ALL
  SELECT person, NULL, sum(CAST(loss * 100 AS BIGINT)), NULL, NULL, 0, 0, 0, 0, 0
  FROM {emergency} WHERE event_date > DATE '{start}' AND event_date <= DATE '{end}' GROUP BY person
  UNION ALL
  SELECT person, NULL, NULL, max((rating_date - DATE '{start}') * 10 + {housing_badness}), NULL, 0, 0, 0, 0, 0
  FROM {housing} WHERE rating_date > DATE '{start}' AND rating_date <= DATE '{end}' GROUP BY person
  UNION ALL
  SELECT person, NULL, NULL, NULL, max((check_date - DATE '{start}') * 10 + {water_badness}), 0, 0, 0, 0, 0
  FROM {water} WHERE check_date > DATE '{start}' AND check_date <= DATE '{end}' GROUP BY person
  UNION ALL
  SELECT person, NULL, NULL, NULL, NULL,
         CASE WHEN max((event_date - DATE '{start}') * 10 + CASE WHEN status IN ({dropout}) THEN 1 ELSE 0 END) % 10 = 1
              THEN 1 ELSE 0 END, 0, 0, 0, 0
  FROM {education} WHERE event_date > DATE '{start}' AND event_date <= DATE '{end}' GROUP BY person
  UNION ALL
  SELECT DISTINCT person, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, 0, 1, 0, 0, 0
  FROM {disabled_federation} WHERE cert_date > DATE '{start}' AND cert_date <= DATE '{end}'
  UNION ALL
  SELECT DISTINCT person, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, 0, 0, 1, 0, 0
  FROM {hr_social_security} WHERE event_date > DATE '{start}' AND event_date <= DATE '{end}'
    AND event IN ('unemployed', 'dismissed')
  UNION ALL
  SELECT DISTINCT person, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, 0, 0, 0,
         CASE WHEN event = 'death' THEN 1 ELSE 0 END, CASE WHEN event = 'accident' THEN 1 ELSE 0 END
  FROM {public_security} WHERE event_date > DATE '{start}' AND event_date <= DATE '{end}'
    AND event IN ('death', 'accident')),
x AS (
  SELECT m.household_id, sum(p.med) AS med, sum(p.dis) AS dis, max(p.hk) AS hk, max(p.wk) AS wk,
         sum(p.dr) AS dr, sum(p.nd) AS nd, sum(p.jl * m.able) AS jl, sum(p.ed * m.able) AS ed, sum(p.ai) AS ai
  FROM p JOIN m ON m.person = p.person GROUP BY m.household_id),
f0 AS (
  SELECT h.household_id, h.persons, CAST(h.net_income * 100 AS BIGINT) AS net,
         CAST(h.last_year_net_income * 100 AS BIGINT) AS last,
         greatest(CAST(h.medical_oop * 100 AS BIGINT), coalesce(x.med, 0)) AS medical_oop,
         CAST(h.schooling_exp * 100 AS BIGINT) AS schooling_exp,
         greatest(CAST(h.disaster_loss * 100 AS BIGINT), coalesce(x.dis, 0)) AS disaster_loss,
         CAST(h.accident_exp * 100 AS BIGINT) AS accident_exp,
         CASE WHEN x.hk IS NULL THEN h.housing_safety ELSE ({housing_code}) END AS housing,
         CASE WHEN x.wk IS NULL THEN h.water ELSE ({water_code}) END AS water,
         greatest(h.dropouts, coalesce(x.dr, 0)) AS dropouts, h.uninsured, h.food_secure,
         coalesce(x.nd, 0) AS new_disabilities, coalesce(x.jl, 0) AS job_losses,
         coalesce(x.ed, 0) AS earner_deaths, coalesce(x.ai, 0) AS accident_injuries
  FROM {households} h LEFT JOIN x ON x.household_id = h.household_id),
f AS (SELECT *, {rigid_sum} AS rigid, greatest(coalesce(last, net), 0) AS base FROM f0),
r AS (SELECT household_id, {rule_columns} FROM f)
SELECT * FROM r WHERE {any_rule}
"""


def _badness(column: str, badness: Mapping[str, int]) -> str:
    return "CASE " + column + " " + " ".join(f"WHEN '{c}' THEN {b}" for c, b in badness.items() if b) + " ELSE 0 END"


def _code_of(column: str, badness: Mapping[str, int]) -> str:
    return "CASE " + column + " % 10 " + " ".join(f"WHEN {b} THEN '{c}'" for c, b in badness.items()) + " END"


def _fraction(value: Decimal) -> tuple[int, int]:
    num, den = value.as_integer_ratio()
    return num, den


def _at_most(a: str, b: str, k: str) -> str:
    """round_half_even(a / b) <= k in integers (b > 0), as in ``fangpin.screening.compile.rounded_at_most``."""
    return f"2 * ({a}) < (2 * ({k}) + 1) * ({b}) OR (2 * ({a}) = (2 * ({k}) + 1) * ({b}) AND ({k}) % 2 = 0)"


def floor_sql(tables: Mapping[str, str], policy: Policy, period_end: dt.date) -> str:
    """The hand-written SQL of the rules for ``policy`` (DuckDB and PostgreSQL); ``tables`` name → FROM item."""
    codes = [rule.code for rule in RULES]
    if set(codes) != set(RULE_SQL):
        raise ValueError(f"手写 SQL 与规则集不一致：{sorted(set(codes) ^ set(RULE_SQL))}")
    start, end = window(period_end)
    line = int((policy.monitoring_line * 100).to_integral_value(rounding=ROUND_CEILING)) - 1
    r_num, r_den = _fraction(policy.rigid_factor)
    c_num, c_den = _fraction(1 - policy.collapse_ratio)
    known = {"medical_oop", "schooling_exp", "disaster_loss", "accident_exp"}
    items = [item for item in policy.rigid_items if item in known] or ["0"]
    params = {
        "below_line": _at_most("net", "persons", str(line)),
        "rigid_over": _at_most(f"base * {r_num}", str(r_den), "rigid - 1"),
        "collapse_kept": _at_most(f"last * {c_num}", str(c_den), "net"),
    }
    rule_columns = ", ".join(f"coalesce({RULE_SQL[code].format(**params)}, false) AS fires_{code}" for code in codes)
    return FLOOR_SQL.format(
        **tables, start=start.isoformat(), end=end.isoformat(),
        able=", ".join(f"'{a}'" for a in sorted(ABLE)), dropout=", ".join(f"'{d}'" for d in sorted(DROPOUT)),
        housing_badness=_badness("rating", WORST_HOUSING), water_badness=_badness("status", WORST_WATER),
        housing_code=_code_of("x.hk", WORST_HOUSING), water_code=_code_of("x.wk", WORST_WATER),
        rigid_sum=" + ".join(items), rule_columns=rule_columns, any_rule=" OR ".join(f"fires_{code}" for code in codes))


def pairs_of(table: pa.Table) -> set[tuple[int, str]]:
    """(household, rule) pairs from a table of household_id and one boolean column per rule."""
    ids = table.column("household_id").to_numpy()
    out: set[tuple[int, str]] = set()
    for rule in RULES:
        hit = table.column("fires_" + rule.code).to_numpy(zero_copy_only=False).astype(bool)
        out.update((int(h), rule.code) for h in ids[hit])
    return out


def floor(data: Dataset, policy: Policy, out: Path, *, threads: int, memory_limit: str
          ) -> tuple[set[tuple[int, str]], float, float, float]:
    """The hand-written SQL on DuckDB over the same files: (pairs, seconds, CPU seconds, peak RSS MiB)."""
    reset_peak()
    t0, cpu0 = time.perf_counter(), time.process_time()
    con = duckdb_connect(threads, memory_limit, out / "duckdb-tmp")
    sql = floor_sql({name: _read(data.path(name)) for name in ("households", "members", *SCHEMAS)}, policy,
                    data.period_end)
    table = con.con.sql(sql).to_arrow_table()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    con.disconnect()
    return pairs_of(table), seconds, cpu, peak_rss_mb()


# ---------------------------------------------------------------- baselines on a sample


def write_sample(data: Dataset, households: int, out: Path, *, threads: int, memory_limit: str) -> Dataset:
    """The first ``households`` households, their members and their members' records (strays left out,
    which only spares the baselines work), as Parquet files in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb_connect(threads, memory_limit, out / "duckdb-tmp")
    db = con.con
    # SQL from the schema's names, an int and quoted paths only
    db.execute(f"CREATE TEMP TABLE sample_members AS SELECT * FROM {_read(data.path('members'))} "  # noqa: S608
               f"WHERE household_id <= {int(households)}")
    db.execute(f"COPY sample_members TO {_lit(out / 'members.parquet')} (FORMAT parquet)")
    db.execute(f"COPY (SELECT * FROM {_read(data.path('households'))} "  # noqa: S608
               f"WHERE household_id <= {int(households)}) TO {_lit(out / 'households.parquet')} (FORMAT parquet)")
    counts = {}
    for kind in SCHEMAS:
        db.execute(f"COPY (SELECT * FROM {_read(data.path(kind))} "  # noqa: S608
                   f"WHERE person IN (SELECT person FROM sample_members)) TO {_lit(out / (kind + '.parquet'))} "
                   "(FORMAT parquet)")
        counts[kind] = pq.read_metadata(out / f"{kind}.parquet").num_rows
    persons = pq.read_metadata(out / "members.parquet").num_rows
    n_hh = pq.read_metadata(out / "households.parquet").num_rows
    con.disconnect()
    return Dataset(out, persons, n_hh, counts, data.period_end)


def _cents(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    for name in columns:
        if name in table.column_names:
            i = table.column_names.index(name)
            table = table.set_column(i, name, pc.cast(pc.multiply(table.column(name), 100), pa.int64()))
    return table


def pandas_baseline(sample: Dataset, policy: Policy) -> tuple[set[tuple[int, str]], float, float]:
    """The same rules in pandas, from the sample's files to the flagged (household, rule) pairs:
    (pairs, seconds, CPU seconds)."""
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    t0, cpu0 = time.perf_counter(), time.process_time()
    start, end = (pd.Timestamp(d) for d in window(sample.period_end))
    money = ("net_income", "last_year_net_income", "medical_oop", "schooling_exp", "disaster_loss",
             "accident_exp", "out_of_pocket", "loss", "total_cost", "reimbursed", "amount")

    def read(name: str) -> Any:
        frame = _cents(pq.read_table(sample.path(name)), money).to_pandas()
        date = SCHEMAS[name].date_field if name in SCHEMAS else None
        if date:
            frame[date] = pd.to_datetime(frame[date])
            frame = frame[(frame[date] > start) & (frame[date] <= end)]
        return frame

    h = read("households")
    m = read("members")
    m["able"] = m.labour.isin(ABLE).astype("int64")
    m = m.groupby(["household_id", "person"], as_index=False).able.max()

    def per_household(frame: Any, how: dict[str, tuple[str, str]]) -> Any:
        return frame.merge(m, on="person").groupby("household_id").agg(**how)

    def days(frame: Any, col: str) -> Any:
        return (frame[col] - start).dt.days.astype("int64") * 10

    med = read("medical_insurance").groupby("person", as_index=False).out_of_pocket.sum()
    dis = read("emergency").groupby("person", as_index=False).loss.sum()
    hou = read("housing")
    hou["k"] = days(hou, "rating_date") + hou.rating.map(WORST_HOUSING).fillna(0).astype("int64")
    wat = read("water")
    wat["k"] = days(wat, "check_date") + wat.status.map(WORST_WATER).fillna(0).astype("int64")
    edu = read("education")
    edu["k"] = days(edu, "event_date") + edu.status.isin(DROPOUT).astype("int64")
    pupils = edu.groupby("person", as_index=False).k.max()
    pupils = pupils[pupils.k % 10 == 1]
    dsb = read("disabled_federation")[["person"]].drop_duplicates()
    hr = read("hr_social_security")
    jobs = hr[hr.event.isin(("unemployed", "dismissed"))][["person"]].drop_duplicates()
    ps = read("public_security")
    deaths = ps[ps.event == "death"][["person"]].drop_duplicates()
    accidents = ps[ps.event == "accident"][["person"]].drop_duplicates()

    parts = [
        per_household(med, {"med": ("out_of_pocket", "sum")}),
        per_household(dis, {"dis": ("loss", "sum")}),
        per_household(hou[["person", "k"]], {"hk": ("k", "max")}),
        per_household(wat[["person", "k"]], {"wk": ("k", "max")}),
        per_household(pupils, {"dr": ("person", "count")}),
        per_household(dsb, {"nd": ("person", "count")}),
        per_household(jobs, {"jl": ("able", "sum")}),
        per_household(deaths, {"ed": ("able", "sum")}),
        per_household(accidents, {"ai": ("person", "count")}),
    ]
    f = h.set_index("household_id").join(parts, how="left")
    for col in ("med", "dis", "dr", "nd", "jl", "ed", "ai"):
        f[col] = f[col].fillna(0).astype("int64")
    housing_of = {b: c for c, b in WORST_HOUSING.items()}
    water_of = {b: c for c, b in WORST_WATER.items()}
    f["housing"] = f.hk.mod(10).map(housing_of).where(f.hk.notna(), f.housing_safety)
    f["water_now"] = f.wk.mod(10).map(water_of).where(f.wk.notna(), f.water)
    net = f.net_income.astype("int64")
    known = f.last_year_net_income.notna()
    last = f.last_year_net_income.fillna(0).astype("int64")
    rigid_of = {"medical_oop": np.maximum(f.medical_oop.astype("int64"), f.med),
                "schooling_exp": f.schooling_exp.astype("int64"),
                "disaster_loss": np.maximum(f.disaster_loss.astype("int64"), f.dis),
                "accident_exp": f.accident_exp.astype("int64")}
    rigid = sum((rigid_of[i] for i in policy.rigid_items if i in rigid_of), pd.Series(0, index=f.index))

    def at_most(a: Any, b: Any, k: Any) -> Any:
        return (2 * a < (2 * k + 1) * b) | ((2 * a == (2 * k + 1) * b) & (k % 2 == 0))

    line = int((policy.monitoring_line * 100).to_integral_value(rounding=ROUND_CEILING)) - 1
    r_num, r_den = _fraction(policy.rigid_factor)
    c_num, c_den = _fraction(1 - policy.collapse_ratio)
    persons = f.persons.astype("int64")
    base = np.maximum(last.where(known, net), 0)
    fires = {
        "income_below_line": (persons > 0) & at_most(net, persons.clip(lower=1), line),
        "rigid_over_income": (rigid > 0) & at_most(base * r_num, r_den, rigid - 1),
        "income_collapse": known & (last > 0) & ~at_most(last * c_num, c_den, net),
        "food": f.food_secure.eq(False),
        "education": np.maximum(f.dropouts, f.dr) > 0,
        "medical": f.uninsured > 0,
        "housing": f.housing.isin(("C", "D")),
        "water": f.water_now.isin(BAD_WATER),
        "new_disability": f.nd > 0, "job_loss": f.jl > 0, "earner_death": f.ed > 0, "accident": f.ai > 0,
    }
    pairs = {(int(hid), code) for code, hit in fires.items() for hid in f.index[hit.to_numpy(dtype=bool)]}
    return pairs, time.perf_counter() - t0, time.process_time() - cpu0


def core_baseline(sample: Dataset, policy: Policy, households: int) -> tuple[set[tuple[int, str]], float, int]:
    """The reference path the engine replaced (``fangpin screen --engine python``): the core
    ``screening_facts`` + ``evaluate`` household by household, on the sample's first ``households``
    households, records already grouped per person in memory (that conversion is not timed).
    Returns the pairs, the seconds and the households screened."""
    from collections import defaultdict

    from fangpin.core.rules import evaluate
    from fangpin.core.screening import MemberRef, Record, screening_facts
    from fangpin.screening.engine import to_facts
    from fangpin.screening.tables import EVENT_COLUMNS

    hh = pq.read_table(sample.path("households"), filters=[("household_id", "<=", households)])
    members = pq.read_table(sample.path("members"), filters=[("household_id", "<=", households)])
    persons = pa.array(sorted(set(members.column("person").to_pylist())), pa.int64())
    by_person: dict[int, list[Record]] = defaultdict(list)
    for kind, schema in SCHEMAS.items():
        table = pq.read_table(sample.path(kind))
        for row in table.filter(pc.is_in(table.column("person"), value_set=persons)).to_pylist():
            values = {k: v for k, v in row.items() if k not in ("person", schema.date_field)}
            by_person[row["person"]].append(Record(kind, row["person"], row[schema.date_field], values))
    refs: dict[int, list[MemberRef]] = defaultdict(list)
    for row in members.to_pylist():
        refs[row["household_id"]].append(MemberRef(row["person"], row["labour"]))
    zero = dict.fromkeys(EVENT_COLUMNS, 0)
    bases = [(row["household_id"], to_facts({**row, **zero})) for row in hh.to_pylist()]
    pairs: set[tuple[int, str]] = set()
    t0 = time.perf_counter()
    for hid, base in bases:
        mine = [r for m in refs[hid] for r in by_person[m.person]]
        pairs.update((hid, f.rule) for f in evaluate(screening_facts(base, refs[hid], mine, sample.period_end), policy))
    return pairs, time.perf_counter() - t0, len(bases)


PG_TYPES = {"int64": "bigint", "string": "text", "large_string": "text", "date32[day]": "date", "bool": "boolean",
            "decimal128(14, 2)": "numeric(14, 2)"}


def pg_baseline(sample: Dataset, policy: Policy, pg_url: str) -> tuple[set[tuple[int, str]], float, float]:
    """COPY the sample's files into PostgreSQL (unlogged tables), then one query: the floor's SQL.
    Returns the pairs, the COPY seconds (with ANALYZE) and the query seconds."""
    import psycopg

    names = ("households", "members", *SCHEMAS)
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("DROP SCHEMA IF EXISTS bench_sample CASCADE")
        db.execute("CREATE SCHEMA bench_sample")
        t0 = time.perf_counter()
        for name in names:
            table = pq.read_table(sample.path(name))
            cols = ", ".join(f"{f.name} {PG_TYPES[str(f.type)]}" for f in table.schema)
            db.execute(f"CREATE UNLOGGED TABLE bench_sample.{name} ({cols})")
            with db.cursor() as cur, cur.copy(f"COPY bench_sample.{name} FROM STDIN (FORMAT csv)") as copy:
                copy.write(_csv(table))
            db.execute(f"ANALYZE bench_sample.{name}")
        t1 = time.perf_counter()
        sql = floor_sql({name: f"bench_sample.{name}" for name in names}, policy, sample.period_end)
        with db.cursor() as cur:
            cur.execute(sql)
            columns = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
        t2 = time.perf_counter()
        db.execute("DROP SCHEMA bench_sample CASCADE")
    table = pa.table({c: [row[i] for row in rows] for i, c in enumerate(columns)}) if rows else pa.table(
        {"household_id": pa.array([], pa.int64()), **{"fires_" + r.code: pa.array([], pa.bool_()) for r in RULES}})
    return pairs_of(table), t1 - t0, t2 - t1


