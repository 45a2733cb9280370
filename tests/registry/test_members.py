"""Adding and editing members: ID rules shared with the import, one person per household, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.registry.models import ChangeRecord, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, SIBLING_VILLAGE, new_id
from tests.registry.conftest import member_post


def add(client, household, **fields):
    return client.post(reverse("registry:member_add", args=[household.pk]), member_post(**fields))


def edit(client, member, **fields):
    data = member_post(**{"name": member.name, "relation": member.relation, "id_number": "", **fields})
    return client.post(reverse("registry:member_edit", args=[member.pk]), data)


@pytest.mark.django_db
def test_add_member_derives_sex_and_birth_date_from_id(login, make_household):
    household = make_household()
    id_number = new_id(year=1990, male=False)
    response = add(login("village"), household, id_number=id_number, phone="138 0013 8001")
    assert response.status_code == 302
    member = Member.objects.get(name="王五")
    assert member.sex == "女" and member.birth_date.year == 1990
    assert member.name_initials == "ww" and pii.decrypt(member.phone_cipher) == "13800138001"
    record = ChangeRecord.objects.get(object_type="member")
    assert record.changes["id_number"] == {"label": "身份证号", "old": "", "new": member.id_masked, "sensitive": True}
    assert id_number not in str(record.changes) and "13800138001" not in str(record.changes)
    assert AuditEvent.objects.filter(action="member.create", object_id=str(member.pk)).exists()


@pytest.mark.django_db
def test_fifteen_digit_id_is_upgraded(login, make_household):
    household = make_household()
    add(login("village"), household, id_number="130633800101123")
    member = Member.objects.get(name="王五")
    assert member.birth_date.isoformat() == "1980-01-01" and member.id_masked.startswith("130633")
    assert len(pii.decrypt(member.id_cipher)) == 18


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "message"), [
    ("1.30633E+17", "科学计数法"),
    ("13063319701301001X", "不是有效日期"),
    ("12345", "应为 18 位"),
    ("13063319700101001", "末位的 X 丢失"),
])
def test_bad_id_rejected_with_chinese_reason(login, make_household, raw, message):
    household = make_household()
    response = add(login("village"), household, id_number=raw)
    assert message in response.content.decode()
    assert not Member.objects.filter(name="王五").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("phone", "ok"), [
    ("13912345678", True), ("0312-8212345", True), ("(010)62345678", True), ("8212345", True),
    ("1391234567", False), ("12345678901", False), ("0312-12", False), ("电话", False),
])
def test_phone_validated(login, make_household, phone, ok):
    household = make_household()
    response = add(login("village"), household, id_number=new_id(), phone=phone)
    assert Member.objects.filter(name="王五").exists() is ok
    if not ok:
        assert "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_duplicate_id_in_another_household_is_rejected_naming_it(login, make_household):
    there = make_household(SIBLING_VILLAGE)
    here = make_household()
    taken = there.members.first()
    response = add(login("township"), here, id_number=pii.decrypt(taken.id_cipher))
    body = response.content.decode()
    assert f"身份证号 {taken.id_masked} 已登记在易州镇西关村委会户 {there.hh_no}" in body
    assert f"不能再登记到易州镇东关村委会户 {here.hh_no}" in body
    assert pii.decrypt(taken.id_cipher) not in body
    assert here.members.count() == 2 and not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_duplicate_id_outside_scope_is_still_rejected(login, make_household):
    there = make_household(OTHER_COUNTY_VILLAGE)
    here = make_household()
    response = add(login("village"), here, id_number=pii.decrypt(there.members.first().id_cipher))
    assert f"户 {there.hh_no}" in response.content.decode()
    assert here.members.count() == 2


@pytest.mark.django_db
def test_duplicate_id_in_same_household(login, make_household):
    household = make_household()
    response = add(login("village"), household, id_number=pii.decrypt(household.members.first().id_cipher))
    assert "已是本户成员" in response.content.decode()


@pytest.mark.django_db
def test_second_active_head_is_refused(login, make_household):
    household = make_household()
    response = add(login("village"), household, id_number=new_id(), relation="head")
    assert "该户已有户主 张三" in response.content.decode()


@pytest.mark.django_db
def test_edit_member_records_diffs_and_id_change_only_masked(login, make_household):
    household = make_household()
    spouse = household.members.get(relation="spouse")
    old_masked = spouse.id_masked
    new_number = new_id(year=1985, male=False)
    response = edit(login("village"), spouse, labour="weak", id_number=new_number)
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert spouse.labour == "weak" and pii.decrypt(spouse.id_cipher) == new_number
    assert spouse.birth_date.year == 1985 and spouse.sex == "女"
    changes = ChangeRecord.objects.get(action="update").changes
    assert changes["labour"] == {"label": "劳动能力", "old": "有劳动力", "new": "弱劳动力"}
    assert changes["id_number"] == {"label": "身份证号", "old": old_masked, "new": spouse.id_masked,
                                    "sensitive": True}
    assert new_number not in str(changes)
    event = AuditEvent.objects.get(action="member.update")
    assert "id_number" in event.detail["fields"] and new_number not in str(event.detail) + event.summary


@pytest.mark.django_db
def test_edit_with_blank_id_and_phone_keeps_them(login, make_household):
    household = make_household()
    head = household.members.get(relation="head")
    before = (head.id_index, head.phone_cipher)
    edit(login("village"), head, health="chronic")
    head.refresh_from_db()
    assert (head.id_index, head.phone_cipher) == before and head.health == "chronic"
    assert set(ChangeRecord.objects.get().changes) == {"health"}


@pytest.mark.django_db
def test_edit_phone_is_recorded_masked(login, make_household):
    head = make_household().members.get(relation="head")
    edit(login("village"), head, phone="13912345678")
    changes = ChangeRecord.objects.get().changes
    assert changes == {"phone": {"label": "联系电话", "old": "138****8000", "new": "139****5678", "sensitive": True}}


@pytest.mark.django_db
def test_edit_form_never_renders_the_id_or_phone_and_is_audited(login, make_household):
    head = make_household().members.get(relation="head")
    body = login("village").get(reverse("registry:member_edit", args=[head.pk])).content.decode()
    assert head.id_masked in body and pii.decrypt(head.id_cipher) not in body and "13800138000" not in body
    assert AuditEvent.objects.filter(action="member.view", object_id=str(head.pk)).exists()


@pytest.mark.django_db
def test_rerendered_form_does_not_echo_the_typed_id(login, make_household):
    household = make_household()
    typed = new_id()
    response = add(login("village"), household, id_number=typed, phone="123")
    body = response.content.decode()
    assert "errorlist" in body and typed not in body


@pytest.mark.django_db
def test_edit_out_of_scope_member_is_404(login, make_household):
    theirs = make_household(SIBLING_VILLAGE).members.first()
    response = edit(login("village"), theirs, labour="none")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.labour == "full"
