"""Loading division codes: validated, idempotent, and retiring (never deleting) old units."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

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


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return io.StringIO(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise RegionLoadError([f"{path.name}：无法识别文件编码（应为 UTF-8 或 GBK）"])


def _file_level(path: Path) -> Level | None:
    stem = path.name.split(".")[0]
    return FILE_LEVELS.get(stem)


def read_region_file(path: Path) -> Iterator[RegionRow]:
    """Rows of a CSV with ``code,name`` (and optionally ``level``) columns, any level mix."""
    file_level = _file_level(path)
    reader = csv.DictReader(_open_text(path))
    if not reader.fieldnames or "code" not in reader.fieldnames or "name" not in reader.fieldnames:
        raise RegionLoadError([f"{path.name}：缺少表头 code,name"])
    errors: list[str] = []
    for lineno, rec in enumerate(reader, start=2):
        try:
            level = LEVEL_WORDS[rec["level"].strip()] if rec.get("level") else file_level
            code = short_code(rec["code"], level)
            yield RegionRow(code, rec["name"].strip(), level_of(code))
        except (RegionCodeError, KeyError) as exc:
            errors.append(f"{path.name} 第 {lineno} 行：{exc}")
    if errors:
        raise RegionLoadError(errors)


def read_region_files(paths: Iterable[Path]) -> list[RegionRow]:
    rows: list[RegionRow] = []
    for path in paths:
        rows.extend(read_region_file(Path(path)))
    return rows


@transaction.atomic
def load_regions(rows: list[RegionRow], *, retire_missing: bool = True) -> LoadResult:
    """Upsert ``rows``; units of the covered provinces that the list no longer has are retired."""
    existing = {r.code: r for r in Region.objects.only("code", "name", "retired", "level")}
    errors = validate_rows(rows, existing)
    if errors:
        raise RegionLoadError(errors)
    result = LoadResult()
    new, changed = [], []
    incoming = {row.code: row for row in rows}
    for row in sorted(incoming.values(), key=lambda r: (len(r.code), r.code)):
        old = existing.get(row.code)
        parent = row.parent_code
        if old is None:
            new.append(Region(code=row.code, name=row.name, level=row.level, parent_id=parent))
            result.added += 1
        elif old.name != row.name or old.retired:
            result.renamed += old.name != row.name
            result.revived += old.retired
            old.name, old.retired = row.name, False
            changed.append(old)
        else:
            result.unchanged += 1
    Region.objects.bulk_create(new, batch_size=5000)
    Region.objects.bulk_update(changed, ["name", "retired"], batch_size=2000)
    if retire_missing:
        provinces = {code[: CODE_LENGTHS[Level.PROVINCE]] for code in incoming}
        gone = [c for c, r in existing.items() if not r.retired and c[:2] in provinces and c not in incoming]
        for start in range(0, len(gone), 900):
            result.retired += Region.objects.filter(code__in=gone[start:start + 900]).update(retired=True)
    return result


def load_bundled_hebei() -> LoadResult:
    return load_regions(read_region_files([BUNDLED_HEBEI]))
