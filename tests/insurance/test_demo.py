"""demo_insurance: claims at each state, last year's fund carried over, the ledger reconciles; --if-empty skips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangpin.insurance.demo import do_demo_insurance
from fangpin.insurance.models import Claim, Scheme
from fangpin.insurance.services import ledger_rows


def test_demo_insurance_fills_every_state_and_reconciles(users, make_case):
    for _ in range(6):
        make_case()
    result = do_demo_insurance("130633")
    year = timezone.localdate().year
    assert result.claims == {"open": 1, "proposed": 1, "returned": 1, "approved": 2, "rejected": 1}
    previous, current = Scheme.objects.get(year=year - 1), Scheme.objects.get(year=year)
    assert ledger_rows(previous)[1].closing == 0
    rec = ledger_rows(current)[1]
    assert rec.reconciles and rec.opening == previous.premium_due * Decimal("0.95")
    assert rec.payouts == Decimal("16000.00")  # 9,000 for 18,000 out of pocket + 7,000 for 16,000 schooling
    assert result.balance == rec.closing
    assert all(c.measure_id for c in Claim.objects.filter(state="approved"))
    assert do_demo_insurance("130633", if_empty=True).skipped


def test_demo_insurance_needs_the_demo_accounts_and_cases(regions):
    with pytest.raises(CommandError, match="demo_users"):
        call_command("demo_insurance", "--county", "130633")
