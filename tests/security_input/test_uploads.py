"""The upload guards (fangpin.uploads) on hostile files, directly and through the ledger and region pages."""

from __future__ import annotations

import gzip
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangpin import uploads
from fangpin.ledger import files
from fangpin.ledger.models import ImportJob
from fangpin.regions.services import RegionLoadError, read_uploaded
from tests.ledger.helpers import household, xlsx
from tests.security_input.files import (
    corner_cells,
    lying_sizes,
    package,
    sheet_xml,
    xlsx_with,
    zip_bomb,
)

SMALL = uploads.Limits(max_bytes=10_000, zip_entries=20, zip_total=5 * 1024 * 1024, zip_ratio=200, cells=10_000)


def rejected(data: bytes, name: str = "台账.xlsx") -> str:
    with pytest.raises(files.LedgerFileError) as err:
        files.iter_rows(data, name)
    return str(err.value)


# ---- magic bytes ------------------------------------------------------------------------------

def test_a_real_ledger_passes_every_guard():
    count, rows = files.iter_rows(xlsx(household("H1")), "台账.xlsx")
    assert count == 3 and next(rows)[0] == "户编号"


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"<html><table><tr><td>1</td></tr></table></html>", "台账.xls", "网页或文本"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "台账.xlsx", "已加密"),
    (b"name,id\n", "台账.xlsx", "不是 Excel 工作簿"),
    (xlsx(household("H1")), "台账.xls", "内容是xlsx 工作簿"),
    (xlsx(household("H1")), "台账.csv", "不是文本"),
    (b"a,b\x00c\n", "台账.csv", "不是文本"),
    (b"", "台账.csv", "空文件"),
])
def test_content_must_match_the_extension(data, name, words):
    assert words in rejected(data, name)


def test_a_zip_that_is_not_an_xlsx_is_refused():
    assert "缺少必需的部件 [Content_Types].xml" in rejected(package({"readme.txt": "hello"}))


# ---- zip limits -------------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_from_the_central_directory(settings):
    bomb = zip_bomb(40 * 1024 * 1024)
    assert len(bomb) < 200_000
    assert "压缩比异常" in rejected(bomb)
    settings.UPLOAD_ZIP_MAX_RATIO = 10_000  # past the ratio, the declared total still stops it
    settings.UPLOAD_ZIP_MAX_TOTAL_BYTES = 20 * 1024 * 1024
    assert "超过上限 20 MB" in rejected(bomb)


def test_declared_sizes_that_lie_are_caught_while_inflating():
    honest = xlsx_with(sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 5000 + "</t></is></c></row>"))
    message = rejected(lying_sizes(honest))
    assert "疑似压缩炸弹" in message or "已损坏" in message


def test_too_many_entries_bad_names_duplicates_and_encryption():
    many = {f"xl/media/{i}.bin": b"x" for i in range(30)}
    with pytest.raises(uploads.UploadRejected, match="超过上限 20"):
        uploads.check_zip(xlsx_with(sheet_xml(""), many), lim=SMALL)
    for name in ("../../etc/passwd", "/abs.xml", "C:/win.xml", "xl/../../x.xml"):
        with pytest.raises(uploads.UploadRejected, match="非法路径"):
            uploads.check_zip(xlsx_with(sheet_xml(""), {name: "x"}), lim=SMALL)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("[Content_Types].xml", "a")
        archive.writestr("[Content_Types].xml", "b")
    with pytest.raises(uploads.UploadRejected, match="重名"):
        uploads.check_zip(out.getvalue(), lim=SMALL)
    encrypted = bytearray(xlsx(household("H1")))
    at = encrypted.find(b"PK\x01\x02")
    encrypted[at + 8] |= 1  # the central directory's "encrypted" flag
    with pytest.raises(uploads.UploadRejected, match="已加密"):
        uploads.check_zip(bytes(encrypted), lim=SMALL)


def test_a_sheet_whose_used_range_would_exhaust_memory_is_refused_before_calamine():
    """Without the guard this 1 KB file aborts the whole process (calamine allocates 512 GB)."""
    data = corner_cells()
    assert len(data) < 2000
    assert "1048576 行 × 16384 列" in rejected(data)


CORNER_VARIANTS = {
    # Each of these makes calamine allocate the 1048576 × 16384 grid (checked by hand in a
    # subprocess: "memory allocation of 549755813888 bytes failed"); the scan must see them all.
    "lower case": '<row r="1"><c r="a1"><v>1</v></c></row><row r="1048576"><c r="xfd1048576"><v>2</v></c></row>',
    "single quotes": "<row r='1'><c r='A1'><v>1</v></c></row><row r='1048576'><c r='XFD1048576'><v>2</v></c></row>",
    "newlines": '<row r="1"><c\nr="A1"><v>1</v></c></row><row r="1048576"><c\tr="XFD1048576"><v>2</v></c></row>',
    "leading zeros": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD0001048576"><v>2</v></c></row>',
    "row without r": '<row><c><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
    "column from one row, row from another": ('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
                                              '<row r="1048576"><c><v>2</v></c></row>'),
    "cells without r": '<row r="1">' + "<c/>" * 20000 + '</row><row r="1048576"><c><v>2</v></c></row>',
    "out of order": '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>' + "".join(
        f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(1, 3000)),
    "spaces around =": '<row r="1"><c r = "A1"><v>1</v></c></row><row r="1048576"><c r = "XFD1048576"><v>2</v></c></row>',
}


@pytest.mark.parametrize("variant", sorted(CORNER_VARIANTS))
def test_every_spelling_of_the_corner_cell_is_refused_before_calamine(variant):
    with pytest.raises(uploads.UploadRejected, match="工作表范围过大|写法异常"):
        uploads.check_zip(xlsx_with(sheet_xml(CORNER_VARIANTS[variant])))


def test_a_large_honest_sheet_passes_the_scan_quickly():
    rows = "".join(f'<row r="{i}">' + "".join(f'<c r="{col}{i}"><v>{i}</v></c>' for col in ("A", "B", "AH"))
                   + "</row>" for i in range(1, 60_001))
    started = time.perf_counter()
    uploads.check_zip(xlsx_with(sheet_xml(rows)))
    assert time.perf_counter() - started < 5


def test_the_cell_scan_sees_references_split_across_chunks(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK", 64)
    cells = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 40))
    uploads.check_zip(xlsx_with(sheet_xml(cells + '<row r="99"><c r="CV99"><v>1</v></c></row>')), lim=SMALL)
    with pytest.raises(uploads.UploadRejected, match=r"101 行 × 100 列"):
        uploads.check_zip(xlsx_with(sheet_xml(cells + '<row r="101"><c r="CV101"><v>1</v></c></row>')), lim=SMALL)


# ---- text encodings ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_office_encoding_reads_the_same(encoding):
    text = "户编号,姓名,住址\nH1,张三,易州镇东关村 1 号\nH1,𠀀丽,\n"
    if encoding == "gbk":
        text = text.replace("𠀀", "王")
    count, rows = files.iter_rows(text.encode(encoding), "台账.csv")
    assert count == 3 and list(rows)[1] == ["H1", "张三", "易州镇东关村 1 号"]


def test_undecodable_csv_names_the_encodings():
    assert "请另存为 UTF-8 或 GBK" in rejected(b"\x80\x80\xff\xfe\x80", "台账.csv")


# ---- regions: bounded gunzip ------------------------------------------------------------------

def test_region_gzip_bomb_stops_at_the_limit(settings):
    settings.UPLOAD_ZIP_MAX_TOTAL_BYTES = 1024 * 1024
    bomb = gzip.compress(b"code,name\n" + b"0" * (8 * 1024 * 1024))
    with pytest.raises(RegionLoadError) as err:
        read_uploaded("regions.csv.gz", bomb)
    assert "疑似压缩炸弹" in err.value.errors[0]
    with pytest.raises(RegionLoadError) as err:
        read_uploaded("regions.csv.gz", b"code,name\n")
    assert "不是 gzip" in err.value.errors[0]
    with pytest.raises(RegionLoadError) as err:
        read_uploaded("regions.csv", xlsx(household("H1")))
    assert "不是文本" in err.value.errors[0]
    rows = read_uploaded("regions.csv", "code,name\n130633100201,东关村委会\n".encode("gbk"))
    assert [r.name for r in rows] == ["东关村委会"]


# ---- the streaming size limit -----------------------------------------------------------------

@pytest.mark.django_db
def test_an_oversized_upload_is_dropped_while_streaming_and_refused_with_its_size(client, users, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    settings.LEDGER_MAX_UPLOAD_BYTES = 2048
    client.force_login(users["county"])
    seen = []
    original = uploads.GuardedUploadHandler.file_complete

    def spy(self, size):
        made = original(self, size)
        seen.append(made)
        return made

    uploads.GuardedUploadHandler.file_complete = spy
    try:
        response = client.post(reverse("ledger:import"), {
            "file": SimpleUploadedFile("台账.csv", b"x" * 200_000), "mode": "check"})
    finally:
        uploads.GuardedUploadHandler.file_complete = original
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert isinstance(seen[0], uploads.TooLargeUpload) and seen[0].size > 2048
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_disguised_ledger_upload_ends_as_an_invalid_job_with_the_reason(client, users, settings, tmp_path):
    settings.LEDGER_RUN_INLINE = True
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["county"])
    response = client.post(reverse("ledger:import"), {
        "file": SimpleUploadedFile("台账.xlsx", corner_cells()), "mode": "check"}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "工作表范围过大" in response.content.decode()


@pytest.mark.django_db
def test_region_page_refuses_a_gzip_bomb_and_an_oversized_file_with_chinese_reasons(client, users, settings):
    client.force_login(users["sysadmin"])
    settings.UPLOAD_ZIP_MAX_TOTAL_BYTES = 1024 * 1024
    bomb = gzip.compress(b"code,name\n" + b"0" * (4 * 1024 * 1024))
    response = client.post(reverse("regions:upload"), {"file": SimpleUploadedFile("regions.csv.gz", bomb)})
    assert response.status_code == 200 and "疑似压缩炸弹" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = settings.LEDGER_MAX_UPLOAD_BYTES = 4096
    response = client.post(reverse("regions:upload"), {"file": SimpleUploadedFile("regions.csv", b"x" * 3 * 1048576)})
    assert "文件过大（3 MB），上限 4096 字节" in response.content.decode()
