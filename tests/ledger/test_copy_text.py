"""COPY text lines: free text with tabs, backslashes or newlines must arrive unchanged; None is NULL."""

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
