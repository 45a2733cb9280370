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


def test_spark_submit_driver_on_an_exported_province(users, county, tmp_path):  # noqa: F811
    """export_screening_tables --hive, then the spark-submit entry point on province 13: the findings file
    holds exactly the warnings the screening run stores."""
    import json

    import pyarrow.parquet as pq

    from fangpin.alerts.models import ScreeningRun
    from fangpin.alerts.services import run_screening

    call_command("export_screening_tables", region="13", out=str(tmp_path / "tables"), hive=True, stdout=io.StringIO())
    assert (tmp_path / "tables" / "members" / "province=13" / "part-13.parquet").exists()
    out = tmp_path / "findings.parquet"
    assert spark.main(["--tables", str(tmp_path / "tables"), "--period-end", "2026-10-31", "--policy-version",
                       "13-2026-1", "--year", "2026", "--line", "7300", "--rigid-factor", "1.00", "--province", "13",
                       "--master", "local[2]",
                       "--out", str(out)]) == 0
    findings = pq.read_table(out).to_pylist()
    assert run_screening(ScreeningRun.objects.create(region_id="13", period="2026-10").pk).status == "done"
    assert {(f["household_id"], f["rule"]) for f in findings} == set(Warning.objects.values_list("household_id", "rule"))
    rigid = Warning.objects.get(rule="rigid_over_income")
    (mine,) = [f for f in findings if f["rule"] == "rigid_over_income"]
    assert (mine["text"], json.loads(mine["figures"])) == (rigid.text, rigid.figures)
    assert spark.main(["--tables", str(tmp_path / "tables"), "--period-end", "2026-10-31", "--policy-version", "v",
                       "--year", "2026", "--line", "7300", "--province", "44", "--out", str(out)]) == 0
    assert pq.read_table(out).num_rows == 0  # another province: nothing read
