"""The registry and the stored department records as the screening engine's input tables (Parquet), for a run
on a Spark cluster (docs/screening-spark.md): ``households``, ``members`` (person = ``core.screening.person_key``
of the ID number) and one table per department kind, in the layout of docs/screening.md.

The files hold personal data: a person key IS the ID number as an integer (``id_of_key`` turns it back). They
are written 0600 in a 0700 directory, and every export is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Q

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record, record_system_event
from fangpin.cases.facts import facts_for
from fangpin.core.screening import SCHEMAS, person_key, window
from fangpin.datasets.models import Record
from fangpin.registry.models import Household, Member

from .services import AlertError, _department_table, period_end

TABLES = ("households", "members", *SCHEMAS)


@dataclass
class Export:
    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counties: list[str] = field(default_factory=list)


def path_of(out: Path, table: str, region_code: str, hive: bool) -> Path:
    """``OUT/households.parquet``, or with ``hive`` ``OUT/households/province=13/part-130633.parquet`` (many
    regions' exports side by side; Spark reads ``OUT/households`` with ``province`` as a partition column)."""
    if hive:
        return out / table / f"province={region_code[:2]}" / f"part-{region_code}.parquet"
    return out / f"{table}.parquet"


def do_export_screening_tables(region_code: str, out: Path, *, period: str | None = None, hive: bool = False,
                               user=None) -> Export:
    """Write every table for the households of ``region_code`` (one county at a time: memory stays bounded);
    with ``period`` only the department records of its 12-month window."""
    import pyarrow.parquet as pq

    from fangpin.screening.tables import SCHEMA_OF

    first, last = window(period_end(period)) if period else (None, None)
    if not Household.objects.filter(code_prefix_q("village_id", region_code)).exists():
        raise AlertError(f"区划 {region_code} 没有农户，未导出")
    export = Export(out)
    writers: dict[str, Any] = {}
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    try:
        for table in TABLES:
            path = path_of(out, table, region_code, hive)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            writers[table] = pq.ParquetWriter(path, SCHEMA_OF[table].to_pyarrow())
            export.files[table] = path
        counties = sorted({code[:6] for code in
                           Household.objects.filter(code_prefix_q("village_id", region_code))
                           .values_list("village_id", flat=True).distinct()})
        for county in counties:
            scope = county if len(region_code) <= 6 else region_code
            _export_scope(scope, writers, export, first, last)
            export.counties.append(county)
    finally:
        for writer in writers.values():
            writer.close()
    summary = (f"导出筛查数据表 {region_code}{' ' + period if period else ''}：{export.rows['households']} 户，"
               f"{export.rows['members']} 人，部门记录 {sum(export.rows[k] for k in SCHEMAS)} 条")
    detail = {"region": region_code, "period": period or "", "rows": dict(export.rows), "hive": hive}
    if user is not None:
        record(None, "screening.export", user=user, region_code=region_code, summary=summary, detail=detail)
    else:
        record_system_event("screening.export", summary=summary, detail=detail)
    return export


def _export_scope(scope: str, writers: dict[str, Any], export: Export, first: dt.date | None,
                  last: dt.date | None) -> None:
    from fangpin.screening.tables import households_table, members_table

    households = list(Household.objects.filter(code_prefix_q("village_id", scope)).order_by("pk"))
    base = facts_for(households)
    table = households_table((pk, f) for pk, (f, _) in base.items())
    writers["households"].write_table(table)
    export.rows["households"] += table.num_rows
    # Every member's key (records may name a member no longer active); the active ones are the members table.
    keys: dict[int, int] = {}
    active = []
    for pk, household_id, cipher, labour, status in (
            Member.objects.filter(code_prefix_q("household__village_id", scope))
            .values_list("pk", "household_id", "id_cipher", "labour", "status").iterator(chunk_size=5000)):
        keys[pk] = person_key(pii.decrypt(cipher))
        if status == "active" and household_id in base:
            active.append((household_id, keys[pk], labour))
    table = members_table(active)
    writers["members"].write_table(table)
    export.rows["members"] += table.num_rows
    rows = Record.objects.filter(code_prefix_q("household__village_id", scope))
    if first is not None:
        rows = rows.filter(Q(day__gt=first) & Q(day__lte=last))
    by_kind: dict[str, list[tuple[int, dt.date, dict[str, Any]]]] = defaultdict(list)
    items = list(rows.values_list("kind", "member_id", "day", "values").iterator(chunk_size=10_000))
    elsewhere = {member_id for _, member_id, _, _ in items} - keys.keys()  # a member since moved to another household
    for pk, cipher in Member.objects.filter(pk__in=elsewhere).values_list("pk", "id_cipher"):
        keys[pk] = person_key(pii.decrypt(cipher))
    for kind, member_id, day, values in items:
        by_kind[kind].append((keys[member_id], day, values))
    for kind, items in by_kind.items():
        table = _department_table(kind, items)
        writers[kind].write_table(table)
        export.rows[kind] += table.num_rows
