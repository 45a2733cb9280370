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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import resource
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fangpin.core.policy import Policy
from fangpin.core.rules import RULES
from fangpin.core.screening import ABLE, DROPOUT, SCHEMAS, WORST_HOUSING, WORST_WATER, Kind, window

Arr = npt.NDArray[Any]
MONEY = pa.decimal128(14, 2)
FORMAT = 4  # bump when the generated files change shape
PROVINCE = 13
# Counties of the province (河北 13xxxx) the registry's people were born in, and other provinces' areas.
AREAS = np.array([130102, 130104, 130105, 130108, 130181, 130183, 130184, 130202, 130203, 130204, 130224,
                  130225, 130302, 130303, 130402, 130403, 130424, 130425, 130502, 130503, 130602, 130606,
                  130607, 130608, 130623, 130624, 130626, 130627, 130628, 130629, 130630, 130631, 130632,
                  130633, 130634, 130635, 130636, 130637, 130638, 130681, 130682, 130683, 130684, 130702,
                  130703, 130802, 130902, 131002, 131102, 131121], dtype=np.int64)
OTHER_AREAS = np.array([110101, 120101, 140105, 150102, 370102, 410102, 410105, 420102], dtype=np.int64)
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_VALUE = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)  # "10X98765432", X = 10

# A province's month: mostly clinic visits; events are rare (shares of all records).
SHARE = {"medical_insurance": 0.905, "civil_affairs": 0.03, "disabled_federation": 0.0001,
         "hr_social_security": 0.01, "education": 0.03, "housing": 0.005, "emergency": 0.002,
         "public_security": 0.0039, "water": 0.014}
VALUES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]] = {
    ("civil_affairs", "event"): (("dibao_in", "dibao_out", "tekun_in", "tekun_out", "temp_relief"), (1, 1, 1, 1, 6)),
    ("disabled_federation", "grade"): (("1", "2", "3", "4"), (1, 2, 3, 4)),
    ("hr_social_security", "event"): (("unemployed", "dismissed", "employed"), (1, 1, 78)),
    ("education", "status"): (("enrolled", "dropout", "suspected_dropout", "suspended"), (996, 1, 2, 1)),
    ("housing", "rating"): (("A", "B", "C", "D"), (60, 38.7, 1, 0.3)),
    ("public_security", "event"): (("death", "accident", "moved_out"), (2, 1, 37)),
    ("water", "status"): (("safe", "inconvenient", "unsafe_quantity", "unsafe_quality"), (99.4, 0.2, 0.2, 0.2)),
}
TEXTS = {("disabled_federation", "disability_kind"): ("肢体", "视力", "听力", "言语", "智力", "精神"),
         ("emergency", "disaster_kind"): ("洪涝", "干旱", "风雹", "地震", "低温冷冻")}
CHUNK = 4_000_000  # records generated and written per step


# ---------------------------------------------------------------- generation


def _money(cents: Arr) -> pa.Array:
    """Integer cents as decimal(14, 2) without a per-value conversion (little-endian 128-bit words)."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])


def person_keys(rng: np.random.Generator, n: int, areas: Arr, seq_low: int, seq_high: int) -> Arr:
    """``core.screening.person_key`` of n random, valid ID numbers (check digit included)."""
    area = areas[rng.integers(0, len(areas), n)]
    day = np.datetime64("1940-01-01") + rng.integers(0, 29_000, n).astype("timedelta64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mday = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    body = area * 10**11 + (year * 10000 + month * 100 + mday) * 1000 + rng.integers(seq_low, seq_high, n)
    total = np.zeros(n, dtype=np.int64)
    rest = body.copy()
    for weight in _WEIGHTS[::-1]:
        rest, digit = np.divmod(rest, 10)
        total += digit * weight
    keys: Arr = body * 11 + _CHECK_VALUE[total % 11]
    return keys


def _choice(rng: np.random.Generator, values: tuple[str, ...], weights: tuple[float, ...], n: int) -> pa.Array:
    p = np.array(weights, dtype=float) / sum(weights)
    return pa.DictionaryArray.from_arrays(pa.array(rng.choice(len(values), n, p=p).astype(np.int32)),
                                          pa.array(values)).cast(pa.string())


@dataclass
class Dataset:
    directory: Path
    persons: int
    households: int
    records: dict[str, int]
    period_end: dt.date
    seconds: float = 0.0
    reused: bool = False

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.parquet"

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def generate(directory: Path, persons: int, records: int, period_end: dt.date, seed: int = 4,
             log: Callable[[str], None] = print) -> Dataset:
    """Write ``households``, ``members`` and one file per department kind under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / "manifest.json"
    wanted = {"format": FORMAT, "persons": persons, "records": records, "period_end": period_end.isoformat(),
              "seed": seed}
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if {k: saved.get(k) for k in wanted} == wanted:
            return Dataset(directory, saved["persons_written"], saved["households"], saved["counts"], period_end,
                           reused=True)
        manifest.unlink()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sizes = rng.choice(np.array([1, 2, 2, 3, 3, 4, 4, 4, 5, 6]), size=persons // 3 + 1)
    sizes = sizes[np.cumsum(sizes) <= persons]
    if sizes.sum() < persons:
        sizes = np.append(sizes, persons - sizes.sum())
    n_hh = len(sizes)
    hh_of_person = np.repeat(np.arange(1, n_hh + 1, dtype=np.int64), sizes)
    keys = np.unique(person_keys(rng, int(persons * 1.01) + 100, AREAS, 0, 900))
    while len(keys) < persons:
        keys = np.unique(np.concatenate([keys, person_keys(rng, persons - len(keys) + 100, AREAS, 0, 900)]))
    keys = rng.permutation(keys)[:persons]
    labour = _choice(rng, ("full", "weak", "none", "lost"), (45, 15, 28, 12), persons)
    pq.write_table(pa.table({"household_id": hh_of_person, "person": keys, "labour": labour}),
                   directory / "members.parquet")

    # Registry facts: per-capita income around 15 000 yuan (≈ 2 % under a 7 300 line), last year's close to it.
    per_capita = np.exp(rng.normal(np.log(15_500), 0.33, n_hh))
    net = (per_capita * sizes * 100).astype(np.int64)
    shock = rng.random(n_hh) < 0.004
    last = np.where(shock, net / rng.uniform(0.15, 0.55, n_hh), net / rng.lognormal(0.04, 0.08, n_hh)).astype(np.int64)

    def sometimes(share: float, mean_yuan: float) -> Arr:
        return (rng.exponential(mean_yuan * 100, n_hh) * (rng.random(n_hh) < share)).astype(np.int64)

    pq.write_table(pa.table({
        "household_id": np.arange(1, n_hh + 1, dtype=np.int64),
        "household_type": _choice(rng, ("tuopin", "jiance", "yiban"), (30, 3, 67), n_hh),
        "persons": sizes.astype(np.int64),
        "net_income": _money(net),
        "last_year_net_income": pa.array(_money(last), mask=rng.random(n_hh) < 0.05),
        "medical_oop": _money(sometimes(0.2, 1200)),
        "schooling_exp": _money(sometimes(0.2, 2500)),
        "disaster_loss": _money(sometimes(0.01, 4000)),
        "accident_exp": _money(sometimes(0.005, 5000)),
        "housing_safety": _choice(rng, ("A", "B", "C", "D"), (70, 29.7, 0.2, 0.1), n_hh),
        "water": _choice(rng, ("safe", "inconvenient", "unsafe_quality"), (99.7, 0.2, 0.1), n_hh),
        "dropouts": (rng.random(n_hh) < 0.001).astype(np.int64),
        "uninsured": (rng.random(n_hh) < 0.003).astype(np.int64),
        "food_secure": rng.random(n_hh) > 0.0005,
    }), directory / "households.parquet")

    start, end = window(period_end)
    first = np.datetime64(start - dt.timedelta(days=30))
    span = (end - start).days + 45  # a month before the window to half a month after it
    pool = max(records // 200, 100)
    unregistered = person_keys(rng, pool, AREAS, 900, 1000)  # born in the province, not in the registry
    elsewhere = person_keys(rng, pool, OTHER_AREAS, 0, 1000)  # another province's people
    counts: dict[str, int] = {}
    for kind, share in SHARE.items():
        schema = SCHEMAS[kind]
        total = max(int(records * share), 1)
        counts[kind] = total
        writer: pq.ParquetWriter | None = None
        for at in range(0, total, CHUNK):
            n = min(CHUNK, total - at)
            who = keys[rng.integers(0, persons, n)]
            stray = rng.random(n)
            local, away = stray < 0.03, stray > 0.98
            who[local] = unregistered[rng.integers(0, pool, int(local.sum()))]
            who[away] = elsewhere[rng.integers(0, pool, int(away.sum()))]
            cols: dict[str, pa.Array] = {"person": pa.array(who)}
            for f in schema.fields:
                if f.kind is Kind.ID:
                    continue
                if f.kind is Kind.DATE:
                    cols[f.key] = pa.array(first + rng.integers(0, span, n).astype("timedelta64[D]"))
                elif kind == "medical_insurance":
                    if f.key == "out_of_pocket":
                        # clinic visits (a few hundred yuan) and 0.5 % hospital stays (tens of thousands)
                        oop = np.where(rng.random(n) < 0.005, rng.exponential(1_500_000, n),
                                       rng.exponential(12_000, n)).astype(np.int64)
                        total_cost = (oop / rng.uniform(0.3, 0.6, n)).astype(np.int64)
                        cols["total_cost"] = _money(total_cost)
                        cols["reimbursed"] = _money(total_cost - oop)
                        cols["out_of_pocket"] = _money(oop)
                elif f.kind is Kind.MONEY:
                    mean = 300_000 if kind == "emergency" else 80_000
                    cols[f.key] = _money(rng.exponential(mean, n).astype(np.int64))
                elif f.kind is Kind.CODE:
                    values, weights = VALUES[kind, f.key]
                    cols[f.key] = _choice(rng, values, weights, n)
                else:
                    texts = TEXTS.get((kind, f.key), ("",))
                    cols[f.key] = _choice(rng, texts, (1,) * len(texts), n)
            order = [f.key if f.kind is not Kind.ID else "person" for f in schema.fields]
            table = pa.table({name: cols[name] for name in order})
            if writer is None:
                writer = pq.ParquetWriter(directory / f"{kind}.parquet", table.schema, compression="snappy",
                                          store_decimal_as_integer=True)
            writer.write_table(table, row_group_size=1_000_000)
        if writer is not None:
            writer.close()
        log(f"  {kind}: {total:,} records")
    seconds = time.perf_counter() - started
    manifest.write_text(json.dumps({**wanted, "persons_written": persons, "households": n_hh, "counts": counts,
                                    "seconds": round(seconds, 1)}))
    return Dataset(directory, persons, n_hh, counts, period_end, seconds)


# ---------------------------------------------------------------- memory


def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process (Linux); each phase reports its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak resident memory since the last ``reset_peak`` (VmHWM), else ``getrusage``'s lifetime peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def duckdb_connect(threads: int, memory_limit: str, temp: Path) -> Any:
    import ibis

    temp.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(threads=threads, memory_limit=memory_limit, temp_directory=str(temp),
                               preserve_insertion_order=False)


def _lit(path: Path) -> str:
    """A file path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _read(path: Path) -> str:
    return f"read_parquet({_lit(path)})"


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


def _csv(table: pa.Table) -> bytes:
    import pyarrow.csv as pcsv

    sink = io.BytesIO()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False))
    return sink.getvalue()


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
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


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
