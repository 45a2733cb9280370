"""The province-scale screening benchmark (``fangpin bench_screening``; issue 4, item 6).

1. ``generate`` writes N persons (households, members keyed by ``person_key``) and M department records
   of the nine kinds as Parquet files (not timed as part of the path; reused when the same size is asked
   again in the same directory).
2. ``full_path`` is what a province's monthly run does, timed end to end:
   files → matched (every record's person looked up in the registry: matched, not registered, outside the
   province) → findings (``fangpin.screening.engine.run``: the facts and the compiled rules on DuckDB, the
   core ``evaluate()`` on the flagged households) → warnings stored (Parquet, and ``COPY`` into PostgreSQL
   when a database is given, exactly once per (household, rule, period)).
3. ``FLOOR_SQL`` is the same rules written by hand in SQL; on DuckDB over the same files it is the floor,
   and the flagged (household, rule) set must be identical.
4. Baselines on a sample of K households: pandas, and the same SQL on PostgreSQL (``COPY`` in, one query);
   their times are extrapolated to all households.

No Django here (the command is a thin wrapper), so the module also runs as ``python -m``-style library code.
The generator and DuckDB helpers are in ``bench_data``, the floor and the baselines in ``bench_baselines``;
this module is the full path and the report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fangpin.core.policy import Policy
from fangpin.core.rules import RULES
from fangpin.core.screening import SCHEMAS
from fangpin.screening.bench_baselines import core_baseline, floor, pandas_baseline, pg_baseline, write_sample
from fangpin.screening.bench_data import (
    PROVINCE,
    Dataset,
    _csv,
    _read,
    duckdb_connect,
    generate,
    peak_rss_mb,
    reset_peak,
)

# ---------------------------------------------------------------- the full path


@dataclass
class PathResult:
    seconds: dict[str, float] = field(default_factory=dict)
    matching: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → total, matched, unregistered, outside
    pairs: set[tuple[int, str]] = field(default_factory=set)
    flagged: int = 0
    findings: int = 0
    mismatches: int = 0
    stored_parquet: int = 0
    stored_db: int | None = None
    peak_mb: float = 0.0
    warnings_file: Path | None = None


MATCH_SQL = """
SELECT kind, count(*) AS total,
       count(*) FILTER (WHERE person IN (SELECT person FROM {members})) AS matched,
       count(*) FILTER (WHERE person // 11 // 1000000000000000 <> {province}) AS outside
FROM ({records}) GROUP BY kind ORDER BY kind
"""


def match_sql(tables: Mapping[str, str]) -> str:
    """Per department kind: rows, rows whose person is in the registry, rows of people from another province
    (the ID number's first two digits); the rest are the province's people missing from the registry."""
    records = " UNION ALL ".join(f"SELECT {i}::UTINYINT AS kind, person FROM {tables[kind]}"  # noqa: S608
                                 for i, kind in enumerate(SCHEMAS))
    return MATCH_SQL.format(members=tables["members"], records=records, province=PROVINCE)


def full_path(data: Dataset, policy: Policy, period: str, out: Path, *, threads: int, memory_limit: str,
              pg_url: str | None) -> PathResult:
    """Files → matched → findings → warnings stored. The matching counts run on a second cursor of the same
    DuckDB database (one thread pool) while the core ``evaluate()`` writes the findings and the warnings are
    stored: they feed the report, not the rules, and they use the cores Python leaves idle."""
    import threading

    from fangpin.screening import engine

    result = PathResult()
    reset_peak()
    t0, cpu0 = time.perf_counter(), time.process_time()
    con = duckdb_connect(threads, memory_limit, out / "duckdb-tmp")
    names = ("households", "members", *SCHEMAS)
    inputs = {name: con.read_parquet(data.path(name), table_name=name) for name in names}
    matching: dict[str, Any] = {}

    def match() -> None:
        started = time.perf_counter()
        try:
            rows = con.con.cursor().sql(match_sql({name: _read(data.path(name)) for name in names})).fetchall()
            matching["rows"] = rows
        except Exception as exc:  # re-raised in the caller's thread
            matching["error"] = exc
        matching["seconds"] = time.perf_counter() - started

    matcher = threading.Thread(target=match, name="bench-match")
    t1 = time.perf_counter()
    # the matching counts start when the flagged rows are fetched: DuckDB's threads would idle during evaluate()
    run = engine.run(con, inputs, policy, data.period_end, on_fetched=matcher.start)
    t2 = time.perf_counter()
    result.flagged = len(run.fired)
    result.findings = sum(len(f) for f in run.findings.values())
    result.mismatches = len(run.mismatches)
    result.pairs = {(h, code) for h, codes in run.fired.items() for code in codes}
    warnings = warnings_table(run.findings, period)
    result.warnings_file = out / f"warnings-{period}.parquet"
    pq.write_table(warnings, result.warnings_file)
    result.stored_parquet = warnings.num_rows
    t3 = time.perf_counter()
    if pg_url:
        result.stored_db = copy_warnings(pg_url, warnings)
    t4 = time.perf_counter()
    matcher.join()
    if "error" in matching:
        raise matching["error"]
    kinds = list(SCHEMAS)
    for kind, total, matched, outside in matching["rows"]:
        result.matching[kinds[kind]] = {"total": total, "matched": matched, "outside": outside,
                                        "unregistered": total - matched - outside}
    t5 = time.perf_counter()
    con.disconnect()
    result.seconds = {"matched": matching["seconds"], "findings": t2 - t1,
                      "findings_sql": run.timings.get("engine", 0.0), "findings_core": run.timings.get("core", 0.0),
                      "warnings_parquet": t3 - t2, "warnings_copy": t4 - t3, "match_wait": t5 - t4,
                      "total": t5 - t0, "cpu": time.process_time() - cpu0}
    result.peak_mb = peak_rss_mb()
    return result


WARNING_SCHEMA = pa.schema([("household_id", pa.int64()), ("rule", pa.string()), ("period", pa.string()),
                            ("title", pa.string()), ("text", pa.string()), ("risk_types", pa.string()),
                            ("figures", pa.string()), ("policy_version", pa.string())])


def warnings_table(findings: Mapping[int, list[Any]], period: str) -> pa.Table:
    """One row per finding, the columns of ``alerts.Warning`` (lists and dicts as JSON text)."""
    cols: dict[str, list[Any]] = {name: [] for name in WARNING_SCHEMA.names}
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for household, items in findings.items():
        for f in items:
            cols["household_id"].append(household)
            cols["rule"].append(f.rule)
            cols["title"].append(f.title[:60])
            cols["text"].append(f.text[:500])
            cols["risk_types"].append(dumps(list(f.risk_types)))
            cols["figures"].append(dumps(f.figures))
            cols["policy_version"].append(f.policy_version)
    cols["period"] = [period] * len(cols["rule"])
    return pa.table(cols, schema=WARNING_SCHEMA)


WARNING_DDL = """
CREATE TABLE IF NOT EXISTS bench_screening_warning (
    household_id bigint NOT NULL, rule varchar(40) NOT NULL, period varchar(7) NOT NULL,
    title varchar(60) NOT NULL, text varchar(500) NOT NULL, risk_types jsonb NOT NULL, figures jsonb NOT NULL,
    policy_version varchar(40) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, rule, period))
"""




def copy_warnings(pg_url: str, warnings: pa.Table) -> int:
    """COPY into a staging table, then insert what is not there yet (the (household, rule, period) key):
    a re-run of the same month adds nothing. Returns the rows added."""
    import psycopg

    columns = ", ".join(WARNING_SCHEMA.names)
    with psycopg.connect(pg_url, autocommit=False) as db, db.cursor() as cur:
        cur.execute(WARNING_DDL)
        cur.execute("CREATE TEMP TABLE warning_in (LIKE bench_screening_warning INCLUDING DEFAULTS) ON COMMIT DROP")
        with cur.copy(f"COPY warning_in ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(_csv(warnings))
        cur.execute(f"INSERT INTO bench_screening_warning ({columns}) SELECT {columns} "  # noqa: S608 (constant names)
                    "FROM warning_in ON CONFLICT DO NOTHING")
        added = cur.rowcount
        db.commit()
    return added


def clear_warnings(pg_url: str, period: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(WARNING_DDL)
        db.execute("DELETE FROM bench_screening_warning WHERE period = %s", (period,))


# ---------------------------------------------------------------- Spark (another slice writes fangpin.screening.spark)


def spark_run(data: Dataset, policy: Policy, persons: int, out: Path, *, log: Callable[[str], None]
              ) -> tuple[float, int] | None:
    """The engine on Spark local[2] over a ``persons``-sized dataset, if ``fangpin.screening.spark`` exists."""
    try:
        from fangpin.screening import spark as spark_module  # type: ignore[attr-defined, unused-ignore]
    except ImportError as exc:
        log(f"Spark: skipped (fangpin.screening.spark not available: {exc})")
        return None
    connect = getattr(spark_module, "connect", None)
    if connect is None:
        log("Spark: skipped (fangpin.screening.spark has no connect())")
        return None
    from fangpin.screening import engine

    t0 = time.perf_counter()
    con = connect("local[2]")
    inputs = {name: con.read_parquet(str(data.path(name)), table_name=name) for name in ("households", "members",
                                                                                          *SCHEMAS)}
    run = engine.run(con, inputs, policy, data.period_end)
    seconds = time.perf_counter() - t0
    stop = getattr(spark_module, "stop", None)
    if stop is not None:
        stop()
    return seconds, len(run.fired)


# ---------------------------------------------------------------- the whole benchmark


@dataclass
class Options:
    persons: int = 10_000_000
    records: int = 100_000_000
    out: Path | None = None
    memory_limit: str = "8GB"
    sample: int = 200_000
    core_households: int = 20_000
    spark_persons: int = 1_000_000
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    period_end: dt.date = dt.date(2026, 10, 31)
    pg_url: str | None = None
    seed: int = 4
    keep: bool = False
    skip_baselines: bool = False
    skip_spark: bool = False


@dataclass
class Report:
    data: Dataset
    path: PathResult
    floor_seconds: float
    floor_agrees: bool | None  # None: the floor did not finish (e.g. out of memory under a small limit)
    baselines: dict[str, dict[str, Any]]
    spark: tuple[float, int] | None
    goals: dict[str, bool | None]


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    from fangpin.speedprobe import describe

    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs; {describe()}"


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def bench(options: Options, policy: Policy, log: Callable[[str], None] = print) -> Report:
    import tempfile

    period = options.period_end.strftime("%Y-%m")
    out = options.out or Path(tempfile.mkdtemp(prefix="fangpin-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    data_dir = out / f"data-{options.persons}x{options.records}"
    try:
        return _bench(options, policy, log, period, out, data_dir)
    finally:
        shutil.rmtree(out / "duckdb-tmp", ignore_errors=True)
        shutil.rmtree(out / "sample", ignore_errors=True)
        if not options.keep and options.out is None:
            shutil.rmtree(out, ignore_errors=True)


def _bench(options: Options, policy: Policy, log: Callable[[str], None], period: str, out: Path,
           data_dir: Path) -> Report:
    log(f"generating {options.persons:,} persons and {options.records:,} department records in {data_dir} …")
    reset_peak()
    data = generate(data_dir, options.persons, options.records, options.period_end, options.seed, log=log)
    size = sum(p.stat().st_size for p in data_dir.glob("*.parquet")) / 2**20
    log(f"generation: {'reused from an earlier run' if data.reused else f'{data.seconds:.1f} s'} "
        f"(not part of the path); {data.persons:,} persons in {data.households:,} households, "
        f"{data.total_records:,} records, {size:,.0f} MiB of Parquet; peak RSS {peak_rss_mb():,.0f} MiB")
    log(f"DuckDB: {options.threads} threads, memory_limit {options.memory_limit}, spills to {out / 'duckdb-tmp'}; "
        f"policy {policy.version} (line {policy.monitoring_line}); period {period}; {_load()}")
    if options.pg_url:
        clear_warnings(options.pg_url, period)

    path = full_path(data, policy, period, out, threads=options.threads, memory_limit=options.memory_limit,
                     pg_url=options.pg_url)
    s = path.seconds
    log("")
    log(f"FULL PATH  files → matched → findings → warnings stored: {s['total']:.2f} s  (CPU {s['cpu']:.1f} s; "
        f"peak RSS {path.peak_mb:,.0f} MiB)")
    log(f"  matched    {s['matched']:6.2f} s  (a second DuckDB cursor, concurrent with evaluate() and storing; "
        f"{s['match_wait']:.2f} s waited for it at the end)")
    for kind, c in path.matching.items():
        log(f"      {kind:20} {c['total']:>12,} rows: {c['matched']:>12,} matched, {c['unregistered']:>9,} not in "
            f"the registry, {c['outside']:>9,} outside the province")
    total = {k: sum(c[k] for c in path.matching.values()) for k in ("total", "matched", "unregistered", "outside")}
    log(f"      {'all kinds':20} {total['total']:>12,} rows: {total['matched']:>12,} matched, "
        f"{total['unregistered']:>9,} not in the registry, {total['outside']:>9,} outside the province")
    log(f"  findings   {s['findings']:6.2f} s  (facts + {len(RULES)} compiled rules on DuckDB and fetch "
        f"{s['findings_sql']:.2f} s, core evaluate() {s['findings_core']:.2f} s): {path.flagged:,} households "
        f"flagged ({100 * path.flagged / max(data.households, 1):.2f} %), {path.findings:,} findings, "
        f"{path.mismatches} engine/core mismatches")
    stored = f"{path.stored_parquet:,} rows to {path.warnings_file}"
    log(f"  warnings   {s['warnings_parquet'] + s['warnings_copy']:6.2f} s  (Parquet {s['warnings_parquet']:.2f} s: "
        f"{stored}" + (f"; COPY into PostgreSQL {s['warnings_copy']:.2f} s: {path.stored_db:,} new rows in "
                       "bench_screening_warning)" if path.stored_db is not None else "; no PostgreSQL given)"))
    by_rule: dict[str, int] = {}
    for _, code in path.pairs:
        by_rule[code] = by_rule.get(code, 0) + 1
    log("  households per rule: " + ", ".join(f"{r.code} {by_rule.get(r.code, 0):,}" for r in RULES))

    log("")
    floor_pairs: set[tuple[int, str]] | None = None
    floor_seconds = 0.0
    try:
        floor_pairs, floor_seconds, floor_cpu, floor_peak = floor(data, policy, out, threads=options.threads,
                                                                  memory_limit=options.memory_limit)
    except Exception as exc:  # e.g. DuckDB out of memory under a small memory_limit: report it, go on
        log(f"FLOOR      hand-written DuckDB SQL: FAILED ({type(exc).__name__}: {str(exc)[:160]}); "
            f"peak RSS {peak_rss_mb():,.0f} MiB")
    agrees = None if floor_pairs is None else floor_pairs == path.pairs
    if floor_pairs is not None:
        log(f"FLOOR      hand-written DuckDB SQL, same files → flagged: {floor_seconds:.2f} s (CPU {floor_cpu:.1f} s; "
            f"peak RSS {floor_peak:,.0f} MiB); full path / floor = {_ratio(s['total'], floor_seconds):.2f}× "
            f"(CPU {_ratio(s['cpu'], floor_cpu):.2f}×)")
        log(f"  agreement: {'IDENTICAL' if agrees else 'DIFFERENT'} (household, rule) sets — engine "
            f"{len(path.pairs):,}, floor {len(floor_pairs):,}, only engine {len(path.pairs - floor_pairs):,}, "
            f"only floor {len(floor_pairs - path.pairs):,}")
    reference, against = (floor_pairs, "the floor") if floor_pairs is not None else (path.pairs, "the engine")

    baselines: dict[str, dict[str, Any]] = {}
    if not options.skip_baselines:
        k = min(options.sample, data.households)
        sample = write_sample(data, k, out / "sample", threads=options.threads, memory_limit=options.memory_limit)
        scale = data.households / max(sample.households, 1)
        expected = {(h, c) for h, c in reference if h <= k}
        log("")
        log(f"BASELINES  on a sample of {sample.households:,} households ({sample.persons:,} persons, "
            f"{sample.total_records:,} records), extrapolated ×{scale:,.1f}")
        reset_peak()
        pairs, seconds, cpu = pandas_baseline(sample, policy)
        baselines["pandas"] = {"seconds": seconds, "extrapolated": seconds * scale, "agrees": pairs == expected,
                               "cpu": cpu * scale}
        log(f"  pandas      {seconds:7.2f} s (CPU {cpu:.1f} s, peak RSS {peak_rss_mb():,.0f} MiB) → "
            f"{seconds * scale:8.1f} s for all (CPU {cpu * scale:.0f} s); "
            f"{_ratio(seconds * scale, s['total']):.1f}× the full path (CPU {_ratio(cpu * scale, s['cpu']):.1f}×); "
            f"agreement with {against} on the sample: "
            f"{'IDENTICAL' if pairs == expected else 'DIFFERENT'} ({len(pairs):,} pairs)")
        n = min(options.core_households, sample.households)
        if n:
            pairs, seconds, n = core_baseline(sample, policy, n)
            whole = seconds * data.households / n
            core_agrees = pairs == {(h, c) for h, c in expected if h <= n}
            baselines["core path"] = {"seconds": seconds, "extrapolated": whole, "agrees": core_agrees}
            log(f"  core path   {seconds:7.2f} s on {n:,} households ({seconds / n * 1e6:.0f} µs each, screening_facts + "
                f"evaluate() one by one) → {whole:8.1f} s for all; {_ratio(whole, s['total']):.1f}× the full path; "
                f"agreement with {against}: {'IDENTICAL' if core_agrees else 'DIFFERENT'} ({len(pairs):,} pairs)")
        if options.pg_url:
            pairs, copy_s, query_s = pg_baseline(sample, policy, options.pg_url)
            both = (copy_s + query_s) * scale
            baselines["postgresql"] = {"seconds": copy_s + query_s, "copy": copy_s, "query": query_s,
                                       "extrapolated": both, "agrees": pairs == expected}
            log(f"  PostgreSQL  COPY {copy_s:.2f} s + query {query_s:.2f} s → {both:8.1f} s for all "
                f"(query alone {query_s * scale:.1f} s); {_ratio(both, s['total']):.1f}× the full path "
                f"(query alone {_ratio(query_s * scale, s['total']):.1f}×); agreement with {against} on the sample: "
                f"{'IDENTICAL' if pairs == expected else 'DIFFERENT'} ({len(pairs):,} pairs)")
        else:
            log("  PostgreSQL  skipped (no --pg URL)")

    spark = None
    if not options.skip_spark:
        log("")
        spark_persons = min(options.spark_persons, options.persons)
        records = options.records * spark_persons // max(options.persons, 1)
        spark_data = generate(out / f"data-{spark_persons}x{records}", spark_persons, records,
                              options.period_end, options.seed, log=lambda _: None)
        spark = spark_run(spark_data, policy, spark_persons, out, log=log)
        if spark is not None:
            log(f"SPARK      local[2], {spark_persons:,} persons × {records:,} records: {spark[0]:.2f} s, "
                f"{spark[1]:,} households flagged")

    at_goal_size = options.persons >= 10_000_000 and options.records >= 100_000_000
    goals: dict[str, bool | None] = {
        "10M × 100M ≤ 60 s end to end": (s["total"] <= 60) if at_goal_size else None,
        "≤ 1.5× the hand-written DuckDB floor": None if floor_pairs is None else s["total"] <= 1.5 * floor_seconds,
        "findings identical to the floor": None if agrees is None else agrees and path.mismatches == 0,
    }
    for name, b in baselines.items():
        goals[f"≥ 10× faster than the {name} baseline"] = b["extrapolated"] >= 10 * s["total"]
        goals[f"{name} baseline agrees on the sample"] = bool(b["agrees"])
    log("")
    log("GOALS")
    for name, ok in goals.items():
        verdict = "n/a  " if ok is None else ("PASS" if ok else "FAIL")
        log(f"  {verdict:5}  {name}" + (f"  ({s['total']:.1f} s wall at {_load()}; CPU {s['cpu']:.1f} s, i.e. "
                                          f"≥ {s['cpu'] / max(options.threads, 1):.1f} s on {options.threads} idle "
                                          "cores)" if name.startswith("10M") else ""))
    log(f"{_load()} at the end (wall-clock figures stretch with the machine's load; CPU seconds do not)")
    log(f"peak RSS of the process over the whole benchmark (getrusage): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return Report(data, path, floor_seconds, agrees, baselines, spark, goals)

