"""Hand-computed cases for the risk rules."""

from decimal import Decimal as D

from fangpin.core.policy import Policy
from fangpin.core.rules import HouseholdFacts, evaluate, suggest_category, suggest_risk_types

POLICY = Policy(version="13-2025-1", year=2025, monitoring_line=D("6000"))


def facts(**kw):
    base = {"household_type": "yiban", "persons": 3, "net_income": D("30000"), "last_year_net_income": D("30000")}
    base.update(kw)
    return HouseholdFacts(**base)


def rules_of(findings):
    return {f.rule for f in findings}


def test_secure_household_has_no_findings():
    assert evaluate(facts(), POLICY) == []
    assert suggest_category(facts(), []) is None


def test_income_below_line_names_figures_and_threshold():
    # 16,260 / 3 = 5,420 per person
    found = evaluate(facts(net_income=D("16260"), last_year_net_income=D("17000")), POLICY)
    assert rules_of(found) == {"income_below_line"}
    assert found[0].text == "人均纯收入 5,420 元 < 监测线 6,000 元"
    assert found[0].policy_version == "13-2025-1"


def test_income_exactly_on_the_line_is_not_below():
    assert evaluate(facts(net_income=D("18000"), last_year_net_income=D("18000")), POLICY) == []


def test_rigid_expenditure_over_last_years_income():
    f = facts(net_income=D("24000"), last_year_net_income=D("24000"),
              rigid={"medical_oop": D("26000"), "schooling_exp": D("1000")})
    found = evaluate(f, POLICY)
    assert rules_of(found) == {"rigid_over_income"}
    assert "刚性支出 27,000 元" in found[0].text and "上年家庭纯收入 24,000 元" in found[0].text
    assert found[0].risk_types == ("因病",)
    assert suggest_category(f, found) == "突发严重困难户"


def test_rigid_factor_raises_the_bar():
    f = facts(net_income=D("24000"), last_year_net_income=D("24000"), rigid={"medical_oop": D("26000")})
    assert evaluate(f, Policy(version="x", year=2025, monitoring_line=D("6000"), rigid_factor=D("1.2"))) == []


def test_income_collapse_against_last_year():
    f = facts(net_income=D("19000"), last_year_net_income=D("40000"))  # −52.5 %
    found = evaluate(f, POLICY)
    assert rules_of(found) == {"income_collapse"}
    assert "下降 52.5%（超过 50%）" in found[0].text
    assert evaluate(facts(net_income=D("20000"), last_year_net_income=D("40000")), POLICY) == []  # exactly −50 %


def test_each_unmet_guarantee_is_its_own_finding():
    f = facts(housing_safety="D", water="unsafe_quality", dropouts=1, uninsured=2)
    found = evaluate(f, POLICY)
    assert rules_of(found) == {"housing", "water", "education", "medical"}
    assert suggest_risk_types(f, found, labour_members=0) == ["因学", "因病", "住房安全", "饮水安全", "缺劳动力"]


def test_categories_follow_household_type_and_cause():
    low = facts(net_income=D("15000"), last_year_net_income=D("15500"))
    found = evaluate(low, POLICY)
    assert suggest_category(low, found) == "边缘易致贫户"
    poor_before = facts(household_type="tuopin", net_income=D("15000"), last_year_net_income=D("15500"))
    assert suggest_category(poor_before, evaluate(poor_before, POLICY)) == "脱贫不稳定户"
