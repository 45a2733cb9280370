"""Uploading department data: read the file, map its columns, check every cell, match persons by the
blind index of their ID number, and store the matched rows — all in one transaction, once per file."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from fangpin import pii, uploads
from fangpin.audit.services import record
from fangpin.core.screening import SCHEMAS, CellError, Schema, auto_mapping, missing_fields, parse_cell
from fangpin.datasets.models import ColumnMapping, Dataset, Record
from fangpin.ledger.files import LedgerFileError, iter_rows
from fangpin.registry.models import Member

BATCH = 5000
MAX_ERRORS = 2000
EXTENSIONS = (".csv", ".xlsx", ".xls", ".xlsm", ".parquet")


class DatasetError(Exception):
    """A refused upload; ``str()`` is the Chinese explanation."""


@dataclass
class MappingNeeded(Exception):
    """The file's headers do not name every required field: the user maps them (and it is saved)."""

    headers: list[str]
    mapping: dict[str, int]
    missing: list[str]


def kinds_for(user) -> list[str]:
    """Department users upload their own kind; county users any kind; nobody else uploads."""
    if user.role == "department":
        return [user.department_kind] if user.department_kind in SCHEMAS else []
    if user.role == "county":
        return list(SCHEMAS)
    return []


# ---------------------------------------------------------------- reading


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[list[object]]]:
    """Headers (the first non-empty row) and the data rows of a CSV, Excel or Parquet file."""
    if len(data) > uploads.limits().max_bytes:
        raise DatasetError(f"文件过大（超过 {uploads.limits().max_bytes // uploads.MB} MB）")
    ext = os.path.splitext(filename.lower())[1]
    if ext not in EXTENSIONS:
        raise DatasetError(f"不支持的文件类型“{ext or '无扩展名'}”：请上传 csv、xlsx、xls 或 parquet 文件")
    if ext == ".parquet":
        rows = _parquet_rows(data)
    else:
        try:
            _, rows = iter_rows(data, filename)
        except LedgerFileError as exc:
            raise DatasetError(str(exc)) from None
    for row in rows:
        if any(cell not in (None, "") for cell in row):
            return [str(cell or "").strip() for cell in row], rows
    raise DatasetError("文件中没有数据")


def _parquet_rows(data: bytes) -> Iterator[list[object]]:
    if not data.startswith(b"PAR1") or not data.endswith(b"PAR1"):
        raise DatasetError("该文件不是 Parquet 文件（文件头不符）")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DatasetError("本系统未安装 Parquet 支持，请改用 CSV 或 Excel 文件") from None
    lim = uploads.limits()
    try:
        # the footer first: size the file up before anything is unpacked (a small file can inflate a lot)
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if meta.num_rows * max(meta.num_columns, 1) > lim.cells or unpacked > lim.zip_total:
            raise DatasetError(f"Parquet 文件过大：{meta.num_rows} 行 × {meta.num_columns} 列，解压后约 "
                               f"{unpacked // uploads.MB} MB，超出上限")
        table = pq.read_table(io.BytesIO(data))
    except DatasetError:
        raise
    except Exception as exc:  # noqa: BLE001 - any pyarrow failure is a bad file for the user
        raise DatasetError(f"无法读取该 Parquet 文件（{type(exc).__name__}）") from None
    yield [str(name) for name in table.column_names]
    for batch in table.to_batches(50_000):
        yield from ([*row.values()] for row in batch.to_pylist())


# ---------------------------------------------------------------- mapping


def mapping_for(user, schema: Schema, headers: Sequence[str], chosen: dict[str, str] | None = None) -> dict[str, int]:
    """Field key → column: the user's choice, else the region's saved mapping, else the headers' names."""
    index = {h: i for i, h in enumerate(headers) if h}
    mapping = auto_mapping(schema, headers)
    saved = ColumnMapping.objects.filter(region_id=user.scope_code, kind=schema.kind).first()
    for source in (saved.mapping if saved else {}, chosen or {}):
        for key, header in source.items():
            if header in index and key in {f.key for f in schema.fields}:
                mapping[key] = index[header]
    missing = missing_fields(schema, mapping)
    if missing:
        raise MappingNeeded(list(headers), mapping, [f.key for f in missing])
    return mapping


def _save_mapping(user, schema: Schema, headers: Sequence[str], mapping: dict[str, int]) -> None:
    ColumnMapping.objects.update_or_create(
        region_id=user.scope_code, kind=schema.kind,
        defaults={"mapping": {key: headers[i] for key, i in mapping.items()}, "updated_by": user})


# ---------------------------------------------------------------- the verb


@transaction.atomic
def do_upload_dataset(user, kind: str, data: bytes, filename: str, *, chosen: dict[str, str] | None = None,
                      request=None) -> tuple[Dataset, bool]:
    """Check, match and store one file. Returns (dataset, created): the same file again is the same dataset."""
    if kind not in kinds_for(user):
        raise DatasetError("您不能上传该类数据（部门用户只能上传本部门的数据）")
    schema = SCHEMAS[kind]
    digest = hashlib.sha256(data).hexdigest()
    existing = Dataset.objects.filter(region_id=user.scope_code, kind=kind, sha256=digest).first()
    if existing is not None:
        record(request, "dataset.reupload", obj=existing, user=user, summary=f"重复上传 {schema.label}：未作修改")
        return existing, False
    headers, rows = read_table(data, filename)
    mapping = mapping_for(user, schema, headers, chosen)
    dataset = Dataset.objects.create(region_id=user.scope_code, kind=kind, original_name=filename[:200],
                                     sha256=digest, uploaded_by=user,
                                     mapping={key: headers[i] for key, i in mapping.items()})
    _store_rows(dataset, schema, mapping, headers, rows, user.scope_code)
    _save_mapping(user, schema, headers, mapping)
    record(request, "dataset.upload", obj=dataset, user=user,
           summary=f"上传{schema.label}“{filename[:60]}”：{dataset.rows_total} 行，匹配本辖区 {dataset.rows_matched}，"
                   f"辖区外 {dataset.rows_outside}，未登记 {dataset.rows_unmatched}，无效 {dataset.rows_invalid}",
           detail={"kind": kind, "rows": dataset.rows_total, "matched": dataset.rows_matched,
                   "outside": dataset.rows_outside, "unmatched": dataset.rows_unmatched,
                   "invalid": dataset.rows_invalid})
    return dataset, True


def _store_rows(dataset: Dataset, schema: Schema, mapping: dict[str, int], headers: Sequence[str],
                rows: Iterator[list[object]], scope: str) -> None:
    counts = {"total": 0, "matched": 0, "outside": 0, "unmatched": 0, "invalid": 0}
    errors: list[list[Any]] = []
    days: list[Any] = []
    batch: list[tuple[str, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=2):  # row 1 holds the headers
        if not any(cell not in (None, "") for cell in row):
            continue
        counts["total"] += 1
        values, problems = _parse_row(schema, mapping, row)
        if problems:
            counts["invalid"] += 1
            errors.extend([number, schema.field(key).header, message] for key, message in problems
                          if len(errors) < MAX_ERRORS)
            continue
        batch.append((values.pop("id_number"), values))
        if len(batch) >= BATCH:
            _match(dataset, schema, batch, scope, counts, days)
            batch = []
    _match(dataset, schema, batch, scope, counts, days)
    dataset.rows_total, dataset.rows_matched = counts["total"], counts["matched"]
    dataset.rows_outside, dataset.rows_unmatched, dataset.rows_invalid = (counts["outside"], counts["unmatched"],
                                                                           counts["invalid"])
    dataset.errors = errors
    dataset.first_day, dataset.last_day = (min(days), max(days)) if days else (None, None)
    dataset.save(update_fields=["rows_total", "rows_matched", "rows_outside", "rows_unmatched", "rows_invalid",
                                "errors", "first_day", "last_day"])


def _parse_row(schema: Schema, mapping: dict[str, int], row: list[object]) -> tuple[dict[str, Any], list]:
    values: dict[str, Any] = {}
    problems = []
    for fld in schema.fields:
        raw = row[mapping[fld.key]] if fld.key in mapping and mapping[fld.key] < len(row) else None
        try:
            values[fld.key] = parse_cell(fld, raw)
        except CellError as exc:
            problems.append((fld.key, str(exc)))
    return values, problems


def _match(dataset: Dataset, schema: Schema, batch: list[tuple[str, dict[str, Any]]], scope: str,
           counts: dict[str, int], days: list[Any]) -> None:
    """Persons by the blind index of their ID number; only members in the uploader's region are kept."""
    if not batch:
        return
    indexes = [pii.id_index(id_number) for id_number, _ in batch]
    members = {idx: (pk, hh, village) for idx, pk, hh, village in Member.objects.filter(id_index__in=set(indexes))
               .values_list("id_index", "pk", "household_id", "household__village_id")}
    records = []
    for idx, (_, values) in zip(indexes, batch, strict=True):
        found = members.get(idx)
        if found is None:
            counts["unmatched"] += 1
        elif not found[2].startswith(scope):
            counts["outside"] += 1
        else:
            counts["matched"] += 1
            day = values[schema.date_field]
            days.append(day)
            records.append(Record(dataset=dataset, member_id=found[0], household_id=found[1], kind=schema.kind,
                                  day=day, values={k: _json(v) for k, v in values.items() if k != schema.date_field}))
    Record.objects.bulk_create(records, batch_size=BATCH)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
