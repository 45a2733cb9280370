"""Department records → the facts the core rules judge (the reference the batch engines must match)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.core.idcard import make_id
from fangpin.core.policy import Policy
from fangpin.core.rules import HouseholdFacts, evaluate, suggest_category
from fangpin.core.screening import SCHEMAS, MemberRef, Record, id_of_key, person_key, screening_facts, window

POLICY = Policy(version="13-2026-1", year=2026, monitoring_line=Decimal("7300"))
END = dt.date(2026, 10, 31)
HEAD = make_id("130633", dt.date(1970, 3, 1), 11)
CHILD = make_id("130633", dt.date(2012, 6, 1), 22)
ELDER = make_id("130633", dt.date(1940, 1, 1), 33)
KEYS = {name: person_key(idn) for name, idn in (("head", HEAD), ("child", CHILD), ("elder", ELDER))}
MEMBERS = [MemberRef(KEYS["head"], "full"), MemberRef(KEYS["child"], "none"), MemberRef(KEYS["elder"], "lost")]
BASE = HouseholdFacts(household_type="yiban", persons=3, net_income=Decimal("36000"),
                      last_year_net_income=Decimal("30000"), rigid={"medical_oop": Decimal("2000")})


def rec(kind, who, day, **values):
    return Record(kind, KEYS[who], day, values)


def test_person_key_is_an_integer_that_round_trips_and_orders_like_the_id():
    assert id_of_key(person_key(HEAD)) == HEAD
    x_id = next(make_id("130633", dt.date(1980, 1, 1), n) for n in range(1, 200)
                if make_id("130633", dt.date(1980, 1, 1), n).endswith("X"))
    assert person_key(x_id) % 11 == 10 and id_of_key(person_key(x_id)) == x_id
    assert person_key(x_id.lower()) == person_key(x_id)
    assert person_key(HEAD) < 2**63
    with pytest.raises(ValueError, match="不是由有效身份证号"):
        id_of_key(person_key(HEAD) + 1)


def test_window_is_twelve_months_ending_on_the_day():
    assert window(END) == (dt.date(2025, 10, 31), END)
    assert window(dt.date(2028, 2, 29)) == (dt.date(2027, 2, 28), dt.date(2028, 2, 29))


def test_medical_spending_in_the_window_over_last_years_income_is_found():
    records = [
        rec("medical_insurance", "elder", dt.date(2025, 10, 31), out_of_pocket="9000"),  # the window's open end: out
        rec("medical_insurance", "elder", dt.date(2025, 11, 1), out_of_pocket="18000"),
        rec("medical_insurance", "head", dt.date(2026, 10, 31), out_of_pocket="13000.50"),  # last day: in
        rec("medical_insurance", "head", dt.date(2026, 11, 1), out_of_pocket="50000"),  # after the period
    ]
    facts = screening_facts(BASE, MEMBERS, records, END)
    assert facts.rigid["medical_oop"] == Decimal("31000.50")  # 18,000 + 13,000.50, more than the registry's 2,000
    [finding] = evaluate(facts, POLICY)
    assert finding.rule == "rigid_over_income" and finding.risk_types == ("因病",)
    assert finding.text == "刚性支出 31,000.50 元（医疗自付 31,000.50 元）> 上年家庭纯收入 30,000 元"
    assert suggest_category(facts, [finding]) == "突发严重困难户"


def test_records_of_people_outside_the_household_are_ignored():
    stranger = Record("public_security", person_key(make_id("130633", dt.date(1975, 1, 1), 44)), dt.date(2026, 5, 1),
                      {"event": "death"})
    assert screening_facts(BASE, MEMBERS, [stranger], END) == BASE


def test_the_latest_housing_and_water_record_replaces_the_registry():
    records = [rec("housing", "head", dt.date(2026, 1, 5), rating="D"), rec("housing", "head", dt.date(2026, 6, 5),
                                                                           rating="B"),
               rec("water", "head", dt.date(2026, 3, 1), status="safe"),
               rec("water", "head", dt.date(2026, 3, 1), status="unsafe_quality")]  # same day: the worse
    facts = screening_facts(BASE, MEMBERS, records, END)
    assert (facts.housing_safety, facts.water) == ("B", "unsafe_quality")
    assert [f.rule for f in evaluate(facts, POLICY)] == ["water"]


def test_a_dropout_counts_unless_the_pupil_went_back():
    back = [rec("education", "child", dt.date(2026, 3, 1), status="dropout"),
            rec("education", "child", dt.date(2026, 9, 1), status="enrolled")]
    assert screening_facts(BASE, MEMBERS, back, END).dropouts == 0
    out = [*back, rec("education", "child", dt.date(2026, 10, 8), status="suspected_dropout")]
    facts = screening_facts(BASE, MEMBERS, out, END)
    assert facts.dropouts == 1
    assert [f.text for f in evaluate(facts, POLICY)] == ["有 1 名义务教育阶段辍学人员"]


def test_job_loss_and_death_count_only_for_members_able_to_work():
    records = [rec("hr_social_security", "head", dt.date(2026, 4, 1), event="dismissed"),
               rec("hr_social_security", "elder", dt.date(2026, 4, 1), event="unemployed"),
               rec("public_security", "elder", dt.date(2026, 8, 1), event="death"),
               rec("public_security", "child", dt.date(2026, 8, 2), event="accident"),
               rec("disabled_federation", "child", dt.date(2026, 9, 1), grade="2")]
    facts = screening_facts(BASE, MEMBERS, records, END)
    assert (facts.job_losses, facts.earner_deaths, facts.accident_injuries, facts.new_disabilities) == (1, 0, 1, 1)
    findings = evaluate(facts, POLICY)
    assert [(f.rule, f.risk_types) for f in findings] == [
        ("new_disability", ("因残",)), ("job_loss", ("因务工就业不稳",)), ("accident", ("因意外事故",))]
    assert findings[1].text == "近 12 个月有 1 名有劳动能力的成员失业或解除劳动合同"


def test_every_schema_has_an_id_column_and_its_date_field():
    for kind, schema in SCHEMAS.items():
        assert schema.kind == kind and schema.fields[0].key == "id_number"
        assert schema.field(schema.date_field).kind == "date"
        assert len({f.key for f in schema.fields}) == len(schema.fields)


def test_cells_are_parsed_to_their_field_kind_with_chinese_reasons():
    from fangpin.core.screening import CellError, parse_cell

    med = SCHEMAS["medical_insurance"]
    assert parse_cell(med.field("id_number"), HEAD.lower()) == HEAD
    assert parse_cell(med.field("settle_date"), "2026/3/5") == dt.date(2026, 3, 5)
    assert parse_cell(med.field("settle_date"), "2026年3月5日") == dt.date(2026, 3, 5)
    assert parse_cell(med.field("settle_date"), 46086) == dt.date(2026, 3, 5)  # an Excel serial number
    assert parse_cell(med.field("out_of_pocket"), "18,000.5元") == Decimal("18000.50")
    assert parse_cell(med.field("reimbursed"), "") is None  # optional
    for field_key, raw, reason in (("out_of_pocket", "", "不能为空"), ("out_of_pocket", "-5", "超出范围"),
                                   ("out_of_pocket", "abc", "不是金额"), ("settle_date", "2026-13-01", "不是有效日期"),
                                   ("id_number", HEAD[:17] + "0", "校验位错误")):
        with pytest.raises(CellError, match=reason):
            parse_cell(med.field(field_key), raw)
    grade = SCHEMAS["disabled_federation"].field("grade")
    assert parse_cell(grade, "二级") == "2" and parse_cell(grade, 3.0) == "3"
    with pytest.raises(CellError, match="可填：一级、二级、三级、四级"):
        parse_cell(grade, "五级")


def test_headers_map_by_name_or_alias_and_missing_required_fields_are_named():
    from fangpin.core.screening import auto_mapping, missing_fields

    med = SCHEMAS["medical_insurance"]
    mapping = auto_mapping(med, ["序号", "公民身份号码", "出院日期", "个人 负担", "备注"])
    assert mapping == {"id_number": 1, "settle_date": 2, "out_of_pocket": 3}
    assert missing_fields(med, mapping) == []
    assert [f.header for f in missing_fields(med, {"id_number": 0})] == ["结算日期", "个人自付"]
