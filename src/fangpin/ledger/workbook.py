"""Spreadsheets the ledger hands out: the blank template, the error report and the export.

All written with xlsxwriter. Strings always go through ``write_string`` and text starting
with = + - @ (or a tab/CR) gets a leading apostrophe, so no cell can become a formula
when the file is opened or re-saved as CSV (formula injection).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter

from fangpin.core import ledger as L

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = {"hh_no", "village_code", "id_number", "phone"}
WIDE = {"address": 28, "village_name": 16, "id_number": 21, "village_code": 15, "hh_no": 18, "phone": 14}
TEMPLATE_ROWS = 2000


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


class Sheet:
    """One worksheet with the house style: bold frozen header, widths, strings never formulas."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, headers: Sequence[str], widths: Sequence[int]):
        self.book = book
        self.ws = book.add_worksheet(name)
        self.bold = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
        self.text = book.add_format({"num_format": "@"})
        for i, (header, width) in enumerate(zip(headers, widths, strict=True)):
            self.ws.set_column(i, i, width)
            self.ws.write_string(0, i, header, self.bold)
        self.ws.freeze_panes(1, 0)
        self.row = 1

    def write(self, values: Iterable[Any], formats: dict[int, Any] | None = None) -> None:
        for col, value in enumerate(values):
            fmt = formats.get(col) if formats else None
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                self.ws.write_string(self.row, col, "是" if value else "否", fmt)
            elif isinstance(value, int | float):
                self.ws.write_number(self.row, col, value, fmt)
            else:
                self.ws.write_string(self.row, col, neutralise(str(value)), fmt)
        self.row += 1


def _width(col: L.Column) -> int:
    return WIDE.get(col.key, max(10, len(col.header) * 2 + 2))


# ---- template ---------------------------------------------------------------------------------

def write_template(out: IO[bytes]) -> None:
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = Sheet(book, "台账", [c.header for c in L.COLUMNS], [_width(c) for c in L.COLUMNS])
    required = book.add_format({"bold": True, "bg_color": "#F8D7A8", "border": 1, "text_wrap": True})
    for i, col in enumerate(L.COLUMNS):
        if col.required:
            sheet.ws.write_string(0, i, col.header, required)
        if col.key in TEXT_COLUMNS:
            # Text format up front is the one thing that keeps Excel from eating ID digits.
            sheet.ws.set_column(i, i, _width(col), sheet.text)
        choices = _dropdown(col)
        if choices:
            sheet.ws.data_validation(1, i, TEMPLATE_ROWS, i, {"validate": "list", "source": choices,
                                                              "error_type": "warning"})
    _instructions(book)
    book.close()


def _dropdown(col: L.Column) -> list[str]:
    if col.kind == "bool":
        return ["是", "否"]
    if col.kind == "code" and col.codes is not None:
        return [label for _, label in col.codes.items]
    return []


def _instructions(book: xlsxwriter.Workbook) -> None:
    sheet = Sheet(book, "填写说明", ["列名", "是否必填", "可填写的值 / 说明", "也认可的列名"], [16, 10, 60, 40])
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col in L.COLUMNS:
        sheet.write([col.header, "必填" if col.required else "", L.allowed_values(col), "、".join(col.aliases)],
                    {2: wrap, 3: wrap})
    sheet.row += 1
    for line in NOTES:
        sheet.write([line])


NOTES = (
    "一行填一名家庭成员；同一户的每一行，户编号及户的各列（住址、户类型、收支等）须相同。",
    "每户须有且只有一名在户的户主。一人只能登记在一户中。",
    "身份证号、户编号、村代码、联系电话请保持“文本”格式，否则 Excel 会把身份证号变成科学计数法并丢失末位。",
    "导入是“全部成功或全部不写入”：有任何错误时不会写入任何数据，系统会给出错误报告（可下载）。",
    "重复导入同一文件不会产生任何修改；修改后再导入只更新有变化的记录。表中没有的成员保持原样，不会被删除。",
    "某列整列不在表中时，已有记录的该项保持不变；列存在但单元格为空时按默认值（见上表）处理。",
)


# ---- error report -----------------------------------------------------------------------------

def write_error_report(out: IO[bytes], errors: Sequence[Sequence[Any]], original: Iterable[Sequence[Any]] | None) -> None:
    """The user's own rows that have errors, with 错误说明 (and the bad cells marked red)."""
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    by_row: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in errors:
        by_row.setdefault(int(row), []).append((str(column), str(message)))
    rows = list(original) if original is not None else []
    if not rows:
        sheet = Sheet(book, "错误报告", ["行号", "列", "错误说明"], [8, 16, 80])
        for row, column, message in errors:
            sheet.write([row, column, message])
        book.close()
        return
    at = L.locate_header(rows[:5])
    headers = [str(c or "") for c in rows[at]]
    sheet = Sheet(book, "错误报告", ["行号", *headers, "错误说明"], [8, *([14] * len(headers)), 60])
    bad = book.add_format({"bg_color": "#F4B6B6"})
    wrap = book.add_format({"text_wrap": True, "font_color": "#9C0006"})
    for number in sorted(by_row):
        problems = by_row[number]
        cells = rows[number - 1] if 0 < number <= len(rows) and number - 1 != at else []
        marks = {i + 1: bad for i, h in enumerate(headers) if any(L.normalise_header(h) == L.normalise_header(c)
                                                                 for c, _ in problems)}
        marks[len(headers) + 1] = wrap
        text = "；".join(f"【{c}】{m}" if c else m for c, m in problems)
        sheet.write([number, *[_cell(v) for v in cells], *([""] * (len(headers) - len(cells))), text], marks)
    book.close()


def _cell(value: Any) -> Any:
    """Numbers as the user saw them (an ID typed as a number stays that number)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


# ---- export -----------------------------------------------------------------------------------

EXPORT_KEYS = [c.key for c in L.COLUMNS]


def write_export(path_or_io: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Stream rows (one per member, masked IDs and phones) to xlsx in constant memory."""
    book = xlsxwriter.Workbook(path_or_io, {"constant_memory": True, "in_memory": not isinstance(path_or_io, str)})
    sheet = Sheet(book, "农户台账", [c.header for c in L.COLUMNS], [_width(c) for c in L.COLUMNS])
    n = 0
    for row in rows:
        sheet.write([_export_value(key, row.get(key)) for key in EXPORT_KEYS])
        n += 1
    book.close()
    return n


def _export_value(key: str, value: Any) -> Any:
    if value is None or key in TEXT_COLUMNS:
        return value
    col = L.BY_KEY[key]
    if col.kind in ("code", "bool"):
        return L.show(key, value) if value != "" else ""
    if col.kind == "money":
        return float(value)
    return value
