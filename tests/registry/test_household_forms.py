"""Creating and editing households: scope, validation in Chinese, history of field changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import ChangeRecord, Household, Member
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE, new_id
from tests.registry.conftest import household_post

CREATE = reverse("registry:create")


def create_post(village: str, id_number: str, **overrides) -> dict:
    data = household_post(village=village, hh_type="tuopin", exit_year="2019", is_dibao="on")
    data.update({"head-name": "张三", "head-id_number": id_number, "head-phone": "0312-8212345",
                 "head-health": "healthy", "head-labour": "full", "head-schooling": "none",
                 "head-employment": "farming", "head-med_insurance": "on"})
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_household_with_head_writes_history_and_audit(login, regions):
    id_number = new_id()
    response = login("village").post(CREATE, create_post(OWN_VILLAGE, id_number))
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:detail", args=[household.pk])
    assert household.hh_no.startswith(OWN_VILLAGE) and household.is_dibao and household.exit_year == 2019
    head = household.members.get()
    assert (head.relation, head.phone_masked) == ("head", "031*****2345")
    assert head.birth_date.isoformat().replace("-", "") == id_number[6:14]
    assert set(ChangeRecord.objects.values_list("object_type", "action")) == {("household", "create"),
                                                                            ("member", "create")}
    assert id_number not in str(list(ChangeRecord.objects.values_list("changes", flat=True)))
    writes = AuditEvent.objects.exclude(action__startswith="login.")
    assert set(writes.values_list("action", flat=True)) == {"household.create", "member.create"}


@pytest.mark.django_db
def test_village_user_cannot_create_in_another_village(login, regions):
    response = login("village").post(CREATE, create_post(SIBLING_VILLAGE, new_id()))
    assert response.status_code == 200
    assert "所选村不在您的管辖范围内" in response.content.decode()
    assert not Household.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db
def test_village_select_offers_only_the_users_subtree(login, regions):
    body = login("township").get(CREATE).content.decode()
    assert f'value="{OWN_VILLAGE}"' in body and f'value="{SIBLING_VILLAGE}"' in body
    assert f'value="{OTHER_TOWNSHIP_VILLAGE}"' not in body and f'value="{OTHER_COUNTY_VILLAGE}"' not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city", "province", "department", "insurer", "sysadmin", "auditadmin"])
def test_roles_without_edit_permission_cannot_create(login, regions, role):
    response = login(role).post(CREATE, create_post(OWN_VILLAGE, new_id()))
    assert response.status_code == 403
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_bad_head_id_is_explained_and_nothing_written(login, regions):
    bad = new_id()[:-1] + "Y"
    response = login("village").post(CREATE, create_post(OWN_VILLAGE, bad))
    body = response.content.decode()
    assert "身份证号前 17 位须为数字，末位为数字或 X" in body
    assert bad not in body
    assert not Household.objects.exists() and not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_duplicate_head_id_rolls_back_the_new_household(login, make_household):
    existing = make_household(SIBLING_VILLAGE)
    taken = existing.members.first()
    from fangpin import pii

    response = login("township").post(CREATE, create_post(OWN_VILLAGE, pii.decrypt(taken.id_cipher)))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"已登记在易州镇西关村委会户 {existing.hh_no}" in body and taken.id_masked in body
    assert Household.objects.count() == 1 and not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_edit_records_field_diffs(login, make_household):
    household = make_household(address="东关村 1 号")
    data = household_post(household, address="东关村 2 号", hh_type="jiance", housing_safety="C", is_dibao="on")
    response = login("village").post(reverse("registry:edit", args=[household.pk]), data)
    assert response.status_code == 302
    record = ChangeRecord.objects.get(action="update")
    assert record.changes == {
        "address": {"label": "住址", "old": "东关村 1 号", "new": "东关村 2 号"},
        "hh_type": {"label": "户类型", "old": "脱贫户", "new": "监测户"},
        "is_dibao": {"label": "低保户", "old": "否", "new": "是"},
        "housing_safety": {"label": "住房安全等级", "old": "A级", "new": "C级（局部危险）"},
    }
    assert record.user.username == "village" and record.object_id == household.pk
    event = AuditEvent.objects.get(action="household.update")
    assert event.detail == {"fields": ["address", "hh_type", "housing_safety", "is_dibao"]}
    household.refresh_from_db()
    assert (household.address, household.hh_type, household.housing_safety) == ("东关村 2 号", "jiance", "C")


@pytest.mark.django_db
def test_edit_without_changes_writes_nothing(login, make_household):
    household = make_household()
    login("village").post(reverse("registry:edit", args=[household.pk]), household_post(household))
    assert not ChangeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="household.update").exists()


@pytest.mark.django_db
def test_edit_out_of_scope_is_404_and_unchanged(login, make_household):
    theirs = make_household(OTHER_TOWNSHIP_VILLAGE)
    response = login("township").post(reverse("registry:edit", args=[theirs.pk]),
                                      household_post(theirs, address="改"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.address == "" and not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_cannot_move_household_out_of_scope(login, make_household):
    household = make_household()
    response = login("township").post(reverse("registry:edit", args=[household.pk]),
                                      household_post(household, village=OTHER_TOWNSHIP_VILLAGE))
    assert "所选村不在您的管辖范围内" in response.content.decode()
    household.refresh_from_db()
    assert household.village_id == OWN_VILLAGE


@pytest.mark.django_db
def test_exit_year_typed_is_checked_but_an_imported_one_left_alone(login, make_household):
    response = login("village").post(CREATE, create_post(OWN_VILLAGE, new_id(), exit_year="2008"))
    assert "脱贫年度应在 2013–" in response.content.decode()
    assert not Household.objects.exists()
    imported = make_household(exit_year=2008)
    response = login("village").post(reverse("registry:edit", args=[imported.pk]),
                                     household_post(imported, address="新住址"))
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.address == "新住址" and imported.exit_year == 2008
