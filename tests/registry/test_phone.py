"""The phone rule shared by the registry form and the ledger import (no database)."""

import pytest

from fangpin.core.phone import PhoneError, normalise_phone


@pytest.mark.parametrize(("raw", "stored"), [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("0312-8212345", "0312-8212345"), ("03128212345", "0312-8212345"), ("（010）62345678", "010-62345678"),
    ("8212345", "8212345"), ("", ""), (None, ""),
    ("１３８１２３４５６７８", "13812345678"), ("０３１２－８２１２３４５", "0312-8212345"),  # full-width input
    ("＋８６１３８１２３４５６７８", "13812345678"),
])
def test_accepted_forms_are_normalised(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize(("raw", "reason"), [
    ("1381234567", "11 位"), ("12812345678", "13–19"), ("0312-123", "7–8 位"), ("138x1234567", "只能包含数字"),
    ("923456", "11 位手机号或固定电话"),
    ("138١٢٣٤٥٦٧٨", "只能包含数字"),  # Arabic-Indic digits are digits to str.isdigit, not to a phone
])
def test_rejected_forms_say_why_without_repeating_the_number(raw, reason):
    with pytest.raises(PhoneError) as err:
        normalise_phone(raw)
    assert reason in str(err.value) and raw not in str(err.value)
