"""Risk rules: data with one ``evaluate(facts, policy)`` each, yielding explainable findings.

The same rule objects are compiled by the batch engines (one translation per rule class);
a shared sample set proves the core and every engine agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from fangpin.core.income import ZERO, yuan
from fangpin.core.policy import Policy

RIGID_LABELS = {"medical_oop": "医疗自付", "schooling_exp": "教育支出", "disaster_loss": "灾害损失",
                "accident_exp": "意外事故支出"}
RIGID_RISK = {"medical_oop": "因病", "schooling_exp": "因学", "disaster_loss": "因灾", "accident_exp": "因意外事故"}


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules look at, whatever channel it came from (registry, visit, department data)."""

    household_type: str  # tuopin / jiance / yiban
    persons: int
    net_income: Decimal  # household net income, last 12 months
    last_year_net_income: Decimal | None = None
    rigid: dict[str, Decimal] = field(default_factory=dict)  # rigid expenditure item → amount, last 12 months
    housing_safety: str = "A"
    water: str = "safe"
    dropouts: int = 0
    uninsured: int = 0  # members without basic medical insurance
    food_secure: bool = True
    sudden_hardship: bool = False
    # Signals only department data carries (screening); zero when facts come from the registry.
    new_disabilities: int = 0  # members certified disabled (or a higher grade) in the last 12 months
    job_losses: int = 0  # members with labour capacity registered unemployed / dismissed in the last 12 months
    earner_deaths: int = 0  # deaths of a member with labour capacity in the last 12 months
    accident_injuries: int = 0  # members injured in an accident in the last 12 months

    @property
    def per_capita_net_income(self) -> Decimal:
        return (self.net_income / self.persons).quantize(Decimal("0.01")) if self.persons else ZERO

    def rigid_total(self, items: tuple[str, ...]) -> Decimal:
        return sum((self.rigid.get(item, ZERO) for item in items), ZERO)


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    text: str  # the explanation with its figures and threshold
    figures: dict[str, str]
    risk_types: tuple[str, ...]
    policy_version: str


class Rule(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def title(self) -> str: ...

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None: ...


def _finding(rule: Rule, text: str, figures: dict[str, Decimal | int | str], risks: tuple[str, ...],
             policy: Policy) -> Finding:
    return Finding(rule.code, rule.title, text, {k: str(v) for k, v in figures.items()}, risks, policy.version)


@dataclass(frozen=True)
class IncomeBelowLine:
    code: str = "income_below_line"
    title: str = "人均纯收入低于监测线"

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None:
        pc = facts.per_capita_net_income
        if facts.persons <= 0 or pc >= policy.monitoring_line:
            return None
        text = f"人均纯收入 {yuan(pc)} < 监测线 {yuan(policy.monitoring_line)}"
        return _finding(self, text, {"per_capita": pc, "line": policy.monitoring_line}, (), policy)


@dataclass(frozen=True)
class RigidOverIncome:
    code: str = "rigid_over_income"
    title: str = "刚性支出明显超过上年收入"

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None:
        rigid = facts.rigid_total(policy.rigid_items)
        base = facts.last_year_net_income if facts.last_year_net_income is not None else facts.net_income
        limit = (max(base, ZERO) * policy.rigid_factor).quantize(Decimal("0.01"))
        if rigid <= limit or rigid <= ZERO:
            return None
        parts = [f"{RIGID_LABELS.get(k, k)} {yuan(v)}" for k, v in facts.rigid.items()
                 if k in policy.rigid_items and v > ZERO]
        text = f"刚性支出 {yuan(rigid)}（{'，'.join(parts)}）> 上年家庭纯收入 {yuan(base)}"
        if policy.rigid_factor != 1:
            text += f" × {policy.rigid_factor}"
        main = max((k for k in policy.rigid_items), key=lambda k: facts.rigid.get(k, ZERO))
        return _finding(self, text, {"rigid": rigid, "last_year_income": base, "factor": policy.rigid_factor},
                        (RIGID_RISK.get(main, "其他"),), policy)


@dataclass(frozen=True)
class IncomeCollapse:
    code: str = "income_collapse"
    title: str = "收入大幅缩减"

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None:
        before = facts.last_year_net_income
        if before is None or before <= ZERO:
            return None
        floor = (before * (1 - policy.collapse_ratio)).quantize(Decimal("0.01"))
        if facts.net_income >= floor:
            return None
        drop = ((before - facts.net_income) / before * 100).quantize(Decimal("0.1"))
        text = (f"近 12 个月家庭纯收入 {yuan(facts.net_income)}，比上年 {yuan(before)} 下降 {drop}%"
                f"（超过 {policy.collapse_ratio * 100:.0f}%）")
        return _finding(self, text, {"income": facts.net_income, "last_year_income": before, "drop_pct": drop},
                        ("其他",), policy)


@dataclass(frozen=True)
class UnmetGuarantee:
    """One 两不愁三保障 / 饮水 item: the fact must not take one of the bad values (or be > 0)."""

    code: str
    title: str
    fact: str
    bad_values: tuple[object, ...]
    text: str
    risk_type: str

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None:
        value = getattr(facts, self.fact)
        unmet = value > 0 if self.bad_values == ("positive",) else value in self.bad_values
        if not unmet:
            return None
        return _finding(self, self.text.format(value=value), {self.fact: value}, (self.risk_type,), policy)


@dataclass(frozen=True)
class RecentEvent:
    """A department-reported event in the last 12 months (new disability, job loss, death of an earner …):
    the count of members it happened to must be zero."""

    code: str
    title: str
    fact: str
    text: str
    risk_type: str

    def evaluate(self, facts: HouseholdFacts, policy: Policy) -> Finding | None:
        value = getattr(facts, self.fact)
        if value <= 0:
            return None
        return _finding(self, self.text.format(value=value), {self.fact: value}, (self.risk_type,), policy)


RULES: tuple[Rule, ...] = (
    IncomeBelowLine(),
    RigidOverIncome(),
    IncomeCollapse(),
    UnmetGuarantee("food", "吃穿无保障", "food_secure", (False,), "吃穿“两不愁”未保障", "其他"),
    UnmetGuarantee("education", "义务教育无保障", "dropouts", ("positive",), "有 {value} 名义务教育阶段辍学人员", "因学"),
    UnmetGuarantee("medical", "基本医疗无保障", "uninsured", ("positive",), "有 {value} 人未参加基本医疗保险", "因病"),
    UnmetGuarantee("housing", "住房安全无保障", "housing_safety", ("C", "D"), "住房安全等级为 {value} 级（危房）",
                   "住房安全"),
    UnmetGuarantee("water", "饮水安全无保障", "water", ("unsafe_quality", "unsafe_quantity", "inconvenient"),
                   "饮水不安全", "饮水安全"),
    RecentEvent("new_disability", "新增残疾", "new_disabilities", "近 12 个月有 {value} 名成员新认定残疾或残疾等级加重",
                "因残"),
    RecentEvent("job_loss", "务工就业中断", "job_losses", "近 12 个月有 {value} 名有劳动能力的成员失业或解除劳动合同",
                "因务工就业不稳"),
    RecentEvent("earner_death", "主要劳动力死亡", "earner_deaths", "近 12 个月有 {value} 名有劳动能力的成员死亡",
                "缺劳动力"),
    RecentEvent("accident", "意外伤害", "accident_injuries", "近 12 个月有 {value} 名成员遭受意外伤害", "因意外事故"),
)
# Findings that mean a sudden hardship rather than a slow slide (→ 突发严重困难户).
SUDDEN_RULES = frozenset({"rigid_over_income", "income_collapse", "earner_death", "accident"})


def evaluate(facts: HouseholdFacts, policy: Policy, rules: tuple[Rule, ...] = RULES) -> list[Finding]:
    return [f for rule in rules if (f := rule.evaluate(facts, policy)) is not None]


def suggest_category(facts: HouseholdFacts, findings: list[Finding]) -> str | None:
    """脱贫户 → 脱贫不稳定户; sudden hardship (spending, collapse) → 突发严重困难户; else 边缘易致贫户."""
    if not findings:
        return None
    if facts.household_type == "tuopin":
        return "脱贫不稳定户"
    if facts.sudden_hardship or any(f.rule in SUDDEN_RULES for f in findings):
        return "突发严重困难户"
    return "边缘易致贫户"


def suggest_risk_types(facts: HouseholdFacts, findings: list[Finding], labour_members: int) -> list[str]:
    risks: list[str] = []
    for finding in findings:
        risks.extend(r for r in finding.risk_types if r not in risks)
    if labour_members == 0 and "缺劳动力" not in risks:
        risks.append("缺劳动力")
    return risks
