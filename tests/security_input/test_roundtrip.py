"""Hypothesis round trip: random ledgers written by the project's writers, read back by its reader.

xlsx: ``workbook.write_export`` (the ledger export) → ``files.iter_rows`` → ``LedgerParser``.
csv: the same rows as an office would save them (UTF-8, UTF-8 with BOM, GBK) → the same reader.
Every value must come back as written; text that starts like a formula (= + - @) comes back with
the apostrophe the export adds (``workbook.neutralise``), never as a formula, and stays stable on
the next export (it then starts with the apostrophe).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangpin.core import ledger as L
from fangpin.core.idcard import make_id
from fangpin.ledger import files
from fangpin.ledger.workbook import EXPORT_KEYS, _export_value, neutralise, write_export

EXAMPLES = int(os.environ.get("FANGPIN_FUZZ_EXAMPLES", "25"))
VILLAGE = "130633100201"
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Chinese, letters, digits, inner spaces and the characters that start formulas.
TEXT = st.text(alphabet=st.sampled_from("张王李赵易州镇东关村号楼-=+@#()（）ABCxyz0123456789 ·"), min_size=1,
               max_size=30).map(str.strip).filter(bool)
MONEY = st.decimals(min_value=0, max_value=Decimal("999999.99"), places=2, allow_nan=False, allow_infinity=False)


def code(key: str):
    col = L.BY_KEY[key]
    return st.sampled_from([value for value, _ in col.codes.items])


MEMBER_CODES = ("health", "disability_kind", "disability_grade", "labour", "schooling", "employment")
HOUSEHOLD_CODES = ("hh_type", "housing_safety", "water")
FLAGS_H = ("is_dibao", "is_tekun", "is_disabled")
FLAGS_M = ("med_insurance", "pension")
YEAR_MONEY = ("wage", "business", "property_income", "transfer", "production_cost", "medical_oop",
              "schooling_exp", "disaster_loss", "accident_exp")


@st.composite
def households(draw):
    out, serial = [], 0
    for h in range(draw(st.integers(1, 3))):
        block = {"hh_no": f"H{h}-" + draw(TEXT)[:20].strip(), "village_code": VILLAGE, "village_name": "东关村委会",
                 "address": draw(TEXT), "exit_year": draw(st.integers(2013, 2020)), "year": draw(st.integers(2020, 2030)),
                 **{k: draw(code(k)) for k in HOUSEHOLD_CODES}, **{k: draw(st.booleans()) for k in FLAGS_H},
                 **{k: draw(MONEY) for k in YEAR_MONEY}}
        for m in range(draw(st.integers(1, 3))):
            serial += 1
            born = dt.date(1950, 1, 1) + dt.timedelta(days=draw(st.integers(0, 20000)))
            out.append({**block, "name": draw(TEXT), "id_number": make_id("130633", born, serial),
                        "relation": "head" if m == 0 else draw(code("relation").filter(lambda v: v != "head")),
                        "phone": f"1{draw(st.sampled_from('3589'))}{draw(st.integers(0, 10**9 - 1)):09d}",
                        "status": "active" if m == 0 else draw(code("status")),
                        **{k: draw(code(k)) for k in MEMBER_CODES}, **{k: draw(st.booleans()) for k in FLAGS_M}})
    return out


def parse(data: bytes, filename: str) -> L.ParseResult:
    _, rows = files.iter_rows(data, filename)
    rows = list(rows)
    at = L.locate_header(rows[:5])
    header = L.map_headers(rows[at], at + 1)
    assert header.errors == [] and header.unknown == []
    return L.LedgerParser(header, lambda code, name: (code, name)).parse(rows[at + 1:])


def check_same(result: L.ParseResult, written: list[dict]) -> None:
    assert result.errors == []
    assert len(result.rows) == len(written)
    for got, want in zip(result.rows, written, strict=True):
        assert got.hh_no == neutralise(want["hh_no"])
        assert got.village_code == VILLAGE and got.idn.value == want["id_number"] and got.phone == want["phone"]
        assert got.household["address"] == neutralise(want["address"])
        assert got.member["name"] == neutralise(want["name"])
        assert got.year == want["year"] and got.household["exit_year"] == want["exit_year"]
        for key in (*HOUSEHOLD_CODES, *FLAGS_H):
            assert got.household[key] == want[key], key
        for key in ("relation", "status", *MEMBER_CODES, *FLAGS_M):
            assert got.member[key] == want[key], key
        for key in YEAR_MONEY:
            assert got.year_values[key] == want[key], key


@PROFILE
@given(households())
def test_xlsx_export_reads_back_the_same(rows):
    out = io.BytesIO()
    assert write_export(out, rows) == len(rows)
    check_same(parse(out.getvalue(), "台账.xlsx"), rows)


@PROFILE
@given(households(), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
def test_csv_in_office_encodings_reads_back_the_same(rows, encoding):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.header for c in L.COLUMNS])
    for row in rows:
        writer.writerow([neutralise(str(_export_value(key, row[key]))) for key in EXPORT_KEYS])
    check_same(parse(text.getvalue().encode(encoding), "台账.csv"), rows)


def test_formula_text_comes_back_neutralised_and_stays_stable():
    row = {"hh_no": "=1+1", "village_code": VILLAGE, "village_name": "东关村委会", "address": '=HYPERLINK("http://x")',
           "exit_year": 2019, "year": 2024, "hh_type": "tuopin", "housing_safety": "A", "water": "safe",
           **dict.fromkeys(FLAGS_H, False), **dict.fromkeys(YEAR_MONEY, Decimal("1.50")),
           "name": "@张三", "id_number": make_id("130633", dt.date(1970, 1, 1), 1), "relation": "head",
           "phone": "13800138000", "status": "active", "health": "healthy", "disability_kind": "",
           "disability_grade": "", "labour": "full", "schooling": "none", "employment": "farming",
           **dict.fromkeys(FLAGS_M, True)}
    out = io.BytesIO()
    write_export(out, [row])
    first = parse(out.getvalue(), "台账.xlsx").rows[0]
    assert (first.hh_no, first.household["address"], first.member["name"]) == (
        "'=1+1", '\'=HYPERLINK("http://x")', "'@张三")
    again = io.BytesIO()
    write_export(again, [{**row, "hh_no": first.hh_no, "address": first.household["address"], "name": "'@张三"}])
    second = parse(again.getvalue(), "台账.xlsx").rows[0]
    assert (second.hh_no, second.household["address"]) == (first.hh_no, first.household["address"])
