"""Building ledger files for tests: rows as dicts keyed by header, written to xlsx or csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import xlsxwriter

from fangpin.core.idcard import make_id
from tests.conftest import OWN_VILLAGE

HEADERS = ["户编号", "村代码", "所在村", "住址", "户类型", "脱贫年度", "低保户", "住房安全等级", "饮水安全", "年度",
           "工资性收入", "医疗自付支出", "姓名", "身份证号", "与户主关系", "联系电话", "健康状况", "劳动能力", "成员状态"]
_n = itertools.count(100)


def person_id(year: int = 1970) -> str:
    n = next(_n)
    return make_id("130633", dt.date(year, 1 + n % 12, 1 + n % 28), n % 1000)


def household(hh_no: str, village: str = OWN_VILLAGE, members: int = 2, **household_values) -> list[dict]:
    """Rows of one household: a head and (members - 1) children, with one year's income."""
    base = {"户编号": hh_no, "村代码": village, "所在村": "", "住址": "易州镇东关村 1 号", "户类型": "脱贫户",
            "脱贫年度": 2019, "低保户": "否", "住房安全等级": "A级", "饮水安全": "安全", "年度": 2024,
            "工资性收入": 12000, "医疗自付支出": 800.5, **household_values}
    rows = []
    for i in range(members):
        rows.append({**base, "姓名": "张" + "一二三四五六七"[i], "身份证号": person_id(1960 + i * 20),
                     "与户主关系": "户主" if i == 0 else "之子", "联系电话": f"1380013{i:04d}", "健康状况": "健康",
                     "劳动能力": "有劳动力", "成员状态": "在户"})
    return rows


def xlsx(rows: list[dict], headers: list[str] | None = None, numbers: set[str] = frozenset()) -> bytes:
    """An xlsx like an office's: strings as text; columns in ``numbers`` typed as numbers."""
    headers = headers or HEADERS
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, int | float) or header in numbers:
                if value != "":
                    ws.write_number(r, c, float(value))
            elif value != "":
                ws.write_string(r, c, str(value))
    book.close()
    return out.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig", headers: list[str] | None = None) -> bytes:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)
