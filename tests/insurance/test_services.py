"""防贫保险 verbs: claim states by the right roles, the payout recorded as a measure and a ledger entry,
idempotence, region scope, the ledger's refusals and carry-over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.audit.models import AuditEvent
from fangpin.core.insurance import Expense
from fangpin.insurance import services
from fangpin.insurance.models import Claim, LedgerEntry
from fangpin.insurance.services import InsuranceServiceError, StaleClaim
from fangpin.plans.models import Measure
from tests.conftest import OTHER_COUNTY_VILLAGE
from tests.insurance.conftest import make_scheme, make_warning

MEDICAL_18000 = [Expense("medical_oop", Decimal(18000), "张三")]


def check(users, claim, expenses=MEDICAL_18000, income="12000", persons=3):
    return services.do_check_claim(users["insurer"], claim.pk, check_date=dt.date.today(), persons=persons,
                                   net_income=Decimal(income), expenses=list(expenses), note="入户核实住院发票")


def test_claim_from_a_case_checked_by_the_insurer_and_approved_by_the_county(users, funded, case):
    claim = services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    assert (claim.state, claim.source, claim.case_id) == ("open", "case", case.pk)
    assert claim.check_due is not None and claim.check_due > dt.date.today()

    claim = check(users, claim)
    assert (claim.state, claim.proposed_amount) == ("proposed", Decimal("9000.00"))
    assert claim.explanation[-1] == "本次赔付合计 9,000.00 元"

    claim = services.do_approve_claim(users["county"], claim.pk)
    claim.refresh_from_db()
    assert (claim.state, claim.approved_amount) == ("approved", Decimal("9000.00"))
    measure = Measure.objects.get(pk=claim.measure_id)
    assert (measure.code, measure.group, measure.status, measure.amount) == ("insurance", "防贫保险", "done",
                                                                             Decimal("9000.00"))
    assert measure.plan.case_id == case.pk  # the plan was created for the case
    payout = LedgerEntry.objects.get(claim=claim)
    assert (payout.kind, payout.amount) == ("payout", Decimal("9000.00"))
    rows, rec = services.ledger_rows(funded)
    assert rec.closing == Decimal("191000.00") and rec.reconciles
    actions = list(AuditEvent.objects.filter(object_type="claim", object_id=str(claim.pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["insurance.claim.open", "insurance.claim.propose", "insurance.claim.approve"]


def test_a_second_approval_pays_nothing_more(users, funded, case):
    claim = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"))
    services.do_approve_claim(users["county"], claim.pk)
    with pytest.raises(InsuranceServiceError, match="已赔付"):
        services.do_approve_claim(users["county"], claim.pk)
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    assert Measure.objects.filter(code="insurance").count() == 1


def test_opening_twice_gives_the_same_claim(users, scheme, case):
    first = services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    again = services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    assert first.pk == again.pk
    other_item = services.do_open_claim_from_case(users["county"], case.pk, item="schooling_exp")
    assert other_item.pk != first.pk
    assert Claim.objects.count() == 2


def test_claim_from_a_rigid_warning_turns_it_into_a_lead(users, scheme, make_household, policy):
    household = make_household()
    warning = make_warning(household)
    claim = services.do_open_claim_from_warning(users["county"], warning.pk)
    warning.refresh_from_db()
    assert warning.status == "lead" and claim.case_id == warning.lead.case_id
    assert (claim.source, claim.item, claim.warning_id) == ("warning", "medical_oop", warning.pk)
    assert services.do_open_claim_from_warning(users["county"], warning.pk).pk == claim.pk
    assert Claim.objects.count() == 1
    # the case is only a lead: approval waits for it to be monitored
    claim = check(users, claim)
    with pytest.raises(InsuranceServiceError, match="纳入监测"):
        services.do_approve_claim(users["county"], claim.pk)
    claim.refresh_from_db()
    assert claim.state == "proposed" and not LedgerEntry.objects.exists()


def test_only_rigid_spending_warnings_open_claims(users, scheme, make_household, policy):
    warning = make_warning(make_household(), rule="income_below_line")
    with pytest.raises(InsuranceServiceError, match="不是刚性支出预警"):
        services.do_open_claim_from_warning(users["county"], warning.pk)
    school = make_warning(make_household(), risk="因学")
    assert services.do_open_claim_from_warning(users["county"], school.pk).item == "schooling_exp"


def test_roles(users, scheme, case):
    for role in ("village", "township", "insurer", "department", "city"):
        with pytest.raises(InsuranceServiceError):
            services.do_open_claim_from_case(users[role], case.pk, item="medical_oop")
    claim = services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    with pytest.raises(InsuranceServiceError, match="保险公司"):
        check(users | {"insurer": users["county"]}, claim)
    claim = check(users, claim)
    with pytest.raises(InsuranceServiceError, match="县级"):
        services.do_approve_claim(users["insurer"], claim.pk)


def test_out_of_region_claims_are_not_found(users, regions, make_case, policy):
    make_scheme("130623")
    far = make_case(OTHER_COUNTY_VILLAGE)
    with pytest.raises(InsuranceServiceError, match="管辖范围"):
        services.do_open_claim_from_case(users["county"], far.pk, item="medical_oop")


def test_send_back_then_recheck_then_reject(users, scheme, case):
    claim = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"))
    with pytest.raises(InsuranceServiceError, match="须填写理由"):
        services.do_send_back_claim(users["county"], claim.pk, reason=" ")
    claim = services.do_send_back_claim(users["county"], claim.pk, reason="发票金额与住院清单不符")
    assert claim.state == "returned"
    claim = check(users, claim, [Expense("medical_oop", Decimal(15000), "张三")])
    assert (claim.state, claim.proposed_amount) == ("proposed", Decimal("7200.00"))
    claim = services.do_reject_claim(users["county"], claim.pk, reason="已由大病保险全额报销")
    assert claim.state == "rejected"
    assert not LedgerEntry.objects.exists() and not Measure.objects.exists()


def test_stale_state_is_refused(users, scheme, case):
    claim = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"))
    Claim.objects.filter(pk=claim.pk).update(state="returned")  # someone else acted meanwhile
    with pytest.raises(StaleClaim):
        services._move(users["county"], claim, services.ClaimAction.APPROVE, services.Actor.COUNTY, {})


def test_payout_beyond_the_fund_is_refused_unless_overdraft_is_allowed(users, scheme, case):
    claim = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"))
    with pytest.raises(InsuranceServiceError, match="超过 2026 年度资金余额"):
        services.do_approve_claim(users["county"], claim.pk)
    claim.refresh_from_db()
    assert claim.state == "proposed" and not Measure.objects.exists()  # nothing half done
    scheme.allow_overdraft = True
    scheme.save(update_fields=["allow_overdraft"])
    services.do_approve_claim(users["county"], claim.pk)
    assert services.ledger_rows(scheme)[1].closing == Decimal("-9000.00")


def test_household_cap_counts_earlier_payouts(users, funded, make_case, make_household):
    case = make_case()
    claim = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"),
                  [Expense("medical_oop", Decimal(150000), "张三")])
    services.do_approve_claim(users["county"], claim.pk)  # per-person cap: 50,000
    second = check(users, services.do_open_claim_from_case(users["county"], case.pk, item="medical_oop"),
                   [Expense("medical_oop", Decimal(18000), "张三"), Expense("medical_oop", Decimal(18000), "李四")])
    # 张三 has used his 50,000; 李四 gets 9,000
    assert second.proposed_amount == Decimal("9000.00")
    assert any("张三本年已赔 50,000.00 元" in s for s in second.explanation)


def test_ledger_entries_and_carry_over(users, scheme):
    county = users["county"]
    services.do_record_entry(county, 2026, kind="premium", amount=Decimal(200000), day=dt.date(2026, 1, 10))
    services.do_record_entry(county, 2026, kind="topup", amount=Decimal(50000), day=dt.date(2026, 6, 1))
    services.do_record_entry(county, 2026, kind="refund", amount=Decimal(10000), day=dt.date(2026, 7, 1))
    with pytest.raises(InsuranceServiceError, match="超过 2026 年度资金余额"):
        services.do_record_entry(county, 2026, kind="refund", amount=Decimal(300000), day=dt.date(2026, 7, 1))
    with pytest.raises(InsuranceServiceError, match="不能早于本年度上一笔记账日期 2026-07-01"):
        services.do_record_entry(county, 2026, kind="premium", amount=Decimal(5), day=dt.date(2026, 5, 1))
    with pytest.raises(InsuranceServiceError, match="类别"):
        services.do_record_entry(county, 2026, kind="payout", amount=Decimal(1), day=dt.date(2026, 7, 1))
    with pytest.raises(InsuranceServiceError, match="2027 年度防贫保险方案"):
        services.do_carry_over(county, 2026)
    following = make_scheme(year=2027)
    out, into = services.do_carry_over(county, 2026)
    assert out.amount == into.amount == Decimal("240000.00")
    assert services.ledger_rows(scheme)[1].closing == 0
    assert services.ledger_rows(following)[1].opening == Decimal("240000.00")
    with pytest.raises(InsuranceServiceError, match="已结转"):
        services.do_record_entry(county, 2026, kind="premium", amount=Decimal(1), day=dt.date(2026, 8, 1))
    with pytest.raises(InsuranceServiceError):
        services.do_record_entry(users["insurer"], 2027, kind="premium", amount=Decimal(1), day=dt.date(2026, 8, 1))


def test_scheme_is_checked_by_the_core_before_saving(users, regions):
    from tests.insurance.conftest import EXAMPLE_ITEMS

    data = {"premium_per_person": Decimal(50), "line": Decimal(7300), "items": EXAMPLE_ITEMS, "covered_persons": 10}
    scheme = services.do_save_scheme(users["county"], 2026, data)
    assert scheme.region_id == "130633" and scheme.as_core().problems() == []
    bad = {**data, "items": {"medical_oop": {**EXAMPLE_ITEMS["medical_oop"], "tiers": "100-200:50%"}}}
    with pytest.raises(InsuranceServiceError, match="第 1 段须从 0 开始"):
        services.do_save_scheme(users["county"], 2026, bad)
    with pytest.raises(InsuranceServiceError):
        services.do_save_scheme(users["insurer"], 2026, data)
