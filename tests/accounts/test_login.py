"""Logins are audited through Django's signals: success and failure, with the username only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_successful_login_is_recorded(client, users):
    response = client.post(reverse("login"), {"username": "county", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login.ok")
    assert (event.username, event.role, event.ip, event.region_code) == ("county", "county", "10.0.0.9", "130633")
    assert PASSWORD not in str(event.detail) + event.summary


def test_failed_login_is_recorded_without_the_password(client, users):
    response = client.post(reverse("login"), {"username": "county", "password": "wrong-Secret-77"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode() or "正确" in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert (event.result, event.username, event.detail) == ("failed", "", {"username": "county"})
    assert "wrong-Secret-77" not in event.canonical().decode()


def test_logout_is_recorded(client, users):
    client.post(reverse("login"), {"username": "village", "password": PASSWORD})
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="logout", username="village").count() == 1


def test_disabled_account_cannot_log_in(client, users):
    users["village"].is_active = False
    users["village"].save(update_fields=["is_active"])
    client.post(reverse("login"), {"username": "village", "password": PASSWORD})
    assert not AuditEvent.objects.filter(action="login.ok").exists()
    assert AuditEvent.objects.filter(action="login.failed").count() == 1
