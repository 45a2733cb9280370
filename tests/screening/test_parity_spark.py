"""Three-way parity: the core path, DuckDB and Spark (local[2]) agree on every fact of every household and on
which rules fire, for the shared sample, the same period ends (one of them 29 February) and the same policies
as tests/screening/test_parity.py. Spark runs a smaller sample (each query costs seconds of JVM overhead);
the crafted edge households all come first, so they are all in it."""

from __future__ import annotations

import ibis
import pytest

from fangpin.core.rules import evaluate
from fangpin.screening import run
from fangpin.screening.engine import to_facts
from fangpin.screening.sample import POLICIES, build
from fangpin.screening.tables import facts
from tests.screening.test_parity import PERIODS

N = 200


@pytest.fixture(scope="module")
def spark():
    from fangpin.screening import spark

    return spark.connect("local[2]")


@pytest.fixture(scope="module", params=PERIODS, ids=str)
def sample(request):
    return build(n=N, period_end=request.param)


def engine_facts(con, sample):
    return {row["household_id"]: to_facts(row)
            for row in con.to_pyarrow(facts(sample.tables(), sample.period_end)).to_pylist()}


def test_the_sample_holds_every_crafted_household_and_random_ones(sample):
    notes = [h.note for h in sample.households]
    assert len(notes) == N and "random" in notes and notes.index("random") == sum(n != "random" for n in notes)


def test_facts_are_identical_on_core_duckdb_and_spark(sample, spark):
    core = sample.core_facts()
    duck = engine_facts(ibis.duckdb.connect(), sample)
    on_spark = engine_facts(spark, sample)
    assert on_spark.keys() == core.keys() == duck.keys()
    assert [(hid, core[hid], on_spark[hid]) for hid in core if core[hid] != on_spark[hid]] == []
    assert duck == on_spark
    # Money crosses Spark exactly: the same Decimal representation (two places), not a float.
    assert all(str(core[h].rigid[k]) == str(on_spark[h].rigid[k]) for h in core for k in core[h].rigid)
    assert all(str(core[h].net_income) == str(on_spark[h].net_income) for h in core)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.version)
def test_the_same_rules_fire_and_the_same_findings_on_all_three(sample, spark, policy):
    on_spark = run(spark, sample.tables(), policy, sample.period_end)
    duck = run(ibis.duckdb.connect(), sample.tables(), policy, sample.period_end)
    core = sample.core_fired(policy)
    assert core  # something fires, so the comparison can fail
    assert {(hid, code) for hid, codes in on_spark.fired.items() for code in codes} == core
    assert on_spark.fired == duck.fired and on_spark.mismatches == [] == duck.mismatches
    assert on_spark.findings == duck.findings
    core_facts = sample.core_facts()
    assert all(findings == evaluate(core_facts[hid], policy) for hid, findings in on_spark.findings.items())


def test_the_session_is_local_utc_and_exact():
    from fangpin.screening import spark

    session = spark.session("local[2]")
    conf = session.conf
    assert session.sparkContext.master == "local[2]"
    assert conf.get("spark.sql.session.timeZone") == "UTC"
    assert conf.get("spark.sql.ansi.enabled") == "true"
    assert conf.get("spark.sql.decimalOperations.allowPrecisionLoss") == "false"
    assert conf.get("spark.sql.shuffle.partitions") == "4"
    assert spark.session("local[2]") is session  # one session per process
    assert spark.settings("spark://10.0.0.1:7077").get("spark.sql.shuffle.partitions") is None
