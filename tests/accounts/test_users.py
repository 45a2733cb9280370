"""The system administrator's user management: scoped, validated, audited, never a password in the log."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from fangpin.accounts.models import User
from fangpin.audit.models import AuditEvent
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Xin-mima-2026!"


@pytest.fixture
def admin(client, users):
    client.force_login(users["sysadmin"])  # 系统管理员 of 易县 (130633)
    return client


@pytest.fixture
def secadmin(users):
    client = Client()
    client.force_login(users["secadmin"])  # 安全管理员 of 易县: grants, password and TOTP resets
    return client


def _new(**overrides) -> dict:
    data = {"username": "wang", "display_name": "王五", "role": "village", "region": OWN_VILLAGE,
            "department_kind": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return {**data, **overrides}


def _errors(response) -> dict:
    return {k: " ".join(v) for k, v in response.context["form"].errors.items()}


def test_list_is_scoped_to_the_admins_region(admin, users):
    User.objects.create_user("laishui", role="village", region_id=OTHER_COUNTY_VILLAGE)
    names = [u.username for u in admin.get(reverse("accounts:users")).context["page"]]
    assert "laishui" not in names and "province" not in names and "city" not in names
    assert {"county", "village", "township", "sysadmin"} <= set(names)


def test_list_filters(admin, users):
    page = admin.get(reverse("accounts:users"), {"role": "village"}).context["page"]
    assert [u.username for u in page] == ["village"]


def test_create_user_is_audited_without_the_password(admin):
    response = admin.post(reverse("accounts:user_create"), _new(is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert (user.role, user.region_id, user.is_superuser, user.is_staff) == ("village", OWN_VILLAGE, False, False)
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.create")
    assert (event.object_id, event.region_code, event.username) == (str(user.pk), OWN_VILLAGE, "sysadmin")
    assert NEW_PASSWORD not in str(event.detail) and NEW_PASSWORD not in event.summary
    assert "password" not in str(event.detail)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"region": "130633100"}, "region", "村级账户的所属区划应为村级"),
    ({"role": "county", "region": OWN_VILLAGE}, "region", "县级账户的所属区划应为县级"),
    ({"region": OTHER_COUNTY_VILLAGE}, "region", "不在您的管辖范围"),
    ({"role": "city", "region": "1306"}, "region", "不在您的管辖范围"),
    ({"region": "999999"}, "region", "不存在"),
    ({"role": "department", "region": "130633"}, "department_kind", "部门账户须指定部门类别"),
    ({"password2": "other-pass-1"}, "password2", "两次输入的密码不一致"),
    ({"password1": "12345678", "password2": "12345678"}, "password1", "密码"),
    ({"username": "county"}, "username", "已存在"),
    ({"role": "root"}, "role", "不在可用的选项中"),
])
def test_create_is_validated(admin, overrides, field, message):
    response = admin.post(reverse("accounts:user_create"), _new(**overrides))
    assert response.status_code == 200
    assert message in _errors(response).get(field, ""), _errors(response)
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_department_user_keeps_its_kind_and_others_drop_it(admin):
    admin.post(reverse("accounts:user_create"), _new(username="yibao", role="department", region="130633",
                                                     department_kind="medical_insurance"))
    admin.post(reverse("accounts:user_create"), _new(username="cun", department_kind="education"))
    assert User.objects.get(username="yibao").department_kind == "medical_insurance"
    assert User.objects.get(username="cun").department_kind == ""


def test_security_admin_changes_role_and_region_and_ends_sessions(secadmin, users):
    target = users["village"]
    other = Client()
    other.force_login(target)
    response = secadmin.post(reverse("accounts:user_grants", args=[target.pk]),
                             {"role": "township", "region": "130633100"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.region_id) == ("township", "130633100")
    event = AuditEvent.objects.get(action="user.grants")
    assert event.detail["changes"]["role"] == ["village", "township"]
    assert event.detail["sessions_ended"] == 1
    assert other.get(reverse("home")).status_code == 302  # logged out


def test_system_admin_edits_names_only(admin, users):
    target = users["village"]
    response = admin.post(reverse("accounts:user_edit", args=[target.pk]),
                          {"username": "village", "display_name": "新名字", "role": "county", "region": "130633"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.display_name, target.role, target.region_id) == ("新名字", "village", OWN_VILLAGE)
    assert AuditEvent.objects.get(action="user.update").detail["changes"] == {"display_name": ["", "新名字"]}
    # the grants page and the credential resets belong to the security administrator
    assert admin.get(reverse("accounts:user_grants", args=[target.pk])).status_code == 403
    assert admin.post(reverse("accounts:user_password", args=[target.pk]),
                      {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 403
    assert admin.post(reverse("accounts:user_totp", args=[target.pk])).status_code == 403


def test_system_admin_cannot_create_an_administrator(admin):
    response = admin.post(reverse("accounts:user_create"), _new(role="secadmin", region="130633"))
    assert "不在可用的选项中" in _errors(response)["role"]
    assert not User.objects.filter(username="wang").exists()


def test_edit_outside_the_scope_is_not_found(admin):
    outsider = User.objects.create_user("laishui", role="village", region_id=OTHER_COUNTY_VILLAGE)
    url = reverse("accounts:user_edit", args=[outsider.pk])
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"username": "laishui", "role": "village", "region": OWN_VILLAGE}).status_code == 404
    assert User.objects.get(pk=outsider.pk).region_id == OTHER_COUNTY_VILLAGE


def test_security_admin_cannot_change_their_own_role(secadmin, users):
    me = users["secadmin"]
    response = secadmin.post(reverse("accounts:user_grants", args=[me.pk]), {"role": "county", "region": "130633"})
    assert "不能修改自己的角色" in _errors(response)["role"]
    assert User.objects.get(pk=me.pk).role == "secadmin"


def test_security_admin_cannot_create_or_disable_accounts(secadmin, users):
    assert secadmin.post(reverse("accounts:user_create"), _new()).status_code == 403
    assert secadmin.post(reverse("accounts:user_active", args=[users["county"].pk]),
                         {"action": "disable"}).status_code == 403
    assert User.objects.get(username="county").is_active and not User.objects.filter(username="wang").exists()


def test_edit_cannot_grant_superuser(admin, users):
    target = users["county"]
    admin.post(reverse("accounts:user_edit", args=[target.pk]),
               {"username": "county", "role": "county", "region": "130633", "is_superuser": "on", "is_staff": "on"})
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff


def test_disabling_ends_sessions_and_blocks_login(admin, users):
    target = users["county"]
    session_client = Client()
    session_client.force_login(target)
    assert Session.objects.count() == 2
    response = admin.post(reverse("accounts:user_active", args=[target.pk]), {"action": "disable"})
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).is_active is False
    assert Session.objects.count() == 1  # only the administrator's
    assert session_client.get(reverse("home")).status_code == 302
    assert not Client().login(username="county", password=PASSWORD)
    event = AuditEvent.objects.get(action="user.disable")
    assert event.detail["sessions_ended"] == 1
    admin.post(reverse("accounts:user_active", args=[target.pk]), {"action": "enable"})
    assert User.objects.get(pk=target.pk).is_active is True
    assert AuditEvent.objects.filter(action="user.enable").count() == 1


def test_admin_cannot_disable_themselves(admin, users):
    admin.post(reverse("accounts:user_active", args=[users["sysadmin"].pk]), {"action": "disable"})
    assert User.objects.get(username="sysadmin").is_active is True


def test_password_reset(secadmin, users):
    admin = secadmin
    target = users["township"]
    response = admin.post(reverse("accounts:user_password", args=[target.pk]),
                          {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).check_password(NEW_PASSWORD)
    assert User.objects.get(pk=target.pk).must_change_password  # the holder must choose their own
    event = AuditEvent.objects.get(action="user.password_reset")
    assert NEW_PASSWORD not in str(event.detail) + event.summary
    mismatch = admin.post(reverse("accounts:user_password", args=[target.pk]),
                          {"password1": NEW_PASSWORD, "password2": "x"})
    assert "两次输入的密码不一致" in mismatch.content.decode()


@pytest.mark.parametrize("role", ["county", "auditadmin", "secadmin", "department"])
def test_only_the_system_administrator_manages_users(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("accounts:users")).status_code == (200 if role == "secadmin" else 403)
    assert client.post(reverse("accounts:user_create"), _new()).status_code == 403
    assert not User.objects.filter(username="wang").exists()


def test_list_query_count_does_not_grow_with_users(admin, django_assert_max_num_queries):
    User.objects.bulk_create([User(username=f"u{n}", role="village", region_id=OWN_VILLAGE) for n in range(30)])
    with django_assert_max_num_queries(8):
        admin.get(reverse("accounts:users"))
