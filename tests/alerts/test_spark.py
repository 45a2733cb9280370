"""``fangpin screen --engine spark``: the same warnings as DuckDB, one Spark connection for the whole run."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fangpin.alerts.models import Warning
from fangpin.screening import spark
from tests.alerts.test_screening import county  # noqa: F401


def stored():
    return {(w.household_id, w.rule, w.period): (w.text, w.figures, w.risk_types, w.policy_version, w.evidence)
            for w in Warning.objects.all()}


def test_screen_on_spark_stores_the_warnings_duckdb_stores(users, county, monkeypatch):  # noqa: F811
    out = io.StringIO()
    call_command("screen", period="2026-10", region="1306", engine="duckdb", stdout=out)
    duck = stored()
    assert {key[0] for key in duck} == {county["a"].pk, county["b"].pk, county["far"].pk}  # two counties
    Warning.objects.all().delete()

    calls = []
    original = spark.connect
    monkeypatch.setattr(spark, "connect", lambda master=spark.DEFAULT_MASTER, extra=None: calls.append(master)
                        or original(master, extra))
    on_spark = io.StringIO()
    call_command("screen", period="2026-10", region="1306", engine="spark", master="local[2]", stdout=on_spark)
    assert stored() == duck
    assert calls == ["local[2]"]  # one connection, both counties
    assert "新增预警 3 条" in on_spark.getvalue() and "新增预警 3 条" in out.getvalue()


def test_master_only_with_spark(users, county):  # noqa: F811
    with pytest.raises(CommandError, match="--master"):
        call_command("screen", period="2026-10", region="130633", engine="duckdb", master="local[2]")


def test_a_missing_spark_fails_the_run_with_its_reason(users, county, monkeypatch):  # noqa: F811
    import builtins

    real_import = builtins.__import__

    def no_spark(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "fangpin.screening" and fromlist and "spark" in fromlist:
            raise ImportError("no pyspark")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_spark)
    with pytest.raises(CommandError, match="fangpin\\[spark\\]"):
        call_command("screen", period="2026-10", region="130633", engine="spark", stdout=io.StringIO())
