"""Staff pages: registration with errors per field, the grievance page's forms by role and owner, each step
posted through the services, overdue rows highlighted, and the list scoped to the region."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from fangpin.grievances import views
from fangpin.grievances.models import Grievance
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE

pytestmark = pytest.mark.django_db


def test_register_names_bad_fields_and_writes_nothing(client, users, regions):
    client.force_login(users["village"])
    response = client.post(reverse("grievances:new"), {"source": "visit", "kind": "", "village": OWN_VILLAGE,
                                                       "name": "王五", "phone": "12345", "content": "补助没到"})
    body = response.content.decode()
    assert response.status_code == 200 and "请选择诉求类型" in body and "联系电话：" in body
    assert Grievance.objects.count() == 0
    # a village outside the user's village is not even offered
    assert OTHER_TOWNSHIP_VILLAGE not in client.get(reverse("grievances:new")).content.decode()


def test_register_then_county_assigns_owner_answers_and_county_visits(client, users, make_household):
    household = make_household(OWN_VILLAGE)
    client.force_login(users["village"])
    response = client.post(reverse("grievances:new"), {
        "source": "phone", "kind": "undelivered", "village": OWN_VILLAGE, "name": "王五", "phone": "13912340000",
        "content": "光伏收益分红没有到账", "hh_no": household.hh_no})
    g = Grievance.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grievances:detail", args=[g.pk])
    assert g.household == household and g.created_by == users["village"]
    page = client.get(response["Location"]).content.decode()
    assert "13912340000" not in page and "139****0000" in page and 'id="assign-form"' not in page

    client.force_login(users["county"])
    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    assert 'id="assign-form"' in page and f'value="{users["village"].pk}"' in page
    client.post(reverse("grievances:assign", args=[g.pk]), {"seen_state": "received", "owner": users["village"].pk,
                                                            "leader": "张书记"})
    assert Grievance.objects.get(pk=g.pk).owner == users["village"]
    assert 'id="respond-form"' not in client.get(reverse("grievances:detail", args=[g.pk])).content.decode()

    client.force_login(users["village"])
    assert 'id="respond-form"' in client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    response = client.post(reverse("grievances:respond", args=[g.pk]), {"seen_state": "assigned", "outcome": "",
                                                                         "response": "已核实"}, follow=True)
    assert "办理结果" in response.content.decode() and Grievance.objects.get(pk=g.pk).state == "assigned"
    client.post(reverse("grievances:respond", args=[g.pk]), {"seen_state": "assigned", "outcome": "solved",
                                                             "response": "已协调镇财政补发"})
    assert Grievance.objects.get(pk=g.pk).state == "responded"

    client.force_login(users["county"])
    client.post(reverse("grievances:visit", args=[g.pk]), {"seen_state": "responded", "satisfaction": "satisfied"})
    g.refresh_from_db()
    assert g.state == "closed" and g.resolved


def test_a_stale_form_is_refused_with_a_message(client, users, make_grievance):
    g = make_grievance()
    client.force_login(users["county"])
    client.post(reverse("grievances:assign", args=[g.pk]), {"seen_state": "received", "owner": users["township"].pk})
    response = client.post(reverse("grievances:assign", args=[g.pk]),
                           {"seen_state": "received", "owner": users["village"].pk}, follow=True)
    assert "已被他人办理" in response.content.decode()
    assert Grievance.objects.get(pk=g.pk).owner == users["township"]


def test_overdue_rows_are_highlighted_and_counted(client, users, make_grievance, monkeypatch):
    late, fresh = make_grievance(), make_grievance(village=OTHER_TOWNSHIP_VILLAGE)
    Grievance.objects.filter(pk=late.pk).update(due=dt.date(2026, 1, 5))
    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 1, 6))
    Grievance.objects.filter(pk=fresh.pk).update(due=dt.date(2026, 1, 6))
    client.force_login(users["county"])
    body = client.get(reverse("grievances:list")).content.decode()
    rows = {no: cls for cls, no in re.findall(r'<tr class="([^"]*)">\s*<td[^>]*><a[^>]*>(\w+)<', body)}
    assert rows[late.no] == "overdue" and rows[fresh.no] == ""
    assert "1 件" in body
    body = client.get(reverse("grievances:list") + "?flag=overdue").content.decode()
    assert late.no in body and fresh.no not in body


def test_village_list_shows_only_its_village(client, users, make_grievance):
    own, other = make_grievance(), make_grievance(village=OTHER_TOWNSHIP_VILLAGE)
    client.force_login(users["village"])
    body = client.get(reverse("grievances:list")).content.decode()
    assert own.no in body and other.no not in body


def test_list_and_ledger_queries_do_not_grow_with_the_rows(client, users, make_grievance):
    for _ in range(3):
        make_grievance()
    client.force_login(users["county"])

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = {url: count(url) for url in (reverse("grievances:list"), reverse("grievances:ledger"))}
    for village in (OWN_VILLAGE, OTHER_TOWNSHIP_VILLAGE) * 5:
        make_grievance(village=village)
    assert {url: count(url) for url in few} == few
