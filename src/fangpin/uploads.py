"""Guards for uploaded files, applied before any parser sees the bytes.

Every upload (ledger, regions, later department files) goes through three gates:

1. **Size while streaming.** ``GuardedUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) counts the
   bytes of each file as they arrive and stops keeping them past ``FANGPIN_UPLOAD_MAX_BYTES``: the
   form then sees a ``TooLargeUpload`` of the received size and refuses it with the usual message,
   nothing of it is kept in memory or on disk.
2. **Content matches the extension** (``check_kind``): xlsx/xlsm/ods are zip packages with their
   required parts, xls is an OLE2 compound file, csv is text (no NUL bytes), .gz is gzip.
3. **Containers are opened only within limits.** ``check_zip`` reads the zip central directory
   (never a member) and refuses too many entries, a declared total or ratio beyond the limits
   (zip bombs), absolute or ``..`` names, duplicates and encrypted members; it then inflates each
   member in 1 MB steps counting the real bytes (a header may lie) and, for worksheets, the cell
   references: calamine builds a dense grid from the first to the last used cell, so one cell at
   XFD1048576 would make it allocate hundreds of GB and abort the process. ``gunzip`` is bounded
   the same way.

All refusals are ``UploadRejected`` (a ``ValueError``) with a Chinese message for the user.
No Python XML parser touches uploads: xlsx XML is parsed by calamine (Rust, no entity expansion).
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MB = 1024 * 1024
CHUNK = MB

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}
REQUIRED_PARTS = {"xlsx": ("[Content_Types].xml",), "ods": ("mimetype", "content.xml")}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Worksheet XML is scanned after NORMALISE (XML whitespace → space, ' → "), so each reference is
# r="B12" (cells) or r="12" (rows) after a space; calamine also accepts lower-case letters and
# leading zeros. Tags and references are counted to see whether any cell or row has no reference.
NORMALISE = bytes.maketrans(b"\t\n\r'", b'   "')
SPACED_REF = re.compile(rb' r +=| r= ')
# Cell and row tags (with or without a namespace prefix). Counting "<c" also counts the rare <cols>,
# <cfRule>…: that only makes the bound a little larger.
TAGS = (b"<c", b":c", b"<row", b":row")
REF = b' r="'
SEAM = 32


class UploadRejected(ValueError):
    """The upload is refused before parsing; ``str(err)`` is the Chinese explanation."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * MB
    zip_entries: int = 1000
    zip_total: int = 1024 * MB
    zip_ratio: int = 200
    cells: int = 30_000_000


def limits() -> Limits:
    """From settings (``UPLOAD_*``; see security_settings.py), defaults otherwise."""
    return Limits(
        max_bytes=getattr(settings, "UPLOAD_MAX_BYTES", getattr(settings, "LEDGER_MAX_UPLOAD_BYTES", 50 * MB)),
        zip_entries=getattr(settings, "UPLOAD_ZIP_MAX_ENTRIES", Limits.zip_entries),
        zip_total=getattr(settings, "UPLOAD_ZIP_MAX_TOTAL_BYTES", Limits.zip_total),
        zip_ratio=getattr(settings, "UPLOAD_ZIP_MAX_RATIO", Limits.zip_ratio),
        cells=getattr(settings, "UPLOAD_MAX_CELLS", Limits.cells),
    )


def human_size(n: int) -> str:
    return f"{n / MB:.1f} MB".replace(".0 MB", " MB") if n >= MB else f"{n} 字节"


# ---- 1. size while streaming ---------------------------------------------------------------------

class TooLargeUpload(UploadedFile):
    """Stands for a file that went over the limit: its ``size`` is what arrived, it holds no data."""

    def __init__(self, name: str, content_type: str | None, size: int, charset: str | None = None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)
        self.too_large = True


class GuardedUploadHandler(FileUploadHandler):
    """Counts each file's bytes; past the limit the rest is dropped and a ``TooLargeUpload`` is returned.

    Must come first in ``FILE_UPLOAD_HANDLERS`` so the later (memory/temp-file) handlers never receive
    the bytes beyond the limit. A request whose Content-Length is already over the limit is dropped
    from the first byte.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = limits().max_bytes
        self.whole_request_too_large = False
        self.received = 0
        self.over = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The body also holds the other fields and the multipart framing: allow 1 MB for those.
        self.whole_request_too_large = bool(content_length and content_length > self.limit + MB)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = self.whole_request_too_large

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size):
        if not self.over:
            return None  # the next handler keeps the file as usual
        return TooLargeUpload(self.file_name, self.content_type, max(self.received, self.limit + 1), self.charset)


# ---- 2. content matches the extension -----------------------------------------------------------

def sniff(data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    if data.startswith(GZIP_MAGIC):
        return "gzip"
    head = data[:8192].lstrip()
    if head[:1] == b"<":
        return "markup"
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def check_kind(data: bytes, ext: str, label: str = "文件") -> None:
    """Refuse content that does not match ``ext`` (".xlsx", ".xls", ".csv", ".gz", ...)."""
    if not data:
        raise UploadRejected(f"{label}是空文件")
    kind = sniff(data)
    if ext in ZIP_KINDS:
        if kind == "ole2":
            raise UploadRejected(f"{label}已加密（或实为 xls 格式）：请在 Excel 中取消密码后另存为 xlsx 再上传")
        if kind != "zip":
            raise UploadRejected(f"{label}的扩展名为 {ext}，但内容不是 Excel 工作簿（可能是改了扩展名的网页或文本）："
                                 "请用 Excel 打开后另存为 xlsx 再上传")
        check_zip(data, ZIP_KINDS[ext], label)
    elif ext == ".xls":
        if kind != "ole2":
            hint = "xlsx 工作簿" if kind == "zip" else "网页或文本"
            raise UploadRejected(f"{label}的扩展名为 .xls，但内容是{hint}，不是 Excel 97-2003 文件："
                                 "请用 Excel 打开后另存为 xlsx 再上传")
    elif ext in (".csv", ".txt"):
        if kind in ("zip", "ole2", "gzip", "binary"):
            raise UploadRejected(f"{label}的扩展名为 {ext}，但内容不是文本（可能是 Excel 文件改了扩展名）")
    elif ext == ".gz":
        if kind != "gzip":
            raise UploadRejected(f"{label}的扩展名为 .gz，但内容不是 gzip 压缩文件")
    else:
        raise UploadRejected(f"{label}的类型“{ext or '无扩展名'}”不受支持")


# ---- 3. containers within limits ----------------------------------------------------------------

def _bad_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts or "\x00" in name


def check_zip(data: bytes, kind: str = "xlsx", label: str = "文件", lim: Limits | None = None) -> None:
    """Central directory first (no member opened), then a counted inflate of every member."""
    lim = lim or limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        raise UploadRejected(f"{label}已损坏：无法读取其压缩结构，请用 Excel 重新另存后上传") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > lim.zip_entries:
            raise UploadRejected(f"{label}包含 {len(infos)} 个内部部件，超过上限 {lim.zip_entries}：不像正常的表格文件")
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise UploadRejected(f"{label}的内部部件有重名，已拒绝（可能是伪造的文件）")
        declared = 0
        for info in infos:
            if _bad_name(info.filename):
                raise UploadRejected(f"{label}内含非法路径“{info.filename[:60]}”，已拒绝")
            if info.flag_bits & 0x1:
                raise UploadRejected(f"{label}已加密：请在 Excel 中取消密码后另存再上传")
            declared += info.file_size
            if info.file_size > MB and info.file_size > lim.zip_ratio * max(info.compress_size, 1):
                raise UploadRejected(f"{label}的压缩比异常（超过 {lim.zip_ratio} 倍），疑似压缩炸弹，已拒绝")
        if declared > lim.zip_total:
            raise UploadRejected(f"{label}解压后 {human_size(declared)}，超过上限 {human_size(lim.zip_total)}：请分村导入")
        missing = [part for part in REQUIRED_PARTS.get(kind, ()) if part not in names]
        if missing:
            raise UploadRejected(f"{label}缺少必需的部件 {missing[0]}：不是有效的{'xlsx' if kind == 'xlsx' else 'ods'} 文件")
        if kind == "ods" and archive.read("mimetype").strip() != ODS_MIMETYPE:
            raise UploadRejected(f"{label}不是电子表格（ods）文件")
        _inflate_counted(archive, infos, kind, label, lim)


def _inflate_counted(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], kind: str, label: str,
                     lim: Limits) -> None:
    total = 0
    for info in infos:
        sheet = kind == "xlsx" and info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        grid = _Grid() if sheet else None
        got = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    got += len(chunk)
                    total += len(chunk)
                    if got > info.file_size or total > lim.zip_total:
                        raise UploadRejected(f"{label}解压后的实际大小超过声明或上限，疑似压缩炸弹，已拒绝")
                    if grid is not None:
                        grid.feed(chunk, label)
        except UploadRejected:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError, RuntimeError):
            raise UploadRejected(f"{label}已损坏（内部部件 {info.filename[:60]} 无法解压）：请用 Excel 重新另存后上传") from None
        if grid is not None and grid.cells > lim.cells:
            raise UploadRejected(f"{label}的工作表范围过大（{grid.rows} 行 × {grid.cols} 列），超过 {lim.cells} 个单元格："
                                 "请删除多余的空行空列，或分村导入")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


class _Grid:
    """An upper bound of the dense grid calamine would allocate for one worksheet (rows × columns).

    Fast on large sheets (a 100 000-row ledger in well under a second): per 1 MB chunk it searches
    for the longest row number and the widest column, which legitimate files settle after a few
    searches, instead of parsing every cell. Cells or rows without a reference (calamine places them
    after the previous one) make the bound grow by their count. The last ``SEAM`` bytes of each chunk
    are searched again with the next one, and counts are taken only for matches ending in the new
    bytes, so nothing split between chunks is missed or counted twice.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0
        self.tags = 0
        self.refs = 0
        self.tail = b""

    def feed(self, chunk: bytes, label: str) -> None:
        chunk = chunk.translate(NORMALISE)
        text = self.tail + chunk
        if SPACED_REF.search(text):
            raise UploadRejected(f"{label}的工作表写法异常（单元格引用的等号两侧有空格），不是由表格软件保存的：已拒绝")
        for tag in TAGS:
            self.tags += text.count(tag) - self.tail.count(tag)
        self.refs += text.count(REF) - self.tail.count(REF)
        self.rows = max(self.rows, _longest_row(text, self.rows))
        self.cols = max(self.cols, _widest_column(text, self.cols))
        self.tail = text[-SEAM:]

    @property
    def cells(self) -> int:
        unreferenced = max(self.tags - self.refs, 0)
        return (self.rows + unreferenced) * (max(self.cols, 1) + unreferenced)


ANY_ROW = re.compile(rb' r="[A-Za-z]{0,4}0*([0-9]{1,12})')
COLUMNS_OF = [re.compile(rb' r="([A-Za-z]{%d})[0-9]' % n) for n in range(5)]
LETTERS = [re.compile(rb' r="[%c%c][0-9]' % (ch, ch + 32)) for ch in range(ord("Z"), ord("A") - 1, -1)]


def _greater_than(n: int) -> re.Pattern[bytes]:
    """A reference whose row number is larger than ``n``."""
    digits = str(n)
    branches = [f"[0-9]{{{len(digits) + 1},}}"]
    for i, ch in enumerate(digits):
        if ch != "9":
            branches.append(f"{digits[:i]}[{int(ch) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return re.compile(rb' r="[A-Za-z]{0,4}0*(?:' + "|".join(branches).encode() + rb")(?![0-9])")


def _longest_row(text: bytes, known: int) -> int:
    """The largest row number referenced in ``text`` if it beats ``known``, else ``known``.

    In a sheet as spreadsheet programs write it the last reference of a chunk has the largest row:
    take it, then one search proves nothing is larger; only a file out of order is read in full.
    """
    last = ANY_ROW.match(text, max(text.rfind(b' r="'), 0))
    candidate = max(known, int(last.group(1)) if last else 0)
    if _greater_than(candidate).search(text):
        candidate = max(candidate, *(int(n) for n in ANY_ROW.findall(text)))
    return candidate


def _widest_column(text: bytes, known: int) -> int:
    """The largest column referenced in ``text`` if it beats ``known`` (A = 1), else ``known``."""
    for width in (4, 3, 2):
        if COLUMNS_OF[width].search(text):
            return max(known, *(_column_number(letters) for letters in set(COLUMNS_OF[width].findall(text))))
    for number, pattern in zip(range(26, 0, -1), LETTERS, strict=True):
        if number <= known:
            break
        if pattern.search(text):
            return number
    return known


def gunzip(data: bytes, label: str = "文件", lim: Limits | None = None) -> bytes:
    """Decompress at most ``zip_total`` bytes; a gzip bomb stops there."""
    lim = lim or limits()
    check_kind(data, ".gz", label)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(lim.zip_total + 1)
    except (OSError, EOFError, zlib.error):
        raise UploadRejected(f"{label}不是有效的 gzip 压缩文件") from None
    if len(out) > lim.zip_total:
        raise UploadRejected(f"{label}解压后超过上限 {human_size(lim.zip_total)}，疑似压缩炸弹，已拒绝")
    return out


# ---- text ---------------------------------------------------------------------------------------

def decode_text(data: bytes, label: str = "文件") -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's “Unicode 文本”), else GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UploadRejected(f"{label}的编码无法识别：请另存为 UTF-8 或 GBK 编码") from None
    if b"\x00" in data:
        raise UploadRejected(f"{label}含有二进制内容，不是文本文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRejected(f"{label}的编码无法识别：请另存为 UTF-8 或 GBK 编码")
