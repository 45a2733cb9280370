"""The ledger pages: upload → job page → result / error report, template, export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.core import ledger as L
from fangpin.ledger.models import ImportJob
from fangpin.registry.models import Household
from tests.conftest import SIBLING_VILLAGE
from tests.ledger.helpers import household, xlsx

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, mode: str = "check", name: str = "台账.xlsx"):
    return client.post(reverse("ledger:import"), {"file": SimpleUploadedFile(name, data), "mode": mode})


def sheet_rows(content: bytes, index: int = 0) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(index).to_python()


def test_check_then_confirm_imports_the_uploaded_file(client, users):
    client.force_login(users["township"])
    response = upload(client, xlsx(household("H1") + household("H2", SIBLING_VILLAGE)))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "校验通过" in page and "确认导入" in page and not Household.objects.exists()
    response = client.post(reverse("ledger:job_confirm", args=[job.pk]))
    new = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("ledger:job", args=[new.pk])
    assert (new.status, new.dry_run, new.counts["households"]["created"]) == ("done", False, 2)
    assert Household.objects.count() == 2
    assert "导入完成" in client.get(reverse("ledger:job_status", args=[new.pk])).content.decode()


def test_bad_file_shows_errors_and_the_report_keeps_the_rows_with_an_error_column(client, users):
    client.force_login(users["county"])
    rows = household("H1", members=3)
    rows[2]["劳动能力"] = "=HYPERLINK(1)"
    upload(client, xlsx(rows), mode="import")
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.error_count == 1 and not Household.objects.exists()
    page = client.get(reverse("ledger:job", args=[job.pk])).content.decode()
    assert "未写入任何数据" in page and "劳动能力" in page and "<td class=\"num\" data-label=\"行号\">4</td>" in page
    report = client.get(reverse("ledger:job_report", args=[job.pk]))
    assert report.status_code == 200
    table = sheet_rows(report.getvalue())
    assert table[0][0] == "行号" and table[0][-1] == "错误说明" and len(table) == 2
    assert table[1][0] == 4 and "劳动能力" in table[1][-1]
    assert "'=HYPERLINK(1)" in table[1]  # the user's own text comes back, never as a formula
    assert AuditEvent.objects.filter(action="ledger.report").count() == 1


def test_upload_refuses_other_file_types_and_oversized_files(client, users, settings):
    client.force_login(users["county"])
    response = upload(client, b"hello", name="台账.pdf")
    assert "不支持的文件类型" in response.content.decode() and not ImportJob.objects.exists()
    settings.LEDGER_MAX_UPLOAD_BYTES = 100
    response = upload(client, xlsx(household("H1")))
    assert "文件过大" in response.content.decode() and not ImportJob.objects.exists()


def test_running_job_page_polls_and_a_finished_one_stops(client, users):
    client.force_login(users["county"])
    job = ImportJob.objects.create(user=users["county"], region_id="130633", filename="a.xlsx", sha256="0" * 64,
                                   status="running", phase="校验数据", progress=40)
    body = client.get(reverse("ledger:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="40"' in body
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    assert "hx-trigger" not in client.get(reverse("ledger:job_status", args=[job.pk])).content.decode()


def test_jobs_of_other_regions_are_not_found(client, users):
    job = ImportJob.objects.create(region_id=SIBLING_VILLAGE, filename="a.xlsx", sha256="0" * 64)
    client.force_login(users["village"])
    assert client.get(reverse("ledger:job", args=[job.pk])).status_code == 404


def test_template_has_headers_text_id_column_and_instructions(client, users):
    client.force_login(users["village"])
    response = client.get(reverse("ledger:template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    content = response.getvalue()
    assert sheet_rows(content)[0] == [c.header for c in L.COLUMNS]
    notes = sheet_rows(content, 1)
    assert notes[0][:3] == ["列名", "是否必填", "可填写的值 / 说明"]
    assert any(row[0] == "健康状况" and "长期慢性病" in row[2] for row in notes)


def test_export_masks_ids_and_phones_and_neutralises_formulas(client, users):
    from fangpin.ledger.services import do_import_ledger

    rows = household("H1") + household("H2", SIBLING_VILLAGE)
    rows[0]["姓名"] = "=cmd|' /C calc'!A0"
    rows[1]["住址"] = rows[0]["住址"] = "@SUM(1)"
    assert do_import_ledger(xlsx(rows), "a.xlsx", scope_code="130633", user=users["county"], dry_run=False).ok
    client.force_login(users["township"])
    response = client.get(reverse("ledger:export"), {"region": "", "hh_type": "tuopin"})
    assert response.status_code == 302
    export = client.get(response["Location"])
    assert export.status_code == 200
    table = sheet_rows(export.getvalue())
    header = table[0]
    assert header == [c.header for c in L.COLUMNS] and len(table) == 5
    by_name = {r[header.index("户编号")] + r[header.index("身份证号")]: r for r in table[1:]}
    first = next(r for r in table[1:] if r[header.index("姓名")].startswith("'"))
    assert first[header.index("姓名")] == "'=cmd|' /C calc'!A0" and first[header.index("住址")] == "'@SUM(1)"
    assert first[header.index("身份证号")] == rows[0]["身份证号"][:6] + "********" + rows[0]["身份证号"][-4:]
    assert first[header.index("联系电话")] == "138****0000" and first[header.index("户类型")] == "脱贫户"
    assert first[header.index("工资性收入")] == 12000
    assert not any(r["身份证号"] in str(table) for r in rows) and len(by_name) == 4
    event = AuditEvent.objects.get(action="ledger.export")
    assert event.detail == {"region": "130633100", "hh_type": "tuopin", "rows": 4}


def test_export_refuses_regions_outside_the_scope(client, users):
    client.force_login(users["village"])
    assert client.get(reverse("ledger:export_file", args=[SIBLING_VILLAGE])).status_code == 404
    response = client.get(reverse("ledger:export"), {"region": SIBLING_VILLAGE})
    assert response.status_code == 200 and "不在您的管辖范围内" in response.content.decode()
    assert not AuditEvent.objects.filter(action="ledger.export").exists()
