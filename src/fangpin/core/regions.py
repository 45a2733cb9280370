"""Statistics-bureau division codes (统计用区划代码): levels, parents, validation.

Internally a region is keyed by its *short* code, whose length gives the level:
province 2, city 4, county 6, township 9, village 12. A short code is a prefix of
every code below it, so scoping a query to a region is ``code LIKE 'prefix%'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from fangpin.core.digits import ascii_text, is_ascii_digits


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县",
    Level.TOWNSHIP: "乡镇",
    Level.VILLAGE: "村",
}
CODE_LENGTHS = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_BY_LENGTH = {n: lvl for lvl, n in CODE_LENGTHS.items()}


class RegionCodeError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class RegionRow:
    code: str  # short code
    name: str
    level: Level

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.code)


def level_of(code: str) -> Level:
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise RegionCodeError(f"区划代码“{code}”长度应为 2/4/6/9/12 位") from None


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level is Level.PROVINCE:
        return None
    return code[: CODE_LENGTHS[Level(level - 1)]]


def ancestors(code: str) -> list[str]:
    """Codes from the province down to (excluding) ``code``."""
    level = level_of(code)
    return [code[: CODE_LENGTHS[lvl]] for lvl in Level if lvl < level]


def short_code(raw: str, level: Level | None = None) -> str:
    """Accept a short code or the 12-digit published form and return the short code.

    Without an explicit level, a 12-digit code's level is read from its trailing zeros;
    the one real village whose code ends in 000 (金门县) needs the level given.
    """
    code = ascii_text(raw).strip()
    if not is_ascii_digits(code):
        raise RegionCodeError(f"区划代码“{raw}”只能包含数字")
    if len(code) != 12:
        found = level_of(code)
        if level is not None and level is not found:
            raise RegionCodeError(f"区划代码“{raw}”的长度与层级“{level.label}”不符")
        return code
    if level is None:
        level = _level_from_zeros(code)
    short = code[: CODE_LENGTHS[level]]
    if code[len(short):].strip("0"):
        raise RegionCodeError(f"区划代码“{raw}”与层级“{level.label}”不符（尾部应为 0）")
    return short


def _level_from_zeros(code: str) -> Level:
    for lvl in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if not code[CODE_LENGTHS[lvl]:].strip("0"):
            return lvl
    return Level.VILLAGE


def full_code(code: str) -> str:
    """The 12-digit published form."""
    return code.ljust(12, "0")


def is_within(code: str, scope: str) -> bool:
    return code.startswith(scope)


def validate_rows(rows: Iterable[RegionRow], existing: Mapping[str, object] | None = None) -> list[str]:
    """Return Chinese error messages: duplicates, missing parents, empty names."""
    errors: list[str] = []
    seen: dict[str, RegionRow] = {}
    batch = list(rows)
    for row in batch:
        if row.code in seen and seen[row.code].name != row.name:
            errors.append(f"区划代码 {row.code} 重复且名称不同：“{seen[row.code].name}”与“{row.name}”")
        seen[row.code] = row
        if not row.name.strip():
            errors.append(f"区划代码 {row.code} 缺少名称")
    known = existing or {}
    for row in batch:
        parent = row.parent_code
        if parent is not None and parent not in seen and parent not in known:
            errors.append(f"区划代码 {row.code}（{row.name}）的上级 {parent} 不存在")
    return errors
