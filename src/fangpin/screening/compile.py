"""Core rule objects → Ibis boolean expressions over the facts table, one compiler per rule CLASS.

A compiler reads the rule's own data (fact name, bad values) and the policy's figures (line, factor,
ratio, rigid items); nothing is re-written per rule instance. Money is compared in integer cents and
the core's ``Decimal.quantize`` (round half to even) is reproduced exactly with integer arithmetic, so
the engine fires on exactly the households the core would.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from fangpin.core.policy import Policy
from fangpin.core.rules import (
    IncomeBelowLine,
    IncomeCollapse,
    RecentEvent,
    RigidOverIncome,
    Rule,
    UnmetGuarantee,
)
from fangpin.screening.tables import RIGID_COLUMNS

Compiler = Callable[[Any, ir.Table, Policy], ir.BooleanValue]
COMPILERS: dict[type, Compiler] = {}


def compiles(cls: type) -> Callable[[Compiler], Compiler]:
    def register(fn: Compiler) -> Compiler:
        COMPILERS[cls] = fn
        return fn
    return register


class NotCompiled(LookupError):
    pass


def compile_rule(rule: Rule, facts: ir.Table, policy: Policy) -> ir.BooleanValue:
    """``rule`` as a boolean column of ``facts`` (never null: a null counts as "does not fire")."""
    try:
        compiler = COMPILERS[type(rule)]
    except KeyError:
        raise NotCompiled(f"规则 {rule.code}（{type(rule).__name__}）没有编译器") from None
    return compiler(rule, facts, policy).fill_null(False)


def cents(value: ir.NumericValue) -> ir.IntegerValue:
    """A decimal(14, 2) amount as integer cents (exact)."""
    return (value * 100).cast("int64")


def _fraction(value: Decimal) -> tuple[int, int]:
    """A decimal as (numerator, 10**digits)."""
    sign, digits, exponent = value.normalize().as_tuple()
    numerator = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if not isinstance(exponent, int):
        raise ValueError(f"{value} 不是有限数")
    if exponent >= 0:
        return numerator * 10**exponent, 1
    return numerator, 10**-exponent


def rounded_at_most(a: ir.IntegerValue, b: int | ir.IntegerValue, k: ir.IntegerValue | int) -> ir.BooleanValue:
    """round_half_even(a / b) <= k, for integers and b > 0, without leaving integers:
    a/b < k + ½, or exactly k + ½ and k even (the half goes down to the even k)."""
    kk = ibis.literal(k, type="int64") if isinstance(k, int) else k
    twice, limit = a * 2, (kk * 2 + 1) * b
    return (twice < limit) | ((twice == limit) & (kk % 2 == 0))


@compiles(IncomeBelowLine)
def _income_below_line(rule: IncomeBelowLine, f: ir.Table, policy: Policy) -> ir.BooleanValue:
    # per capita = (net / persons).quantize(0.01) < line  ⇔  per capita in cents <= ceil(line × 100) − 1
    k = int((policy.monitoring_line * 100).to_integral_value(rounding=ROUND_CEILING)) - 1
    persons = f.persons.cast("int64")
    safe = ibis.ifelse(persons > 0, persons, 1)
    return (persons > 0) & rounded_at_most(cents(f.net_income), safe, k)


@compiles(RigidOverIncome)
def _rigid_over_income(rule: RigidOverIncome, f: ir.Table, policy: Policy) -> ir.BooleanValue:
    # rigid > (max(base, 0) × factor).quantize(0.01) and rigid > 0; base = last year's income or else this year's
    zero = ibis.literal(0, type="int64")
    items = [cents(f[item]) for item in policy.rigid_items if item in RIGID_COLUMNS]
    rigid = sum(items[1:], items[0]) if items else zero
    base = cents(f.last_year_net_income.fill_null(f.net_income))
    num, den = _fraction(policy.rigid_factor)
    scaled = ibis.greatest(base, zero) * num
    return (rigid > 0) & rounded_at_most(scaled, den, rigid - 1)


@compiles(IncomeCollapse)
def _income_collapse(rule: IncomeCollapse, f: ir.Table, policy: Policy) -> ir.BooleanValue:
    # net < (before × (1 − ratio)).quantize(0.01), before known and > 0
    before = cents(f.last_year_net_income)
    num, den = _fraction(1 - policy.collapse_ratio)
    return before.notnull() & (before > 0) & ~rounded_at_most(before * num, den, cents(f.net_income))


@compiles(UnmetGuarantee)
def _unmet_guarantee(rule: UnmetGuarantee, f: ir.Table, policy: Policy) -> ir.BooleanValue:
    value = f[rule.fact]
    if rule.bad_values == ("positive",):
        return value > 0
    return value.isin(list(rule.bad_values))


@compiles(RecentEvent)
def _recent_event(rule: RecentEvent, f: ir.Table, policy: Policy) -> ir.BooleanValue:
    return f[rule.fact] > 0
