"""The audit administrator's pages: search, detail, export (itself audited) and chain verification."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.audit.services import record, record_system_event
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(users):
    county = users["county"]
    return {
        "view": record(None, "household.view", user=county, object_type="household", object_id="11",
                       region_code=OWN_VILLAGE, summary="查看户 A-11"),
        "edit": record(None, "household.update", user=users["village"], object_type="household",
                       object_id="12", region_code=OWN_VILLAGE, summary="修改户 A-12"),
        "denied": record(None, "access.denied", user=county, summary="拒绝访问 /x", result="denied"),
        "elsewhere": record(None, "household.view", object_type="household", object_id="99",
                            region_code=OTHER_COUNTY_VILLAGE, summary="查看户 涞水-99"),
        "system": record_system_event("regions.load", summary="区划加载"),
    }


@pytest.fixture
def auditor(client, users):
    client.force_login(users["auditadmin"])  # 审计管理员 of 易县
    return client


def _seqs(response) -> list[int]:
    return [e.seq for e in response.context["page"]]


def test_list_shows_the_scope_newest_first(auditor, events):
    response = auditor.get(reverse("audit:list"))
    assert response.status_code == 200
    expected = [events[k].seq for k in ("system", "denied", "edit", "view")]
    assert _seqs(response) == expected  # 涞水县's event is outside 易县
    assert "涞水-99" not in response.content.decode()


@pytest.mark.parametrize(("query", "keys"), [
    ({"user": "county"}, ["denied", "view"]),
    ({"action": "household."}, ["edit", "view"]),
    ({"object_type": "household", "object_id": "12"}, ["edit"]),
    ({"region": OWN_VILLAGE[:9]}, ["edit", "view"]),
    ({"result": "denied"}, ["denied"]),
    ({"region": OTHER_COUNTY_VILLAGE}, []),
])
def test_filters(auditor, events, query, keys):
    assert _seqs(auditor.get(reverse("audit:list"), query)) == [events[k].seq for k in keys]


def test_date_range_filter(auditor, events):
    today = timezone.localdate()
    assert len(_seqs(auditor.get(reverse("audit:list"), {"date_from": today, "date_to": today}))) == 4
    yesterday = today - dt.timedelta(days=1)
    assert _seqs(auditor.get(reverse("audit:list"), {"date_to": yesterday})) == []
    bad = auditor.get(reverse("audit:list"), {"date_from": today, "date_to": yesterday})
    assert "截止日期不能早于起始日期" in bad.content.decode()


def test_list_is_paginated(auditor, users, settings):
    settings.LIST_PAGE_SIZE = 10
    for n in range(25):
        record(None, "bulk.event", user=users["county"], summary=f"第 {n} 件")
    page3 = auditor.get(reverse("audit:list"), {"action": "bulk.", "page": 3})
    assert len(_seqs(page3)) == 5
    assert "第 3 / 3 页" in page3.content.decode()


def test_detail_shows_the_event_and_its_hashes(auditor, events):
    response = auditor.get(reverse("audit:detail", args=[events["edit"].seq]))
    html = response.content.decode()
    assert "修改户 A-12" in html and events["edit"].hash in html
    assert auditor.get(reverse("audit:detail", args=[events["elsewhere"].seq])).status_code == 404


def test_csv_export_of_the_filtered_set_is_itself_audited(auditor, events):
    response = auditor.get(reverse("audit:export"), {"action": "household.", "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment;")
    assert text.splitlines()[0].startswith("序号,时间,用户名")
    assert "修改户 A-12" in text and "查看户 A-11" in text
    assert "拒绝访问" not in text and "涞水-99" not in text
    export = AuditEvent.objects.get(action="audit.export")
    assert (export.username, export.detail["filters"], export.detail["format"]) == (
        "auditadmin", {"action": "household."}, "csv")


def test_xlsx_export(auditor, events):
    response = auditor.get(reverse("audit:export"), {"user": "village", "format": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "序号"
    assert [r[9] for r in rows[1:]] == ["修改户 A-12"]


def test_export_neutralises_spreadsheet_formulas(auditor, users):
    record(None, "login.failed", summary="=HYPERLINK(\"http://x\")", result="failed")
    text = auditor.get(reverse("audit:export"), {"action": "login.", "format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_unknown_export_format_is_not_found(auditor, events):
    assert auditor.get(reverse("audit:export"), {"format": "pdf"}).status_code == 404


def test_verify_button_reports_an_intact_chain_and_is_recorded(auditor, events):
    assert "开始校验" in auditor.get(reverse("audit:verify")).content.decode()
    html = auditor.post(reverse("audit:verify")).content.decode()
    assert "完整" in html and "共校验 5 条" in html
    assert AuditEvent.objects.get(action="audit.verify").result == "ok"


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "county", "village"])
def test_only_the_audit_administrator_reads_the_log(client, users, role):
    client.force_login(users[role])
    for name in ("audit:list", "audit:export", "audit:verify"):
        assert client.get(reverse(name)).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", username=role).count() == 3


def test_list_query_count_does_not_grow_with_events(auditor, users, django_assert_max_num_queries):
    for n in range(30):
        record(None, "bulk.event", user=users["county"], region_code="130633", summary=f"第 {n} 件")
    with django_assert_max_num_queries(8):
        auditor.get(reverse("audit:list"))
