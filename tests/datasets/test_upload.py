"""Department data upload: mapping, cell checks, matching by blind index, scope, idempotence, report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.datasets.models import ColumnMapping, Dataset, Record
from fangpin.datasets.services import DatasetError, do_upload_dataset
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, new_id

LIST = reverse("datasets:list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(make_household):
    own = make_household(OWN_VILLAGE, members=(("本县人", "head"),))
    far = make_household(OTHER_COUNTY_VILLAGE, members=(("外县人", "head"),))
    clear = {name: pii.decrypt(h.members.get().id_cipher) for name, h in (("own", own), ("far", far))}
    return {"own": own, "far": far, "ids": clear}


def csv_bytes(rows, encoding="gbk") -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def medical_file(people) -> bytes:
    ids = people["ids"]
    return csv_bytes([
        ["序号", "公民身份号码", "出院日期", "个人负担", "医疗总费用"],
        [1, ids["own"], "2026-03-05", "18000", "30000"],
        [2, ids["far"], "2026/4/1", "500", ""],
        [3, new_id("130633", 1990), "20260501", "100", ""],  # valid but not registered
        [4, ids["own"][:17] + ("0" if ids["own"][17] != "0" else "1"), "2026-03-05", "1", ""],  # bad check digit
        [5, ids["own"], "2026-03-06", "abc", ""],  # bad amount
    ])


def test_upload_matches_in_scope_people_and_counts_the_rest(client, users, people):
    client.force_login(users["department"])  # 医保局 of 易县
    data = medical_file(people)
    upload = SimpleUploadedFile("医保结算.csv", data)
    response = client.post(LIST, {"kind": "medical_insurance", "file": upload})
    dataset = Dataset.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("datasets:detail", args=[dataset.pk])
    assert (dataset.rows_total, dataset.rows_matched, dataset.rows_outside, dataset.rows_unmatched,
            dataset.rows_invalid) == (5, 1, 1, 1, 2)
    [rec] = Record.objects.all()
    member = people["own"].members.get()
    assert (rec.member_id, rec.household_id, rec.day) == (member.pk, people["own"].pk, dt.date(2026, 3, 5))
    assert rec.values == {"total_cost": "30000.00", "reimbursed": None, "out_of_pocket": "18000.00"}
    assert [e[:2] for e in dataset.errors] == [[5, "身份证号"], [6, "个人自付"]]
    assert "校验位错误" in dataset.errors[0][2] and "不是金额" in dataset.errors[1][2]
    dump = str(list(Dataset.objects.values())) + str(list(Record.objects.values()))
    assert not any(idn in dump for idn in people["ids"].values())
    event = AuditEvent.objects.get(action="dataset.upload")
    assert event.detail["matched"] == 1 and event.detail["invalid"] == 2
    # the same file again: nothing new
    again = client.post(LIST, {"kind": "medical_insurance", "file": SimpleUploadedFile("再传.csv", data)}, follow=True)
    assert "此前已上传过" in again.content.decode()
    assert Dataset.objects.count() == 1 and Record.objects.count() == 1


def test_error_rows_download_as_excel(client, users, people):
    client.force_login(users["department"])
    client.post(LIST, {"kind": "medical_insurance", "file": SimpleUploadedFile("a.csv", medical_file(people))})
    response = client.get(reverse("datasets:errors", args=[Dataset.objects.get().pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == ["行号", "列", "错误说明"] and [r[0] for r in rows[1:]] == [5, 6]


def test_unknown_headers_ask_for_a_mapping_which_is_saved(client, users, people):
    client.force_login(users["department"])
    data = csv_bytes([["证件", "日期", "自付"], [people["ids"]["own"], "2026-03-05", "900"]], "utf-8-sig")
    response = client.post(LIST, {"kind": "medical_insurance", "file": SimpleUploadedFile("x.csv", data)})
    assert response["Location"] == reverse("datasets:mapping") and not Dataset.objects.exists()
    page = client.get(reverse("datasets:mapping")).content.decode()
    assert "结算日期（必填）" in page
    done = client.post(reverse("datasets:mapping"), {"id_number": "证件", "settle_date": "日期",
                                                      "out_of_pocket": "自付"})
    dataset = Dataset.objects.get()
    assert done["Location"] == reverse("datasets:detail", args=[dataset.pk]) and dataset.rows_matched == 1
    assert ColumnMapping.objects.get(kind="medical_insurance").mapping == {
        "id_number": "证件", "settle_date": "日期", "out_of_pocket": "自付"}
    # the next file with those headers goes straight through
    second = csv_bytes([["证件", "日期", "自付"], [people["ids"]["own"], "2026-04-05", "100"]])
    client.post(LIST, {"kind": "medical_insurance", "file": SimpleUploadedFile("y.csv", second)})
    assert Dataset.objects.count() == 2


def test_a_department_uploads_only_its_own_kind(users, people):
    with pytest.raises(DatasetError, match="只能上传本部门"):
        do_upload_dataset(users["department"], "education", b"x", "a.csv")
    with pytest.raises(DatasetError):
        do_upload_dataset(users["village"], "medical_insurance", b"x", "a.csv")


def test_excel_upload_by_the_county(users, people):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["身份证号", "鉴定日期", "鉴定等级"])
    sheet.write_string(1, 0, people["ids"]["own"])
    sheet.write_datetime(1, 1, dt.datetime(2026, 6, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_string(1, 2, "D级")
    book.close()
    dataset, created = do_upload_dataset(users["county"], "housing", out.getvalue(), "鉴定.xlsx")
    assert created and dataset.rows_matched == 1
    assert Record.objects.get().values == {"rating": "D"} and Record.objects.get().day == dt.date(2026, 6, 1)


def test_parquet_upload(users, people):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"身份证号": [people["ids"]["own"]], "登记日期": ["2026-07-01"], "登记类型": ["失业登记"]})
    out = io.BytesIO()
    pq.write_table(table, out)
    dataset, _ = do_upload_dataset(users["county"], "hr_social_security", out.getvalue(), "失业.parquet")
    assert dataset.rows_matched == 1 and Record.objects.get().values == {"event": "unemployed"}
    with pytest.raises(DatasetError, match="不是 Parquet"):
        do_upload_dataset(users["county"], "hr_social_security", b"not parquet at all", "坏.parquet")
    from django.test import override_settings

    bigger = io.BytesIO()
    pq.write_table(table.append_column("备注", pa.array(["另一个文件"])), bigger)
    with override_settings(UPLOAD_MAX_CELLS=2), pytest.raises(DatasetError, match="Parquet 文件过大：1 行 × 4 列"):
        do_upload_dataset(users["county"], "hr_social_security", bigger.getvalue(), "大.parquet")


def test_an_unknown_file_type_is_named(users, people):
    with pytest.raises(DatasetError, match="不支持的文件类型“.pdf”"):
        do_upload_dataset(users["county"], "emergency", b"%PDF-1.4", "灾情.pdf")


def test_money_keeps_cents(users, people):
    data = csv_bytes([["身份证号", "受灾日期", "直接经济损失"], [people["ids"]["own"], "2026-07-01", "1234.5"]])
    do_upload_dataset(users["county"], "emergency", data, "灾情.csv")
    assert Decimal(Record.objects.get().values["loss"]) == Decimal("1234.50")


def test_the_template_has_the_standard_headers_and_what_each_may_hold(client, users):
    client.force_login(users["department"])
    response = client.get(reverse("datasets:template", args=["disabled_federation"]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert book.get_sheet_by_index(0).to_python()[0] == ["身份证号", "发证日期", "残疾等级", "残疾类别"]
    notes = book.get_sheet_by_name("填写说明").to_python()
    assert notes[3][:3] == ["残疾等级", "必填", "一级、二级、三级、四级"]
    assert client.get(reverse("datasets:template", args=["nothing"])).status_code == 404
