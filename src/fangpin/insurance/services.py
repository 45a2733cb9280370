"""Verbs of 防贫保险: the scheme, claims (open → insurer's check → county decision) and the fund ledger.

Each verb is atomic, scoped to the user's region and audited. Claim moves come from the core's table
(``fangpin.core.insurance.CLAIM_MOVES``) and are conditional on the state the user saw
(``filter(pk=…, state=old).update(…)``): two approvals at once → exactly one payout. Every write to a
fund first locks the scheme row, so the balance a payout is checked against is the one it lands on.
On approval the payout becomes a 防贫保险 measure, done, on the case's plan (through the plans verbs)
and a payout entry of the fund ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q, scoped
from fangpin.alerts.models import Warning
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.cases.services import CaseError, work_calendar
from fangpin.core import insurance as core
from fangpin.core.insurance import (
    CLAIM_STATE_LABELS,
    ENTRY_LABELS,
    ITEM_RISK,
    ITEMS,
    MANUAL_KINDS,
    Actor,
    ClaimAction,
    ClaimFacts,
    ClaimState,
    EntryKind,
    Expense,
    IllegalClaimMove,
    InsuranceError,
    money,
)
from fangpin.core.regions import Level
from fangpin.core.rules import RIGID_RISK
from fangpin.insurance.models import OPEN_STATES, Claim, LedgerEntry, Scheme
from fangpin.plans import services as plans
from fangpin.regions.models import Region

HOUSEHOLD_SCOPE = "household__village__code"
# Screening rules whose warning is about rigid spending (a claim can be opened from them).
RIGID_RULES = frozenset({"rigid_over_income"})
RISK_ITEM = {risk: item for item, risk in ITEM_RISK.items()}


class InsuranceServiceError(Exception):
    """A refused request; ``str()`` is the Chinese explanation for the user."""


class StaleClaim(InsuranceServiceError):
    pass


# ---------------------------------------------------------------- lookups


def county_of(user) -> Region:
    """The county whose fund the user works on (county and insurer accounts sit at a county)."""
    region = Region.objects.filter(code=(user.region_id or "")[:6]).first()
    if region is None or len(region.code) != 6 or region.level != Level.COUNTY:
        raise InsuranceServiceError("您的账户不在县级区划，不能办理防贫保险")
    return region


def schemes_for(user):
    return Scheme.objects.filter(region_id=(user.region_id or "")[:6]) if len(user.region_id or "") >= 6 \
        else Scheme.objects.filter(code_prefix_q("region_id", user.region_id or "-"))


def scheme_for(user, year: int, *, lock: bool = False) -> Scheme:
    qs = schemes_for(user)
    if lock:
        qs = qs.select_for_update()
    scheme = qs.filter(year=year).first()
    if scheme is None:
        raise InsuranceServiceError(f"{year} 年度防贫保险方案尚未设置，请县级先在“保险方案”中设置")
    return scheme


def claims_for(user):
    return scoped(Claim.objects.all(), user, HOUSEHOLD_SCOPE)


def claim_for(user, claim_id: int) -> Claim:
    claim = (claims_for(user).select_related("scheme", "household__village", "case").filter(pk=claim_id).first())
    if claim is None:
        raise InsuranceServiceError("理赔不存在或不在您的管辖范围内")
    return claim


def _county(user) -> None:
    if not user.can("manage_insurance"):
        raise InsuranceServiceError("防贫保险方案、报案、审批和资金台账由县级办理")


def _insurer(user) -> None:
    if not user.can("check_insurance"):
        raise InsuranceServiceError("入户核查由承保的保险公司办理")


def _today(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now or timezone.now())


# ---------------------------------------------------------------- the scheme


@transaction.atomic
def do_save_scheme(user, year: int, data: dict[str, Any], request=None) -> Scheme:
    """Create or replace the county's scheme for ``year``; ``data`` holds the model's fields (items as the
    model stores them). The core checks the whole configuration before anything is saved."""
    _county(user)
    region = county_of(user)
    scheme = Scheme.objects.select_for_update().filter(region=region, year=year).first()
    created = scheme is None
    if scheme is None:
        scheme = Scheme(region=region, year=year, created_by=user)
    before = {f: str(getattr(scheme, f)) for f in data} if not created else {}
    for field, value in data.items():
        setattr(scheme, field, value)
    try:
        problems = scheme.as_core().problems()
    except (InsuranceError, KeyError, ArithmeticError) as exc:
        problems = [str(exc)]
    if problems:
        raise InsuranceServiceError("；".join(problems))
    scheme.save()
    record(request, "insurance.scheme", obj=scheme, user=user,
           summary=f"{'设置' if created else '修改'} {year} 年度防贫保险方案",
           detail={"year": year, "before": before, "after": {f: str(getattr(scheme, f)) for f in data}})
    return scheme


# ---------------------------------------------------------------- opening claims


def _open(user, *, scheme: Scheme, household, case: Case | None, warning: Warning | None, source: str, item: str,
          summary: str, request, now: dt.datetime) -> Claim:
    existing = Claim.objects.filter(household=household, item=item, state__in=OPEN_STATES).first()
    if existing is not None:
        return existing  # a second click, or the same spending reported by another channel
    due = work_calendar().add_workdays(timezone.localdate(now), scheme.check_days)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(scheme=scheme, household=household, case=case, warning=warning,
                                         source=source, item=item, summary=summary[:500], opened_by=user,
                                         opened_at=now, check_due=due)
    except IntegrityError:  # a concurrent click won: the constraint keeps one claim in progress
        found = Claim.objects.filter(household=household, item=item, state__in=OPEN_STATES).first()
        if found is None:
            raise
        return found
    record(request, "insurance.claim.open", obj=claim, user=user,
           summary=f"防贫保险报案：户 {household.hh_no} {ITEMS[item]}（{claim.get_source_display()}）",
           detail={"claim": claim.pk, "source": source, "case": case.pk if case else None,
                   "warning": warning.pk if warning else None, "item": item, "check_due": due.isoformat()})
    return claim


def item_of_warning(warning: Warning) -> str:
    for risk in warning.risk_types or []:
        if risk in RISK_ITEM:
            return RISK_ITEM[risk]
    return "medical_oop"


@transaction.atomic
def do_open_claim_from_warning(user, warning_id: int, *, item: str | None = None, request=None,
                               now: dt.datetime | None = None) -> Claim:
    """A rigid-spending warning of screening opens a claim. A warning still open also becomes a lead on the
    household's case (the spending is a risk the identification procedure must look at)."""
    _county(user)
    now = now or timezone.now()
    warning = (scoped(Warning.objects.select_related("household", "lead"), user, HOUSEHOLD_SCOPE)
               .filter(pk=warning_id).first())
    if warning is None:
        raise InsuranceServiceError("预警不存在或不在您的管辖范围内")
    if warning.rule not in RIGID_RULES:
        raise InsuranceServiceError(f"预警“{warning.title}”不是刚性支出预警，不能据此报案")
    if warning.status == "dismissed":
        raise InsuranceServiceError("该预警已排除，不能据此报案")
    item = item or item_of_warning(warning)
    if item not in ITEMS:
        raise InsuranceServiceError(f"支出项目：未知的项目“{item}”")
    done = Claim.objects.filter(warning=warning).first()
    if done is not None:
        return done
    scheme = scheme_for(user, int(warning.period[:4]))
    if warning.status == "open":
        from fangpin.alerts.services import AlertError, do_warning_to_lead

        try:
            warning = do_warning_to_lead(user, warning.pk, request=request)
        except (AlertError, CaseError) as exc:
            raise InsuranceServiceError(str(exc)) from None
    case = warning.lead.case if warning.lead_id else \
        Case.objects.filter(household=warning.household, closed_at__isnull=True).first()
    return _open(user, scheme=scheme, household=warning.household, case=case, warning=warning, source="warning",
                 item=item, summary=f"筛查预警（{warning.period}）：{warning.text}", request=request, now=now)


@transaction.atomic
def do_open_claim_from_case(user, case_id: int, *, item: str, summary: str = "", request=None,
                            now: dt.datetime | None = None) -> Claim:
    """The county reports a monitored household's large spending (医疗、就学、灾害) to the insurer."""
    _county(user)
    now = now or timezone.now()
    case = (scoped(Case.objects.select_related("household"), user, HOUSEHOLD_SCOPE)
            .filter(pk=case_id).first())
    if case is None:
        raise InsuranceServiceError("案件不存在或不在您的管辖范围内")
    if case.closed_at is not None:
        raise InsuranceServiceError("案件已结案，不能据此报案")
    if item not in ITEMS:
        raise InsuranceServiceError("支出项目：请选择医疗自付、教育支出或灾害损失")
    scheme = scheme_for(user, timezone.localdate(now).year)
    text = summary.strip() or f"监测案件 {case.pk}（{'、'.join(case.risk_types or []) or '—'}）：{ITEMS[item]}"
    return _open(user, scheme=scheme, household=case.household, case=case, warning=None, source="case", item=item,
                 summary=text, request=request, now=now)


# ---------------------------------------------------------------- moves


def _move(user, claim: Claim, action: ClaimAction, actor: Actor, updates: dict[str, Any], *, reason: str = "",
          request=None, detail: dict[str, Any] | None = None) -> Claim:
    old = claim.state_enum
    try:
        new = core.claim_next(old, action, actor, reason)
    except IllegalClaimMove as exc:
        raise InsuranceServiceError(str(exc)) from None
    updates = {"state": new.value, **updates}
    if Claim.objects.filter(pk=claim.pk, state=old.value).update(**updates) != 1:
        raise StaleClaim("该理赔已被他人办理，请刷新后查看")
    for field, value in updates.items():
        setattr(claim, field, value)
    record(request, f"insurance.claim.{action.value}", obj=claim, user=user,
           summary=f"防贫保险理赔 {claim.pk}：{CLAIM_STATE_LABELS[old]} → {CLAIM_STATE_LABELS[new]}",
           detail={"claim": claim.pk, "from": old.value, "to": new.value, "reason": reason[:200], **(detail or {})})
    return claim


def paid_so_far(claim: Claim) -> tuple[Decimal, dict[str, Decimal]]:
    """What the household and each of its persons were already paid under the claim's scheme (other claims)."""
    household = Decimal(0)
    persons: dict[str, Decimal] = {}
    for lines, amount in (Claim.objects.filter(scheme=claim.scheme, household=claim.household,
                                               state=ClaimState.APPROVED).exclude(pk=claim.pk)
                          .values_list("lines", "approved_amount")):
        household += amount or 0
        for line in lines:
            if line.get("person"):
                persons[line["person"]] = persons.get(line["person"], Decimal(0)) + Decimal(line["amount"])
    return household, persons


def compute(claim: Claim, persons: int, net_income: Decimal, expenses: list[Expense]) -> core.Payout:
    household, per_person = paid_so_far(claim)
    facts = ClaimFacts(persons=persons, net_income=net_income, expenses=tuple(expenses), paid_household=household,
                       paid_persons=per_person)
    return core.payout(claim.scheme.as_core(), facts)


@transaction.atomic
def do_check_claim(user, claim_id: int, *, check_date: dt.date, persons: int, net_income: Decimal,
                   expenses: list[Expense], note: str = "", request=None, now: dt.datetime | None = None) -> Claim:
    """The insurer's home check (入户核查): the facts found and the payout the core computes from them."""
    _insurer(user)
    now = now or timezone.now()
    claim = claim_for(user, claim_id)
    if check_date > _today(now):
        raise InsuranceServiceError("核查日期：不能晚于今天")
    if check_date < timezone.localdate(claim.opened_at):
        raise InsuranceServiceError(f"核查日期：不能早于报案日期 {timezone.localdate(claim.opened_at):%Y-%m-%d}")
    if persons < 1:
        raise InsuranceServiceError("家庭人口：至少 1 人")
    if not expenses:
        raise InsuranceServiceError("支出明细：请至少填写一项（项目和金额）")
    for i, e in enumerate(expenses, 1):
        if e.item not in ITEMS:
            raise InsuranceServiceError(f"支出明细第 {i} 行：未知的项目")
        if e.amount <= 0:
            raise InsuranceServiceError(f"支出明细第 {i} 行：金额须大于 0")
    try:
        result = compute(claim, persons, net_income, expenses)
    except InsuranceError as exc:
        raise InsuranceServiceError(str(exc)) from None
    facts = {"check_date": check_date.isoformat(), "persons": persons, "net_income": str(net_income),
             "expenses": [{"item": e.item, "person": e.person, "amount": str(e.amount)} for e in expenses],
             "note": note[:1000]}
    return _move(user, claim, ClaimAction.PROPOSE, Actor.INSURER,
                 {"facts": facts, "checked_by": user, "checked_at": now, "proposed_amount": result.amount,
                  "explanation": list(result.steps), "reason": claim.reason,
                  "lines": [{"item": ln.item, "person": ln.person, "amount": str(ln.amount)} for ln in result.lines]},
                 request=request, detail={"proposed": str(result.amount), "covered": result.covered})


def _stored_expenses(claim: Claim) -> list[Expense]:
    return [Expense(e["item"], Decimal(e["amount"]), e.get("person", "")) for e in claim.facts.get("expenses", [])]


@transaction.atomic
def do_approve_claim(user, claim_id: int, *, request=None, now: dt.datetime | None = None) -> Claim:
    """The county approves the proposed payout: the fund pays it (a ledger entry) and it is recorded as a
    防贫保险 measure, done, on the case's plan."""
    _county(user)
    now = now or timezone.now()
    claim = claim_for(user, claim_id)
    scheme = Scheme.objects.select_for_update().get(pk=claim.scheme_id)  # serialises the fund's writes
    claim.scheme = scheme
    if claim.state_enum is ClaimState.PROPOSED:
        if not claim.proposed_amount or claim.proposed_amount <= 0:
            raise InsuranceServiceError("拟赔付金额为 0：请“不予赔付”并说明理由，或退回重核")
        case = claim.case or Case.objects.filter(household=claim.household, closed_at__isnull=True).first()
        if case is None or case.closed_at is not None or case.state_enum not in plans.ASSISTANCE_STATES:
            state = "没有在办案件" if case is None else f"案件当前为“{case.get_state_display()}”"
            raise InsuranceServiceError(f"该户{state}：赔付登记为帮扶措施，须在纳入监测（监测帮扶中）后审批")
    claim = _move(user, claim, ClaimAction.APPROVE, Actor.COUNTY, {"decided_by": user, "decided_at": now},
                  request=request)
    # Caps count other approved claims: one approved since the proposal may have used up the room.
    fresh = compute(claim, int(claim.facts["persons"]), Decimal(claim.facts["net_income"]), _stored_expenses(claim))
    if fresh.amount != claim.proposed_amount:
        raise InsuranceServiceError(f"按现行方案和该户本年度已有赔付重新计算应为 {money(fresh.amount)}"
                                    f"（原拟 {money(claim.proposed_amount or 0)}），请退回保险公司重核")
    amount = fresh.amount
    day = _today(now)
    _add_entry(user, scheme, EntryKind.PAYOUT, amount, day,
               f"理赔 {claim.pk}：户 {claim.household.hh_no} {claim.item_label}", claim=claim,
               allow_negative=scheme.allow_overdraft, request=request)
    measure = _record_measure(user, claim, case, amount, day, request)
    Claim.objects.filter(pk=claim.pk).update(approved_amount=amount, measure=measure)
    claim.approved_amount, claim.measure = amount, measure
    return claim


def _record_measure(user, claim: Claim, case: Case, amount: Decimal, day: dt.date, request):
    try:
        measure = plans.do_add_measure(user, case.pk, code=plans.INSURANCE_CODE, amount=amount, start_date=day,
                                       detail=f"防贫保险赔付（理赔 {claim.pk}，{claim.item_label}）", request=request)
        return plans.do_complete_measure(user, measure.pk, done_date=day, request=request,
                                         result=f"{claim.scheme.insurer_name or '承保机构'}赔付 {money(amount)}"
                                                f"（县级 {day:%Y-%m-%d} 审批）")
    except plans.PlanError as exc:
        raise InsuranceServiceError(f"登记帮扶措施失败：{exc}") from None


@transaction.atomic
def do_send_back_claim(user, claim_id: int, *, reason: str, request=None, now: dt.datetime | None = None) -> Claim:
    _county(user)
    claim = claim_for(user, claim_id)
    return _move(user, claim, ClaimAction.SEND_BACK, Actor.COUNTY,
                 {"reason": reason.strip()[:500], "decided_by": user, "decided_at": now or timezone.now()},
                 reason=reason, request=request)


@transaction.atomic
def do_reject_claim(user, claim_id: int, *, reason: str, request=None, now: dt.datetime | None = None) -> Claim:
    _county(user)
    claim = claim_for(user, claim_id)
    return _move(user, claim, ClaimAction.REJECT, Actor.COUNTY,
                 {"reason": reason.strip()[:500], "decided_by": user, "decided_at": now or timezone.now()},
                 reason=reason, request=request)


@transaction.atomic
def do_withdraw_claim(user, claim_id: int, *, reason: str, request=None, now: dt.datetime | None = None) -> Claim:
    _county(user)
    claim = claim_for(user, claim_id)
    return _move(user, claim, ClaimAction.WITHDRAW, Actor.COUNTY,
                 {"reason": reason.strip()[:500], "decided_by": user, "decided_at": now or timezone.now()},
                 reason=reason, request=request)


# ---------------------------------------------------------------- the fund ledger


def core_entries(region_id: str) -> list[core.Entry]:
    return [core.Entry(EntryKind(kind), amount, year, note) for kind, amount, year, note in
            LedgerEntry.objects.filter(scheme__region_id=region_id).order_by("id")
            .values_list("kind", "amount", "scheme__year", "note")]


def _add_entry(user, scheme: Scheme, kind: EntryKind, amount: Decimal, day: dt.date, note: str, *,
               claim: Claim | None = None, allow_negative: bool = False, request=None) -> LedgerEntry:
    """Check the entry against the county's whole ledger (the caller holds the scheme's row lock). The ledger
    is kept in the order things happened: an entry is not dated before the year's last one."""
    try:
        core.check_entry(core_entries(scheme.region_id), core.Entry(kind, amount, scheme.year, note),
                         allow_negative=allow_negative)
    except InsuranceError as exc:
        raise InsuranceServiceError(str(exc)) from None
    last = LedgerEntry.objects.filter(scheme=scheme).order_by("-date").values_list("date", flat=True).first()
    if last is not None and day < last:
        raise InsuranceServiceError(f"日期：不能早于本年度上一笔记账日期 {last:%Y-%m-%d}")
    entry = LedgerEntry.objects.create(scheme=scheme, kind=kind, amount=amount, date=day, note=note[:300],
                                       claim=claim, created_by=user)
    record(request, "insurance.ledger", obj=entry, user=user,
           summary=f"{scheme.year} 年度防贫保险资金：{ENTRY_LABELS[kind]} {money(amount)}",
           detail={"scheme": scheme.pk, "kind": kind.value, "amount": str(amount), "date": day.isoformat(),
                   "claim": claim.pk if claim else None})
    return entry


@transaction.atomic
def do_record_entry(user, year: int, *, kind: str, amount: Decimal, day: dt.date, note: str = "", request=None,
                    now: dt.datetime | None = None) -> LedgerEntry:
    """Premium in, top-up or refund, recorded by the county (payouts come from claims, carry-over from
    ``do_carry_over``)."""
    _county(user)
    try:
        entry_kind = EntryKind(kind)
    except ValueError:
        entry_kind = None
    if entry_kind not in MANUAL_KINDS:
        raise InsuranceServiceError("类别：请选择保费收入、追加资金或退费")
    if day > _today(now):
        raise InsuranceServiceError("日期：不能晚于今天")
    scheme = scheme_for(user, year, lock=True)
    return _add_entry(user, scheme, entry_kind, amount, day, note.strip(), request=request)


@transaction.atomic
def do_carry_over(user, year: int, *, day: dt.date | None = None, request=None,
                  now: dt.datetime | None = None) -> tuple[LedgerEntry, LedgerEntry]:
    """Close ``year``: its balance is carried out and into the next year's fund (whose scheme must exist),
    dated ``day`` (default today)."""
    _county(user)
    scheme = scheme_for(user, year, lock=True)
    following = Scheme.objects.select_for_update().filter(region_id=scheme.region_id, year=year + 1).first()
    if following is None:
        raise InsuranceServiceError(f"请先设置 {year + 1} 年度防贫保险方案，再结转 {year} 年度结余")
    try:
        out, into = core.close_year(core_entries(scheme.region_id), year)
    except InsuranceError as exc:
        raise InsuranceServiceError(str(exc)) from None
    day = day or _today(now)
    if day > _today(now):
        raise InsuranceServiceError("结转日期：不能晚于今天")
    made = (LedgerEntry.objects.create(scheme=scheme, kind=out.kind, amount=out.amount, date=day, note=out.note,
                                       created_by=user),
            LedgerEntry.objects.create(scheme=following, kind=into.kind, amount=into.amount, date=day,
                                       note=into.note, created_by=user))
    record(request, "insurance.carry_over", obj=scheme, user=user,
           summary=f"{year} 年度防贫保险资金结余 {money(out.amount)} 结转 {year + 1} 年度",
           detail={"year": year, "amount": str(out.amount), "entries": [e.pk for e in made]})
    return made


def ledger_rows(scheme: Scheme) -> tuple[list[tuple[LedgerEntry, Decimal]], core.Reconciliation]:
    entries = list(LedgerEntry.objects.filter(scheme=scheme).select_related("claim__household", "created_by")
                   .order_by("id"))
    rows = list(zip(entries, (after for _, after in core.running([e.as_core() for e in entries])), strict=True))
    return rows, core.reconcile([core.Entry(EntryKind(e.kind), e.amount, scheme.year) for e in entries],
                                scheme.year)


# ---------------------------------------------------------------- what a claim can be opened from


def eligible_warnings(user):
    """Rigid-spending warnings of the user's region not dismissed and not yet claimed."""
    claimed = Claim.objects.filter(warning__isnull=False).values("warning_id")
    return (scoped(Warning.objects.filter(rule__in=RIGID_RULES).exclude(status="dismissed")
                   .exclude(pk__in=claimed), user, HOUSEHOLD_SCOPE)
            .select_related("household__village__parent").order_by("-period", "household__village_id", "id"))


def eligible_cases(user):
    """Open cases with a spending risk (因病、因学、因灾) and no claim in progress."""
    busy = Claim.objects.filter(state__in=OPEN_STATES).values("household_id")
    qs = scoped(Case.objects.filter(closed_at__isnull=True).exclude(household_id__in=busy), user, HOUSEHOLD_SCOPE)
    cases = qs.select_related("household__village__parent").order_by("household__village_id", "id")
    return [c for c in cases if set(c.risk_types or []) & set(RIGID_RISK.values())]
