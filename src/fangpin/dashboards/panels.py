"""The panel registry and the panels over what exists: monitoring objects, pipeline, scale, assistance.

A panel is a function ``(ctx) → PanelData`` registered with ``@panel(key, title, order, app=…)``.
A panel naming an app shows only when that app is installed, so insurance, grievances and 督战
add their panels (``panels_more.py``) without the page changing. Every figure is a grouped query
over the region's code prefix (``village_id LIKE '<code>%'``: one index range); ``Ctx`` keeps
the queries several panels share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.core import workflow
from fangpin.core.dashboard import (
    PanelData,
    Series,
    month_keys,
    percent,
    scale_rows,
    tally_months,
    tally_risk_types,
)
from fangpin.core.policy import CATEGORIES, DEFAULT_RISK_TYPES
from fangpin.core.regions import CODE_LENGTHS, Level
from fangpin.core.workflow import State
from fangpin.regions.models import Region

UNFILED = "台账监测户（未建档）"
# A household counts as a monitoring object from the county's decision until elimination.
MONITORED_STATES = [State.MONITORING, State.ELIM_VERIFYING, State.ELIM_REVIEW, State.ELIM_NOTICE,
                    State.ELIM_DECISION]
# Open cases still in a procedure step: identification (线索 → 县级审定) and elimination (核实 → 审定).
PIPELINE_STATES = [s for s in State if s in workflow.OPEN_STATES and s is not State.MONITORING]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    compute: Callable[[Ctx], PanelData]
    order: int = 100
    app: str | None = None  # shown only when this Django app is installed

    @property
    def available(self) -> bool:
        return self.app is None or apps.is_installed(self.app)


PANELS: dict[str, Panel] = {}


def panel(key: str, title: str, *, order: int = 100, app: str | None = None):
    def register(fn: Callable[[Ctx], PanelData]) -> Callable[[Ctx], PanelData]:
        PANELS[key] = Panel(key, title, fn, order, app)
        return fn

    return register


def available_panels() -> list[Panel]:
    from fangpin.dashboards import panels_more  # noqa: F401  (registers the panels of optional apps)

    return sorted((p for p in PANELS.values() if p.available), key=lambda p: (p.order, p.key))


@dataclass
class Ctx:
    """One region on one day; the sub-regions and shared per-sub-region figures are computed once."""

    region: Region
    day: dt.date
    memo: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def is_village(self) -> bool:
        return self.region.level >= Level.VILLAGE

    @cached_property
    def child_width(self) -> int:
        return CODE_LENGTHS[Level(min(self.region.level + 1, Level.VILLAGE))]

    @cached_property
    def children(self) -> list[Region]:
        """Live sub-regions; a village is its own only "child" so its panels still have one row."""
        if self.is_village:
            return [self.region]
        return list(Region.objects.filter(parent_id=self.code, retired=False).order_by("code"))

    def child_of(self, field: str):
        return Substr(field, 1, self.child_width)

    def rows_by_child(self, found: dict[str, object]) -> list[Region]:
        """The live sub-regions plus any retired one that still holds data."""
        known = {c.code for c in self.children}
        extra = sorted(set(found) - known)
        if not extra:
            return self.children
        retired = {r.code: r for r in Region.objects.filter(code__in=extra)}
        return self.children + [retired.get(c) or Region(code=c, name=c, level=self.region.level + 1) for c in extra]

    # ---- shared queries

    def households(self):
        from fangpin.registry.models import Household

        return Household.objects.filter(code_prefix_q("village_id", self.code))

    def cases(self):
        from fangpin.cases.models import Case

        return Case.objects.filter(code_prefix_q("household__village_id", self.code))

    def monitored_cases(self):
        return self.cases().filter(closed_at__isnull=True, state__in=MONITORED_STATES)

    @cached_property
    def persons_day(self) -> dt.date | None:
        """The latest snapshot of registered persons (``refresh_dashboards``) on or before the day, if any."""
        from fangpin.dashboards.models import VillageTotals

        return (VillageTotals.objects.filter(code_prefix_q("village", self.code), day__lte=self.day)
                .aggregate(day=Max("day"))["day"])

    @cached_property
    def per_child(self) -> dict[str, dict[str, int]]:
        """Households, monitoring objects, persons and monitored persons per sub-region: grouped queries.

        A monitoring object is a household with an open case past the county's decision, or a 监测户
        of the ledger with none (not yet taken into the procedure): the same rule as the home page's scale.
        The registered persons come from the latest nightly snapshot when there is one (a scan of every
        member otherwise); everything else is live.
        """
        from fangpin.dashboards.models import VillageTotals
        from fangpin.registry.models import Member

        in_case = self.monitored_cases().values("household_id")
        monitored = Q(hh_type="jiance") | Q(pk__in=in_case)
        out: dict[str, dict[str, int]] = defaultdict(lambda: {"households": 0, "monitored": 0, "persons": 0,
                                                               "monitored_persons": 0})
        for row in (self.households().annotate(child=self.child_of("village_id")).values("child")
                    .annotate(n=Count("id"), m=Count("id", filter=monitored)).order_by()):
            out[row["child"]].update(households=row["n"], monitored=row["m"])
        active = Member.objects.filter(status="active")
        for row in (active.filter(household__in=self.households().filter(monitored).values("pk"))
                    .annotate(child=self.child_of("household__village_id")).values("child")
                    .annotate(n=Count("id")).order_by()):
            out[row["child"]]["monitored_persons"] = row["n"]
        if self.persons_day is not None:
            persons = (VillageTotals.objects.filter(code_prefix_q("village", self.code), day=self.persons_day)
                       .annotate(child=self.child_of("village")).values("child").annotate(n=Sum("persons")))
        else:
            persons = (active.filter(code_prefix_q("household__village_id", self.code))
                       .annotate(child=self.child_of("household__village_id")).values("child")
                       .annotate(n=Count("id")))
        for row in persons.order_by():
            out[row["child"]]["persons"] = row["n"]
        return dict(out)

    @property
    def persons_note(self) -> str:
        return f"登记人口为 {self.persons_day:%Y-%m-%d} 快照" if self.persons_day else ""

    @cached_property
    def deep_poverty(self) -> dict[str, bool]:
        """Per sub-region (and the region itself): whether the 10 % of a deep-poverty county applies."""
        if self.region.level >= Level.COUNTY:
            deep = Region.objects.filter(code=self.code[:6], deep_poverty=True).exists()
            return defaultdict(lambda: deep)
        counties = Region.objects.filter(code_prefix_q("code", self.code), level=Level.COUNTY,
                                         deep_poverty=True)
        return defaultdict(bool, dict.fromkeys(counties.values_list("code", flat=True), True))


# ---------------------------------------------------------------- panels over what exists


@panel("overview", "下级区划监测对象", order=10)
def overview(ctx: Ctx) -> PanelData:
    per = ctx.per_child
    regions = ctx.rows_by_child(per)
    empty = {"households": 0, "monitored": 0, "persons": 0, "monitored_persons": 0}
    rows, names, monitored, households = [], [], [], []
    for r in regions:
        f = per.get(r.code, empty)
        names.append(r.label)
        monitored.append(f["monitored"])
        households.append(f["households"])
        rows.append([r.label, f["households"], f["monitored"], f["persons"], f["monitored_persons"]])
    total = [sum(col) for col in zip(*(row[1:] for row in rows), strict=True)] if rows else [0, 0, 0, 0]
    rows.append(["合计", *total])
    level = "本村" if ctx.is_village else Level(ctx.region.level + 1).label
    return PanelData(
        key="overview", title=f"各{level}监测对象" if not ctx.is_village else "本村监测对象", kind="bar",
        categories=names, series=[Series("监测户", monitored)], unit="户",
        columns=[level if not ctx.is_village else "村", "登记农户", "监测户", "登记人口", "监测人口"], rows=rows,
        drill=[] if ctx.is_village else [r.code for r in regions],
        note="；".join(n for n in ("点击柱形进入下级区划" if not ctx.is_village else "", ctx.persons_note) if n))


@panel("scale", "监测规模", order=20)
def scale(ctx: Ctx) -> PanelData:
    per = ctx.per_child
    regions = ctx.rows_by_child(per)
    checked = scale_rows((r.code, r.label, per.get(r.code, {}).get("monitored_persons", 0),
                          per.get(r.code, {}).get("persons", 0), ctx.deep_poverty[r.code]) for r in regions)
    own = scale_rows([(ctx.code, ctx.region.name, sum(p["monitored_persons"] for p in per.values()),
                       sum(p["persons"] for p in per.values()), ctx.deep_poverty[ctx.code])])[0]
    over = [c for c in checked if c.over]
    note = (f"{ctx.region.name}：监测人口 {own.monitored:,} / 登记人口 {own.population:,} = {own.ratio}%"
            f"（参考 {own.limit.normalize():f}%）" + (f"，{ctx.persons_note}" if ctx.persons_note else ""))
    if over:
        note += f"；{len(over)} 个下级区划超过参考规模：" + "、".join(c.name for c in over[:10])
    return PanelData(
        key="scale", title="监测规模（监测人口占登记人口）", kind="bar",
        categories=[c.name for c in checked], series=[Series("监测占比", [float(c.ratio) for c in checked])],
        unit="%", columns=["区划", "监测人口", "登记人口", "占比（%）", "参考规模（%）", "超过"],
        rows=[[c.name, c.monitored, c.population, float(c.ratio), float(c.limit), "是" if c.over else ""]
              for c in checked],
        drill=[] if ctx.is_village else [c.code for c in checked], marks=[("参考 5%", 5.0), ("深度贫困 10%", 10.0)],
        note=note)


@panel("categories", "监测对象类别", order=30)
def categories(ctx: Ctx) -> PanelData:
    counts = dict(ctx.monitored_cases().values("category").annotate(n=Count("id")).values_list("category", "n")
                  .order_by())
    unfiled = ctx.households().filter(hh_type="jiance").exclude(
        pk__in=ctx.monitored_cases().values("household_id")).count()
    names = [c for c in CATEGORIES if counts.get(c)] + sorted(c or "未填写" for c in counts if c not in CATEGORIES)
    values = [counts.get(c if c != "未填写" else "", 0) for c in names]
    if unfiled:
        names.append(UNFILED)
        values.append(unfiled)
    total = sum(values)
    return PanelData(
        key="categories", title="监测对象类别", kind="pie", categories=names, series=[Series("户数", values)],
        unit="户", columns=["类别", "户数", "占比（%）"],
        rows=[[n, v, percent(v, total)] for n, v in zip(names, values, strict=True)] + [["合计", total, 100.0 if total
                                                                                       else 0.0]],
        note=f"{UNFILED}：台账中户类型为监测户、尚未通过存量建档或识别程序纳入的户" if unfiled else "")


@panel("risk_types", "风险类型", order=40)
def risk_types(ctx: Ctx) -> PanelData:
    types = ctx.monitored_cases().values_list("risk_types", flat=True)
    tallied = tally_risk_types(types, DEFAULT_RISK_TYPES)
    cases = ctx.monitored_cases().count()
    return PanelData(
        key="risk_types", title="监测对象风险类型", kind="hbar", categories=[t for t, _ in tallied],
        series=[Series("户数", [n for _, n in tallied])], unit="户", columns=["风险类型", "户数", "占监测户（%）"],
        rows=[[t, n, percent(n, cases)] for t, n in tallied],
        note="一户可有多种风险类型，各类相加可多于监测户数" if tallied else "")


@panel("months", "每月新纳入与风险消除", order=50)
def months(ctx: Ctx) -> PanelData:
    keys = month_keys(ctx.day, 12)
    y, m = (int(p) for p in keys[0].split("-"))
    start = dt.date(y, m, 1)
    entered = ctx.cases().filter(effective_date__gte=start, effective_date__lte=ctx.day).exclude(
        channel="ledger").values_list("effective_date", flat=True)
    adopted = ctx.cases().filter(channel="ledger", opened_at__date__gte=start).values_list("opened_at", flat=True)
    eliminated = ctx.cases().filter(state=State.ELIMINATED, closed_at__date__gte=start).values_list("closed_at",
                                                                                                   flat=True)
    local = [timezone.localtime(t).date() for t in adopted]
    series = [Series("识别纳入", tally_months(entered, keys)), Series("存量建档", tally_months(local, keys)),
              Series("风险消除", tally_months((timezone.localtime(t).date() for t in eliminated), keys))]
    return PanelData(
        key="months", title="每月新纳入与风险消除（近 12 个月）", kind="line", categories=keys, series=series, unit="户",
        columns=["月份", *(s.name for s in series)],
        rows=[[k, *(s.data[i] for s in series)] for i, k in enumerate(keys)])


@panel("pipeline", "识别进度与超期", order=60)
def pipeline(ctx: Ctx) -> PanelData:
    open_cases = ctx.cases().filter(closed_at__isnull=True, state__in=PIPELINE_STATES)
    by_child: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (open_cases.annotate(child=ctx.child_of("household__village_id")).values("child", "state")
                .annotate(n=Count("id"), late=Count("id", filter=Q(step_due__lt=ctx.day))).order_by()):
        by_child[row["child"]][row["state"]] += row["n"]
        by_child[row["child"]]["overdue"] += row["late"]
    regions = ctx.rows_by_child(by_child)
    states = [s for s in PIPELINE_STATES if any(by_child[c].get(s.value) for c in list(by_child))] or PIPELINE_STATES[:1]
    series = [Series(workflow.STATE_LABELS[s], [by_child.get(r.code, {}).get(s.value, 0) for r in regions], "在办")
              for s in states]
    overdue = [by_child.get(r.code, {}).get("overdue", 0) for r in regions]
    rows = [[r.label, *(s.data[i] for s in series), sum(s.data[i] for s in series), overdue[i]]
            for i, r in enumerate(regions)]
    late = sum(overdue)
    return PanelData(
        key="pipeline", title="识别进度与超期（在办案件）", kind="bar", categories=[r.label for r in regions],
        series=[*series, Series("其中超期", overdue)], unit="件",
        columns=["区划", *(s.name for s in series), "在办合计", "超期"], rows=rows,
        drill=[] if ctx.is_village else [r.code for r in regions],
        note=f"超期 {late} 件（本环节办理期限早于 {ctx.day:%Y-%m-%d}）" if late else "无超期案件")


@panel("assistance", "帮扶措施覆盖", order=70)
def assistance(ctx: Ctx) -> PanelData:
    from fangpin.core.assistance import MEASURES, MeasureStatus
    from fangpin.plans.models import Measure

    assisted = ctx.monitored_cases()
    base = assisted.count()
    measures = (Measure.objects.filter(plan__case__in=assisted.values("pk")).exclude(status=MeasureStatus.CANCELLED)
                .values("group").annotate(households=Count("plan__case_id", distinct=True), n=Count("id"),
                                          done=Count("id", filter=Q(status=MeasureStatus.DONE))).order_by())
    by_group = {row["group"]: row for row in measures}
    groups = list(dict.fromkeys(g for g, _ in MEASURES.values()))
    groups += sorted(g for g in by_group if g not in groups)
    shown = [g for g in groups if g in by_group] or groups
    covered = [by_group.get(g, {}).get("households", 0) for g in shown]
    with_any = (Measure.objects.filter(plan__case__in=assisted.values("pk"))
                .exclude(status=MeasureStatus.CANCELLED).values("plan__case_id").distinct().count())
    return PanelData(
        key="assistance", title="帮扶措施覆盖（按措施类别）", kind="hbar", categories=shown,
        series=[Series("覆盖户数", covered)], unit="户", columns=["措施类别", "覆盖户数", "覆盖率（%）", "措施数", "已落实"],
        rows=[[g, by_group.get(g, {}).get("households", 0), percent(by_group.get(g, {}).get("households", 0), base),
               by_group.get(g, {}).get("n", 0), by_group.get(g, {}).get("done", 0)] for g in shown],
        note=f"在监测的 {base:,} 户中 {with_any:,} 户已有帮扶措施（{percent(with_any, base)}%），"
             f"{base - with_any:,} 户尚无措施（不含已取消的措施）")
