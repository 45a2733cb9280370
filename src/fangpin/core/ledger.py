"""The household ledger (台账) spreadsheet: columns, cell parsing and row checks.

Standard library only. One spreadsheet row is one member together with the columns of the
household (and one year of its income/expenditure), repeated on every member row.
The app reads the file and resolves villages; this module turns cells into values and
explains every bad cell as (Excel row number, column header, Chinese message).
Messages never carry a full ID number or phone: only the masked forms.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, NamedTuple

from fangpin.core import choices as C
from fangpin.core.idcard import IdNumber, IdNumberError, mask_id, mask_phone, parse_id
from fangpin.core.phone import PhoneError, normalise_phone

HOUSEHOLD, YEAR, MEMBER = "household", "year", "member"
MAX_MONEY = Decimal("9999999999.99")
CENT = Decimal("0.01")


class LedgerError(NamedTuple):
    row: int  # Excel row number (1-based, as the user sees it)
    column: str  # the Chinese header, or "" for a whole-row problem
    message: str


@dataclass(frozen=True)
class Column:
    key: str  # model field (or pseudo-field: village_code, village_name, id_number, phone)
    header: str
    target: str  # HOUSEHOLD, YEAR or MEMBER
    kind: str  # text, code, bool, year, money, id, phone, village
    aliases: tuple[str, ...] = ()
    codes: C.CodeList | None = None
    required: bool = False
    default: Any = ""
    max_len: int = 0
    note: str = ""


def _code(key: str, header: str, target: str, codes: C.CodeList, default: str, *aliases: str,
          required: bool = False) -> Column:
    return Column(key, header, target, "code", aliases, codes, required=required, default=default)


def _flag(key: str, header: str, target: str, default: bool, *aliases: str) -> Column:
    return Column(key, header, target, "bool", aliases, C.YES_NO, default=default)


def _money(key: str, header: str, *aliases: str) -> Column:
    return Column(key, header, YEAR, "money", aliases, default=Decimal("0"), note="元，可带两位小数，不能为负")


COLUMNS: tuple[Column, ...] = (
    Column("hh_no", "户编号", HOUSEHOLD, "text", ("户码", "户号", "家庭编号", "农户编号", "户编码"),
           required=True, max_len=32, note="同一户的每名成员填同一户编号；建议设为文本格式"),
    Column("village_code", "村代码", HOUSEHOLD, "village", ("行政区划代码", "区划代码", "村编码", "村级代码", "村代码(12位)"),
           note="12 位统计用区划代码；与“所在村”至少填一项"),
    Column("village_name", "所在村", HOUSEHOLD, "village", ("村", "村名", "行政村", "村委会", "所在行政村", "村名称"),
           note="村名称（如 东关村）或 12 位区划代码；与“村代码”至少填一项"),
    Column("address", "住址", HOUSEHOLD, "text", ("家庭住址", "地址", "现住址", "详细地址"), max_len=200),
    _code("hh_type", "户类型", HOUSEHOLD, C.HOUSEHOLD_TYPE, "", "农户类型", "户属性", "家庭类型", "农户属性",
          required=True),
    Column("exit_year", "脱贫年度", HOUSEHOLD, "year", ("脱贫年份", "脱贫时间", "脱贫年"), default=None,
           note="四位年份，如 2019；非脱贫户留空"),
    _flag("is_dibao", "低保户", HOUSEHOLD, False, "是否低保户", "低保", "是否低保"),
    _flag("is_tekun", "特困供养户", HOUSEHOLD, False, "是否特困供养户", "特困户", "特困", "是否特困"),
    _flag("is_disabled", "残疾户", HOUSEHOLD, False, "是否残疾户"),
    _code("housing_safety", "住房安全等级", HOUSEHOLD, C.HOUSING_SAFETY, "A", "住房安全", "房屋安全等级", "危房等级"),
    _code("water", "饮水安全", HOUSEHOLD, C.WATER, "safe", "饮水安全情况", "是否饮水安全", "饮水安全状况"),
    Column("year", "年度", YEAR, "year", ("收支年度", "统计年度", "年份", "收入年度"), default=None,
           note="收支所属年度（四位年份）；填写收支时必填"),
    _money("wage", "工资性收入", "工资收入", "务工收入"),
    _money("business", "生产经营性收入", "经营性收入", "生产经营收入"),
    _money("property_income", "财产性收入", "财产收入"),
    _money("transfer", "转移性收入", "转移收入"),
    _money("production_cost", "生产经营性支出", "生产经营支出", "经营性支出"),
    _money("medical_oop", "医疗自付支出", "医疗支出", "自付医疗费用", "医疗自付费用"),
    _money("schooling_exp", "教育支出", "教育费用", "上学支出"),
    _money("disaster_loss", "灾害损失", "受灾损失"),
    _money("accident_exp", "意外事故支出", "意外支出"),
    Column("name", "姓名", MEMBER, "text", ("成员姓名", "名字", "人员姓名"), required=True, max_len=50),
    Column("id_number", "身份证号", MEMBER, "id", ("身份证号码", "证件号码", "公民身份号码", "身份证", "身份证件号码"),
           required=True, note="18 位（15 位自动升级）；请设为文本格式，否则 Excel 会丢失后几位"),
    _code("relation", "与户主关系", MEMBER, C.RELATION, "", "与户主的关系", "关系", "家庭关系", required=True),
    Column("phone", "联系电话", MEMBER, "phone", ("电话", "手机号", "手机号码", "联系方式", "电话号码", "手机"),
           note="11 位手机号或带区号的固定电话"),
    _code("health", "健康状况", MEMBER, C.HEALTH, "healthy", "健康情况"),
    _code("disability_kind", "残疾类别", MEMBER, C.DISABILITY_KIND, "", "残疾类型"),
    _code("disability_grade", "残疾等级", MEMBER, C.DISABILITY_GRADE, "", "残疾级别"),
    _code("labour", "劳动能力", MEMBER, C.LABOUR, "full", "劳动技能", "劳动力状况"),
    _code("schooling", "在校情况", MEMBER, C.SCHOOLING, "none", "在校生状况", "在校生情况"),
    _code("employment", "就业状况", MEMBER, C.EMPLOYMENT, "farming", "务工状况", "就业情况"),
    _flag("med_insurance", "参加基本医保", MEMBER, True, "是否参加基本医疗保险", "参加城乡居民基本医疗保险",
          "基本医保", "医保", "是否参加基本医保"),
    _flag("pension", "参加养老保险", MEMBER, True, "是否参加基本养老保险", "参加城乡居民基本养老保险",
          "养老保险", "是否参加养老保险"),
    _code("status", "成员状态", MEMBER, C.MEMBER_STATUS, "active", "人员状态", "状态"),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
HOUSEHOLD_FIELDS = tuple(c.key for c in COLUMNS if c.target == HOUSEHOLD and c.kind != "village" and c.key != "hh_no")
YEAR_FIELDS = tuple(c.key for c in COLUMNS if c.target == YEAR and c.key != "year")
MEMBER_FIELDS = tuple(c.key for c in COLUMNS if c.target == MEMBER and c.key not in ("id_number", "phone"))

_HEADER_NOISE = re.compile(r"[\s*＊]")
_HEADER_SUFFIX = re.compile(r"[（(][^）)]*[）)]$")


def normalise_header(text: object) -> str:
    """'* 身份证号（必填）' → '身份证号'; '工资性收入(元)' → '工资性收入'."""
    clean = _HEADER_NOISE.sub("", str(text or ""))
    return _HEADER_SUFFIX.sub("", clean) or clean


_HEADER_LOOKUP: dict[str, Column] = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases):
        _HEADER_LOOKUP[normalise_header(_name)] = _col


@dataclass
class HeaderMap:
    header_row: int  # Excel row number of the header
    columns: dict[int, Column]  # spreadsheet column index → Column
    unknown: list[str]
    errors: list[LedgerError]

    def present(self, key: str) -> bool:
        return any(c.key == key for c in self.columns.values())


def locate_header(rows: Sequence[Sequence[object]], look: int = 5) -> int:
    """Index of the header row: ledgers often carry a title row ("XX村农户台账") above it."""
    best, best_hits = 0, -1
    for i, row in enumerate(rows[:look]):
        hits = sum(1 for cell in row if normalise_header(cell) in _HEADER_LOOKUP)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def map_headers(cells: Sequence[object], header_row: int) -> HeaderMap:
    columns: dict[int, Column] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    errors: list[LedgerError] = []
    for i, cell in enumerate(cells):
        text = str(cell or "").strip()
        if not text:
            continue
        col = _HEADER_LOOKUP.get(normalise_header(text))
        if col is None:
            unknown.append(text)
        elif col.key in seen:
            errors.append(LedgerError(header_row, text, f"与“{seen[col.key]}”是同一列（{col.header}），只能保留一列"))
        else:
            seen[col.key] = text
            columns[i] = col
    for col in COLUMNS:
        if col.required and col.key not in seen:
            errors.append(LedgerError(header_row, col.header, f"缺少必填列“{col.header}”"))
    if "village_code" not in seen and "village_name" not in seen:
        errors.append(LedgerError(header_row, "所在村", "缺少“所在村”或“村代码”列"))
    return HeaderMap(header_row, columns, unknown, errors)


# ---- cells ----------------------------------------------------------------------------------

def cell_text(raw: object) -> str:
    """What the user typed, as text: 13800138000.0 → '13800138000'."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _lookup_table(codes: C.CodeList) -> dict[str, str]:
    table = {alias: value for alias, value in codes.aliases.items() if alias}
    for value, label in codes.items:
        table[value] = value
        table[label] = value
    return table


_TABLES: dict[str, dict[str, str]] = {}


def parse_code(codes: C.CodeList, text: str) -> str:
    table = _TABLES.get(codes.name)
    if table is None:
        table = _TABLES[codes.name] = _lookup_table(codes)
    value = table.get(text)
    if value is None:
        return codes.lookup(text)  # raises the Chinese explanation
    return value


def parse_bool(text: str) -> bool:
    return parse_code(C.YES_NO, text) == "1"


def parse_year(text: str) -> int:
    digits = text.removesuffix("年").removesuffix("年度")
    if not digits.isdigit() or not 2000 <= int(digits) <= 2100:
        raise ValueError(f"“{text}”不是有效年份，应为四位数字，如 2021")
    return int(digits)


def parse_money(raw: object, text: str) -> Decimal:
    if isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        try:
            value = Decimal(text.replace(",", "").replace("，", "").removesuffix("元").strip())
        except InvalidOperation:
            raise ValueError(f"“{text}”不是金额，应为数字（元）") from None
    if not value.is_finite():
        raise ValueError(f"“{text}”不是金额，应为数字（元）")
    if value < 0:
        raise ValueError(f"金额不能为负：{text}")
    if value > MAX_MONEY:
        raise ValueError(f"金额过大：{text}")
    return value.quantize(CENT)


def parse_phone(text: str) -> str:
    """The registry form's rule (fangpin.core.phone), so both accept and store the same numbers."""
    try:
        return normalise_phone(text)
    except PhoneError as exc:
        raise ValueError(str(exc)) from None


def parse_id_cell(raw: object) -> IdNumber:
    """parse_id plus the two spreadsheet accidents it cannot see alone."""
    if isinstance(raw, float) and raw.is_integer() and 1e16 <= raw < 1e17:
        raise IdNumberError(
            "身份证号被存成了数字：末位的 X 已丢失，且 Excel 只保留 15 位有效数字；"
            "请把该列设为“文本”格式后重新录入"
        )
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) == 17 and text.isdigit():
            raise IdNumberError("身份证号只有 17 位，可能是末位的 X 丢失了（单元格被当成数字）；请补全后重新导入")
    return parse_id(raw)


def parse_hh_no(raw: object, text: str) -> str:
    if isinstance(raw, float) and abs(raw) >= 1e15:
        raise ValueError("户编号被存成了数字，超过 15 位的部分已失真；请把该列设为“文本”格式后重新录入")
    if len(text) > 32:
        raise ValueError(f"户编号过长（{len(text)} 位，最多 32 位）")
    return text


# ---- rows -----------------------------------------------------------------------------------

@dataclass(slots=True)
class LedgerRow:
    row: int
    hh_no: str
    village_code: str
    household: dict[str, Any]  # fields of present household columns
    member: dict[str, Any]  # fields of present member columns (not id/phone)
    idn: IdNumber
    phone: str | None  # None when the file has no phone column
    year: int | None
    year_values: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ParseResult:
    rows: list[LedgerRow]
    errors: list[LedgerError]
    header: HeaderMap
    village_names: dict[str, str]  # code → name, for messages and reports


@dataclass(frozen=True, slots=True)
class _Block:
    """The parsed household part of a row (shared by the rows of one household)."""

    hh_no: str
    village: str
    household: dict[str, Any]
    year: int | None
    year_values: dict[str, Decimal]


VillageResolver = Callable[[str, str], tuple[str, str]]  # (code cell, name cell) → (code, name); ValueError


_LONG_NUMBER = re.compile(r"\d{11,}[Xx]?")


def redact(message: str) -> str:
    """Messages quote the cell; a number pasted into the wrong column must still come out masked."""
    return _LONG_NUMBER.sub(lambda m: mask_id(m.group()) if len(m.group()) >= 15 else mask_phone(m.group()), message)


class _Cells:
    """Parses one column's cells, remembering answers: ledgers repeat the same values a lot."""

    def __init__(self, col: Column):
        self.col = col
        self.memo: dict[object, tuple[bool, Any]] = {}

    def parse(self, raw: object) -> Any:
        key = (type(raw), raw) if isinstance(raw, bool | float) else raw
        hit = self.memo.get(key)
        if hit is None:
            try:
                hit = (True, self._parse(raw))
            except ValueError as exc:
                hit = (False, redact(str(exc)))
            if len(self.memo) < 100_000:
                self.memo[key] = hit
        if hit[0]:
            return hit[1]
        raise ValueError(hit[1])

    def _parse(self, raw: object) -> Any:
        col, text = self.col, cell_text(raw)
        if not text:
            if col.required:
                raise ValueError("必填，不能为空")
            return col.default
        if col.kind == "code":
            assert col.codes is not None
            return parse_code(col.codes, text)
        if col.kind == "bool":
            return parse_bool(text)
        if col.kind == "year":
            return parse_year(text)
        if col.kind == "money":
            return parse_money(raw, text)
        if col.kind == "phone":
            return parse_phone(text)
        if col.key == "hh_no":
            return parse_hh_no(raw, text)
        if col.max_len and len(text) > col.max_len:
            raise ValueError(f"{col.header}过长（{len(text)} 字，最多 {col.max_len} 字）")
        return text


class LedgerParser:
    """Turns the data rows into LedgerRows and collects every error; never stops at the first.

    Speed matters (a county ledger is ~200 k rows): a household's columns repeat on each of
    its member rows, so an identical block is parsed once; member cells go through per-column
    memos because code values repeat.
    """

    def __init__(self, header: HeaderMap, resolve_village: VillageResolver):
        self.header = header
        self.resolve_village = resolve_village
        self.index = {c.key: i for i, c in header.columns.items()}
        parsers = [(i, _Cells(c)) for i, c in header.columns.items() if c.kind not in ("id", "village")]
        self.block = [(i, p) for i, p in parsers if p.col.target != MEMBER]
        self.member = [(i, p) for i, p in parsers if p.col.target == MEMBER]
        block_index = [i for i, c in header.columns.items() if c.target != MEMBER]
        # itemgetter returns a bare value for one index; a household block always has 户编号 and 户类型.
        self.block_cells = itemgetter(*block_index) if len(block_index) > 1 else (lambda cells: tuple(cells[:0]))
        self.width = max(header.columns, default=-1) + 1
        self.villages: dict[tuple[str, str], tuple[bool, str, str]] = {}
        self.village_names: dict[str, str] = {}
        self.errors: list[LedgerError] = []
        self._last_raw: tuple[object, ...] | None = None
        self._last_block: _Block | None = None

    def parse(self, data: Iterable[Sequence[object]]) -> ParseResult:
        rows: list[LedgerRow] = []
        for offset, cells in enumerate(data, start=1):
            if not any(c is not None and c != "" for c in cells):
                continue  # blank lines between blocks are common and harmless
            parsed = self.parse_row(self.header.header_row + offset, cells)
            if parsed is not None:
                rows.append(parsed)
        self.errors.extend(check_rows(rows, self.header, self.village_names))
        self.errors.sort(key=lambda e: e.row)
        return ParseResult(rows, self.errors, self.header, self.village_names)

    def parse_row(self, row: int, cells: Sequence[object]) -> LedgerRow | None:
        before = len(self.errors)
        if len(cells) < self.width:  # CSV lines may stop early; spreadsheets are rectangular
            cells = [*cells, *([None] * (self.width - len(cells)))]
        width = len(cells)
        raw_block = self.block_cells(cells)
        block = self._last_block if raw_block == self._last_raw else None
        if block is None:
            block = self._parse_block(row, cells, width)
            # A bad block is parsed again on the next row, so every bad row gets its own errors.
            self._last_raw, self._last_block = (raw_block, block) if block is not None else (None, None)
        member = self._member(row, cells, width)
        idn = self._id(row, cells)
        if block is None or idn is None or len(self.errors) > before:
            return None
        phone = member.pop("phone", None)
        return LedgerRow(row, block.hh_no, block.village, block.household, member, idn, phone, block.year,
                         block.year_values)

    def _member(self, row: int, cells: Sequence[object], width: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for i, parser in self.member:
            raw = cells[i]
            key = raw if raw is None or raw.__class__ is str else (raw.__class__, raw)
            hit = parser.memo.get(key)
            if hit is None:
                try:
                    hit = (True, parser._parse(raw))
                except ValueError as exc:
                    hit = (False, redact(str(exc)))
                if len(parser.memo) < 100_000:
                    parser.memo[key] = hit
            if hit[0]:
                values[parser.col.key] = hit[1]
            else:
                self.errors.append(LedgerError(row, parser.col.header, hit[1]))
        return values

    def _parse_block(self, row: int, cells: Sequence[object], width: int) -> _Block | None:
        values: dict[str, Any] = {}
        before = len(self.errors)
        for i, parser in self.block:
            try:
                values[parser.col.key] = parser.parse(cells[i] if i < width else None)
            except ValueError as exc:
                self.errors.append(LedgerError(row, parser.col.header, str(exc)))
        village = self._village(row, cells)
        year = values.pop("year", None)
        year_values = {k: values.pop(k) for k in YEAR_FIELDS if k in values}
        if year is None and any(year_values.values()):
            self.errors.append(LedgerError(row, BY_KEY["year"].header, "填写了收支金额，须同时填写“年度”"))
        if len(self.errors) > before or village is None:
            return None
        household = {k: values[k] for k in HOUSEHOLD_FIELDS if k in values}
        household["village_id"] = village
        return _Block(values["hh_no"], village, household, year, year_values)

    def _id(self, row: int, cells: Sequence[object]) -> IdNumber | None:
        i = self.index["id_number"]
        raw = cells[i] if i < len(cells) else None
        if cell_text(raw) == "":
            self.errors.append(LedgerError(row, self.header.columns[i].header, "必填，不能为空"))
            return None
        try:
            return parse_id_cell(raw)
        except IdNumberError as exc:
            self.errors.append(LedgerError(row, self.header.columns[i].header, str(exc)))
            return None

    def _village(self, row: int, cells: Sequence[object]) -> str | None:
        texts = []
        for name in ("village_code", "village_name"):
            i = self.index.get(name, -1)
            texts.append(cell_text(cells[i]) if 0 <= i < len(cells) else "")
        pair = (texts[0], texts[1])
        hit = self.villages.get(pair)
        if hit is None:
            hit = self._resolve(*pair)
            self.villages[pair] = hit
        ok, code_or_message, name = hit
        if ok:
            self.village_names[code_or_message] = name
            return code_or_message
        column = BY_KEY["village_code"].header if texts[0] else BY_KEY["village_name"].header
        self.errors.append(LedgerError(row, column, code_or_message))
        return None

    def _resolve(self, code_text: str, name_text: str) -> tuple[bool, str, str]:
        if not code_text and not name_text:
            return False, "必填：请填写所在村（名称或 12 位区划代码）", ""
        try:
            code, name = self.resolve_village(code_text, name_text)
        except ValueError as exc:
            return False, redact(str(exc)), ""
        return True, code, name


def check_rows(rows: Sequence[LedgerRow], header: HeaderMap, village_names: Mapping[str, str]) -> list[LedgerError]:
    """Checks across rows: one person once, one household one set of household values, one head."""
    errors: list[LedgerError] = []
    seen_ids: dict[str, LedgerRow] = {}
    first_of: dict[str, LedgerRow] = {}
    heads: dict[str, list[LedgerRow]] = {}
    id_header = BY_KEY["id_number"].header
    for r in rows:
        other = seen_ids.get(r.idn.value)
        if other is not None:
            where = f"第 {other.row} 行（户编号 {other.hh_no}，{village_names.get(other.village_code, other.village_code)}）"
            errors.append(LedgerError(r.row, id_header, f"身份证号 {r.idn.masked} 与{where}重复；一人只能登记一次"))
        else:
            seen_ids[r.idn.value] = r
        first = first_of.setdefault(r.hh_no, r)
        if first is not r and first.household is not r.household:
            errors.extend(_compare_household(first, r))
        if r.member.get("status", "active") == "active":
            heads.setdefault(r.hh_no, [])
            if r.member.get("relation") == "head":
                heads[r.hh_no].append(r)
    relation = BY_KEY["relation"].header
    for hh_no, found in heads.items():
        if not found:
            errors.append(LedgerError(first_of[hh_no].row, relation,
                                      f"户编号 {hh_no} 没有在户的户主；每户须有且只有一名户主"))
        for extra in found[1:]:
            errors.append(LedgerError(extra.row, relation,
                                      f"户编号 {hh_no} 已在第 {found[0].row} 行有户主；每户只能有一名户主"))
    return errors


def _compare_household(first: LedgerRow, r: LedgerRow) -> list[LedgerError]:
    errors = []
    pairs: list[tuple[str, Any, Any]] = [(k, first.household.get(k), r.household.get(k)) for k in r.household]
    pairs.append(("year", first.year, r.year))
    pairs.extend((k, first.year_values.get(k), v) for k, v in r.year_values.items())
    for key, a, b in pairs:
        if a != b:
            header = "所在村" if key == "village_id" else BY_KEY[key].header
            errors.append(LedgerError(
                r.row, header,
                f"与第 {first.row} 行（同一户编号 {r.hh_no}）的“{header}”不一致：{show(key, a)} ≠ {show(key, b)}",
            ))
    return errors


def show(key: str, value: Any) -> str:
    """A value as the user would write it in the sheet."""
    col = BY_KEY.get(key)
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if col is not None and col.codes is not None:
        return col.codes.label(str(value))
    return str(value)


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields of ``new`` whose value differs from ``old`` (decimals compare by value)."""
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


def masked_change(key: str, old: str, new: str) -> tuple[str, str]:
    """Sensitive fields are recorded as changed without their values: masked forms only."""
    mask = mask_id if key.startswith("id") else mask_phone
    return (mask(old) if old else "", mask(new) if new else "")


def allowed_values(col: Column) -> str:
    """For the template's instructions sheet."""
    if col.codes is not None and col.kind == "code":
        return "、".join(label for value, label in col.codes.items if value or label != "无") or "—"
    if col.kind == "bool":
        return "是、否"
    return col.note or "文本"
