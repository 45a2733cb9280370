"""迁出 / 死亡: the member stays in the registry with status, date and note recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import ChangeRecord, Member


def change(client, member, status, on="2024-03-01", note=""):
    return client.post(reverse("registry:member_status", args=[member.pk]), {"status": status, "on": on,
                                                                             "note": note})


@pytest.mark.django_db
def test_deceased_member_is_kept_with_date_and_history(login, make_household):
    spouse = make_household().members.get(relation="spouse")
    response = change(login("village"), spouse, "deceased", note="死亡证明 2024-17")
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert (spouse.status, str(spouse.status_date), spouse.status_note) == ("deceased", "2024-03-01",
                                                                           "死亡证明 2024-17")
    assert Member.objects.filter(pk=spouse.pk).exists()
    changes = ChangeRecord.objects.get().changes
    assert changes["status"] == {"label": "成员状态", "old": "在户", "new": "死亡"}
    assert AuditEvent.objects.get(action="member.status").detail == {"status": "deceased"}


@pytest.mark.django_db
def test_same_status_is_refused(login, make_household):
    spouse = make_household().members.get(relation="spouse")
    response = change(login("village"), spouse, "active")
    assert "成员当前状态已是“在户”" in response.content.decode()
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_future_date_is_refused(login, make_household):
    spouse = make_household().members.get(relation="spouse")
    response = change(login("village"), spouse, "moved_out", on="2999-01-01")
    assert "变更日期不能晚于今天" in response.content.decode()
    spouse.refresh_from_db()
    assert spouse.status == "active"


@pytest.mark.django_db
def test_new_head_allowed_after_old_head_moved_out(login, make_household):
    household = make_household()
    head = household.members.get(relation="head")
    change(login("village"), head, "moved_out")
    spouse = household.members.get(relation="spouse")
    response = login("village").post(reverse("registry:member_edit", args=[spouse.pk]), {
        "name": spouse.name, "relation": "head", "health": "healthy", "labour": "full", "schooling": "none",
        "employment": "farming"})
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert spouse.relation == "head"
    # and the old head cannot come back while the new one is in the household
    response = change(login("village"), head, "active")
    assert "该户已有户主" in response.content.decode()
