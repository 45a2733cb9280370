"""Bulk helpers of the ledger write: COPY text lines (free text escaped, None as NULL), blind indexes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fangpin.ledger.writer import copy_lines


def test_plain_values_are_joined_and_none_is_null():
    row = (1, "张三", None, True, Decimal("12.50"), dt.date(2024, 1, 2))
    assert list(copy_lines([row], len(row), "\tX\n")) == ["1\t张三\t\\N\tTrue\t12.50\t2024-01-02\tX\n"]


def test_free_text_with_tab_backslash_or_newline_is_escaped():
    rows = [(1, "a\tb", None), (2, "c\\N", None), (3, "第1组\n2号", "x\ry")]
    assert list(copy_lines(rows, 3, "\n")) == ["1\ta\\tb\t\\N\n", "2\tc\\\\N\t\\N\n", "3\t第1组\\n2号\tx\\ry\n"]


def test_bulk_id_indexes_equal_the_registry_blind_index():
    from fangpin import pii
    from fangpin.ledger.plan import id_indexes

    numbers = ["11010519491231002X", "130633198001010017"]
    assert id_indexes(numbers) == [pii.id_index(n) for n in numbers]
