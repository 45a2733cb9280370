"""Importing ledgers: all-or-nothing, idempotent, exact updates, explained errors."""

from __future__ import annotations

import pytest

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.ledger.services import do_import_ledger
from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.ledger.helpers import csv_bytes, household, xlsx

pytestmark = pytest.mark.django_db


def run(users, data: bytes, role: str = "county", dry_run: bool = False, filename: str = "台账.xlsx"):
    user = users[role]
    return do_import_ledger(data, filename, scope_code=user.scope_code, user=user, dry_run=dry_run)


def cells(outcome) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in outcome.errors}


def test_good_file_creates_households_members_years_and_history(users):
    rows = household("H001") + household("H002", SIBLING_VILLAGE, members=3)
    outcome = run(users, xlsx(rows))
    assert outcome.ok, outcome.errors
    assert outcome.counts["households"]["created"] == 2 and outcome.counts["members"]["created"] == 5
    h2 = Household.objects.get(hh_no="H002")
    assert h2.village_id == SIBLING_VILLAGE and h2.hh_type == "tuopin" and h2.exit_year == 2019
    head = Member.objects.get(household=h2, relation="head")
    assert head.id_index == pii.id_index(rows[2]["身份证号"]) and pii.decrypt(head.id_cipher) == rows[2]["身份证号"]
    assert head.phone_masked == "138****0000" and head.name_initials == "zy"
    year = HouseholdYear.objects.get(household=h2)
    assert (year.year, str(year.wage), str(year.medical_oop)) == (2024, "12000.00", "800.50")
    # One history row per new household, naming its village, type, members and year (the records
    # hold every field; later changes are rows of their own).
    assert ChangeRecord.objects.filter(action="create").count() == 2
    created = ChangeRecord.objects.get(object_type="household", household=h2).changes
    assert created["village_id"]["new"] == "西关村委会" and created["hh_type"]["new"] == "脱贫户"
    assert created["members"] == {"label": "家庭成员", "old": "", "new": "张一（户主）、张二（之子）、张三（之子）"}
    assert created["householdyear"]["new"] == "2024 年"
    assert rows[2]["身份证号"] not in str(created) and head.id_masked not in str(created)
    event = AuditEvent.objects.get(action="ledger.import")
    assert event.detail["counts"]["members"]["created"] == 5 and len(event.detail["sha256"]) == 64
    assert rows[2]["身份证号"] not in str(event.detail) and "张" not in event.summary


def test_one_bad_cell_writes_nothing_and_names_row_and_column(users):
    rows = household("H001") + household("H002")
    rows[3]["健康状况"] = "还行"
    outcome = run(users, xlsx(rows))
    assert cells(outcome) == {(5, "健康状况")}
    assert "健康状况“还行”无法识别" in outcome.errors[0].message
    assert not Household.objects.exists() and not Member.objects.exists() and not ChangeRecord.objects.exists()
    assert AuditEvent.objects.get(action="ledger.import").result == "failed"


def test_every_bad_row_is_reported_not_just_the_first(users):
    rows = household("H001", members=3)
    rows[0]["户类型"] = "富裕户"
    rows[1]["联系电话"] = "12345"
    rows[2]["年度"] = "去年"
    outcome = run(users, xlsx(rows))
    assert {(2, "户类型"), (3, "联系电话"), (4, "年度")} <= cells(outcome)
    assert "12345" not in str(outcome.errors)  # phones are masked even in messages


def test_reimporting_the_same_file_changes_nothing(users):
    data = xlsx(household("H001") + household("H002", members=4))
    assert run(users, data).ok
    before = (ChangeRecord.objects.count(), list(Member.objects.values_list("updated_at", flat=True)))
    outcome = run(users, data)
    assert outcome.ok
    assert outcome.counts == {"households": {"created": 0, "updated": 0, "unchanged": 2},
                              "members": {"created": 0, "updated": 0, "unchanged": 6},
                              "years": {"created": 0, "updated": 0, "unchanged": 2}}
    assert (ChangeRecord.objects.count(), list(Member.objects.values_list("updated_at", flat=True))) == before


def test_edited_file_updates_exactly_the_changed_records(users):
    rows = household("H001") + household("H002")
    assert run(users, xlsx(rows)).ok
    rows[0]["健康状况"] = "长期慢性病"  # member
    rows[3]["联系电话"] = "13900001111"  # member phone
    for row in rows[2:]:
        row["住址"] = "东关村 9 号"  # household H002
        row["工资性收入"] = 15000  # its year
    outcome = run(users, xlsx(rows))
    assert outcome.ok
    assert outcome.counts["members"] == {"created": 0, "updated": 2, "unchanged": 2}
    updates = ChangeRecord.objects.filter(action="update")
    assert sorted((c.object_type, *c.changes) for c in updates) == [
        ("household", "address"), ("householdyear", "wage"), ("member", "health"), ("member", "phone")]
    phone = updates.get(object_type="member", changes__has_key="phone").changes["phone"]
    assert phone == {"label": "联系电话", "old": "138****0001", "new": "139****1111", "sensitive": True}
    member = Member.objects.get(id_index=pii.id_index(rows[3]["身份证号"]))
    assert pii.decrypt(member.phone_cipher) == "13900001111" and member.phone_masked == "139****1111"
    assert Member.objects.get(id_index=pii.id_index(rows[0]["身份证号"])).health == "chronic"
    assert str(HouseholdYear.objects.get(household__hh_no="H002").wage) == "15000.00"


def test_a_member_or_year_added_to_an_existing_household_gets_its_own_create_row(users):
    rows = household("H001", members=2)
    assert run(users, xlsx(rows)).ok
    added = [*rows, {**rows[1], "姓名": "张三", "身份证号": household("H009", members=1)[0]["身份证号"]}]
    for row in added:
        row["年度"] = 2025
    outcome = run(users, xlsx(added))
    assert outcome.ok and outcome.counts["members"]["created"] == 1 and outcome.counts["years"]["created"] == 1
    new = Member.objects.get(id_index=pii.id_index(added[2]["身份证号"]))
    member_row = ChangeRecord.objects.get(action="create", object_type="member")
    assert (member_row.object_id, member_row.changes["name"]["new"]) == (new.pk, "张三")
    assert member_row.changes["id_number"] == {"label": "身份证号", "old": "", "new": new.id_masked, "sensitive": True}
    year = HouseholdYear.objects.get(household__hh_no="H001", year=2025)
    assert ChangeRecord.objects.get(action="create", object_type="householdyear").object_id == year.pk
    assert ChangeRecord.objects.filter(action="create", object_type="household").count() == 1


def test_members_absent_from_the_file_are_left_alone(users):
    rows = household("H001", members=3)
    assert run(users, xlsx(rows)).ok
    assert run(users, xlsx(rows[:2])).ok
    assert Member.objects.filter(household__hh_no="H001").count() == 3


def test_ids_typed_as_numbers_are_explained(users):
    rows = household("H001", members=4)
    rows[1]["身份证号"] = float(rows[1]["身份证号"][:17] + "0")  # 18 digits as a number: tail lost
    rows[2]["身份证号"] = "1.30633E+17"  # what a CSV round trip leaves
    rows[3]["身份证号"] = "13063319800101123"  # trailing X lost (17 digits)
    outcome = run(users, xlsx(rows))
    messages = {e.row: e.message for e in outcome.errors}
    assert "15 位有效数字" in messages[3]
    assert "科学计数法" in messages[4]
    assert "X" in messages[5] and "17 位" in messages[5]
    assert not Member.objects.exists()


def test_id_typed_as_a_17_digit_number_says_the_x_was_lost(users):
    rows = household("H001")
    rows[1]["身份证号"] = 13063319800101123.0
    outcome = run(users, xlsx(rows))
    assert cells(outcome) == {(3, "身份证号")} and "末位的 X 已丢失" in outcome.errors[0].message


def test_duplicate_id_within_the_file_names_both_rows(users):
    rows = household("H001") + household("H002")
    rows[3]["身份证号"] = rows[0]["身份证号"]
    outcome = run(users, xlsx(rows))
    (error,) = [e for e in outcome.errors if e.column == "身份证号"]
    assert error.row == 5 and "第 2 行" in error.message and "户编号 H001" in error.message
    assert "东关村委会" in error.message and rows[0]["身份证号"] not in error.message
    assert "130633" in error.message and "****" in error.message


def test_id_already_in_another_household_names_that_household(users, make_household):
    existing = make_household(SIBLING_VILLAGE, hh_no="OLD-1")
    member = existing.members.first()
    rows = household("H001")
    rows[1]["身份证号"] = pii.decrypt(member.id_cipher)
    outcome = run(users, xlsx(rows))
    (error,) = outcome.errors
    assert (error.row, error.column) == (3, "身份证号")
    assert "户编号 OLD-1（西关村委会）" in error.message and "户编号 H001（东关村委会）" in error.message
    assert member.id_masked in error.message
    assert not Household.objects.filter(hh_no="H001").exists()


def test_village_outside_the_users_scope_is_rejected(users):
    rows = household("H001", SIBLING_VILLAGE)
    outcome = run(users, xlsx(rows), role="village")
    assert cells(outcome) == {(2, "村代码"), (3, "村代码")}
    assert "不在您的管辖范围内" in outcome.errors[0].message
    outcome = run(users, xlsx(household("H002", OTHER_COUNTY_VILLAGE)))
    assert "不在您的管辖范围内" in outcome.errors[0].message and not Household.objects.exists()


def test_village_by_name_and_unknown_or_non_village_codes(users):
    rows = household("H001", "", 1) + household("H002", "130633100", 1) + household("H003", "", 1)
    rows[0]["所在村"] = "东关村"
    rows[2]["所在村"] = "南关村"
    outcome = run(users, xlsx(rows))
    messages = {e.row: e.message for e in outcome.errors}
    assert 2 not in messages
    assert "村代码应为 12 位" in messages[3]
    assert "没有名为“南关村”的村" in messages[4]


def test_household_columns_must_agree_across_its_rows(users):
    rows = household("H001", members=3)
    rows[2]["住址"] = "别处"
    outcome = run(users, xlsx(rows))
    assert cells(outcome) == {(4, "住址")}
    assert "与第 2 行（同一户编号 H001）的“住址”不一致" in outcome.errors[0].message


def test_each_household_needs_exactly_one_head(users):
    rows = household("H001") + household("H002")
    rows[1]["与户主关系"] = "户主"
    rows[2]["与户主关系"] = "之女"
    outcome = run(users, xlsx(rows))
    assert cells(outcome) == {(3, "与户主关系"), (4, "与户主关系")}
    assert "已在第 2 行有户主" in outcome.errors[0].message and "没有在户的户主" in outcome.errors[1].message


def test_a_new_head_while_the_old_one_is_missing_from_the_file_is_refused(users):
    rows = household("H001", members=3)
    assert run(users, xlsx(rows)).ok
    rows[1]["与户主关系"] = "户主"
    outcome = run(users, xlsx(rows[1:]))
    assert cells(outcome) == {(2, "与户主关系")} and "在系统中已有户主" in outcome.errors[0].message


def test_header_aliases_and_csv_in_gbk(users):
    headers = ["户码", "行政区划代码", "户属性", "成员姓名", "身份证号码", "与户主的关系", "手机号", "是否低保户"]
    rows = [{"户码": "H9", "行政区划代码": OWN_VILLAGE, "户属性": "一般户", "成员姓名": "王五", "与户主的关系": "本人",
             "身份证号码": household("x")[0]["身份证号"], "手机号": "0312-8212345", "是否低保户": "是"}]
    outcome = run(users, csv_bytes(rows, "gbk", headers), filename="台账.csv")
    assert outcome.ok, outcome.errors
    h = Household.objects.get(hh_no="H9")
    assert (h.hh_type, h.is_dibao, h.village_id) == ("yiban", True, OWN_VILLAGE)
    assert Member.objects.get(household=h).relation == "head"


def test_missing_required_columns_are_named(users):
    outcome = run(users, xlsx(household("H1"), headers=["户编号", "姓名", "与户主关系"]))
    assert {"身份证号", "户类型", "所在村"} <= {e.column for e in outcome.errors}
    assert all(e.row == 1 for e in outcome.errors)


def test_dry_run_reports_counts_and_writes_nothing(users):
    outcome = run(users, xlsx(household("H001")), dry_run=True)
    assert outcome.ok and outcome.counts["members"]["created"] == 2 and not outcome.written
    assert not Household.objects.exists() and not ChangeRecord.objects.exists()
    assert AuditEvent.objects.filter(action="ledger.validate").count() == 1


def test_household_number_used_outside_the_scope_is_an_error(users, make_household):
    make_household(OTHER_COUNTY_VILLAGE, hh_no="X1")
    outcome = run(users, xlsx(household("X1")))
    assert cells(outcome) == {(2, "户编号")} and "管辖范围以外" in outcome.errors[0].message
    assert OWN_VILLAGE not in str(outcome.errors)


def test_an_id_number_in_the_wrong_column_is_masked_in_the_message(users):
    rows = household("H001")
    rows[1]["与户主关系"] = rows[1]["身份证号"]
    outcome = run(users, xlsx(rows))
    (error,) = outcome.errors
    assert error.column == "与户主关系" and rows[1]["身份证号"] not in error.message
    assert rows[1]["身份证号"][:6] + "********" in error.message


def test_large_files_read_years_and_heads_by_scope_with_the_same_result(users, monkeypatch):
    monkeypatch.setattr("fangpin.ledger.plan.FEW_HOUSEHOLDS", 0)
    rows = household("H001", members=3) + household("H002")
    assert run(users, xlsx(rows)).ok
    rows[2]["与户主关系"] = "户主"
    rows[0]["与户主关系"] = "之父"
    rows[3]["工资性收入"] = rows[4]["工资性收入"] = 1
    outcome = run(users, xlsx(rows))
    assert outcome.ok and outcome.counts["years"] == {"created": 0, "updated": 1, "unchanged": 1}
    newcomer = {**rows[4], "身份证号": household("x")[0]["身份证号"], "与户主关系": "户主"}
    outcome = run(users, xlsx([rows[4], newcomer]))
    assert {(e.row, e.column) for e in outcome.errors} == {(2, "与户主关系")}
    assert "在系统中已有户主" in outcome.errors[0].message


@pytest.mark.parametrize("few", [2000, 0])  # per-household lookups, and the whole scope for large files
def test_a_person_registered_in_another_household_is_refused_wherever_that_is(users, make_household, monkeypatch,
                                                                            few):
    monkeypatch.setattr("fangpin.ledger.plan.FEW_HOUSEHOLDS", few)
    rows = household("H001", members=4) + household("H002")
    assert run(users, xlsx(rows)).ok
    elsewhere = make_household(OTHER_COUNTY_VILLAGE, members=(("赵六", "head"),))
    outsider = pii.decrypt(Member.objects.get(household=elsewhere).id_cipher)
    moved = {**rows[5], "身份证号": rows[2]["身份证号"]}  # H001's member, listed again under H002
    newcomer = {**rows[5], "身份证号": outsider}  # registered in another county
    fresh = {**household("H003")[0], "身份证号": rows[3]["身份证号"]}  # H001's member as a new household's head
    outcome = run(users, xlsx([rows[0], rows[1], rows[4], rows[5], moved, newcomer, fresh]))
    by_row = {e.row: e.message for e in outcome.errors if e.column == "身份证号"}
    assert set(by_row) == {6, 7, 8}, outcome.errors
    assert "已登记在户编号 H001" in by_row[6] and "H002" in by_row[6] and "一人只能属于一户" in by_row[6]
    assert f"已登记在户编号 {elsewhere.hh_no}" in by_row[7]
    assert "已登记在户编号 H001" in by_row[8] and "H003" in by_row[8]
    assert outsider not in str(outcome.errors)
    assert Member.objects.filter(household__hh_no="H002").count() == 2  # nothing written
