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

import os
import tempfile
import threading
from collections.abc import Mapping
from typing import Any

from ibis.backends.pyspark import Backend as IbisSparkBackend

DEFAULT_MASTER = "local[2]"
APP_NAME = "fangpin-screening"

# Quiet: Spark's own console logging at ERROR only (a run prints its own progress).
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""

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
    }
    if is_local(master):
        # A few hundred thousand rows per county: a handful of partitions beats the default 200.
        conf |= {"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "4", "spark.ui.enabled": "false",
                 "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    conf |= dict(extra or {})
    return conf


def _log_config() -> str:
    path = os.path.join(tempfile.gettempdir(), f"fangpin-spark-log4j2-{os.getuid()}.properties")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as out:
            out.write(_LOG4J2)
    return path


def session(master: str = DEFAULT_MASTER, extra: Mapping[str, str] | None = None) -> Any:
    """This process's SparkSession on ``master`` (created once; a different master replaces it)."""
    global _session, _session_master
    from pyspark.sql import SparkSession

    with _lock:
        if _session is not None and _session_master == master:
            return _session
        if _session is not None:
            _session.stop()
            _session = _session_master = None
        builder = SparkSession.builder.master(master)
        log = f"-Dlog4j2.configurationFile=file:{_log_config()}"
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


def connect(master: str = DEFAULT_MASTER, extra: Mapping[str, str] | None = None) -> Any:
    """An Ibis connection on this process's Spark session: ``engine.run(connect(), tables, policy, end)``."""
    return Backend().connect(session(master, extra))
