"""Screening engine benchmark (not a test): N persons, M department records, the engine on DuckDB.

    .venv/bin/python bench/bench_screening_engine.py --persons 100000 --records 1000000 [--parquet] [--check]

The generator is the province benchmark's (``fangpin.screening.bench.generate``; ``fangpin bench_screening``
times the whole path on files): households of 1–6 persons (≈ N/3.4 households), members with random labour
capacity, M records over the nine department kinds (90 % clinic visits; 5 % of them for people outside the
registry; dates from a month before the 12-month window to half a month after it). It times:
the facts + compiled rules on DuckDB (the set-based part), the core ``evaluate()`` on the flagged
households (texts and figures), and the whole ``run``; then the core path (``screening_facts`` +
``evaluate`` household by household, the baseline) on the first ``--check`` households, which must
flag exactly what the engine flagged there. ``--parquet`` writes the tables to Parquet files
first and lets DuckDB read them; Prints figures only; nothing is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import ibis  # noqa: E402

from fangpin.core.policy import Policy  # noqa: E402
from fangpin.core.rules import RULES, evaluate  # noqa: E402
from fangpin.core.screening import SCHEMAS, MemberRef, Record, screening_facts  # noqa: E402
from fangpin.screening import bench, run  # noqa: E402
from fangpin.screening.engine import flags, to_facts  # noqa: E402
from fangpin.screening.sample import POLICIES  # noqa: E402
from fangpin.screening.tables import EVENT_COLUMNS, facts  # noqa: E402


def generate(persons: int, records: int, period_end: dt.date, seed: int = 4) -> dict[str, pa.Table]:
    """The benchmark's generator (``fangpin.screening.bench.generate``: Parquet files, a province's mix and flag
    rate), read back as Arrow tables."""
    with tempfile.TemporaryDirectory() as tmp:
        bench.generate(Path(tmp), persons, records, period_end, seed, log=lambda _: None)
        return {name: pq.read_table(Path(tmp) / f"{name}.parquet")
                for name in ("households", "members", *SCHEMAS)}


def core_path(tables: dict[str, pa.Table], households: int, period_end: dt.date,
              policy: Policy) -> tuple[set[tuple[int, str]], float, int]:
    """The reference on the first ``households`` households: core screening_facts + evaluate, one by one.
    Returns the (household, rule) pairs, the seconds the core took (conversion excluded) and the count."""
    hh = tables["households"].slice(0, households)
    ids = pa.array(hh.column("household_id").to_pylist(), pa.int64())
    members = tables["members"].filter(pc.is_in(tables["members"].column("household_id"), value_set=ids))
    persons = pa.array(sorted(set(members.column("person").to_pylist())), pa.int64())
    by_person: dict[int, list[Record]] = defaultdict(list)
    for kind, schema in SCHEMAS.items():
        rows = tables[kind].filter(pc.is_in(tables[kind].column("person"), value_set=persons)).to_pylist()
        for row in rows:
            values = {k: v for k, v in row.items() if k not in ("person", schema.date_field)}
            by_person[row["person"]].append(Record(kind, row["person"], row[schema.date_field], values))
    refs: dict[int, list[MemberRef]] = defaultdict(list)
    for row in members.to_pylist():
        refs[row["household_id"]].append(MemberRef(row["person"], row["labour"]))
    zero_events = dict.fromkeys(EVENT_COLUMNS, 0)
    bases = [(row["household_id"], to_facts({**row, **zero_events})) for row in hh.to_pylist()]
    fired: set[tuple[int, str]] = set()
    t0 = time.perf_counter()
    for hid, base in bases:
        mine = [r for m in refs[hid] for r in by_person[m.person]]
        facts_ = screening_facts(base, refs[hid], mine, period_end)
        fired.update((hid, f.rule) for f in evaluate(facts_, policy))
    return fired, time.perf_counter() - t0, len(bases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--period-end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parquet", action="store_true", help="read the tables from Parquet files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", type=int, default=5000, metavar="H",
                        help="run the core path on the first H households, compare and time it (0: skip)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    tables = generate(args.persons, args.records, args.period_end)
    gen = time.perf_counter() - t0
    n_rec = sum(t.num_rows for name, t in tables.items() if name not in ("households", "members"))
    print(f"generated {tables['members'].num_rows:,} persons in {tables['households'].num_rows:,} households, "
          f"{n_rec:,} department records in {gen:.2f} s")

    con = ibis.duckdb.connect(threads=args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        if args.parquet:
            inputs = {}
            for name, table in tables.items():
                path = Path(tmp) / f"{name}.parquet"
                pq.write_table(table, path)
                inputs[name] = con.read_parquet(path, table_name=name)
            print(f"inputs: Parquet files in {tmp}")
        else:
            # con.create_table(name, arrow) trips over sqlglot 30 (DROP VIEW without a name) in ibis 12:
            # register the Arrow tables with DuckDB directly (zero copy) and read them as Ibis tables.
            inputs = {}
            for name, table in tables.items():
                con.con.register(name, table)
                inputs[name] = con.table(name)
            print("inputs: Arrow tables registered with DuckDB (in memory, zero copy)")
        policy = POLICIES[0]
        t0 = time.perf_counter()
        expr = flags(facts(inputs, args.period_end), policy)
        sql = ibis.to_sql(expr, dialect="duckdb")
        print(f"building the expression and compiling it to SQL ({len(sql):,} chars): {time.perf_counter() - t0:.2f} s")
        for i in range(args.repeat):
            t0 = time.perf_counter()
            flagged = con.con.sql(str(sql)).to_arrow_table()
            set_based = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = run(con, inputs, policy, args.period_end)
            total = time.perf_counter() - t0
            findings = sum(len(f) for f in result.findings.values())
            by_rule = Counter(code for codes in result.fired.values() for code in codes)
            t = result.timings
            print(f"run {i + 1}: facts + {len(RULES)} rules, SQL on DuckDB {set_based:.2f} s ({flagged.num_rows:,} "
                  f"flagged rows); run() {total:.2f} s = expression {t['expression']:.2f} + SQL compile and DuckDB "
                  f"{t['engine']:.2f} + core evaluate() {t['core']:.2f}: {len(result.fired):,} households flagged, "
                  f"{findings:,} findings, {len(result.mismatches)} mismatches")
        print("households flagged per rule:", ", ".join(f"{code} {by_rule[code]:,}" for code in
                                                         (rule.code for rule in RULES)))
        if args.check:
            fired, seconds, n = core_path(tables, args.check, args.period_end, policy)
            engine = {(h, c) for h, codes in result.fired.items() if h <= n for c in codes}
            per = seconds / n
            whole = per * tables["households"].num_rows
            print(f"core path (screening_facts + evaluate per household) on {n:,} households: {seconds:.2f} s, "
                  f"{per * 1e6:.0f} µs each → {whole:.1f} s for all; run() is {whole / total:.1f}× faster; "
                  f"parity on the slice: {'identical' if fired == engine else 'DIFFERENT'} "
                  f"({len(fired):,} household-rule pairs)")
        rate = (tables["members"].num_rows + n_rec) / total
        print(f"throughput (persons + records) / full run: {rate:,.0f} rows/s on {args.threads} threads")


if __name__ == "__main__":
    main()
