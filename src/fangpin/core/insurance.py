"""防贫保险 (anti-poverty insurance): the scheme, the payout, the claim states and the fund ledger.

A county buys cover for a year: a premium per covered person, the cover defined by a rule (households up to
k × the line, or a share of the rural population, beneficiaries not named in advance). Spending warning lines
per item (medical out-of-pocket, schooling, disaster loss) open a claim; the payout is computed here from the
scheme's configuration, each step explained in Chinese:

* ``tiers``: for each person's spending item that reached the item's warning line, the amount above the
  deductible (起付线) is paid band by band (band → rate), then the per-person and per-household caps of the
  year apply (what was already paid that year counts against them);
* ``gap``: the household is paid the gap between k × the line × persons and its income left after the
  spending items that reached their warning lines (补差), capped per household.

The fund ledger is a list of entries (premium in, payout, top-up, refund, carry-over) whose balance always
reconciles: opening (carried in) + premiums + top-ups − payouts − refunds − carried out = balance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

ZERO = Decimal("0")
CENT = Decimal("0.01")
ONE = Decimal("1")

ITEMS: dict[str, str] = {"medical_oop": "医疗自付", "schooling_exp": "教育支出", "disaster_loss": "灾害损失"}
ITEM_RISK: dict[str, str] = {"medical_oop": "因病", "schooling_exp": "因学", "disaster_loss": "因灾"}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | int) -> str:
    """18000 → '18,000.00 元' (always with cents: an explanation of a payout shows every figure the same way)."""
    return f"{cents(Decimal(value)):,.2f} 元"


def percent(rate: Decimal) -> str:
    text = f"{(rate * 100).normalize():f}"
    return f"{text}%"


class InsuranceError(ValueError):
    """Configuration or ledger input the core refuses; ``str()`` is Chinese and names the field."""


# ---------------------------------------------------------------- the scheme


class CoverageMode(StrEnum):
    INCOME_MULTIPLE = "income_multiple"  # households with per-capita income up to k × the line
    POPULATION_SHARE = "population_share"  # a share of the rural population (premium base)


class Method(StrEnum):
    TIERS = "tiers"  # 分段按比例赔付
    GAP = "gap"  # 补齐到线（差额赔付）


COVERAGE_LABELS = {CoverageMode.INCOME_MULTIPLE: "收入不高于监测线的倍数", CoverageMode.POPULATION_SHARE: "按农村人口比例"}
METHOD_LABELS = {Method.TIERS: "分段按比例赔付", Method.GAP: "补齐到线（差额赔付）"}


@dataclass(frozen=True, slots=True)
class Tier:
    """A band of the amount above the deductible: [lower, upper) paid at ``rate`` (upper None: no end)."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal

    def label(self) -> str:
        upper = f"{self.upper:,.0f}" if self.upper is not None else "以上"
        return f"{self.lower:,.0f}–{upper} 元段" if self.upper is not None else f"{self.lower:,.0f} 元以上段"


@dataclass(frozen=True, slots=True)
class ItemRule:
    warning_line: Decimal  # the item's household total from which a claim opens (预警线)
    deductible: Decimal = ZERO  # per person and item (起付线), deducted before the bands
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class Scheme:
    year: int
    premium_per_person: Decimal
    line: Decimal  # 监测线 (yuan per person per year) the rule and the gap variant measure against
    coverage: CoverageMode = CoverageMode.INCOME_MULTIPLE
    coverage_multiple: Decimal = Decimal("1.5")
    coverage_share: Decimal = Decimal("0.10")
    items: Mapping[str, ItemRule] = field(default_factory=dict)
    method: Method = Method.TIERS
    gap_multiple: Decimal = ONE
    per_person_cap: Decimal | None = None  # per person and year, all claims together
    per_household_cap: Decimal | None = None  # per household and year, all claims together

    def problems(self) -> list[str]:
        """Everything wrong with the configuration, each naming its field (empty: usable)."""
        out: list[str] = []
        if self.premium_per_person <= 0:
            out.append("每人保费：须大于 0")
        if self.line <= 0:
            out.append("监测线：须大于 0")
        if self.coverage is CoverageMode.INCOME_MULTIPLE and self.coverage_multiple <= 0:
            out.append("覆盖倍数：须大于 0")
        if self.coverage is CoverageMode.POPULATION_SHARE and not ZERO < self.coverage_share <= ONE:
            out.append("覆盖比例：须在 0 到 100% 之间")
        if self.method is Method.GAP and self.gap_multiple <= 0:
            out.append("补差倍数：须大于 0")
        for cap, name in ((self.per_person_cap, "每人年度封顶"), (self.per_household_cap, "每户年度封顶")):
            if cap is not None and cap <= 0:
                out.append(f"{name}：须大于 0（不封顶请留空）")
        if not self.items:
            out.append("预警线：至少设置一个支出项目")
        for code, rule in self.items.items():
            name = ITEMS.get(code, code)
            if code not in ITEMS:
                out.append(f"未知的支出项目“{code}”")
            if rule.warning_line <= 0:
                out.append(f"{name}预警线：须大于 0")
            if rule.deductible < 0:
                out.append(f"{name}起付线：不能为负数")
            if self.method is Method.TIERS:
                out += [f"{name}赔付分段：{p}" for p in tier_problems(rule.tiers)]
        return out

    def covered_persons(self, rural_population: int) -> int:
        """Persons the premium is paid for under a population-share rule (half up)."""
        return int((self.coverage_share * rural_population).to_integral_value(rounding=ROUND_HALF_UP))

    def premium_total(self, persons: int) -> Decimal:
        return cents(self.premium_per_person * persons)


def tier_problems(tiers: Sequence[Tier]) -> list[str]:
    if not tiers:
        return ["至少一段"]
    out: list[str] = []
    if tiers[0].lower != 0:
        out.append("第 1 段须从 0 开始")
    for i, tier in enumerate(tiers, 1):
        if not ZERO <= tier.rate <= ONE:
            out.append(f"第 {i} 段比例须在 0 到 100% 之间")
        if tier.upper is not None and tier.upper <= tier.lower:
            out.append(f"第 {i} 段上限须大于下限")
        if tier.upper is None and i != len(tiers):
            out.append(f"第 {i} 段没有上限，只能是最后一段")
        if i > 1 and tiers[i - 2].upper is not None and tier.lower != tiers[i - 2].upper:
            out.append(f"第 {i} 段下限须等于上一段上限 {tiers[i - 2].upper:,.0f}")
    return out


_TIER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[-–—~至]\s*(\d+(?:\.\d+)?)?\s*[:：]\s*(\d+(?:\.\d+)?)\s*(%|％)?\s*$")


def parse_tiers(text: str) -> tuple[Tier, ...]:
    """'0-20000:60%; 20000-50000:70%; 50000-:80%' → tiers (separators ; ； , ， or new lines)."""
    tiers: list[Tier] = []
    parts = [p for p in re.split(r"[;；,，\n]+", text) if p.strip()]
    for i, part in enumerate(parts, 1):
        m = _TIER.match(part)
        if m is None:
            raise InsuranceError(f"第 {i} 段“{part.strip()}”格式应为 下限-上限:比例，如 0-20000:60%（最后一段上限可空）")
        try:
            rate = Decimal(m.group(3))
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            raise InsuranceError(f"第 {i} 段比例无效") from None
        if m.group(4) or rate > 1:
            rate = rate / 100
        tiers.append(Tier(Decimal(m.group(1)), Decimal(m.group(2)) if m.group(2) else None, rate))
    problems = tier_problems(tiers)
    if problems:
        raise InsuranceError("；".join(problems))
    return tuple(tiers)


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def format_tiers(tiers: Iterable[Tier]) -> str:
    """The inverse of ``parse_tiers``: '0-20000:60%; 20000-50000:70%; 50000-:80%'."""
    return "; ".join(f"{_num(t.lower)}-{_num(t.upper) if t.upper is not None else ''}:{percent(t.rate)}"
                     for t in tiers)


def banded(base: Decimal, tiers: Sequence[Tier]) -> list[tuple[Tier, Decimal, Decimal]]:
    """(tier, portion of ``base`` in it, portion × rate) for each band the base reaches."""
    out = []
    for tier in tiers:
        if base <= tier.lower:
            break
        top = base if tier.upper is None else min(base, tier.upper)
        portion = top - tier.lower
        out.append((tier, portion, cents(portion * tier.rate)))
    return out


# ---------------------------------------------------------------- the payout


@dataclass(frozen=True, slots=True)
class Expense:
    item: str  # a key of ITEMS
    amount: Decimal
    person: str = ""  # who (a name or label); "" for the household as a whole (e.g. a disaster loss)


@dataclass(frozen=True)
class ClaimFacts:
    persons: int
    net_income: Decimal  # household net income of the last 12 months, before the spending claimed
    expenses: tuple[Expense, ...]
    paid_household: Decimal = ZERO  # already paid to the household under this scheme year
    paid_persons: Mapping[str, Decimal] = field(default_factory=dict)  # already paid per person this year

    @property
    def per_capita(self) -> Decimal:
        return cents(self.net_income / self.persons) if self.persons > 0 else ZERO


@dataclass(frozen=True, slots=True)
class PayoutLine:
    item: str
    person: str
    amount: Decimal


@dataclass(frozen=True)
class Payout:
    amount: Decimal
    covered: bool
    steps: tuple[str, ...]
    lines: tuple[PayoutLine, ...] = ()

    @property
    def explanation(self) -> str:
        return "\n".join(self.steps)


def is_covered(scheme: Scheme, facts: ClaimFacts) -> tuple[bool, str]:
    if scheme.coverage is CoverageMode.POPULATION_SHARE:
        return True, (f"保障范围：按农村人口 {percent(scheme.coverage_share)} 投保，受益对象不事先确定，"
                      "本户属于保障范围")
    limit = cents(scheme.line * scheme.coverage_multiple)
    pc = facts.per_capita
    if facts.persons <= 0:
        return False, "保障范围：家庭人口须至少 1 人"
    if pc <= limit:
        return True, (f"保障范围：家庭人均纯收入 {money(pc)} ≤ {scheme.coverage_multiple.normalize():f} × 监测线 "
                      f"{money(scheme.line)} = {money(limit)}，属于保障范围")
    return False, (f"保障范围：家庭人均纯收入 {money(pc)} > {scheme.coverage_multiple.normalize():f} × 监测线 "
                   f"{money(scheme.line)} = {money(limit)}，不属于保障范围，不予赔付")


def _triggered(scheme: Scheme, facts: ClaimFacts, steps: list[str]) -> dict[str, Decimal]:
    """Items whose household total reached the warning line → that total."""
    totals: dict[str, Decimal] = {}
    for e in facts.expenses:
        if e.amount < 0:
            raise InsuranceError(f"{ITEMS.get(e.item, e.item)}金额不能为负数")
        totals[e.item] = totals.get(e.item, ZERO) + e.amount
    out: dict[str, Decimal] = {}
    for item, total in totals.items():
        name = ITEMS.get(item, item)
        rule = scheme.items.get(item)
        if rule is None:
            steps.append(f"{name} {money(total)}：本方案不保障该项目")
        elif total >= rule.warning_line:
            steps.append(f"{name}合计 {money(total)} ≥ 预警线 {money(rule.warning_line)}，启动理赔")
            out[item] = total
        else:
            steps.append(f"{name}合计 {money(total)} < 预警线 {money(rule.warning_line)}，不赔付")
    return out


def _household_cap(scheme: Scheme, facts: ClaimFacts, total: Decimal, steps: list[str]) -> Decimal:
    if scheme.per_household_cap is None:
        return total
    room = max(scheme.per_household_cap - facts.paid_household, ZERO)
    if total > room:
        steps.append(f"每户年度封顶 {money(scheme.per_household_cap)}，本年已赔 {money(facts.paid_household)}，"
                     f"本次最多 {money(room)}")
        return room
    return total


def payout(scheme: Scheme, facts: ClaimFacts) -> Payout:
    """The amount the scheme pays for ``facts``, with every step explained."""
    steps: list[str] = []
    covered, text = is_covered(scheme, facts)
    steps.append(text)
    if not covered:
        return Payout(ZERO, False, tuple(steps))
    triggered = _triggered(scheme, facts, steps)
    if not triggered:
        steps.append("没有达到预警线的支出项目，本次赔付 0.00 元")
        return Payout(ZERO, True, tuple(steps))
    if scheme.method is Method.GAP:
        return _gap(scheme, facts, triggered, steps)
    return _tiers(scheme, facts, triggered, steps)


def _tiers(scheme: Scheme, facts: ClaimFacts, triggered: dict[str, Decimal], steps: list[str]) -> Payout:
    lines: list[PayoutLine] = []
    paid_person = dict(facts.paid_persons)
    for e in facts.expenses:
        if e.item not in triggered:
            continue
        rule = scheme.items[e.item]
        who = e.person or "全户"
        name = ITEMS[e.item]
        base = max(e.amount - rule.deductible, ZERO)
        steps.append(f"{who} {name} {money(e.amount)} − 起付线 {money(rule.deductible)} = {money(base)}")
        amount = ZERO
        for tier, portion, paid in banded(base, rule.tiers):
            steps.append(f"　{tier.label()}：{money(portion)} × {percent(tier.rate)} = {money(paid)}")
            amount += paid
        if scheme.per_person_cap is not None and e.person:
            already = paid_person.get(e.person, ZERO)
            room = max(scheme.per_person_cap - already, ZERO)
            if amount > room:
                steps.append(f"　每人年度封顶 {money(scheme.per_person_cap)}，{who}本年已赔 {money(already)}，"
                             f"本项最多 {money(room)}")
                amount = room
            paid_person[e.person] = already + amount
        steps.append(f"　{who} {name}赔付 {money(amount)}")
        lines.append(PayoutLine(e.item, e.person, amount))
    total = sum((line.amount for line in lines), ZERO)
    capped = _household_cap(scheme, facts, total, steps)
    if capped < total:
        lines = _scale(lines, capped)
    steps.append(f"本次赔付合计 {money(capped)}")
    return Payout(capped, True, tuple(steps), tuple(lines))


def _scale(lines: list[PayoutLine], total: Decimal) -> list[PayoutLine]:
    """Lines cut down to ``total`` in order (the first lines keep theirs), so the lines still add up."""
    out = []
    left = total
    for line in lines:
        take = min(line.amount, left)
        out.append(PayoutLine(line.item, line.person, take))
        left -= take
    return out


def _gap(scheme: Scheme, facts: ClaimFacts, triggered: dict[str, Decimal], steps: list[str]) -> Payout:
    spending = sum(triggered.values(), ZERO)
    target = cents(scheme.line * scheme.gap_multiple * facts.persons)
    left = facts.net_income - spending
    steps.append(f"补齐到线：{scheme.gap_multiple.normalize():f} × 监测线 {money(scheme.line)} × {facts.persons} 人 "
                 f"= {money(target)}")
    steps.append(f"家庭纯收入 {money(facts.net_income)} − 达到预警线的支出 {money(spending)} = {money(left)}")
    gap = max(target - left, ZERO)
    if gap == 0:
        steps.append("扣除支出后的收入不低于线，差额为 0，不赔付")
        return Payout(ZERO, True, tuple(steps))
    steps.append(f"差额 {money(target)} − {money(left)} = {money(gap)}")
    capped = _household_cap(scheme, facts, cents(gap), steps)
    steps.append(f"本次赔付合计 {money(capped)}")
    return Payout(capped, True, tuple(steps), _apportion(triggered, capped))


def _apportion(spending: dict[str, Decimal], total: Decimal) -> tuple[PayoutLine, ...]:
    """``total`` split over the items in proportion to their spending (the last takes the rounding)."""
    whole = sum(spending.values(), ZERO)
    lines: list[PayoutLine] = []
    left = total
    for i, (item, amount) in enumerate(spending.items()):
        share = left if i == len(spending) - 1 else cents(total * amount / whole)
        lines.append(PayoutLine(item, "", share))
        left -= share
    return tuple(line for line in lines if line.amount > 0)


# ---------------------------------------------------------------- claim states


class ClaimState(StrEnum):
    OPEN = "open"  # 待核查 (the insurer's home check)
    PROPOSED = "proposed"  # 待审批 (the insurer proposed a payout)
    RETURNED = "returned"  # 退回重核 (the county sent it back)
    APPROVED = "approved"  # 已赔付
    REJECTED = "rejected"  # 不予赔付
    WITHDRAWN = "withdrawn"  # 已撤销


class ClaimAction(StrEnum):
    PROPOSE = "propose"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    INSURER = "insurer"
    COUNTY = "county"


CLAIM_STATE_LABELS = {
    ClaimState.OPEN: "待核查", ClaimState.PROPOSED: "待审批", ClaimState.RETURNED: "退回重核",
    ClaimState.APPROVED: "已赔付", ClaimState.REJECTED: "不予赔付", ClaimState.WITHDRAWN: "已撤销",
}
CLAIM_ACTION_LABELS = {
    ClaimAction.PROPOSE: "提交核查结果", ClaimAction.APPROVE: "审批赔付", ClaimAction.SEND_BACK: "退回重核",
    ClaimAction.REJECT: "不予赔付", ClaimAction.WITHDRAW: "撤销",
}
CLOSED_STATES = frozenset({ClaimState.APPROVED, ClaimState.REJECTED, ClaimState.WITHDRAWN})


@dataclass(frozen=True, slots=True)
class ClaimMove:
    next_state: ClaimState
    actor: Actor
    needs_reason: bool = False


_O, _P, _R = ClaimState.OPEN, ClaimState.PROPOSED, ClaimState.RETURNED
CLAIM_MOVES: dict[tuple[ClaimState, ClaimAction], ClaimMove] = {
    (_O, ClaimAction.PROPOSE): ClaimMove(_P, Actor.INSURER),
    (_R, ClaimAction.PROPOSE): ClaimMove(_P, Actor.INSURER),
    (_P, ClaimAction.APPROVE): ClaimMove(ClaimState.APPROVED, Actor.COUNTY),
    (_P, ClaimAction.SEND_BACK): ClaimMove(_R, Actor.COUNTY, needs_reason=True),
    (_P, ClaimAction.REJECT): ClaimMove(ClaimState.REJECTED, Actor.COUNTY, needs_reason=True),
    (_O, ClaimAction.WITHDRAW): ClaimMove(ClaimState.WITHDRAWN, Actor.COUNTY, needs_reason=True),
    (_R, ClaimAction.WITHDRAW): ClaimMove(ClaimState.WITHDRAWN, Actor.COUNTY, needs_reason=True),
}


class IllegalClaimMove(Exception):
    """A move the table does not allow, by the wrong party or without its reason; ``str()`` is Chinese."""


def claim_next(state: ClaimState, action: ClaimAction, actor: Actor, reason: str = "") -> ClaimState:
    move = CLAIM_MOVES.get((state, action))
    if move is None:
        raise IllegalClaimMove(f"理赔“{CLAIM_STATE_LABELS[state]}”时不能{CLAIM_ACTION_LABELS[action]}")
    if move.actor is not actor:
        who = "保险公司" if move.actor is Actor.INSURER else "县级"
        raise IllegalClaimMove(f"{CLAIM_ACTION_LABELS[action]}由{who}办理")
    if move.needs_reason and not reason.strip():
        raise IllegalClaimMove(f"{CLAIM_ACTION_LABELS[action]}须填写理由")
    return move.next_state


def claim_actions(state: ClaimState, actor: Actor) -> list[ClaimAction]:
    return [a for (s, a), m in CLAIM_MOVES.items() if s is state and m.actor is actor]


# ---------------------------------------------------------------- the fund ledger


class EntryKind(StrEnum):
    PREMIUM = "premium"  # 保费收入
    PAYOUT = "payout"  # 赔付支出
    TOPUP = "topup"  # 追加资金
    REFUND = "refund"  # 退费（结余返还）
    CARRY_IN = "carry_in"  # 上年结转
    CARRY_OUT = "carry_out"  # 结转下年


ENTRY_LABELS = {
    EntryKind.PREMIUM: "保费收入", EntryKind.PAYOUT: "赔付支出", EntryKind.TOPUP: "追加资金",
    EntryKind.REFUND: "退费", EntryKind.CARRY_IN: "上年结转", EntryKind.CARRY_OUT: "结转下年",
}
SIGN = {EntryKind.PREMIUM: 1, EntryKind.TOPUP: 1, EntryKind.CARRY_IN: 1,
        EntryKind.PAYOUT: -1, EntryKind.REFUND: -1, EntryKind.CARRY_OUT: -1}
# Entries a person records directly; carry-over comes only from ``close_year``, payouts only from claims.
MANUAL_KINDS = (EntryKind.PREMIUM, EntryKind.TOPUP, EntryKind.REFUND)


@dataclass(frozen=True, slots=True)
class Entry:
    kind: EntryKind
    amount: Decimal  # always ≥ 0; the kind gives the direction
    year: int
    note: str = ""

    @property
    def signed(self) -> Decimal:
        return self.amount * SIGN[self.kind]


def balance(entries: Iterable[Entry], year: int | None = None) -> Decimal:
    return sum((e.signed for e in entries if year is None or e.year == year), ZERO)


def is_closed(entries: Iterable[Entry], year: int) -> bool:
    return any(e.kind is EntryKind.CARRY_OUT and e.year == year for e in entries)


def check_entry(entries: Sequence[Entry], entry: Entry, *, allow_negative: bool = False) -> None:
    """Refuse an entry that would break the ledger: a non-positive amount, a closed year, a second carry-in,
    or an outflow beyond the balance (unless the fund may run negative until a top-up)."""
    label = ENTRY_LABELS[entry.kind]
    if entry.amount != cents(entry.amount):
        raise InsuranceError(f"{label}金额：最多两位小数")
    carry = entry.kind in (EntryKind.CARRY_IN, EntryKind.CARRY_OUT)
    if entry.amount < 0 or (entry.amount == 0 and not carry):
        raise InsuranceError(f"{label}金额：须大于 0")
    if is_closed(entries, entry.year):
        raise InsuranceError(f"{entry.year} 年度资金已结转下年，不能再记账")
    if entry.kind is EntryKind.CARRY_IN and any(e.kind is EntryKind.CARRY_IN and e.year == entry.year
                                                for e in entries):
        raise InsuranceError(f"{entry.year} 年度已有上年结转")
    after = balance(entries, entry.year) + entry.signed
    if SIGN[entry.kind] < 0 and after < 0 and not allow_negative:
        raise InsuranceError(f"{label} {money(entry.amount)} 超过 {entry.year} 年度资金余额 "
                             f"{money(balance(entries, entry.year))}，请先追加资金")


def close_year(entries: Sequence[Entry], year: int) -> tuple[Entry, Entry]:
    """The carry-over of ``year``'s balance: (carried out of ``year``, carried into ``year + 1``)."""
    if is_closed(entries, year):
        raise InsuranceError(f"{year} 年度已结转")
    left = balance(entries, year)
    if left < 0:
        raise InsuranceError(f"{year} 年度资金余额为 {money(left)}，须先追加资金补足再结转")
    out = Entry(EntryKind.CARRY_OUT, left, year, f"结转 {year + 1} 年度")
    into = Entry(EntryKind.CARRY_IN, left, year + 1, f"{year} 年度结转")
    check_entry(entries, into)
    return out, into


@dataclass(frozen=True, slots=True)
class Reconciliation:
    year: int
    opening: Decimal
    premiums: Decimal
    topups: Decimal
    payouts: Decimal
    refunds: Decimal
    carried_out: Decimal
    closing: Decimal

    @property
    def reconciles(self) -> bool:
        return (self.opening + self.premiums + self.topups - self.payouts - self.refunds - self.carried_out
                == self.closing)


def reconcile(entries: Sequence[Entry], year: int) -> Reconciliation:
    sums = {kind: ZERO for kind in EntryKind}
    for e in entries:
        if e.year == year:
            sums[e.kind] += e.amount
    return Reconciliation(year, sums[EntryKind.CARRY_IN], sums[EntryKind.PREMIUM], sums[EntryKind.TOPUP],
                          sums[EntryKind.PAYOUT], sums[EntryKind.REFUND], sums[EntryKind.CARRY_OUT],
                          balance(entries_of(entries, year)))


def entries_of(entries: Iterable[Entry], year: int) -> list[Entry]:
    return [e for e in entries if e.year == year]


def running(entries: Iterable[Entry]) -> list[tuple[Entry, Decimal]]:
    """Each entry with the balance of its year after it (the ledger page's last column)."""
    per_year: dict[int, Decimal] = {}
    out = []
    for e in entries:
        per_year[e.year] = per_year.get(e.year, ZERO) + e.signed
        out.append((e, per_year[e.year]))
    return out
