"""The screening run: facts set-wise on an Ibis backend, compiled rules, then the core for the findings.

``run(con, tables, policy, period_end)`` works on any Ibis backend connection (DuckDB in memory by
default; Spark later). The backend decides WHICH rules fire for each household; the flagged households'
fact rows come back and the core ``evaluate()`` writes the findings, so texts and figures are the core's
by construction. A household where the core disagrees with the engine is reported in ``mismatches``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from fangpin.core.policy import Policy
from fangpin.core.rules import RULES, Finding, HouseholdFacts, Rule, evaluate
from fangpin.screening.compile import compile_rule
from fangpin.screening.tables import EVENT_COLUMNS, RIGID_COLUMNS, facts

FLAG = "fires_"  # flag columns: a rule code may also be a fact's name (water, housing …)
FACT_COLUMNS = ("household_id", "household_type", "persons", "net_income", "last_year_net_income",
                *RIGID_COLUMNS, "housing_safety", "water", "dropouts", "uninsured", "food_secure", *EVENT_COLUMNS)


@dataclass
class Result:
    policy_version: str
    period_end: dt.date
    fired: dict[int, tuple[str, ...]] = field(default_factory=dict)  # household → rule codes, in RULES order
    facts: dict[int, HouseholdFacts] = field(default_factory=dict)  # flagged households only
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    # (household, the engine's codes, the core's codes) wherever they differ: must stay empty
    mismatches: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: compile, engine, core


def flags(facts_table: ir.Table, policy: Policy, rules: tuple[Rule, ...] = RULES) -> ir.Table:
    """The facts with one boolean column per rule (``fires_<code>``), only households where one fires."""
    columns = {FLAG + rule.code: compile_rule(rule, facts_table, policy) for rule in rules}
    flagged = facts_table.mutate(**columns)
    any_fired = ibis.or_(*(flagged[code] for code in columns)) if columns else ibis.literal(False)
    return flagged.filter(any_fired)


def to_facts(row: Mapping[str, Any]) -> HouseholdFacts:
    """One fact row (from the backend) as the core's ``HouseholdFacts``."""
    return HouseholdFacts(
        household_type=row["household_type"], persons=int(row["persons"]), net_income=_money(row["net_income"]),
        last_year_net_income=None if row["last_year_net_income"] is None else _money(row["last_year_net_income"]),
        rigid={item: _money(row[item]) for item in RIGID_COLUMNS},
        housing_safety=row["housing_safety"], water=row["water"], dropouts=int(row["dropouts"]),
        uninsured=int(row["uninsured"]), food_secure=bool(row["food_secure"]),
        new_disabilities=int(row["new_disabilities"]), job_losses=int(row["job_losses"]),
        earner_deaths=int(row["earner_deaths"]), accident_injuries=int(row["accident_injuries"]),
    )


def _money(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def run(con: Any, tables: Mapping[str, Any], policy: Policy, period_end: dt.date,
        rules: tuple[Rule, ...] = RULES, *, on_fetched: Callable[[], None] | None = None) -> Result:
    """Screen every household of ``tables`` for the 12 months ending on ``period_end`` on backend ``con``.
    ``on_fetched()`` is called when the backend's part is done, before the core's (the benchmark starts
    work for the idle backend there)."""
    started = time.perf_counter()
    expr = flags(facts(tables, period_end), policy, rules)
    codes = [rule.code for rule in rules]
    result = Result(policy.version, period_end)
    compiled = time.perf_counter()
    flagged = con.to_pyarrow(expr)
    if on_fetched is not None:
        on_fetched()
    rows = flagged.to_pylist()
    fetched = time.perf_counter()
    for row in rows:
        household = int(row["household_id"])
        fired = tuple(code for code in codes if row[FLAG + code])
        household_facts = to_facts(row)
        findings = evaluate(household_facts, policy, rules)
        result.fired[household] = fired
        result.facts[household] = household_facts
        result.findings[household] = findings
        core = tuple(f.rule for f in findings)
        if core != fired:
            result.mismatches.append((household, fired, core))
    result.timings = {"expression": compiled - started, "engine": fetched - compiled,
                      "core": time.perf_counter() - fetched}
    return result
