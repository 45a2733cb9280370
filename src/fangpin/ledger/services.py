"""Ledger verbs: import (validate, then write everything or nothing) and export.

An import is read → parsed (core) → checked against the database and diffed (plan) →
written in one transaction (writer). Any bad row stops it before the first write, and the
user gets every bad row and cell. One audit event per import and per export, with counts
and the file's SHA-256 — never a name, ID number or phone.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record, record_system_event
from fangpin.core import ledger as L
from fangpin.gcpause import collector_paused
from fangpin.ledger import files
from fangpin.ledger.models import ImportJob
from fangpin.ledger.plan import VillageResolver, build_plan
from fangpin.ledger.writer import PlanWriter

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (phase, percent)
MAX_STORED_ERRORS = 20000


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[L.LedgerError] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _no_progress(phase: str, percent: int) -> None:
    return None


def read_and_check(data: bytes, filename: str, scope_code: str, progress: Progress = _no_progress):
    """Parse and plan; returns (outcome, plan or None). Reads only."""
    outcome = ImportOutcome()
    started = time.perf_counter()
    total, rows = files.iter_rows(data, filename)
    head = list(itertools.islice(rows, 5))
    if not head:
        outcome.errors.append(L.LedgerError(1, "", "文件中没有数据"))
        return outcome, None
    at = L.locate_header(head)
    header = L.map_headers(head[at], at + 1)
    outcome.unknown_columns = header.unknown
    if header.errors:
        outcome.errors = header.errors
        return outcome, None
    body = _counting(itertools.chain(head[at + 1:], rows), max(total - at - 1, 1), progress)
    parsed = L.LedgerParser(header, VillageResolver(scope_code)).parse(body)
    outcome.rows = len(parsed.rows) + len({e.row for e in parsed.errors})
    outcome.timings["parse"] = time.perf_counter() - started
    if parsed.errors:
        outcome.errors = parsed.errors
        return outcome, None
    progress("核对系统中已有记录", 70)
    started = time.perf_counter()
    plan = build_plan(parsed, scope_code)
    outcome.timings["plan"] = time.perf_counter() - started
    outcome.errors = plan.errors
    outcome.counts = plan.counts
    return outcome, (None if plan.errors else plan)


def _counting(rows: Iterator[Sequence[object]], total: int, progress: Progress) -> Iterable[Sequence[object]]:
    step = max(1000, total // 40)  # about 40 progress writes, whatever the size
    for i, row in enumerate(rows):
        if i % step == 0:
            progress("校验数据", min(65, 65 * i // total))
        yield row


def do_import_ledger(data: bytes, filename: str, *, scope_code: str, user=None, dry_run: bool, request=None,
               progress: Progress = _no_progress, job_id: int | None = None) -> ImportOutcome:
    """The whole import, audited once. ``dry_run`` stops after the checks ("校验")."""
    with collector_paused():
        return _import_ledger(data, filename, scope_code=scope_code, user=user, dry_run=dry_run, request=request,
                              progress=progress, job_id=job_id)


def _import_ledger(data: bytes, filename: str, *, scope_code: str, user, dry_run: bool, request,
                   progress: Progress, job_id: int | None) -> ImportOutcome:
    outcome, plan = read_and_check(data, filename, scope_code, progress)
    if plan is not None and not dry_run:
        progress("写入数据库", 80)
        started = time.perf_counter()
        source = f"台账导入#{job_id}" if job_id else "台账导入"
        with transaction.atomic():
            PlanWriter(plan, user_id=user.pk if user else None, source=source, now=timezone.now()).write()
            _audit_import(request, user, outcome, data, dry_run, scope_code, job_id)
        outcome.written = True
        _refresh_statistics(plan)
        outcome.timings["write"] = time.perf_counter() - started
    else:
        _audit_import(request, user, outcome, data, dry_run, scope_code, job_id)
    return outcome


def _refresh_statistics(plan) -> None:
    """After a big first load PostgreSQL's row estimates are stale and later lookups plan badly."""
    from django.db import connection

    if connection.vendor == "postgresql" and len(plan.new_members) > 10_000:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_household, registry_member, registry_householdyear")


def _audit_import(request, user, outcome: ImportOutcome, data: bytes, dry_run: bool, scope: str,
                  job_id: int | None) -> None:
    action = "ledger.validate" if dry_run else "ledger.import"
    detail = {"sha256": hashlib.sha256(data).hexdigest(), "rows": outcome.rows, "errors": len(outcome.errors),
              "counts": outcome.counts, "dry_run": dry_run, "job": job_id}
    verb = "校验" if dry_run else "导入"
    summary = f"台账{verb}：{outcome.rows} 行，" + (f"{len(outcome.errors)} 处错误，未写入" if outcome.errors
                                                     else counts_text(outcome.counts))
    result = "failed" if outcome.errors else "ok"
    if user is None:
        record_system_event(action, summary=summary, detail=detail)
    else:
        record(request, action, object_type="importjob", object_id=str(job_id or ""), region_code=scope,
               summary=summary, detail=detail, result=result, user=user)


LABELS = {"households": "户", "members": "人", "years": "年度收支"}


def counts_text(counts: dict[str, Any]) -> str:
    parts = []
    for kind, label in LABELS.items():
        c = counts.get(kind)
        if c:
            parts.append(f"{label}：新增 {c['created']}，修改 {c['updated']}，未变 {c['unchanged']}")
    return "；".join(parts) or "无变化"


# ---- jobs (the web page's view of an import) -------------------------------------------------

def do_submit_import(request, data: bytes, filename: str, dry_run: bool) -> ImportJob:
    """Keep the file (encrypted), create the job, start it; the page then polls the job."""
    files.extension(filename)
    job = ImportJob.objects.create(user=request.user, region_id=request.user.scope_code, filename=filename[:200],
                                   sha256=hashlib.sha256(data).hexdigest(), size=len(data), dry_run=dry_run)
    files.store(job.pk, data)
    start_job(job)
    return job


def do_confirm_import(request, job: ImportJob) -> ImportJob:
    """Import the file of a dry run that passed, without uploading it again."""
    if not job.can_confirm:
        raise ValueError("只有校验通过的文件才能确认导入")
    new = ImportJob.objects.create(user=request.user, region_id=request.user.scope_code, filename=job.filename,
                                   sha256=job.sha256, size=job.size, dry_run=False)
    if not files.copy(job.pk, new.pk):
        _finish(new, "crashed", failure="原上传文件已清理，请重新上传")
        return new
    start_job(new)
    return new


def start_job(job: ImportJob) -> None:
    """In a thread after commit (the page polls); inline when LEDGER_RUN_INLINE (tests)."""
    if getattr(settings, "LEDGER_RUN_INLINE", False):
        run_job(job.pk)
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread_main, args=(job.pk,), daemon=True).start())


def _thread_main(job_id: int) -> None:
    try:
        close_old_connections()
        run_job(job_id)
    finally:
        connections.close_all()


def run_job(job_id: int) -> None:
    claimed = ImportJob.objects.filter(pk=job_id, status="queued").update(
        status="running", started_at=timezone.now(), heartbeat=timezone.now(), phase="读取文件")
    if not claimed:
        return  # someone else runs it
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    data = files.load(job_id)
    if data is None:
        _finish(job, "crashed", failure="上传文件不存在，请重新上传")
        return
    try:
        outcome = do_import_ledger(data, job.filename, scope_code=job.region_id, user=job.user, dry_run=job.dry_run,
                             progress=lambda phase, pct: _progress(job_id, phase, pct), job_id=job_id)
    except files.LedgerFileError as exc:
        _finish(job, "invalid", errors=[L.LedgerError(0, "", str(exc))])
        return
    except Exception as exc:
        log.exception("ledger import job %s failed", job_id)  # the traceback holds no cell values
        _finish(job, "crashed", failure=f"处理失败（{type(exc).__name__}），未写入任何数据；请联系管理员")
        return
    _finish(job, "invalid" if outcome.errors else "done", errors=outcome.errors, rows=outcome.rows,
            counts=outcome.counts)
    if outcome.written:
        files.discard(job_id)  # the data is in the registry now; keep no clear-text copy


def _progress(job_id: int, phase: str, percent: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(phase=phase, progress=percent, heartbeat=timezone.now())


def _finish(job: ImportJob, status: str, *, errors: Sequence[L.LedgerError] = (), rows: int = 0,
            counts: dict[str, Any] | None = None, failure: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, progress=100, phase=dict(ImportJob.STATUS)[status], finished_at=timezone.now(),
        errors=[list(e) for e in errors[:MAX_STORED_ERRORS]], error_count=len(errors), total_rows=rows,
        counts=counts or {}, failure=failure,
    )


# ---- export ------------------------------------------------------------------------------------

EXPORT_MEMBER_FIELDS = ("household_id", "household__hh_no", "household__village_id", "household__village__name",
                        "household__address", "household__hh_type", "household__exit_year", "household__is_dibao",
                        "household__is_tekun", "household__is_disabled", "household__housing_safety",
                        "household__water", "name", "id_masked", "phone_masked", *L.MEMBER_FIELDS[1:])


def export_rows(region_code: str, hh_type: str = "") -> Iterator[dict[str, Any]]:
    """One dict per member, ledger keys, masked ID and phone; latest income year of each household."""
    from fangpin.registry.models import HouseholdYear, Member

    members = Member.objects.filter(code_prefix_q("household__village_id", region_code))
    years_qs = HouseholdYear.objects.filter(code_prefix_q("household__village_id", region_code))
    if hh_type:
        members = members.filter(household__hh_type=hh_type)
        years_qs = years_qs.filter(household__hh_type=hh_type)
    latest: dict[int, dict[str, Any]] = {}
    for y in years_qs.order_by("household_id", "year").values("household_id", "year", *L.YEAR_FIELDS):
        latest[y.pop("household_id")] = y  # ascending years: the last one wins
    members = members.order_by("household__village_id", "household__hh_no", "id").values(*EXPORT_MEMBER_FIELDS)
    for m in members.iterator(chunk_size=5000):
        row = {k.removeprefix("household__"): v for k, v in m.items()}
        row.update(village_code=row.pop("village_id"), village_name=row.pop("village__name"),
                   id_number=row.pop("id_masked"), phone=row.pop("phone_masked"))
        row.update(latest.get(m["household_id"], {}))
        yield row


def do_export_ledger(request, out, *, region_code: str, hh_type: str = "", user=None) -> int:
    """Write the ledger of ``region_code`` (inside the user's scope: the caller checks) and audit it."""
    from fangpin.ledger.workbook import write_export

    user = user or getattr(request, "user", None)
    n = write_export(out, export_rows(region_code, hh_type))
    detail = {"region": region_code, "hh_type": hh_type, "rows": n}
    summary = f"导出台账 {region_code}{'（' + L.show('hh_type', hh_type) + '）' if hh_type else ''}：{n} 行"
    if user is None:
        record_system_event("ledger.export", summary=summary, detail=detail)
    else:
        record(request, "ledger.export", region_code=region_code, summary=summary, detail=detail, user=user)
    return n
