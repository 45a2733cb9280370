"""My API tokens page: issue (secret shown once, hash stored), list only my own, revoke only my own."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from fangpin.api.models import ApiToken
from fangpin.api.tokens import do_issue_token
from fangpin.audit.models import AuditEvent
from tests.api.conftest import Api

TOKENS = reverse("api:tokens")


def test_issue_list_and_revoke_my_tokens(client, users):
    theirs, _ = do_issue_token(users["township"], "乡镇的令牌")
    client.force_login(users["village"])
    page = client.post(TOKENS, {"name": "村级对接", "days": "30"})
    assert page.status_code == 200
    body = page.content.decode()
    key = re.search(r"(fpk_[0-9a-f]{8}_[\w-]+)", body).group(1)
    mine = ApiToken.objects.get(user=users["village"])
    assert mine.name == "村级对接" and key not in str(list(ApiToken.objects.values_list()))
    assert "乡镇的令牌" not in body and theirs.prefix not in body
    assert key not in client.get(TOKENS).content.decode()  # shown once only
    assert Api(key).get(reverse("api:visits")).status_code == 200
    assert client.post(reverse("api:token_revoke", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("api:token_revoke", kwargs={"pk": mine.pk})).status_code == 302
    assert Api(key).get(reverse("api:visits")).status_code == 401
    theirs.refresh_from_db()
    assert theirs.revoked is None
    assert AuditEvent.objects.filter(action="api.token_revoke", username="village").count() == 1


def test_bad_input_admins_and_csrf(client, users):
    client.force_login(users["village"])
    bad = client.post(TOKENS, {"name": "", "days": "0"}).content.decode()
    assert "用途说明" in bad and not ApiToken.objects.exists()
    client.force_login(users["auditadmin"])
    assert client.get(TOKENS).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["village"])
    assert strict.post(TOKENS, {"name": "无 CSRF", "days": "30"}).status_code == 403
    assert not ApiToken.objects.exists()
