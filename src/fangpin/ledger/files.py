"""Reading uploaded ledgers (xlsx/xls/csv) and keeping them encrypted while a job needs them.

Uploaded files hold ID numbers in clear, so they are stored like any other personal data:
AES-GCM under the PII key ring (``fangpin.pii``), and deleted once the import is written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from fangpin import pii, uploads

EXTENSIONS = (".xlsx", ".xls", ".xlsm", ".csv")


class LedgerFileError(uploads.UploadRejected):
    """The file cannot be read at all; ``str(err)`` is the Chinese explanation."""


def extension(filename: str) -> str:
    ext = os.path.splitext(filename.lower())[1]
    if ext not in EXTENSIONS:
        raise LedgerFileError(f"不支持的文件类型“{ext or '无扩展名'}”：请上传 xlsx、xls 或 csv 文件")
    return ext


def iter_rows(data: bytes, filename: str) -> tuple[int, Iterator[list[object]]]:
    """(row count, rows of the first sheet) as Python values: numbers stay numbers, the ID checks need that.

    The upload guards (``fangpin.uploads``: size, content matches the extension, zip limits and
    sheet size) run first; whatever the file holds, only ``LedgerFileError`` comes out of here.
    """
    ext = extension(filename)
    check(data, ext)
    if ext == ".csv":
        try:
            rows: list[list[object]] = list(csv.reader(io.StringIO(decode_csv(data))))
        except csv.Error as exc:  # a field over csv's 128 KB limit, say
            raise LedgerFileError(f"CSV 文件格式错误（{exc}）：请用 Excel 打开后重新另存为 CSV") from None
        return len(rows), iter(rows)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        top, left = sheet.start or (0, 0)
        return top + sheet.height, _from_a1(sheet.iter_rows(), top, left)
    except (CalamineError, ValueError, OSError, LookupError, TypeError, OverflowError) as exc:
        raise LedgerFileError(f"无法读取该表格文件（{type(exc).__name__}）：请确认是 Excel 文件且未加密") from None
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException (a BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        raise LedgerFileError("无法读取该表格文件（文件结构异常）：请用 Excel 重新另存后上传") from None


def check(data: bytes, ext: str) -> None:
    """The shared upload guards, as a ``LedgerFileError``."""
    try:
        uploads.check_kind(data, ext, "台账文件")
    except uploads.UploadRejected as exc:
        raise LedgerFileError(str(exc)) from None


def _from_a1(rows: Iterator[list[object]], top: int, left: int) -> Iterator[list[object]]:
    """calamine starts at the first used cell; row numbers in messages must match Excel's."""
    for _ in range(top):
        yield []
    pad: list[object] = [None] * left
    for row in rows:
        yield pad + row if left else row


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, UTF-16 with BOM, then GBK/GB18030 (offices' Excel saves CSV as GBK)."""
    try:
        return uploads.decode_text(data, "CSV 文件")
    except uploads.UploadRejected as exc:
        raise LedgerFileError(str(exc)) from None


# ---- encrypted storage -----------------------------------------------------------------------

def _path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger" / f"job-{job_id}.bin"


def store(job_id: int, data: bytes) -> None:
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pii.seal_bytes(data, pii.SEALED_DIRS["ledger"]))
    path.chmod(0o600)


def load(job_id: int) -> bytes | None:
    path = _path(job_id)
    if not path.exists():
        return None
    return pii.open_bytes(path.read_bytes(), pii.SEALED_DIRS["ledger"])


def discard(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)


def copy(from_job: int, to_job: int) -> bool:
    data = load(from_job)
    if data is None:
        return False
    store(to_job, data)
    return True
