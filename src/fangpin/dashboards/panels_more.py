"""Panels of the apps that may or may not be installed (防贫保险, 诉求, 督战): each names its app and
imports its models only when computed, so the dashboard works with any of them absent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from fangpin.accounts.access import code_prefix_q
from fangpin.core.dashboard import PanelData, Series, percent
from fangpin.core.regions import Level
from fangpin.dashboards.panels import Ctx, panel

OWN_LEVEL = "本级"


def _yuan(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(Decimal("0.01")))


@panel("insurance_fund", "防贫保险基金", order=80, app="fangpin.insurance")
def insurance_fund(ctx: Ctx) -> PanelData:
    """The fund of the year: ledger entries by kind over the county schemes in (or above) the region."""
    from fangpin.core.insurance import ENTRY_LABELS, SIGN, EntryKind
    from fangpin.insurance.models import LedgerEntry

    year = ctx.day.year
    # a fund is the county's: below a county the dashboard shows the fund of the county it belongs to
    county = ctx.code if ctx.region.level <= Level.COUNTY else ctx.code[:6]
    sums = dict(LedgerEntry.objects.filter(code_prefix_q("scheme__region_id", county), scheme__year=year)
                .values("kind").annotate(total=Sum("amount")).values_list("kind", "total").order_by())
    kinds = list(EntryKind)
    amounts = [_yuan(sums.get(k.value)) for k in kinds]
    balance = sum((sums.get(k.value) or Decimal(0)) * SIGN[k] for k in kinds)
    where = "" if ctx.region.level <= Level.COUNTY else "（所属县的基金）"
    return PanelData(
        key="insurance_fund", title=f"防贫保险基金（{year} 年）{where}", kind="bar",
        categories=[ENTRY_LABELS[k] for k in kinds], series=[Series("金额", amounts)], unit="元",
        columns=["类别", "金额（元）"], rows=[[ENTRY_LABELS[k], a] for k, a in zip(kinds, amounts, strict=True)]
        + [["结余", _yuan(balance)]],
        note=f"结余 {_yuan(balance):,.2f} 元 = 保费收入 + 追加资金 + 上年结转 − 赔付支出 − 退费 − 结转下年")


@panel("insurance_claims", "防贫保险理赔", order=81, app="fangpin.insurance")
def insurance_claims(ctx: Ctx) -> PanelData:
    """Claims of the year on households of the region, by state: how many, and what was paid."""
    from fangpin.core.insurance import CLAIM_STATE_LABELS, ClaimState
    from fangpin.insurance.models import Claim

    year = ctx.day.year
    rows = {r["state"]: r for r in Claim.objects.filter(code_prefix_q("household__village_id", ctx.code),
                                                        scheme__year=year)
            .values("state").annotate(n=Count("id"), paid=Sum("approved_amount"), proposed=Sum("proposed_amount"))
            .order_by()}
    states = list(ClaimState)
    counts = [rows.get(s.value, {}).get("n", 0) for s in states]
    paid = rows.get(ClaimState.APPROVED.value, {})
    households = (Claim.objects.filter(code_prefix_q("household__village_id", ctx.code), scheme__year=year,
                                       state=ClaimState.APPROVED).values("household_id").distinct().count())
    return PanelData(
        key="insurance_claims", title=f"防贫保险理赔（{year} 年）", kind="bar",
        categories=[CLAIM_STATE_LABELS[s] for s in states], series=[Series("件数", counts)], unit="件",
        columns=["状态", "件数", "金额（元）"],
        rows=[[CLAIM_STATE_LABELS[s], rows.get(s.value, {}).get("n", 0),
               _yuan(rows.get(s.value, {}).get("paid" if s is ClaimState.APPROVED else "proposed"))] for s in states],
        note=f"已赔付 {households} 户 {_yuan(paid.get('paid')):,.2f} 元（待审批的金额为拟赔付金额）")


@panel("grievances", "群众诉求", order=90, app="fangpin.grievances")
def grievances(ctx: Ctx) -> PanelData:
    """Received, resolved and open per sub-region, counted by the grievance ledger's own tally."""
    from fangpin.core import grievance as core
    from fangpin.grievances.models import Grievance

    by_child: dict[str, list] = defaultdict(list)
    for state, satisfaction, due, village in Grievance.objects.filter(
            code_prefix_q("village_id", ctx.code)).values_list("state", "satisfaction", "due", "village_id"):
        row = core.Row(core.State(state), core.Satisfaction(satisfaction) if satisfaction else None, due)
        by_child[village[:ctx.child_width]].append(row)
    regions = ctx.rows_by_child(by_child)
    tallies = [core.tally(by_child.get(r.code, []), ctx.day) for r in regions]
    total = core.tally([row for rows in by_child.values() for row in rows], ctx.day)
    return PanelData(
        key="grievances", title="群众诉求办理", kind="bar", categories=[r.label for r in regions],
        series=[Series("受理", [t.received for t in tallies]), Series("已化解", [t.resolved for t in tallies]),
                Series("办理中", [t.open for t in tallies])], unit="件",
        columns=["区划", "受理", "已化解", "化解率（%）", "办理中", "其中超期", "回访不满意"],
        rows=[[r.label, t.received, t.resolved, percent(t.resolved, t.received), t.open, t.overdue, t.unsatisfied]
              for r, t in zip(regions, tallies, strict=True)],
        drill=[] if ctx.is_village else [r.code for r in regions],
        note=f"受理 {total.received} 件，已化解 {total.resolved} 件，化解率 {total.rate_text}；"
             f"办理中 {total.open} 件（超期 {total.overdue} 件）")


@panel("supervision", "督战问题", order=95, app="fangpin.supervision")
def supervision(ctx: Ctx) -> PanelData:
    """督战 problems assigned to the region or below: open, overdue, signed off — per sub-region."""
    from fangpin.core.supervision import OPEN_STATES, ProblemState
    from fangpin.supervision.models import Problem

    open_states = [s.value for s in OPEN_STATES]
    by_child: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "closed": 0})
    for row in (Problem.objects.filter(code_prefix_q("region_id", ctx.code)).values("region_id")
                .annotate(open=Count("id", filter=Q(state__in=open_states)),
                          overdue=Count("id", filter=Q(state__in=open_states, deadline__lt=ctx.day)),
                          closed=Count("id", filter=Q(state=ProblemState.CLOSED))).order_by()):
        code = row["region_id"]
        # a problem assigned to the region itself (a county's own office) is not under any sub-region
        key = code[:ctx.child_width] if len(code) >= ctx.child_width else OWN_LEVEL
        for name in ("open", "overdue", "closed"):
            by_child[key][name] += row[name]
    own = by_child.pop(OWN_LEVEL, None)
    regions = ctx.rows_by_child(by_child)
    labels = [r.label for r in regions]
    figures = [by_child.get(r.code, {"open": 0, "overdue": 0, "closed": 0}) for r in regions]
    drill = [] if ctx.is_village else [r.code for r in regions]
    if own:
        labels.append(f"{ctx.region.name}（{OWN_LEVEL}）")
        figures.append(own)
        drill = [*drill, ctx.code] if drill else []
    open_total = sum(f["open"] for f in figures)
    return PanelData(
        key="supervision", title="督战问题整改", kind="bar", categories=labels,
        series=[Series("未销号", [f["open"] for f in figures], "问题"), Series("已销号", [f["closed"] for f in figures],
                                                                      "问题"),
                Series("其中超期", [f["overdue"] for f in figures])], unit="个",
        columns=["区划", "未销号", "其中超期", "已销号"],
        rows=[[label, f["open"], f["overdue"], f["closed"]] for label, f in zip(labels, figures, strict=True)],
        drill=drill,
        note=f"未销号 {open_total} 个，其中超过整改期限 {sum(f['overdue'] for f in figures)} 个" if open_total
        else "无未销号问题")
