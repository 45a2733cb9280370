from decimal import Decimal as D

from fangpin.core.assistance import HouseholdProfile, MemberProfile, suggest_measures
from fangpin.core.elimination import EliminationFacts, check_elimination
from fangpin.core.policy import Policy

POLICY = Policy(version="t", year=2025, monitoring_line=D("7000"))


def test_elimination_needs_six_stable_months_and_secure_guarantees():
    check = check_elimination(EliminationFacts(months_above_line=4, unmet_guarantees=("housing",)), POLICY)
    assert not check.eligible
    assert check.missing == ("收入稳定超过监测线仅 4 个月，须满 6 个月", "住房安全尚未保障")
    assert check_elimination(EliminationFacts(months_above_line=6), POLICY).eligible


def test_no_labour_on_social_security_stays_monitored():
    check = check_elimination(EliminationFacts(months_above_line=12, labour_members=0,
                                               relies_on_social_security=True), POLICY)
    assert not check.eligible and check.missing == ()
    assert "继续监测" in (check.keep_monitoring or "")


def codes(profile):
    return [s.code for s in suggest_measures(profile)]


def test_able_unemployed_member_gets_employment_first():
    h = HouseholdProfile(members=(MemberProfile(age=35, labour="full", employment="unemployed"),
                                  MemberProfile(age=8, labour="none", schooling="primary")))
    got = codes(h)
    assert got[:2] == ["job_placement", "skills_training"]
    assert "education_aid" in got and "dibao" not in got


def test_lone_elderly_without_labour_gets_safety_net():
    h = HouseholdProfile(members=(MemberProfile(age=83, labour="lost", disability_grade="2"),),
                         risk_types=("因病",))
    got = codes(h)
    for code in ("dibao", "tekun", "medical_aid", "disability_subsidy", "elderly_subsidy"):
        assert code in got
    assert "job_placement" not in got


def test_already_on_dibao_is_not_suggested_again_and_house_and_water_show():
    h = HouseholdProfile(members=(MemberProfile(age=70, labour="none"),), is_dibao=True, housing_safety="D",
                         water="unsafe_quantity")
    got = codes(h)
    assert "dibao" not in got and "house_renovation" in got and "water_project" in got
