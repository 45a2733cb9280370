"""The fund ledger as a formatted xlsx (资金台账): title row, unit, headers, running balance, totals and the
填报人/审核人 footer. Text cells go through ``write_string`` (nothing a spreadsheet would evaluate)."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from fangpin.core.insurance import ENTRY_LABELS, SIGN, EntryKind

HEADERS = ["序号", "日期", "类别", "摘要", "收入（元）", "支出（元）", "余额（元）", "记账人"]
WIDTHS = [6, 12, 10, 44, 14, 14, 14, 12]


def ledger_xlsx(scheme, rows, rec, *, county_name: str, prepared_by: str, today) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(f"{scheme.year}年度资金台账")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#EEF2F7",
                            "text_wrap": True})
    cell = book.add_format({"border": 1})
    num = book.add_format({"border": 1, "num_format": "#,##0.00"})
    bold_num = book.add_format({"border": 1, "num_format": "#,##0.00", "bold": True})
    bold = book.add_format({"border": 1, "bold": True})
    last = len(HEADERS) - 1
    sheet.merge_range(0, 0, 0, last, f"{county_name} {scheme.year} 年度防贫保险资金台账", title)
    sheet.set_row(0, 30)
    sheet.write_string(1, 0, f"承保机构：{scheme.insurer_name or '—'}")
    sheet.write_string(1, last - 1, "单位：元")
    for col, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True)):
        sheet.write_string(2, col, name, head)
        sheet.set_column(col, col, width)
    r = 3
    for n, (entry, after) in enumerate(rows, 1):
        kind = EntryKind(entry.kind)
        sheet.write_number(r, 0, n, cell)
        sheet.write_string(r, 1, f"{entry.date:%Y-%m-%d}", cell)
        sheet.write_string(r, 2, ENTRY_LABELS[kind], cell)
        sheet.write_string(r, 3, entry.note, cell)
        inflow = SIGN[kind] > 0
        sheet.write_number(r, 4 if inflow else 5, float(entry.amount), num)
        sheet.write_blank(r, 5 if inflow else 4, None, cell)
        sheet.write_number(r, 6, float(after), num)
        sheet.write_string(r, 7, entry.created_by.get_full_name() or entry.created_by.username
                           if entry.created_by else "", cell)
        r += 1
    inflow_total = rec.opening + rec.premiums + rec.topups
    outflow_total = rec.payouts + rec.refunds + rec.carried_out
    sheet.merge_range(r, 0, r, 3, "合计", bold)
    sheet.write_number(r, 4, float(inflow_total), bold_num)
    sheet.write_number(r, 5, float(outflow_total), bold_num)
    sheet.write_number(r, 6, float(rec.closing), bold_num)
    sheet.write_blank(r, 7, None, bold)
    r += 1
    summary = (f"上年结转 {_f(rec.opening)}；保费收入 {_f(rec.premiums)}；追加资金 {_f(rec.topups)}；"
               f"赔付支出 {_f(rec.payouts)}；退费 {_f(rec.refunds)}；结转下年 {_f(rec.carried_out)}；"
               f"余额 {_f(rec.closing)}（{'已核对平衡' if rec.reconciles else '不平衡，请核查'}）")
    sheet.merge_range(r, 0, r, last, summary, book.add_format({"text_wrap": True}))
    sheet.set_row(r, 32)
    r += 2
    sheet.write_string(r, 0, f"填报人：{prepared_by}")
    sheet.write_string(r, 3, "审核人：")
    sheet.write_string(r, 5, f"填报日期：{today:%Y-%m-%d}")
    sheet.repeat_rows(2)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    book.close()
    return out.getvalue()


def _f(value: Decimal) -> str:
    return f"{value:,.2f}"
