"""fangpin.core.ledger without a database: headers, cells, cross-row checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.core import ledger as L
from fangpin.core.idcard import IdNumberError, make_id


def test_headers_with_marks_units_and_aliases_map_to_columns():
    header = L.map_headers(["* 户码", "所在村", "户属性", "工资性收入（元）", "姓名", "公民身份号码", "关系", "备用"], 1)
    assert not header.errors and header.unknown == ["备用"]
    assert [c.key for c in header.columns.values()] == ["hh_no", "village_name", "hh_type", "wage", "name",
                                                         "id_number", "relation"]


def test_title_row_above_the_header_is_skipped():
    rows = [["东关村农户台账"], [], ["户编号", "所在村", "户类型", "姓名", "身份证号", "与户主关系"], ["H1"]]
    assert L.locate_header(rows) == 2


def test_two_columns_for_the_same_field_are_refused():
    header = L.map_headers(["户编号", "户码", "所在村", "户类型", "姓名", "身份证号", "与户主关系"], 3)
    assert header.errors == [L.LedgerError(3, "户码", "与“户编号”是同一列（户编号），只能保留一列")]


@pytest.mark.parametrize(("raw", "expected"), [("1,200.5元", Decimal("1200.50")), (300.0, Decimal("300.00"))])
def test_money_cells(raw, expected):
    assert L.parse_money(raw, L.cell_text(raw)) == expected


def test_negative_money_and_bad_years_are_explained():
    with pytest.raises(ValueError, match="不能为负"):
        L.parse_money(None, "-5")
    with pytest.raises(ValueError, match="四位数字"):
        L.parse_year("21")
    assert L.parse_year("2021年") == 2021


def test_id_cells_from_spreadsheets():
    good = make_id("130633", dt.date(1980, 1, 1), 123)
    assert L.parse_id_cell(good).value == good
    with pytest.raises(IdNumberError, match="末位的 X 已丢失"):
        L.parse_id_cell(13063319800101123.0)
    with pytest.raises(IdNumberError, match="17 位"):
        L.parse_id_cell("13063319800101123")


def test_long_numbers_in_messages_are_masked():
    assert L.redact("值“130633198001011234”无法识别，电话 13800138000") == "值“130633********1234”无法识别，电话 138****8000"


def test_changed_fields_compares_decimals_by_value():
    assert L.changed_fields({"wage": Decimal("1.0"), "a": 1}, {"wage": Decimal("1.00")}) == {}
    assert L.changed_fields({"a": "x"}, {"a": "y", "b": None}) == {"a": ("x", "y")}
