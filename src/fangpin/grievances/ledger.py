"""The grievance ledger (诉求台账): received, resolved and the resolution rate — in total, by sub-region
(the level below the user's: a county sees its townships), by type and by month — and its xlsx.

One query reads the few columns of every grievance in the user's region; the core's ``tally`` does the
arithmetic, so the page, the xlsx and the tests count the same way.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

import xlsxwriter
from django.utils import timezone

from fangpin.accounts.access import scoped
from fangpin.core import grievance as core
from fangpin.core.grievance import Kind, Row, Satisfaction, State, Tally
from fangpin.core.regions import CODE_LENGTHS, Level, level_of
from fangpin.grievances.models import Grievance
from fangpin.grievances.services import SCOPE
from fangpin.regions.models import Region


@dataclass(frozen=True)
class Line:
    label: str
    tally: Tally


@dataclass(frozen=True)
class Ledger:
    region: Region
    total: Tally
    by_region: list[Line]
    region_level_label: str
    by_kind: list[Line]
    by_month: list[Line]
    year_from: dt.date | None
    year_to: dt.date | None


def build(user, today: dt.date, *, start: dt.date | None = None, end: dt.date | None = None) -> Ledger:
    qs = scoped(Grievance.objects.all(), user, SCOPE)
    if start:
        qs = qs.filter(received_at__date__gte=start)
    if end:
        qs = qs.filter(received_at__date__lte=end)
    own = level_of(user.scope_code)
    child = Level(min(own + 1, Level.VILLAGE))
    cut = CODE_LENGTHS[child]
    by_region: dict[str, list[Row]] = defaultdict(list)
    by_kind: dict[str, list[Row]] = defaultdict(list)
    by_month: dict[str, list[Row]] = defaultdict(list)
    rows: list[Row] = []
    for state, satisfaction, due, village, kind, received in qs.values_list(
            "state", "satisfaction", "due", "village_id", "kind", "received_at"):
        row = Row(State(state), Satisfaction(satisfaction) if satisfaction else None, due)
        rows.append(row)
        by_region[village[:cut]].append(row)
        by_kind[kind].append(row)
        by_month[f"{timezone.localtime(received):%Y-%m}"].append(row)
    names = dict(Region.objects.filter(code__in=by_region).values_list("code", "name"))
    return Ledger(
        region=Region.objects.get(code=user.scope_code), total=core.tally(rows, today),
        by_region=[Line(names.get(code, code), core.tally(rs, today)) for code, rs in sorted(by_region.items())],
        region_level_label=child.label,
        by_kind=[Line(core.KIND_LABELS[k], core.tally(by_kind[k.value], today)) for k in Kind if by_kind.get(k.value)],
        by_month=[Line(month, core.tally(rs, today)) for month, rs in sorted(by_month.items())],
        year_from=start, year_to=end,
    )


# ---------------------------------------------------------------- xlsx

COLUMNS = ["受理（件）", "已化解（件）", "化解率（%）", "办理中（件）", "其中超期（件）", "回访不满意（件）"]


def _cells(t: Tally) -> list[object]:
    return [t.received, t.resolved, round(t.rate * 100, 1) if t.rate is not None else "—", t.open, t.overdue,
            t.unsatisfied]


def to_xlsx(ledger: Ledger, user, today: dt.date) -> bytes:
    """One sheet per breakdown: a merged title row, the unit line, two header rows (merged groups), the rows,
    a total, and the 填报人/审核人 footer the office signs on paper."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "unit": book.add_format({"font_size": 10}),
        "head": book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                                 "bg_color": "#DDEBF7"}),
        "cell": book.add_format({"border": 1}),
        "num": book.add_format({"border": 1, "num_format": "0"}),
        "total": book.add_format({"border": 1, "bold": True}),
        "foot": book.add_format({"font_size": 11}),
    }
    period = ""
    if ledger.year_from or ledger.year_to:
        period = f"（{ledger.year_from or '…'} 至 {ledger.year_to or '…'}）"
    sheets = [(f"按{ledger.region_level_label}", ledger.region_level_label, ledger.by_region),
              ("按类型", "诉求类型", ledger.by_kind), ("按月份", "受理月份", ledger.by_month)]
    for name, first, lines in sheets:
        ws = book.add_worksheet(name)
        last_col = len(COLUMNS)
        ws.merge_range(0, 0, 0, last_col, f"{ledger.region.name}群众诉求办理情况统计表{period}", fmt["title"])
        ws.set_row(0, 28)
        ws.merge_range(1, 0, 1, last_col,
                       f"填报单位：{ledger.region.name}　　统计截至：{today:%Y-%m-%d}　　单位：件、%", fmt["unit"])
        # two header rows: groups merged over their columns, single columns merged down
        ws.merge_range(2, 0, 3, 0, first, fmt["head"])
        ws.merge_range(2, 1, 3, 1, COLUMNS[0], fmt["head"])
        ws.merge_range(2, 2, 2, 3, "化解情况", fmt["head"])
        ws.merge_range(2, 4, 2, 5, "办理中", fmt["head"])
        ws.merge_range(2, 6, 3, 6, COLUMNS[5], fmt["head"])
        for col, text in ((2, "已化解（件）"), (3, "化解率（%）"), (4, "办理中（件）"), (5, "其中超期（件）")):
            ws.write(3, col, text, fmt["head"])
        r = 4
        for line in lines:
            ws.write(r, 0, line.label, fmt["cell"])
            for c, value in enumerate(_cells(line.tally), start=1):
                ws.write(r, c, value, fmt["num"] if isinstance(value, int) else fmt["cell"])
            r += 1
        ws.write(r, 0, "合计", fmt["total"])
        for c, value in enumerate(_cells(ledger.total), start=1):
            ws.write(r, c, value, fmt["total"])
        r += 2
        ws.write(r, 0, f"填报人：{user}", fmt["foot"])
        ws.write(r, 3, "审核人：", fmt["foot"])
        ws.write(r, 5, f"填报日期：{today:%Y-%m-%d}", fmt["foot"])
        ws.set_column(0, 0, 22)
        ws.set_column(1, last_col, 12)
    book.close()
    return out.getvalue()
