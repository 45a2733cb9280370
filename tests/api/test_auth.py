"""Tokens (valid, revoked, expired, disabled user), session + CSRF, 三员, anonymous callers, the commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangpin.api.models import ApiToken
from fangpin.api.tokens import do_issue_token, do_revoke_token, user_for_key
from fangpin.audit.models import AuditEvent
from tests.api.conftest import Api
from tests.conftest import OWN_VILLAGE

VISITS = reverse("api:visits")
CASES = reverse("api:cases")


def test_a_valid_token_reads_and_records_its_use(api, users):
    response = api("village").get(VISITS)
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "page": 1, "page_size": 20, "items": []}
    token = ApiToken.objects.get(user=users["village"])
    assert token.last_used is not None


def test_only_the_hash_is_stored(users):
    token, key = do_issue_token(users["village"], "对接")
    assert key.startswith(token.prefix + "_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = list(ApiToken.objects.values_list("name", "prefix", "key_hash"))
    assert all(key not in value for row in stored for value in row)
    assert AuditEvent.objects.filter(action="api.token_issue").count() == 1


def test_revoked_expired_disabled_and_garbage_tokens_get_401(users):
    now = timezone.now()
    revoked, revoked_key = do_issue_token(users["village"], "将撤销")
    do_revoke_token(revoked)
    expired, expired_key = do_issue_token(users["township"], "过期", days=1, now=now - dt.timedelta(days=2))
    _, disabled_key = do_issue_token(users["county"], "停用用户")
    users["county"].is_active = False
    users["county"].save(update_fields=["is_active"])
    for key in (revoked_key, expired_key, disabled_key, "fpk_00000000_nope", "not-a-token"):
        response = Api(key).get(VISITS)
        assert response.status_code == 401, (key, response.content)
        assert "令牌" in response.json()["detail"]
    # a bearer header that is not "Bearer <token>"
    bad = Api().client.get(VISITS, headers={"Authorization": "Basic dXNlcjpwYXNz", "Accept": "application/json"})
    assert bad.status_code == 401 and "Bearer" in bad.json()["detail"]
    assert user_for_key(expired_key, now=now - dt.timedelta(days=1, hours=12)) == users["township"]


def test_a_bad_token_does_not_fall_back_to_the_session(client, users):
    client.force_login(users["village"])
    response = client.get(VISITS, headers={"Authorization": "Bearer fpk_deadbeef_x"})
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin"])
def test_the_three_administrators_cannot_use_data_endpoints(users, role, client):
    with pytest.raises(Exception, match="三员"):
        do_issue_token(users[role], "不应签发")
    # a token made before the rule (or by hand) is still refused, and the refusal is audited
    from fangpin.api.tokens import hash_key

    ApiToken.objects.create(user=users[role], name="旧令牌", prefix="fpk_admin000", key_hash=hash_key("fpk_admin000_x"))
    for url in (VISITS, CASES, reverse("api:pipeline")):
        assert Api("fpk_admin000_x").get(url).status_code == 403
    client.force_login(users[role])
    response = client.get(VISITS)
    assert response.status_code == 403 and response.json()["detail"] == "您的角色无权使用此接口"
    assert AuditEvent.objects.filter(action="access.denied", username=role).count() == 4


def test_session_get_works_and_session_post_needs_csrf(users, make_household, policy):
    household = make_household(OWN_VILLAGE)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["village"])
    assert browser.get(VISITS).status_code == 200
    url = reverse("api:household_leads", kwargs={"household_id": household.pk})
    refused = browser.post(url, {"summary": "无 CSRF"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not household.cases.exists()
    browser.get(reverse("home"))  # sets the csrftoken cookie, as any page does
    token = browser.cookies["csrftoken"].value
    ok = browser.post(url, {"summary": "有 CSRF"}, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 201, ok.content
    # a token caller needs no CSRF token
    _, key = do_issue_token(users["village"], "脚本")
    assert Api(key, Client(enforce_csrf_checks=True)).post(url, {"summary": "令牌"}).status_code == 201


def test_anonymous_callers(client):
    assert client.get(VISITS, headers={"Accept": "application/json"}).status_code == 401
    assert client.get(VISITS, headers={"Accept": "application/json"}).json()["detail"].startswith("请先登录")
    browser = client.get(VISITS)
    assert browser.status_code == 302 and browser["Location"].startswith("/accounts/login/")
    strict = Client(enforce_csrf_checks=True)
    post = strict.post(reverse("api:case_actions", kwargs={"case_id": 1}), {}, content_type="application/json")
    assert post.status_code == 401 and post.json()["detail"].startswith("请先登录")


def test_create_and_revoke_commands(users):
    out = io.StringIO()
    call_command("create_api_token", "village", "乡镇对接", "--days", "30", stdout=out)
    key = next(line for line in out.getvalue().splitlines() if line.startswith("fpk_"))
    token = ApiToken.objects.get()
    assert token.expires is not None and (token.expires - timezone.now()).days in (29, 30)
    assert Api(key).get(VISITS).status_code == 200
    call_command("revoke_api_token", token.prefix, stdout=io.StringIO())
    assert Api(key).get(VISITS).status_code == 401
    with pytest.raises(CommandError, match="已于"):
        call_command("revoke_api_token", token.prefix)
    with pytest.raises(CommandError, match="三员"):
        call_command("create_api_token", "auditadmin", "x")
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_api_token", "nobody", "x")
    assert set(AuditEvent.objects.filter(action__startswith="api.token").values_list("action", flat=True)) == {
        "api.token_issue", "api.token_revoke"}


def test_tokens_always_expire_and_totp_roles_get_shorter_ones(users, settings):
    settings.FANGPIN_REQUIRE_TOTP = True
    settings.FANGPIN_API_TOKEN_MAX_DAYS, settings.FANGPIN_API_TOKEN_MAX_DAYS_TOTP = 90, 30
    now = timezone.now()
    village, _ = do_issue_token(users["village"], "默认", now=now)
    assert village.expires == now + dt.timedelta(days=90)  # no more never-expiring tokens
    county, _ = do_issue_token(users["county"], "默认", now=now)
    assert county.expires == now + dt.timedelta(days=30)
    with pytest.raises(Exception, match="最长 30 天"):
        do_issue_token(users["county"], "太长", days=31)
    with pytest.raises(Exception, match="最长 90 天"):
        do_issue_token(users["village"], "太长", days=91)
    settings.FANGPIN_REQUIRE_TOTP = False  # without the second factor in force the general limit applies
    assert do_issue_token(users["county"], "无动态口令", days=60)[0].expires is not None


def test_a_totp_role_issues_tokens_only_from_a_verified_session(users, settings, rf):
    settings.FANGPIN_REQUIRE_TOTP = True
    request = rf.post("/api/tokens/")
    request.user = users["county"]
    request.user.is_verified = lambda: False
    do_issue_token(users["county"], "命令行")  # no session: the operator is audited as the OS account
    assert ApiToken.objects.filter(user=users["county"]).count() == 1
    with pytest.raises(Exception, match="动态口令"):
        do_issue_token(users["county"], "未验证", request=request)
    assert ApiToken.objects.filter(user=users["county"]).count() == 1
    request.user.is_verified = lambda: True
    do_issue_token(users["county"], "已验证", request=request)
    assert ApiToken.objects.filter(user=users["county"]).count() == 2
