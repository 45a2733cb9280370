"""Reports: the formatted ledgers of monitoring objects and of assistance measures (xlsx), and the monthly
report (HTML preview and PDF) with the dashboards' panels drawn as SVG. Everything is scoped to a region the
user may see; every generation is audited (the ledgers carry names and masked ID numbers)."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404

from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record
from fangpin.cases.models import Case
from fangpin.core import workflow
from fangpin.core.regions import Level
from fangpin.core.workflow import STATE_LABELS, State
from fangpin.plans.models import FollowUp, Measure, Plan
from fangpin.plans.services import ASSISTANCE_STATES
from fangpin.regions.models import Region
from fangpin.registry.models import Member
from fangpin.reports import svg
from fangpin.reports.xlsx import Column, Group, write_ledger

MONITORED = [s.value for s in ASSISTANCE_STATES]
PROCEDURE = [s.value for s in workflow.OPEN_STATES if s not in ASSISTANCE_STATES]


class ReportError(Exception):
    """A refused request; ``str()`` is the Chinese explanation."""


def region_for(user, code: str | None) -> Region:
    """The region asked for if the user may see it (own subtree), else 404; the user's own by default."""
    code = code or user.scope_code
    if not code.startswith(user.scope_code):
        raise Http404("区划不存在或不在您的管辖范围内")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("区划不存在或不在您的管辖范围内")
    return region


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        year, mon = (int(p) for p in month.split("-"))
        return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])
    except (ValueError, calendar.IllegalMonthError):
        raise ReportError(f"月份“{month}”无效，应为 YYYY-MM，如 2026-10") from None


def _unit(region: Region) -> str:
    names = list(Region.objects.filter(code__in=_ancestors(region.code)).order_by("level")
                 .values_list("name", flat=True))
    return "".join(names[-3:]) or region.name


def _ancestors(code: str) -> list[str]:
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


def _heads(household_ids: list[int]) -> dict[int, Member]:
    heads: dict[int, Member] = {}
    for start in range(0, len(household_ids), 2000):
        for m in Member.objects.filter(household_id__in=household_ids[start:start + 2000], relation="head",
                                       status="active").order_by("pk"):
            heads.setdefault(m.household_id, m)
    return heads


# ---------------------------------------------------------------- 监测对象台账

MONITORING_COLUMNS = [
    Column("序号", 6, "int"), Column("乡镇", 12), Column("村", 14), Column("户编号", 16), Column("户主姓名", 10),
    Column("户主身份证号（脱敏）", 20), Column("家庭人口", 8, "int"),
    Column("监测对象类别", 14), Column("风险类型", 16), Column("纳入监测日期", 12, "date"), Column("当前环节", 12),
    Column("帮扶责任人", 10), Column("帮扶措施（项）", 10, "int"), Column("已落实（项）", 10, "int"),
    Column("最近回访", 12, "date"), Column("近12个月人均纯收入（元）", 14, "money"),
]
MONITORING_GROUPS = [Group("", 1), Group("所在地", 2), Group("户基本情况", 4), Group("监测信息", 4),
                     Group("帮扶情况", 5)]


def monitoring_rows(region: Region) -> list[list[Any]]:
    cases = list(Case.objects.filter(code_prefix_q("household__village_id", region.code),
                                     closed_at__isnull=True, state__in=MONITORED)
                 .select_related("household__village__parent")
                 .order_by("household__village_id", "household__hh_no"))
    ids = [c.pk for c in cases]
    households = [c.household_id for c in cases]
    heads = _heads(households)
    persons = dict(Member.objects.filter(household_id__in=households, status="active").values("household_id")
                   .annotate(n=Count("id")).values_list("household_id", "n"))
    helpers = dict(Plan.objects.filter(case_id__in=ids).values_list("case_id", "helper_name"))
    measures: dict[int, Counter] = defaultdict(Counter)
    for case_id, status, n in (Measure.objects.filter(plan__case_id__in=ids).values("plan__case_id", "status")
                               .annotate(n=Count("id")).values_list("plan__case_id", "status", "n")):
        measures[case_id]["all"] += 0 if status == "cancelled" else n
        measures[case_id]["done"] += n if status == "done" else 0
    latest = FollowUp.objects.filter(case=OuterRef("pk")).order_by("-visit_date", "-id")
    visits = {row["pk"]: row for row in Case.objects.filter(pk__in=ids).annotate(
        last_visit=Max("followups__visit_date"),
        per_capita=Subquery(latest.values("per_capita")[:1])).values("pk", "last_visit", "per_capita")}
    rows = []
    for n, c in enumerate(cases, start=1):
        h = c.household
        head = heads.get(h.pk)
        v = visits.get(c.pk, {})
        rows.append([n, h.village.parent.name if h.village.parent else "", h.village.name, h.hh_no,
                     head.name if head else "", head.id_masked if head else "", persons.get(h.pk, 0),
                     c.category, "、".join(c.risk_types), c.effective_date, STATE_LABELS[State(c.state)],
                     helpers.get(c.pk, ""), measures[c.pk]["all"], measures[c.pk]["done"], v.get("last_visit"),
                     v.get("per_capita")])
    return rows


# ---------------------------------------------------------------- 帮扶措施台账

MEASURE_COLUMNS = [
    Column("序号", 6, "int"), Column("乡镇", 12), Column("村", 14), Column("户编号", 16), Column("户主姓名", 10),
    Column("类别", 10), Column("措施", 14), Column("具体内容", 30), Column("金额（元）", 12, "money"),
    Column("开始日期", 12, "date"), Column("转办部门", 12), Column("状态", 8), Column("落实日期", 12, "date"),
    Column("落实情况", 30),
]
MEASURE_GROUPS = [Group("", 1), Group("所在地", 2), Group("农户", 2), Group("帮扶措施", 5), Group("落实情况", 4)]


def measure_rows(region: Region, first: dt.date | None = None, last: dt.date | None = None) -> list[list[Any]]:
    qs = (Measure.objects.filter(code_prefix_q("plan__case__household__village_id", region.code))
          .exclude(status="cancelled").select_related("plan__case__household__village__parent"))
    if first and last:
        # measures running in the period: started (or recorded) before its end, not done before its start
        qs = qs.filter(Q(start_date__lte=last) | Q(start_date__isnull=True, created_at__date__lte=last))
        qs = qs.filter(Q(done_date__isnull=True) | Q(done_date__gte=first))
    measures = list(qs.order_by("plan__case__household__village_id", "plan__case__household__hh_no", "id"))
    heads = _heads(list({m.plan.case.household_id for m in measures}))
    rows = []
    for n, m in enumerate(measures, start=1):
        h = m.plan.case.household
        head = heads.get(h.pk)
        rows.append([n, h.village.parent.name if h.village.parent else "", h.village.name, h.hh_no,
                     head.name if head else "", m.group, m.label, m.detail, m.amount, m.start_date,
                     m.get_department_kind_display() if m.department_kind else "", m.get_status_display(),
                     m.done_date, m.result])
    return rows


def do_export_ledger(request, kind: str, region: Region, day: dt.date) -> tuple[bytes, str]:
    out = io.BytesIO()
    unit = _unit(region)
    if kind == "monitoring":
        rows = monitoring_rows(region)
        title = f"{region.name}防止返贫监测对象台账"
        n = write_ledger(out, title=title, unit=unit, day=day, groups=MONITORING_GROUPS, columns=MONITORING_COLUMNS,
                         rows=rows, sheet_name="监测对象", note="说明：监测对象指已纳入监测（含风险消除办理中）的农户；身份证号已脱敏。")
    elif kind == "measures":
        rows = measure_rows(region)
        title = f"{region.name}监测对象帮扶措施台账"
        n = write_ledger(out, title=title, unit=unit, day=day, groups=MEASURE_GROUPS, columns=MEASURE_COLUMNS,
                         rows=rows, sheet_name="帮扶措施", note="说明：不含已取消的措施；金额单位为元。")
    else:
        raise Http404("没有这种台账")
    record(request, "report.ledger", region_code=region.code, summary=f"导出{title}（{n} 行）",
           detail={"kind": kind, "rows": n})
    return out.getvalue(), f"{title}_{day:%Y%m%d}.xlsx"


# ---------------------------------------------------------------- 月度报告


@dataclass
class Figure:
    label: str
    value: int
    note: str = ""


@dataclass
class MonthlyReport:
    region: Region
    unit: str
    month: str
    first: dt.date
    last: dt.date
    figures: list[Figure] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)  # title, svg, table columns/rows, note
    summary: list[str] = field(default_factory=list)


def monthly_report(region: Region, month: str, today: dt.date) -> MonthlyReport:
    first, last = month_bounds(month)
    if first > today:
        raise ReportError(f"{month} 尚未开始，不能生成月度报告")
    day = min(last, today)
    report = MonthlyReport(region, _unit(region), month, first, last)
    cases = Case.objects.filter(code_prefix_q("household__village_id", region.code))
    monitored = cases.filter(closed_at__isnull=True, state__in=MONITORED)
    new = cases.filter(effective_date__range=(first, last))
    eliminated = cases.filter(state=State.ELIMINATED, closed_at__date__range=(first, last))
    procedure = cases.filter(closed_at__isnull=True, state__in=PROCEDURE)
    overdue = procedure.filter(step_due__lt=day)
    measures_added = Measure.objects.filter(code_prefix_q("plan__case__household__village_id", region.code),
                                            created_at__date__range=(first, last))
    measures_done = Measure.objects.filter(code_prefix_q("plan__case__household__village_id", region.code),
                                           status="done", done_date__range=(first, last))
    followups = FollowUp.objects.filter(code_prefix_q("case__household__village_id", region.code),
                                        visit_date__range=(first, last))
    monitored_persons = Member.objects.filter(household__cases__in=monitored, status="active").distinct().count()
    report.figures = [
        Figure("监测对象（户）", monitored.count(), f"{monitored_persons} 人"),
        Figure("本月新纳入（户）", new.count()),
        Figure("本月风险消除（户）", eliminated.count()),
        Figure("识别程序中（户）", procedure.count(), f"其中超期 {overdue.count()} 户"),
        Figure("本月新增帮扶措施（项）", measures_added.count(), f"本月落实 {measures_done.count()} 项"),
        Figure("本月帮扶回访（次）", followups.count()),
    ]
    f = {x.label: x.value for x in report.figures}
    report.summary = [
        f"截至 {day:%Y年%m月%d日}，{region.name}共有监测对象 {f['监测对象（户）']} 户 {monitored_persons} 人；"
        f"本月新纳入 {f['本月新纳入（户）']} 户，风险消除 {f['本月风险消除（户）']} 户。",
        f"正在识别程序中的 {f['识别程序中（户）']} 户，其中 {overdue.count()} 户超过办理期限"
        + ("，请督促办理。" if overdue.count() else "。"),
        f"本月新增帮扶措施 {measures_added.count()} 项、落实 {measures_done.count()} 项，入户回访 {followups.count()} 次。",
    ]
    report.charts = _panel_charts(region, day)
    return report


def _panel_charts(region: Region, day: dt.date) -> list[dict[str, Any]]:
    """The dashboards' panels of the region on the report's day, each as an SVG chart and its table."""
    try:
        from fangpin.dashboards.panels import Ctx, available_panels
    except ImportError:  # the dashboards app is not installed: the report keeps its figures and summary
        return []
    ctx = Ctx(region=region, day=day)
    charts = []
    for p in available_panels():
        data = p.compute(ctx)
        if data.empty:
            continue
        series = [svg.ChartSeries(s.name, s.data, s.stack) for s in data.series]
        charts.append({"title": data.title, "note": data.note, "columns": data.columns, "rows": data.rows,
                       "svg": svg.chart(data.kind, data.categories, series, unit=data.unit, marks=data.marks)})
    return charts


def audit_report(request, report: MonthlyReport, fmt: str) -> None:
    record(request, "report.monthly", region_code=report.region.code,
           summary=f"生成{report.region.name} {report.month} 月度报告（{fmt}）", detail={"month": report.month,
                                                                                 "format": fmt})


LEVEL_LABELS = {Level.PROVINCE: "省", Level.CITY: "市", Level.COUNTY: "县", Level.TOWNSHIP: "乡镇", Level.VILLAGE: "村"}
