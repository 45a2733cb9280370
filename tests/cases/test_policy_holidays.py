"""Holiday administration and the deadline preview: rows change the office's calendar, every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Holiday
from fangpin.cases.policy_services import preview_deadline

LIST = reverse("cases:holiday_list")
NEW = reverse("cases:holiday_create")


def test_preview_skips_the_national_day_week_and_counts_the_make_up_saturday(client, users):
    # 2026-09-30 + 5 working days: 10-01..07 rest, 10-08 Thu, 10-09 Fri, 10-10 Sat (调休上班), 10-12, 10-13.
    client.force_login(users["village"])
    body = client.get(LIST, {"start": "2026-09-30", "days": 5}).content.decode()
    assert "<strong>2026-10-13</strong>" in body
    assert preview_deadline(dt.date(2026, 9, 30), 5).skipped == 8


def test_preview_reports_bad_input_in_chinese(client, users):
    client.force_login(users["village"])
    body = client.get(LIST, {"start": "2026-02-30", "days": -1}).content.decode()
    assert "起算日期：格式不正确" in body and "工作日数：不能为负数" in body


def test_county_adds_a_holiday_that_moves_deadlines_and_is_audited(client, users):
    client.force_login(users["county"])
    response = client.post(NEW, {"date": "2026-10-12", "is_workday": "0", "name": "县里补休"})
    assert response.status_code == 302
    assert Holiday.objects.get(date=dt.date(2026, 10, 12)).name == "县里补休"
    assert preview_deadline(dt.date(2026, 9, 30), 5).end == dt.date(2026, 10, 14)
    event = AuditEvent.objects.get(action="holiday.add")
    assert event.user_id == users["county"].pk and event.detail["date"] == "2026-10-12"


def test_a_weekend_made_a_working_day_counts(client, users):
    client.force_login(users["province"])
    client.post(NEW, {"date": "2027-01-09", "is_workday": "1", "name": "调休"})  # a Saturday
    assert preview_deadline(dt.date(2027, 1, 7), 2).end == dt.date(2027, 1, 9)


def test_a_weekday_cannot_be_a_make_up_working_day(client, users):
    client.force_login(users["county"])
    response = client.post(NEW, {"date": "2027-01-06", "is_workday": "1"})
    assert "2027-01-06 是工作日（周一至周五），无需设为调休上班" in response.content.decode()
    assert not Holiday.objects.exists()


def test_the_same_date_twice_is_refused(client, users):
    Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    client.force_login(users["county"])
    response = client.post(NEW, {"date": "2027-01-01", "is_workday": "0"})
    assert "2027-01-01 已设置过" in response.content.decode()
    assert Holiday.objects.count() == 1
    assert not AuditEvent.objects.filter(action="holiday.add").exists()


def test_delete_removes_the_row_and_the_audit_keeps_it(client, users):
    holiday = Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    client.force_login(users["county"])
    url = reverse("cases:holiday_delete", kwargs={"pk": holiday.pk})
    assert "确定删除" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Holiday.objects.exists()
    event = AuditEvent.objects.get(action="holiday.delete")
    assert event.object_id == str(holiday.pk) and event.detail == {"date": "2027-01-01", "is_workday": False,
                                                                   "name": "元旦"}


@pytest.mark.parametrize("role", ["village", "township", "city", "auditadmin"])
def test_roles_without_manage_policy_cannot_change_holidays(client, users, role):
    holiday = Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
    client.force_login(users[role])
    assert client.post(NEW, {"date": "2027-01-02", "is_workday": "0"}).status_code == 403
    assert client.post(reverse("cases:holiday_delete", kwargs={"pk": holiday.pk})).status_code == 403
    assert list(Holiday.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
    assert "删除</a>" not in client.get(LIST).content.decode()
