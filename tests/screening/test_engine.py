"""The engine on hand-computed cases from the shared sample, and its guard rails."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from fangpin.core.rules import RULES, UnmetGuarantee
from fangpin.screening import run
from fangpin.screening.compile import NotCompiled, compile_rule
from fangpin.screening.sample import POLICIES, build
from fangpin.screening.tables import facts

BELOW, RIGID, COLLAPSE = "income_below_line", "rigid_over_income", "income_collapse"
# note → (rules under the policy of the year, under draft d1: line 7300.01, collapse 30 %, factor 1.005)
EXPECTED = {
    "below the line": ((BELOW,), (BELOW,)),
    "exactly on the line": ((), (BELOW,)),  # 7,300 < 7,300.01
    "per capita 7299.995 rounds up to the line": ((), (BELOW,)),
    "per capita 7300.005 rounds down (even)": ((), (BELOW,)),
    "zero persons, no members": ((), ()),
    "negative income, no last year": ((BELOW, RIGID), (BELOW, RIGID)),
    "medical over the window": ((RIGID,), (RIGID,)),  # 18,000 + 13,000.50 > 30,000 (× 1.005 = 30,150)
    "rigid exactly at the limit": ((), ()),
    "no last year: this year's is the base": ((BELOW, RIGID), (BELOW,)),  # 10,000.01 > 10,000 but < 10,050
    "1.00 × 1.005 = 1.005 → 1.00": ((RIGID,), (RIGID,)),
    "3.00 × 1.005 = 3.015 → 3.02": ((RIGID,), ()),
    "collapse": ((BELOW, COLLAPSE), (BELOW, COLLAPSE)),
    "exactly half: no collapse": ((BELOW,), (BELOW, COLLAPSE)),
    "0.05 × 0.7 = 0.035 → 0.04": ((BELOW,), (BELOW, COLLAPSE)),
    "0.15 × 0.7 = 0.105 → 0.10": ((BELOW,), (BELOW,)),
    "last year zero": ((BELOW,), (BELOW,)),
    "D then B: B": ((), ()),
    "same-day B and C: C": (("housing",), ("housing",)),
    "water fixed by a later check": ((), ()),
    "same-day safe and unsafe: unsafe": (("water",), ("water",)),
    "registry 2 > departments 1": (("education",), ("education",)),
    "back to school; same-day tie: the dropout wins": (("education",), ("education",)),
    "suspended and a dropout after the period": ((), ()),
    "events": (("new_disability", "job_loss", "accident"), ("new_disability", "job_loss", "accident")),
    "death of a weak earner; moved out is nothing": (("earner_death",), ("earner_death",)),
    "a person in two households": ((RIGID, "job_loss"), (RIGID, "job_loss")),
    "the same person, unable to work": ((RIGID,), (RIGID,)),
    "a member listed twice": ((RIGID, "earner_death"), (RIGID, "earner_death")),
}


@pytest.fixture(scope="module")
def sample():
    return build(n=60)


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


@pytest.mark.parametrize("which", [0, 1])
def test_hand_computed_verdicts_of_the_crafted_households(sample, con, which):
    result = run(con, sample.tables(), POLICIES[which], sample.period_end)
    by_note = {h.note: h.household_id for h in sample.households}
    got = {note: result.fired.get(by_note[note], ()) for note in EXPECTED}
    assert got == {note: expected[which] for note, expected in EXPECTED.items()}


def test_findings_carry_the_cores_text_and_figures(sample, con):
    result = run(con, sample.tables(), POLICIES[0], sample.period_end)
    hid = next(h.household_id for h in sample.households if h.note == "medical over the window")
    [finding] = result.findings[hid]
    assert finding.text == "刚性支出 31,000.50 元（医疗自付 31,000.50 元）> 上年家庭纯收入 30,000 元"
    assert finding.figures == {"rigid": "31000.50", "last_year_income": "30000.00", "factor": "1.0"}
    assert result.facts[hid].rigid["medical_oop"] == 31000.50


def test_department_tables_may_be_missing_but_not_unknown_or_short_of_columns(sample, con):
    tables = sample.tables()
    only_registry = {"households": tables["households"], "members": tables["members"]}
    rows = con.to_pyarrow(facts(only_registry, sample.period_end)).to_pylist()
    assert len(rows) == len(sample.households) and {r["new_disabilities"] for r in rows} == {0}
    with pytest.raises(ValueError, match="未知的数据表：tax"):
        facts({**only_registry, "tax": tables["water"]}, sample.period_end)
    with pytest.raises(ValueError, match="缺少列：labour"):
        facts({**only_registry, "members": pa.table({"household_id": [1], "person": [2]})}, sample.period_end)
    with pytest.raises(ValueError, match="缺少数据表：members"):
        facts({"households": tables["households"]}, dt.date(2026, 10, 31))


def test_a_rule_of_an_unknown_class_is_refused(sample):
    class Odd(UnmetGuarantee):
        pass

    table = facts({"households": sample.tables()["households"], "members": sample.tables()["members"]},
                  sample.period_end)
    with pytest.raises(NotCompiled, match="没有编译器"):
        compile_rule(Odd("odd", "奇怪", "water", ("x",), "", ""), table, POLICIES[0])
    assert all(compile_rule(rule, table, POLICIES[0]) is not None for rule in RULES)


def test_integer_rounding_matches_decimal_quantize_half_even(con):
    """round_half_even(a / b) <= k on the backend == Python's Decimal.quantize, halves included."""
    import random
    from decimal import Decimal

    from fangpin.screening.compile import rounded_at_most

    rng = random.Random(7)
    rows = []
    for _ in range(3000):
        b = rng.choice((1, 2, 3, 4, 7, 10, 100, 1000))
        a = rng.randint(-10**7, 10**7)
        if rng.random() < 0.5 and b % 2 == 0:
            a = a // b * b + b // 2  # exactly on a half
        exact = (Decimal(a) / Decimal(b)).quantize(Decimal("1"))
        k = int(exact) + rng.choice((-1, 0, 0, 1))
        rows.append({"a": a, "b": b, "k": k, "expected": exact <= k})
    t = ibis.memtable(pa.Table.from_pylist(rows))
    got = con.to_pyarrow(t.select(t.expected, got=rounded_at_most(t.a, t.b, t.k))).to_pylist()
    assert sum(r["expected"] != r["got"] for r in got) == 0
    assert any(r["expected"] for r in got) and not all(r["expected"] for r in got)


def test_the_engine_reads_parquet_files_through_the_backend(sample, con, tmp_path):
    import pyarrow.parquet as pq

    tables = {}
    for name, table in sample.tables().items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
        tables[name] = con.read_parquet(tmp_path / f"{name}.parquet")
    result = run(con, tables, POLICIES[0], sample.period_end)
    assert {(h, c) for h, codes in result.fired.items() for c in codes} == sample.core_fired(POLICIES[0])
    assert result.mismatches == []


def test_the_same_expression_compiles_for_spark_sql(sample):
    """A portability guard until the Spark run lands: every operation has a Spark SQL translation."""
    from fangpin.screening.engine import flags

    sql = ibis.to_sql(flags(facts(sample.tables(), sample.period_end), POLICIES[0]), dialect="pyspark")
    assert "MAX_BY(" in sql and "fires_income_below_line" in sql
