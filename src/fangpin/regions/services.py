"""Loading division codes: validated, idempotent, and retiring (never deleting) old units.

The national list has ~665,000 units, so writes go through ``executemany`` on the raw
cursor (one prepared statement, no model instances); the ORM path took minutes.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from fangpin import uploads
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record
from fangpin.core.regions import (
    CODE_LENGTHS,
    Level,
    RegionCodeError,
    RegionRow,
    level_of,
    short_code,
    validate_rows,
)
from fangpin.regions.models import Region

BUNDLED_HEBEI = Path(__file__).resolve().parent.parent / "data" / "regions-13.csv.gz"
# china-division file names → the level their rows are at
FILE_LEVELS = {"provinces": Level.PROVINCE, "cities": Level.CITY, "areas": Level.COUNTY,
               "streets": Level.TOWNSHIP, "villages": Level.VILLAGE}
LEVEL_WORDS = {"省": Level.PROVINCE, "市": Level.CITY, "县": Level.COUNTY, "乡镇": Level.TOWNSHIP, "村": Level.VILLAGE,
               "1": Level.PROVINCE, "2": Level.CITY, "3": Level.COUNTY, "4": Level.TOWNSHIP, "5": Level.VILLAGE}
MAX_ERRORS = 200
WRITE_BATCH = 20000
_ERROR_CODE = re.compile(r"^区划代码 (\d+)")


class RegionLoadError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:20]) + (f"……共 {len(errors)} 处错误" if len(errors) > 20 else ""))
        self.errors = errors


@dataclass
class LoadResult:
    added: int = 0
    renamed: int = 0
    retired: int = 0
    unchanged: int = 0
    revived: int = 0


@dataclass
class RegionFileRows:
    """Rows read from one or more files, with where each code came from (for error messages)."""

    rows: list[RegionRow] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # code → "file 第 n 行"

    def __iter__(self) -> Iterator[RegionRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def locate(self, message: str) -> str:
        """Prefix a core validation message ("区划代码 …") with its file and line."""
        match = _ERROR_CODE.match(message)
        where = self.origin.get(match.group(1)) if match else None
        return f"{where}：{message}" if where else message


def _decode(raw: bytes, name: str) -> io.StringIO:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return io.StringIO(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise RegionLoadError([f"{name}：无法识别文件编码（应为 UTF-8 或 GBK）"])


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError):
        raise RegionLoadError([f"{path.name}：不是有效的 gzip 压缩文件"]) from None


def _file_level(name: str) -> Level | None:
    return FILE_LEVELS.get(name.split(".")[0])


def _parse_row(rec: dict[str, str | None], file_level: Level | None) -> RegionRow:
    raw_level = (rec.get("level") or "").strip()
    if raw_level and raw_level not in LEVEL_WORDS:
        raise RegionCodeError(f"层级“{raw_level}”无法识别（应为 1–5 或 省/市/县/乡镇/村）")
    level = LEVEL_WORDS[raw_level] if raw_level else file_level
    code = short_code(rec.get("code") or "", level)
    name = (rec.get("name") or "").strip()
    if not name:
        raise RegionCodeError(f"区划代码 {code} 缺少名称")
    return RegionRow(code, name, level_of(code))


def read_region_text(text: io.TextIOBase, name: str, into: RegionFileRows) -> None:
    """Append the rows of one CSV (``code,name`` and optionally ``level``) to ``into``."""
    file_level = _file_level(name)
    reader = csv.DictReader(text)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise RegionLoadError([f"{name}：CSV 格式错误（{exc}）"]) from None
    if not fieldnames or "code" not in fieldnames or "name" not in fieldnames:
        raise RegionLoadError([f"{name}：缺少表头 code,name"])
    errors: list[str] = []
    for lineno, rec in enumerate(_records(reader, name), start=2):
        try:
            row = _parse_row(rec, file_level)
        except RegionCodeError as exc:
            errors.append(f"{name} 第 {lineno} 行：{exc}")
            if len(errors) >= MAX_ERRORS:
                break
            continue
        into.rows.append(row)
        into.origin.setdefault(row.code, f"{name} 第 {lineno} 行")
    if errors:
        raise RegionLoadError(errors)


def _records(reader: csv.DictReader, name: str) -> Iterator[dict[str, str | None]]:
    try:
        yield from reader
    except csv.Error as exc:  # a field over csv's 128 KB limit, say
        raise RegionLoadError([f"{name}：CSV 格式错误（{exc}）"]) from None


def read_region_file(path: Path, into: RegionFileRows | None = None) -> RegionFileRows:
    into = into if into is not None else RegionFileRows()
    read_region_text(_decode(_read_bytes(path), path.name), path.name, into)
    return into


def read_region_files(paths: Iterable[Path]) -> RegionFileRows:
    rows = RegionFileRows()
    for path in paths:
        read_region_file(Path(path), rows)
    return rows


def read_uploaded(name: str, data: bytes) -> RegionFileRows:
    """An uploaded CSV (or .csv.gz) from the regions page, through the upload guards (``fangpin.uploads``)."""
    label = f"文件 {name[:80]} "
    try:
        if name.lower().endswith(".gz"):
            data = uploads.gunzip(data, label)
        uploads.check_kind(data, ".csv", label)
        text = uploads.decode_text(data, label)
    except uploads.UploadRejected as exc:
        raise RegionLoadError([str(exc)]) from None
    rows = RegionFileRows()
    read_region_text(io.StringIO(text), name, rows)
    return rows


def check_within(rows: RegionFileRows, scope: str) -> None:
    """Refuse rows outside ``scope`` (an administrator's region), naming each file line."""
    errors = [f"{rows.origin.get(r.code, r.code)}：区划代码 {r.code}（{r.name}）不在您的管辖范围 {scope} 内"
              for r in rows if not r.code.startswith(scope)]
    if errors:
        raise RegionLoadError(errors[:MAX_ERRORS])


def _existing() -> dict[str, tuple[str, bool]]:
    return {code: (name, retired) for code, name, retired in Region.objects.values_list("code", "name", "retired")}


def _execute_many(sql: str, params: list[tuple]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(params), WRITE_BATCH):
            cursor.executemany(sql, params[start:start + WRITE_BATCH])


def _insert(table: str, rows: list[tuple]) -> None:
    columns = "code, name, level, parent_id, retired, updated_at"
    if connection.vendor != "postgresql":
        _execute_many(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)", rows)  # noqa: S608
        return
    # COPY is one stream instead of a round trip per row: seconds instead of minutes for the national list.
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(rows), WRITE_BATCH):
            copy.write("".join(_copy_line(row) for row in rows[start:start + WRITE_BATCH]))


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_line(row: tuple) -> str:
    """One line of COPY's text format (tab-separated, backslash escapes, \\N for NULL)."""
    return "\t".join(_copy_text(v) for v in row) + "\n"


def _plan(incoming: dict[str, RegionRow], existing: dict[str, tuple[str, bool]], result: LoadResult):
    new, changed = [], []
    now = timezone.now()
    for row in sorted(incoming.values(), key=lambda r: (len(r.code), r.code)):
        old = existing.get(row.code)
        if old is None:
            new.append((row.code, row.name, int(row.level), row.parent_code, False, now))
            result.added += 1
        elif old[0] != row.name or old[1]:
            result.renamed += old[0] != row.name
            result.revived += old[1]
            changed.append((row.name, False, now, row.code))
        else:
            result.unchanged += 1
    return new, changed


def _retire_scopes(incoming: dict[str, RegionRow], retire_within: str | None) -> set[str]:
    if retire_within is not None:
        return {retire_within}
    return {code[: CODE_LENGTHS[Level.PROVINCE]] for code in incoming}


@transaction.atomic
def load_regions(rows: RegionFileRows | list[RegionRow], *, retire_missing: bool = True,
                 retire_within: str | None = None) -> LoadResult:
    """Upsert ``rows``; live units of the covered provinces (or of ``retire_within``) that the
    list no longer has are retired — never deleted, since households may still point at them."""
    existing = _existing()
    errors = validate_rows(rows, existing)
    if errors:
        locate = rows.locate if isinstance(rows, RegionFileRows) else str
        raise RegionLoadError([locate(e) for e in errors[:MAX_ERRORS]])
    result = LoadResult()
    incoming = {row.code: row for row in rows}
    new, changed = _plan(incoming, existing, result)
    table = Region._meta.db_table
    _insert(table, new)
    _execute_many(f"UPDATE {table} SET name = %s, retired = %s, updated_at = %s WHERE code = %s", changed)  # noqa: S608
    if retire_missing:
        scopes = tuple(_retire_scopes(incoming, retire_within))
        gone = [(True, timezone.now(), c) for c, (_, retired) in existing.items()
                if not retired and c.startswith(scopes) and c not in incoming]
        _execute_many(f"UPDATE {table} SET retired = %s, updated_at = %s WHERE code = %s", gone)  # noqa: S608
        result.retired = len(gone)
    return result


# --- business verbs of the regions page (audited) ---------------------------------------------


def _descendants(region: Region):
    return Region.objects.filter(code_prefix_q("code", region.code))


@transaction.atomic
def do_set_retired(request, region: Region, *, retired: bool) -> int:
    """Retire a unit with its whole subtree, or revive the one unit. Households keep their village."""
    targets = _descendants(region) if retired else Region.objects.filter(code=region.code)
    changed = targets.filter(retired=not retired).update(retired=retired, updated_at=timezone.now())
    region.retired = retired
    verb = "撤销" if retired else "恢复"
    record(request, "region.retire" if retired else "region.revive", obj=region,
           region_code=region.code, summary=f"{verb}区划 {region.name}（{region.code}），共 {changed} 个单位",
           detail={"code": region.code, "changed": changed})
    return changed


def do_upload_regions(request, name: str, data: bytes, *, retire_missing: bool) -> LoadResult:
    """Load an administrator's CSV: only rows inside their region; all or nothing; audited either way."""
    scope = request.user.scope_code
    try:
        rows = read_uploaded(name, data)
        check_within(rows, scope)
        result = load_regions(rows, retire_missing=retire_missing, retire_within=scope)
    except RegionLoadError as exc:
        record(request, "region.load", object_type="region", region_code=scope, result="failed",
               summary=f"区划文件 {name[:80]} 加载失败：{len(exc.errors)} 处错误",
               detail={"file": name[:120], "errors": exc.errors[:10]})
        raise
    record(request, "region.load", object_type="region", region_code=scope,
           summary=f"加载区划文件 {name[:80]}：新增 {result.added}，改名 {result.renamed}，撤销 {result.retired}",
           detail={"file": name[:120], "retire_missing": retire_missing, **vars(result)})
    return result
