"""Showing a full ID number: only for roles with ``unmask``, in scope, by POST, audited every time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin import pii
from fangpin.audit.models import AuditEvent
from tests.conftest import SIBLING_VILLAGE


def url(member):
    return reverse("registry:member_unmask", args=[member.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["village", "township", "county"])
def test_unmask_shows_the_number_once_and_is_audited(login, make_household, role):
    head = make_household().members.get(relation="head")
    response = login(role).post(url(head))
    clear = pii.decrypt(head.id_cipher)
    assert response.status_code == 200 and clear in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="member.unmask")
    assert (event.username, event.object_id, event.object_type) == (role, str(head.pk), "member")
    assert clear not in event.summary + str(event.detail) and head.id_masked in event.summary


@pytest.mark.django_db
def test_htmx_unmask_returns_only_the_fragment(login, make_household):
    head = make_household().members.get(relation="head")
    response = login("village").post(url(head), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert pii.decrypt(head.id_cipher) in body and "<html" not in body


@pytest.mark.django_db
def test_get_only_asks_for_confirmation(login, make_household):
    head = make_household().members.get(relation="head")
    body = login("village").get(url(head)).content.decode()
    assert "确认显示" in body and pii.decrypt(head.id_cipher) not in body
    assert not AuditEvent.objects.filter(action="member.unmask").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city", "province", "department", "insurer", "sysadmin", "secadmin",
                                  "auditadmin"])
def test_roles_without_unmask_are_refused_and_the_refusal_recorded(login, make_household, role):
    head = make_household().members.get(relation="head")
    response = login(role).post(url(head))
    assert response.status_code == 403
    assert pii.decrypt(head.id_cipher) not in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.unmask").exists()
    assert AuditEvent.objects.filter(action="access.denied", username=role).exists()


@pytest.mark.django_db
def test_out_of_scope_unmask_is_404(login, make_household):
    theirs = make_household(SIBLING_VILLAGE).members.first()
    response = login("village").post(url(theirs))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="member.unmask").exists()
