"""Parity: the core path (screening_facts + evaluate per household) and the engine on DuckDB agree on
every fact of every household and on which rules fire, for the shared sample, under several policies
and period ends (one of them 29 February)."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from fangpin.core.rules import RULES, evaluate
from fangpin.screening import run
from fangpin.screening.compile import COMPILERS
from fangpin.screening.engine import to_facts
from fangpin.screening.sample import POLICIES, build
from fangpin.screening.tables import facts

PERIODS = (dt.date(2026, 10, 31), dt.date(2028, 2, 29))


@pytest.fixture(scope="module", params=PERIODS, ids=str)
def sample(request):
    return build(n=600, period_end=request.param)


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


def test_every_core_rule_has_a_compiler():
    missing = [rule.code for rule in RULES if type(rule) not in COMPILERS]
    assert missing == []


def test_facts_are_identical_for_every_household(sample, con):
    core = sample.core_facts()
    engine = {row["household_id"]: to_facts(row)
              for row in con.to_pyarrow(facts(sample.tables(), sample.period_end)).to_pylist()}
    assert engine.keys() == core.keys()
    different = [(hid, core[hid], engine[hid]) for hid in core if core[hid] != engine[hid]]
    assert different == []
    # Same figures to the cent and the same representation (both carry two decimals).
    assert all(str(core[h].rigid[k]) == str(engine[h].rigid[k]) for h in core for k in core[h].rigid)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.version)
def test_the_same_rules_fire_and_the_findings_are_the_cores(sample, con, policy):
    result = run(con, sample.tables(), policy, sample.period_end)
    engine = {(hid, code) for hid, codes in result.fired.items() for code in codes}
    assert engine == sample.core_fired(policy)
    assert result.mismatches == []
    core = sample.core_facts()
    for hid, findings in result.findings.items():
        assert findings == evaluate(core[hid], policy)


def test_the_sample_hits_every_rule_and_every_crafted_edge_decides_something(sample):
    fired_by_policy = [sample.core_fired(policy) for policy in POLICIES]
    every = {code for fired in fired_by_policy for _, code in fired}
    assert every == {rule.code for rule in RULES}
    # The draft policies really change the verdict somewhere (the rounding halves are exercised).
    assert fired_by_policy[0] != fired_by_policy[1] and fired_by_policy[0] != fired_by_policy[2]
    members = {m.person for h in sample.households for m in h.members}
    with_records = {r.person for r in sample.records}
    assert any(p % 11 == 10 for p in members & with_records)  # ID numbers ending in X
    assert with_records - members  # people in no household
    assert any(h.facts.persons == 0 for h in sample.households)
    assert any(h.facts.last_year_net_income is None for h in sample.households)


def test_the_sample_is_deterministic():
    assert build(n=80) == build(n=80)
