"""防贫保险 payout: the public example, deductible, bands, caps, coverage, the gap variant, claim moves."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from fangpin.core.insurance import (
    Actor,
    ClaimAction,
    ClaimFacts,
    ClaimState,
    CoverageMode,
    Expense,
    IllegalClaimMove,
    InsuranceError,
    ItemRule,
    Method,
    Scheme,
    claim_actions,
    claim_next,
    format_tiers,
    parse_tiers,
    payout,
)

# The configuration docs/insurance.md cites for the public example (18,000 → 9,000).
EXAMPLE_TIERS = "0-20000:60%; 20000-50000:70%; 50000-:80%"


def scheme(**kw) -> Scheme:
    items = kw.pop("items", {
        "medical_oop": ItemRule(D(5000), D(3000), parse_tiers(EXAMPLE_TIERS)),
        "schooling_exp": ItemRule(D(8000), D(2000), parse_tiers("0-:50%")),
        "disaster_loss": ItemRule(D(10000), D(0), parse_tiers("0-30000:40%; 30000-:50%")),
    })
    base = {"year": 2026, "premium_per_person": D(50), "line": D(7300), "items": items,
            "per_person_cap": D(50000), "per_household_cap": D(100000)}
    return Scheme(**{**base, **kw})


def facts(*expenses: Expense, persons: int = 3, income: str = "12000", **kw) -> ClaimFacts:
    return ClaimFacts(persons=persons, net_income=D(income), expenses=tuple(expenses), **kw)


def test_public_example_18000_out_of_pocket_pays_9000():
    result = payout(scheme(), facts(Expense("medical_oop", D(18000), "张三")))
    assert result.amount == D("9000.00")
    assert result.covered
    text = result.explanation
    assert "18,000.00 元 − 起付线 3,000.00 元 = 15,000.00 元" in text
    assert "15,000.00 元 × 60% = 9,000.00 元" in text
    assert text.splitlines()[-1] == "本次赔付合计 9,000.00 元"


def test_amount_above_the_first_band_is_paid_at_each_band_rate():
    # 63,000 − 3,000 = 60,000: 20,000 × 60% + 30,000 × 70% + 10,000 × 80% = 12,000 + 21,000 + 8,000
    result = payout(scheme(per_person_cap=None, per_household_cap=None),
                    facts(Expense("medical_oop", D(63000), "张三")))
    assert result.amount == D("41000.00")
    assert len([s for s in result.steps if "段：" in s]) == 3


def test_below_the_warning_line_nothing_is_paid():
    result = payout(scheme(), facts(Expense("medical_oop", D("4999.99"), "张三")))
    assert result.amount == 0
    assert any("< 预警线 5,000.00 元" in s for s in result.steps)


def test_the_warning_line_counts_the_household_total_and_the_deductible_each_person():
    # 3,000 + 4,000 = 7,000 ≥ 5,000 → each person's amount less 3,000 at 60%: 0 + 600
    result = payout(scheme(), facts(Expense("medical_oop", D(3000), "张三"), Expense("medical_oop", D(4000), "李四")))
    assert result.amount == D("600.00")
    assert [(line.person, line.amount) for line in result.lines] == [("张三", D("0.00")), ("李四", D("600.00"))]


def test_per_person_cap_counts_what_was_paid_this_year():
    result = payout(scheme(), facts(Expense("medical_oop", D(18000), "张三"), paid_persons={"张三": D(45000)}))
    assert result.amount == D("5000.00")
    assert any("每人年度封顶 50,000.00 元" in s for s in result.steps)


def test_per_household_cap_limits_the_claim_and_the_lines_still_add_up():
    result = payout(scheme(), facts(Expense("medical_oop", D(18000), "张三"), Expense("disaster_loss", D(20000)),
                                    paid_household=D(95000)))
    assert result.amount == D("5000.00")
    assert sum(line.amount for line in result.lines) == result.amount
    assert any("每户年度封顶" in s for s in result.steps)


def test_household_items_ignore_the_per_person_cap():
    result = payout(scheme(per_person_cap=D(100)), facts(Expense("disaster_loss", D(20000))))
    assert result.amount == D("8000.00")  # 20,000 × 40%


def test_household_above_k_times_the_line_is_not_covered():
    # per capita 33,000 / 3 = 11,000 > 1.5 × 7,300 = 10,950
    result = payout(scheme(), facts(Expense("medical_oop", D(18000), "张三"), income="33000"))
    assert (result.amount, result.covered) == (D(0), False)
    assert "不属于保障范围" in result.steps[0]
    assert payout(scheme(), facts(Expense("medical_oop", D(18000), "张三"), income="32850")).amount == D(9000)


def test_population_share_cover_names_no_beneficiary_in_advance():
    share = scheme(coverage=CoverageMode.POPULATION_SHARE, coverage_share=D("0.10"))
    assert payout(share, facts(Expense("medical_oop", D(18000), "张三"), income="90000")).amount == D(9000)
    assert share.covered_persons(285_345) == 28_535
    assert share.premium_total(28_535) == D("1426750.00")


def test_gap_variant_pays_up_to_the_line():
    gap = scheme(method=Method.GAP)
    # 3 × 7,300 = 21,900; 12,000 − 18,000 = −6,000; gap 27,900
    result = payout(gap, facts(Expense("medical_oop", D(18000), "张三")))
    assert result.amount == D("27900.00")
    assert any("差额" in s for s in result.steps)
    # income left above the line: nothing
    assert payout(gap, facts(Expense("medical_oop", D(6000), "张三"), income="30000")).amount == 0
    # capped per household
    assert payout(scheme(method=Method.GAP, per_household_cap=D(20000)),
                  facts(Expense("medical_oop", D(18000), "张三"))).amount == D(20000)


def test_gap_variant_uses_its_multiple():
    result = payout(scheme(method=Method.GAP, gap_multiple=D("1.5")), facts(Expense("medical_oop", D(18000), "张三")))
    assert result.amount == D("38850.00")  # 1.5 × 7,300 × 3 = 32,850; + 6,000


def test_item_the_scheme_does_not_cover_pays_nothing():
    only_medical = scheme(items={"medical_oop": ItemRule(D(5000), D(3000), parse_tiers(EXAMPLE_TIERS))})
    result = payout(only_medical, facts(Expense("schooling_exp", D(30000), "王五")))
    assert result.amount == 0
    assert any("不保障该项目" in s for s in result.steps)


@pytest.mark.parametrize(("text", "wanted"), [
    ("0-20000:60%; 20000-:70%", "0-20000:60%; 20000-:70%"),
    ("0～1000：0.5，1000-：80％", None),
])
def test_tiers_parse_and_print(text, wanted):
    if wanted is None:
        with pytest.raises(InsuranceError):
            parse_tiers(text)
        return
    assert format_tiers(parse_tiers(text)) == wanted


@pytest.mark.parametrize(("text", "message"), [
    ("100-2000:50%", "第 1 段须从 0 开始"),
    ("0-2000:50%; 3000-:60%", "下限须等于上一段上限"),
    ("0-:50%; 2000-:60%", "只能是最后一段"),
    ("0-2000:150%", "比例须在 0 到 100% 之间"),
    ("零到两万:六成", "格式应为"),
])
def test_bad_tiers_are_refused_with_the_band_named(text, message):
    with pytest.raises(InsuranceError, match=message):
        parse_tiers(text)


def test_scheme_problems_name_each_field():
    bad = scheme(premium_per_person=D(0), per_household_cap=D(-1),
                 items={"medical_oop": ItemRule(D(0), D(-1), ())})
    problems = bad.problems()
    assert "每人保费：须大于 0" in problems
    assert "每户年度封顶：须大于 0（不封顶请留空）" in problems
    assert "医疗自付预警线：须大于 0" in problems
    assert "医疗自付起付线：不能为负数" in problems
    assert "医疗自付赔付分段：至少一段" in problems
    assert scheme().problems() == []


def test_claim_moves_follow_the_table():
    assert claim_next(ClaimState.OPEN, ClaimAction.PROPOSE, Actor.INSURER) is ClaimState.PROPOSED
    assert claim_next(ClaimState.PROPOSED, ClaimAction.SEND_BACK, Actor.COUNTY, "金额有误") is ClaimState.RETURNED
    assert claim_next(ClaimState.RETURNED, ClaimAction.PROPOSE, Actor.INSURER) is ClaimState.PROPOSED
    assert claim_next(ClaimState.PROPOSED, ClaimAction.APPROVE, Actor.COUNTY) is ClaimState.APPROVED
    with pytest.raises(IllegalClaimMove, match="由县级办理"):
        claim_next(ClaimState.PROPOSED, ClaimAction.APPROVE, Actor.INSURER)
    with pytest.raises(IllegalClaimMove, match="须填写理由"):
        claim_next(ClaimState.PROPOSED, ClaimAction.REJECT, Actor.COUNTY, "  ")
    with pytest.raises(IllegalClaimMove, match="已赔付"):
        claim_next(ClaimState.APPROVED, ClaimAction.APPROVE, Actor.COUNTY)
    assert claim_actions(ClaimState.PROPOSED, Actor.COUNTY) == [ClaimAction.APPROVE, ClaimAction.SEND_BACK,
                                                                 ClaimAction.REJECT]
    assert claim_actions(ClaimState.APPROVED, Actor.COUNTY) == []


# ---------------------------------------------------------------- properties of the payout

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

money_st = st.decimals(min_value=D("0.01"), max_value=D("300000"), places=2, allow_nan=False, allow_infinity=False)
expense_st = st.builds(Expense, st.sampled_from(["medical_oop", "schooling_exp", "disaster_loss"]), money_st,
                       st.sampled_from(["", "张三", "李四"]))
facts_st = st.builds(ClaimFacts, persons=st.integers(1, 8), net_income=money_st,
                     expenses=st.lists(expense_st, min_size=1, max_size=5).map(tuple),
                     paid_household=st.decimals(min_value=D(0), max_value=D("120000"), places=2),
                     paid_persons=st.fixed_dictionaries({"张三": st.decimals(min_value=D(0), max_value=D("60000"),
                                                                             places=2)}))


@settings(max_examples=300, deadline=None)
@given(facts_st, st.sampled_from([Method.TIERS, Method.GAP]))
def test_payout_stays_within_its_caps_and_its_lines_add_up(facts, method):
    s = scheme(method=method)
    result = payout(s, facts)
    assert result.amount >= 0
    assert result.amount <= max(D(100000) - facts.paid_household, D(0))
    assert sum((line.amount for line in result.lines), D(0)) == result.amount
    if method is Method.TIERS:
        # never more than what is above the deductibles, and 张三 never past his yearly 50,000
        above = sum((max(e.amount - s.items[e.item].deductible, D(0)) for e in facts.expenses), D(0))
        assert result.amount <= above
        zhang = sum((line.amount for line in result.lines if line.person == "张三"), D(0))
        assert zhang <= max(D(50000) - facts.paid_persons["张三"], D(0))
    assert result.steps[-1].startswith(("本次赔付合计", "没有达到预警线", "扣除支出后")) or not result.covered


@settings(max_examples=200, deadline=None)
@given(money_st, money_st)
def test_more_spending_never_pays_less(a, b):
    low, high = sorted((a, b))
    s = scheme(per_person_cap=None, per_household_cap=None)
    pay = [payout(s, facts(Expense("medical_oop", x, "张三"))).amount for x in (low, high)]
    assert pay[0] <= pay[1]
