"""The screening engine on Spark: a SparkSession (local or a cluster) and an Ibis PySpark connection that
``fangpin.screening.engine.run`` takes unchanged.

``connect("local[2]")`` (the default) runs Spark inside this process (tests, a county's laptop);
``connect("spark://host:7077")`` (or ``yarn``, ``k8s://…``) a cluster (docs/screening-spark.md). One
session per process: Spark allows one SparkContext, so asking for another master stops the first.

Money stays exact: the input tables go to Spark as Arrow (decimal128, date32 — not through pandas, where a
null amount is a float NaN) and the results come back as Arrow (``DataFrame.toArrow``), both new in Spark 4.
ANSI mode is on and decimal arithmetic may not lose precision, so an overflow is an error, never a rounded
or null figure. The session time zone is UTC (dates are plain dates; nothing depends on the host's zone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ibis.backends.pyspark import Backend as IbisSparkBackend

DEFAULT_MASTER = "local[2]"
APP_NAME = "fangpin-screening"

# Quiet: Spark's own console logging at ERROR only (a run prints its own progress); shipped with the package.
LOG4J2 = Path(__file__).with_name("log4j2.properties")

_lock = threading.Lock()
_session: Any = None
_session_master: str | None = None


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


def settings(master: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Spark configuration of a screening session (``extra`` wins, e.g. executor memory on a cluster)."""
    conf = {
        "spark.app.name": APP_NAME,
        "spark.sql.session.timeZone": "UTC",
        # Exact money: overflow is an error (ANSI), a decimal result is never rounded to fit.
        "spark.sql.ansi.enabled": "true",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.adaptive.enabled": "true",
        # province=13 stays the string "13" (a partition filter compares strings and prunes directories)
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    }
    if is_local(master):
        # A few hundred thousand rows per county: a handful of partitions beats the default 200.
        conf |= {"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "4", "spark.ui.enabled": "false",
                 "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    conf |= dict(extra or {})
    return conf


def session(master: str | None = DEFAULT_MASTER, extra: Mapping[str, str] | None = None) -> Any:
    """This process's SparkSession on ``master`` (created once; a different master replaces it). ``None``: the
    master spark-submit was given (``--master``), else local[2]."""
    global _session, _session_master
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    if master is None:
        master = SparkConf().get("spark.master", DEFAULT_MASTER)

    with _lock:
        if _session is not None and _session_master == master:
            return _session
        if _session is not None:
            _session.stop()
            _session = _session_master = None
        builder = SparkSession.builder.master(master)
        log = f"-Dlog4j2.configurationFile=file:{LOG4J2}"
        builder = builder.config("spark.driver.extraJavaOptions", log)
        for key, value in settings(master, extra).items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        _session, _session_master = spark, master
        return spark


def stop() -> None:
    """Stop this process's session (tests; a long-lived web process never starts one)."""
    global _session, _session_master
    with _lock:
        if _session is not None:
            _session.stop()
        _session = _session_master = None


class Backend(IbisSparkBackend):  # type: ignore[misc]
    """Ibis's PySpark backend with Arrow in and out (Spark ≥ 4), so decimals, dates and nulls cross exactly."""

    def _register_in_memory_table(self, op: Any) -> None:
        from ibis.backends.pyspark.datatypes import PySparkSchema

        data = op.data.to_pyarrow(op.schema)
        frame = self._session.createDataFrame(data, schema=PySparkSchema.from_ibis(op.schema))
        frame.createOrReplaceTempView(op.name)

    def to_pyarrow(self, expr: Any, /, *, params: Mapping[Any, Any] | None = None, limit: int | str | None = None,
                   **kwargs: Any) -> Any:
        if self.mode == "streaming":
            return super().to_pyarrow(expr, params=params, limit=limit, **kwargs)
        from ibis.formats.pyarrow import PyArrowData

        self._run_pre_execute_hooks(expr)
        table_expr = expr.as_table()
        sql = self.compile(table_expr, params=params, limit=limit, **kwargs)
        arrow = self._session.sql(sql).toArrow()
        return expr.__pyarrow_result__(PyArrowData.convert_table(arrow, table_expr.schema()))


def connect(master: str | None = DEFAULT_MASTER, extra: Mapping[str, str] | None = None) -> Any:
    """An Ibis connection on this process's Spark session: ``engine.run(connect(), tables, policy, end)``."""
    return Backend().connect(session(master, extra))


# ---------------------------------------------------------------- spark-submit: exported tables in, findings out


def read_tables(con: Any, root: str, hive: bool = False, province: str | None = None) -> dict[str, Any]:
    """The engine's input tables under ``root`` (a directory, ``hdfs://…`` or ``s3a://…``) as written by
    ``fangpin export_screening_tables``: ``<table>.parquet``, or with ``hive`` ``<table>/province=PP/*.parquet``
    (then ``province`` keeps one province; Spark reads only its directories)."""
    from fangpin.screening.tables import SCHEMA_OF

    tables = {}
    for name in SCHEMA_OF:
        path = f"{root.rstrip('/')}/{name}" + ("" if hive else ".parquet")
        if "://" not in root and not os.path.exists(path):
            continue  # a kind without a table counts as empty
        table = con.read_parquet(path)
        if hive and province:
            table = table.filter(table.province == province)
        tables[name] = table
    return tables


def findings_table(result: Any) -> Any:
    """``Result.findings`` as Arrow: one row per (household, rule), the figures as JSON."""
    import pyarrow as pa

    rows = [{"household_id": hid, "rule": f.rule, "title": f.title, "text": f.text,
             "figures": json.dumps(f.figures, ensure_ascii=False, sort_keys=True),
             "risk_types": list(f.risk_types), "policy_version": f.policy_version, "period_end": result.period_end}
            for hid, findings in sorted(result.findings.items()) for f in findings]
    schema = pa.schema([("household_id", pa.int64()), ("rule", pa.string()), ("title", pa.string()),
                        ("text", pa.string()), ("figures", pa.string()), ("risk_types", pa.list_(pa.string())),
                        ("policy_version", pa.string()), ("period_end", pa.date32())])
    return pa.Table.from_pylist(rows, schema=schema)


def main(argv: Sequence[str] | None = None) -> int:
    """``spark-submit …/fangpin/screening/spark.py --tables DIR --period-end YYYY-MM-DD --policy-version V
    --year Y --line L [--hive [--province PP]] --out findings.parquet`` (docs/screening-spark.md)."""
    import pyarrow.parquet as pq

    from fangpin.core.policy import Policy
    from fangpin.screening.engine import run

    parser = argparse.ArgumentParser(prog="fangpin-screening-spark", description="部门数据筛查（Spark）")
    parser.add_argument("--tables", required=True, help="导出的数据表目录（本地、hdfs:// 或 s3a://）")
    parser.add_argument("--period-end", required=True, type=dt.date.fromisoformat, help="截至日期，如 2026-10-31")
    parser.add_argument("--policy-version", required=True)
    parser.add_argument("--year", required=True, type=int)
    parser.add_argument("--line", required=True, type=Decimal, help="监测线（元/人·年）")
    parser.add_argument("--collapse-ratio", type=Decimal, default=Decimal("0.5"))
    parser.add_argument("--rigid-factor", type=Decimal, default=Decimal("1.0"))
    parser.add_argument("--hive", action="store_true", help="按省分区的目录布局（export_screening_tables --hive）")
    parser.add_argument("--province", help="只筛查该省（与 --hive 同用）")
    parser.add_argument("--master", default=None, help="默认取 spark-submit 的 --master，否则 local[2]")
    parser.add_argument("--out", required=True, help="发现的风险（Parquet，驱动节点本地路径）")
    args = parser.parse_args(argv)
    policy = Policy(version=args.policy_version, year=args.year, monitoring_line=args.line,
                    collapse_ratio=args.collapse_ratio, rigid_factor=args.rigid_factor)
    started = time.perf_counter()
    con = connect(args.master)
    result = run(con, read_tables(con, args.tables, args.hive or bool(args.province), args.province), policy, args.period_end)
    if result.mismatches:
        print(f"引擎与规则核心结果不一致（{len(result.mismatches)} 户），未写出")
        return 2
    table = findings_table(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, args.out)
    print(f"{len(result.fired)} 户发现风险 {table.num_rows} 项 → {args.out}（{time.perf_counter() - started:.1f} 秒）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
