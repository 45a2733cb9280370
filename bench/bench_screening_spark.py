"""Spark local[N] against DuckDB on the same generated tables (not a test; figures for docs/screening-spark.md).

    .venv/bin/python bench/bench_screening_spark.py --persons 100000 --records 1000000 [--master local[2]]

Uses the generator of bench_screening_engine.py; both engines read the same Parquet files
(``con.read_parquet``) and run ``fangpin.screening.run`` with the same policy; the flagged households and
findings must be identical. Prints the Spark session start-up, then per repeat the seconds of each engine
(expression, engine = SQL + fetch, core ``evaluate()`` of the flagged households).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import ibis
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from bench_screening_engine import generate  # noqa: E402

from fangpin.screening import run  # noqa: E402
from fangpin.screening.sample import POLICIES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--period-end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (match the Spark cores)")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from fangpin.screening import spark

    tables = generate(args.persons, args.records, args.period_end)
    n_rec = sum(t.num_rows for name, t in tables.items() if name not in ("households", "members"))
    print(f"{tables['members'].num_rows:,} persons, {tables['households'].num_rows:,} households, "
          f"{n_rec:,} department records")
    t0 = time.perf_counter()
    spark_con = spark.connect(args.master)
    print(f"Spark session ({args.master}) start-up: {time.perf_counter() - t0:.1f} s")
    duck = ibis.duckdb.connect(threads=args.threads)
    policy = POLICIES[0]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, table in tables.items():
            paths[name] = str(Path(tmp) / f"{name}.parquet")
            pq.write_table(table, paths[name])
        results = {}
        for i in range(args.repeat):
            for label, con in (("duckdb", duck), ("spark", spark_con)):
                inputs = {name: con.read_parquet(path) for name, path in paths.items()}
                t0 = time.perf_counter()
                result = run(con, inputs, policy, args.period_end)
                total = time.perf_counter() - t0
                results[label] = result
                phases = ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
                print(f"[{i + 1}] {label:6s} {total:6.2f} s ({phases}); flagged {len(result.fired):,}, "
                      f"mismatches {len(result.mismatches)}")
        same = results["duckdb"].fired == results["spark"].fired and \
            results["duckdb"].findings == results["spark"].findings
        print("identical findings:", same)
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
