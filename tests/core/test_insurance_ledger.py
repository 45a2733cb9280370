"""防贫保险 fund ledger: property-based — whatever is attempted, what the core accepts reconciles."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangpin.core.insurance import (
    ZERO,
    Entry,
    EntryKind,
    InsuranceError,
    balance,
    check_entry,
    close_year,
    reconcile,
    running,
)

YEARS = (2025, 2026, 2027)
amounts = st.decimals(min_value=D("0.01"), max_value=D("500000"), places=2, allow_nan=False, allow_infinity=False)
operations = st.lists(st.one_of(
    st.tuples(st.sampled_from([EntryKind.PREMIUM, EntryKind.TOPUP, EntryKind.PAYOUT, EntryKind.REFUND]),
              st.sampled_from(YEARS), amounts),
    st.tuples(st.just("close"), st.sampled_from(YEARS[:-1]), st.just(ZERO)),
), max_size=40)


def apply(ops, *, allow_negative: bool) -> tuple[list[Entry], dict[int, D]]:
    """Apply each attempted operation the core accepts; return the ledger and the balance each year had
    just before it was carried over."""
    entries: list[Entry] = []
    carried: dict[int, D] = {}
    for kind, year, amount in ops:
        try:
            if kind == "close":
                before = balance(entries, year)
                out, into = close_year(entries, year)
                entries += [out, into]
                carried[year] = before
            else:
                entry = Entry(kind, amount, year)
                check_entry(entries, entry, allow_negative=allow_negative)
                entries.append(entry)
        except InsuranceError:
            continue
    return entries, carried


@settings(max_examples=300, deadline=None)
@given(operations)
def test_balance_reconciles_and_never_goes_negative(ops):
    entries, carried = apply(ops, allow_negative=False)
    for year in YEARS:
        rec = reconcile(entries, year)
        assert rec.reconciles
        assert rec.closing == sum((e.signed for e in entries if e.year == year), ZERO)
    assert all(after >= 0 for _, after in running(entries))
    for year, before in carried.items():
        assert balance(entries, year) == 0  # all of it carried out
        assert reconcile(entries, year + 1).opening == before  # opening of N+1 = closing of N
    # carry-over moves money between years and creates none
    inflow = sum((e.amount for e in entries if e.kind in (EntryKind.PREMIUM, EntryKind.TOPUP)), ZERO)
    outflow = sum((e.amount for e in entries if e.kind in (EntryKind.PAYOUT, EntryKind.REFUND)), ZERO)
    assert balance(entries) == inflow - outflow


@settings(max_examples=300, deadline=None)
@given(operations)
def test_with_overdraft_allowed_a_negative_year_is_never_carried(ops):
    entries, carried = apply(ops, allow_negative=True)
    for year in YEARS:
        assert reconcile(entries, year).reconciles
    assert all(before >= 0 for before in carried.values())
    for year in carried:
        assert reconcile(entries, year + 1).opening == carried[year]


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=10), amounts)
def test_a_payout_beyond_the_balance_is_refused(premiums, extra):
    entries = [Entry(EntryKind.PREMIUM, a, 2026) for a in premiums]
    too_much = Entry(EntryKind.PAYOUT, balance(entries) + extra, 2026)
    with pytest.raises(InsuranceError, match="超过 2026 年度资金余额"):
        check_entry(entries, too_much)
    check_entry(entries, too_much, allow_negative=True)  # the fund may run negative until a top-up
    check_entry(entries, Entry(EntryKind.PAYOUT, balance(entries), 2026))  # to exactly zero is fine


def test_closed_year_takes_no_more_entries_and_carry_in_is_once():
    entries = [Entry(EntryKind.PREMIUM, D(1000), 2026)]
    out, into = close_year(entries, 2026)
    entries += [out, into]
    assert (out.amount, into.amount, into.year) == (D(1000), D(1000), 2027)
    with pytest.raises(InsuranceError, match="已结转下年"):
        check_entry(entries, Entry(EntryKind.PREMIUM, D(5), 2026))
    with pytest.raises(InsuranceError, match="已结转"):
        close_year(entries, 2026)
    with pytest.raises(InsuranceError, match="已有上年结转"):
        check_entry(entries, Entry(EntryKind.CARRY_IN, D(5), 2027))


@pytest.mark.parametrize("amount", [D(0), D(-5), D("1.005")])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(InsuranceError, match="保费收入金额"):
        check_entry([], Entry(EntryKind.PREMIUM, amount, 2026))


def test_negative_balance_cannot_be_carried_over():
    entries = [Entry(EntryKind.PREMIUM, D(100), 2026), Entry(EntryKind.PAYOUT, D(300), 2026)]
    with pytest.raises(InsuranceError, match="须先追加资金"):
        close_year(entries, 2026)
