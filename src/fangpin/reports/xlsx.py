"""Formatted ledgers (台账) as an office prints them: a title row, the unit and date line, merged group
headers over the column headers, the data, and a 填报人 / 审核人 / 填报日期 footer. Cells that begin with
= + - @ are neutralised (the ledger's rule), so a name typed as a formula never runs in Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

from fangpin.ledger.workbook import neutralise


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: int = 12
    kind: str = "text"  # text | int | money | date


@dataclass(frozen=True, slots=True)
class Group:
    """A merged header over ``span`` consecutive columns ("" for columns without a group)."""

    label: str
    span: int


def write_ledger(out: IO[bytes], *, title: str, unit: str, day: dt.date, groups: Sequence[Group],
                 columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet_name: str = "台账",
                 note: str = "") -> int:
    """Write one formatted sheet; returns the number of data rows."""
    if sum(g.span for g in groups) != len(columns):
        raise ValueError("header groups must cover every column exactly once")
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name[:31])
    last = len(columns) - 1
    f_title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_unit = book.add_format({"font_size": 10, "align": "left"})
    f_unit_r = book.add_format({"font_size": 10, "align": "right"})
    f_head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True,
                              "bg_color": "#DDEBF7"})
    cell = {"border": 1, "valign": "vcenter", "font_size": 10}
    f_text = book.add_format({**cell, "text_wrap": True})
    f_int = book.add_format({**cell, "num_format": "0"})
    f_money = book.add_format({**cell, "num_format": "#,##0.00"})
    f_date = book.add_format({**cell, "num_format": "yyyy-mm-dd"})
    f_foot = book.add_format({"font_size": 11})
    formats = {"text": f_text, "int": f_int, "money": f_money, "date": f_date}

    sheet.merge_range(0, 0, 0, last, title, f_title)
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, max(last // 2, 0), f"填报单位：{unit}", f_unit)
    if last // 2 + 1 <= last:
        sheet.merge_range(1, last // 2 + 1, 1, last, f"统计日期：{day:%Y年%m月%d日}", f_unit_r)
    col = 0
    for group in groups:  # row 2: group headers; a column without a group spans rows 2–3
        if not group.label:
            for k in range(group.span):
                sheet.merge_range(2, col + k, 3, col + k, columns[col + k].header, f_head)
        elif group.span == 1:
            sheet.write(2, col, group.label, f_head)
            sheet.write(3, col, columns[col].header, f_head)
        else:
            sheet.merge_range(2, col, 2, col + group.span - 1, group.label, f_head)
            for k in range(group.span):
                sheet.write(3, col + k, columns[col + k].header, f_head)
        col += group.span
    for i, c in enumerate(columns):
        sheet.set_column(i, i, c.width)
    sheet.freeze_panes(4, 0)
    n = 0
    for n, row in enumerate(rows, start=1):
        r = 3 + n
        for i, (c, value) in enumerate(zip(columns, row, strict=True)):
            _write(sheet, r, i, c, value, formats)
    foot = 4 + n + 1
    if note:
        sheet.merge_range(foot, 0, foot, last, note, f_unit)
        foot += 1
    third = max((last + 1) // 3, 1)
    sheet.write(foot, 0, "填报人：", f_foot)
    sheet.write(foot, min(third, last), "审核人：", f_foot)
    sheet.write(foot, min(2 * third, last), "填报日期：", f_foot)
    sheet.repeat_rows(2, 3)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return n


def _write(sheet, r: int, i: int, c: Column, value: Any, formats: dict) -> None:
    if value is None or value == "":
        sheet.write_blank(r, i, None, formats[c.kind])
    elif c.kind == "date" and isinstance(value, dt.date):
        sheet.write_datetime(r, i, value, formats["date"])  # xlsxwriter takes a date as it is
    elif c.kind in ("int", "money") and isinstance(value, int | float | Decimal):
        sheet.write_number(r, i, float(value), formats[c.kind])
    else:
        sheet.write_string(r, i, neutralise(str(value)), formats["text"])
