"""The filtered audit log as CSV or xlsx (the export is itself recorded by the view's service)."""

from __future__ import annotations

import csv
import io
import json

from django.db.models import QuerySet
from django.utils import timezone

COLUMNS = [("seq", "序号"), ("ts", "时间"), ("username", "用户名"), ("role", "角色"), ("ip", "来源地址"),
           ("action", "操作"), ("object_type", "对象类型"), ("object_id", "对象ID"), ("region_code", "区划"),
           ("summary", "摘要"), ("result", "结果"), ("detail", "详情"), ("hash", "哈希")]
MAX_ROWS = 200_000


def _cells(event) -> list:
    values = {name: getattr(event, name) for name, _ in COLUMNS}
    values["ts"] = timezone.localtime(event.ts).strftime("%Y-%m-%d %H:%M:%S")
    values["detail"] = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
    return [_safe(values[name]) for name, _ in COLUMNS]


def _safe(value):
    """Spreadsheets run cells that start with = + - @ as formulas; a logged username must not."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(events: QuerySet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for event in events[:MAX_ROWS].iterator(chunk_size=2000):
        writer.writerow(_cells(event))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel on Chinese Windows reads UTF-8


def to_xlsx(events: QuerySet) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("审计日志")
    sheet.write_row(0, 0, [label for _, label in COLUMNS])
    for row, event in enumerate(events[:MAX_ROWS].iterator(chunk_size=2000), start=1):
        sheet.write_row(row, 0, _cells(event))
    book.close()
    return out.getvalue()
