"""Concurrent approvals on PostgreSQL: one claim approved twice at once pays once; two claims racing for the
last of the fund pay only what the fund holds."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from fangpin.audit.models import AuditEvent
from fangpin.core.insurance import Expense
from fangpin.insurance import services
from fangpin.insurance.models import LedgerEntry
from fangpin.insurance.services import InsuranceServiceError
from fangpin.plans.models import Measure

pytestmark = pytest.mark.django_db(transaction=True)


def _pg():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")


def _proposed(users, case):
    claim = services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    return services.do_check_claim(users["insurer"], claim.pk, check_date=dt.date.today(), persons=3,
                                   net_income=Decimal(12000), expenses=[Expense("medical_oop", Decimal(18000), "张三")])


def _race(calls):
    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except InsuranceServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_approvals_of_one_claim_pay_once(users, funded, case):
    _pg()
    from fangpin.accounts.models import User

    other = User.objects.create(username="county2", role="county", region_id="130633")
    claim = _proposed(users, case)
    outcomes = _race([lambda u=u: services.do_approve_claim(u, claim.pk) for u in (users["county"], other)])
    assert outcomes == ["ok", "refused"]
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    assert Measure.objects.filter(code="insurance").count() == 1
    assert AuditEvent.objects.filter(action="insurance.claim.approve", object_id=str(claim.pk)).count() == 1


def test_two_claims_racing_for_the_last_of_the_fund(users, scheme, make_case):
    _pg()
    services.do_record_entry(users["county"], 2026, kind="premium", amount=Decimal(10000), day=dt.date(2026, 1, 10))
    first, second = _proposed(users, make_case()), _proposed(users, make_case())
    outcomes = _race([lambda c=c: services.do_approve_claim(users["county"], c.pk) for c in (first, second)])
    assert outcomes == ["ok", "refused"]  # 9,000 each from 10,000
    rec = services.ledger_rows(scheme)[1]
    assert (rec.payouts, rec.closing) == (Decimal("9000.00"), Decimal("1000.00"))
