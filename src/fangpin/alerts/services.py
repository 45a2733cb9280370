"""Screening (部门筛查): every household of the region judged by the core rules on its registry facts
updated by its members' department records of the 12 months; each finding becomes a warning once;
the county turns a warning into a lead on the household's case or dismisses it with a reason."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q, scoped
from fangpin.audit.services import record
from fangpin.cases.facts import facts_for
from fangpin.cases.models import PolicyVersion
from fangpin.cases.services import CaseError, do_open_lead, policy_for
from fangpin.core.policy import Policy
from fangpin.core.rules import Finding, evaluate
from fangpin.core.screening import MemberRef, screening_facts, window
from fangpin.core.screening import Record as CoreRecord
from fangpin.datasets.models import Record
from fangpin.registry.models import Household, Member

from .models import ScreeningRun, Warning

log = logging.getLogger(__name__)
BATCH = 2000
EVIDENCE = 50
STORE_BATCH = 500  # findings stored per transaction
STALE_MINUTES = 30  # a running run without a heartbeat for this long was killed (ALERTS_STALE_MINUTES)


class AlertError(Exception):
    """A refused request; ``str()`` is the Chinese explanation."""


def period_end(period: str) -> dt.date:
    """'2026-10' → 2026-10-31 (the 12 months screened end on the month's last day)."""
    try:
        year, month = (int(p) for p in period.split("-"))
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, calendar.IllegalMonthError):
        raise AlertError(f"筛查月份“{period}”无效，应为 YYYY-MM，如 2026-10") from None


# ---------------------------------------------------------------- finding (the reference path)


def find(region_code: str, end: dt.date, progress: Callable[[int, int, int], None] | None = None
         ) -> Iterator[tuple[int, list[Finding], list[int]]]:
    """(household id, findings, evidence record ids) for every household of the region with a registry year."""
    households = Household.objects.filter(code_prefix_q("village_id", region_code)).order_by("pk")
    total = households.count()
    policies: dict[str, PolicyVersion] = {}
    done = records_seen = 0
    for start in range(0, total, BATCH):
        batch = list(households[start:start + BATCH])
        base = facts_for(batch)
        members: dict[int, list[MemberRef]] = defaultdict(list)
        for household_id, pk, labour in (Member.objects.filter(household__in=batch, status="active")
                                         .values_list("household_id", "pk", "labour")):
            members[household_id].append(MemberRef(pk, labour))
        rows: dict[int, list[tuple[int, CoreRecord]]] = defaultdict(list)
        first, last = window(end)
        for pk, household_id, kind, member_id, day, values in (
                Record.objects.filter(household__in=batch, day__gt=first, day__lte=last)
                .values_list("pk", "household_id", "kind", "member_id", "day", "values")):
            rows[household_id].append((pk, CoreRecord(kind, member_id, day, values)))
            records_seen += 1
        for household in batch:
            if household.pk not in base:
                continue
            county = household.village_id[:6]
            if county not in policies:
                policies[county] = policy_for(household.village_id, end)
            facts = screening_facts(base[household.pk][0], members[household.pk],
                                    [r for _, r in rows[household.pk]], end)
            findings = evaluate(facts, policies[county].as_core())
            if findings:
                yield household.pk, findings, [pk for pk, _ in rows[household.pk]][:EVIDENCE]
        done += len(batch)
        if progress:
            progress(done, total, records_seen)


# ---------------------------------------------------------------- finding on the engine (the same rules, compiled)


def find_with_engine(region_code: str, end: dt.date, progress: Callable[[int, int, int], None] | None = None,
                     *, connect: Callable[[], Any] | None = None,
                     policy_of: Callable[[str, dt.date], Policy] | None = None,
                     evidence: bool = True) -> Iterator[tuple[int, list[Finding], list[int]]]:
    """As ``find``, but the facts and the rules run set-wise on an Ibis backend (``fangpin.screening``), one
    county at a time (a county is where one policy applies); the core writes the findings of flagged households.

    ``connect()`` gives the backend connection (DuckDB in memory by default; Spark is another);
    ``policy_of(village_code, period_end)`` the core policy (the county's adopted one by default; a draft
    for a what-if run); without ``evidence`` no record ids are looked up (nothing is stored from it)."""
    policy_of = policy_of or (lambda village, day: policy_for(village, day).as_core())
    first, last = window(end)
    for village, inputs in engine_inputs(region_code, end, progress):
        findings = run_engine(inputs, policy_of(village, end), end, connect)
        found = _evidence(list(findings), first, last) if evidence else {}
        for household_id, items in findings.items():
            yield household_id, items, found.get(household_id, [])


def engine_inputs(region_code: str, end: dt.date, progress: Callable[[int, int, int], None] | None = None
                  ) -> Iterator[tuple[str, dict[str, Any]]]:
    """The engine's input tables, one county (or the region, below a county) at a time, with a village code of
    it (for its policy); ``progress(households done, total, records read)`` after the caller is done with each.
    What-if runs screen the same inputs with two policies."""
    from fangpin.screening import tables

    first, last = window(end)
    counties = sorted({code[:6] for code in Household.objects.filter(code_prefix_q("village_id", region_code))
                       .values_list("village_id", flat=True).distinct()})
    total = Household.objects.filter(code_prefix_q("village_id", region_code)).count()
    done = records_seen = 0
    for county in counties:
        scope = county if len(region_code) <= 6 else region_code
        households = list(Household.objects.filter(code_prefix_q("village_id", scope)).order_by("pk"))
        base = facts_for(households)
        members = Member.objects.filter(code_prefix_q("household__village_id", scope), status="active")
        inputs: dict[str, Any] = {
            "households": tables.households_table((pk, f) for pk, (f, _) in base.items()),
            "members": tables.members_table(members.values_list("household_id", "pk", "labour")),
        }
        rows = (Record.objects.filter(code_prefix_q("household__village_id", scope),
                                      day__gt=first, day__lte=last)
                .values_list("kind", "member_id", "day", "values"))
        by_kind: dict[str, list[tuple[int, dt.date, dict[str, Any]]]] = defaultdict(list)
        for kind, member_id, day, values in rows.iterator(chunk_size=10_000):
            by_kind[kind].append((member_id, day, values))
            records_seen += 1
        for kind, items in by_kind.items():
            inputs[kind] = _department_table(kind, items)
        if households:
            yield households[0].village_id, inputs
        done += len(households)
        if progress:
            progress(done, total, records_seen)


def run_engine(inputs: dict[str, Any], policy: Policy, end: dt.date, connect: Callable[[], Any] | None = None
               ) -> dict[int, list[Finding]]:
    """One county's findings on the backend; a disagreement with the core stops everything."""
    import ibis

    from fangpin.screening import engine

    result = engine.run((connect or ibis.duckdb.connect)(), inputs, policy, end)
    if result.mismatches:  # the parity suite keeps this empty; never store a disputed warning
        raise AlertError(f"筛查引擎与规则核心结果不一致（{len(result.mismatches)} 户），已停止，请联系管理员")
    return result.findings


def _department_table(kind: str, items: list[tuple[int, dt.date, dict[str, Any]]]):
    """Stored records of one kind as the engine's input (money back to Decimal)."""
    import pyarrow as pa

    from fangpin.core.screening import SCHEMAS, Kind
    from fangpin.screening.tables import department_schema

    schema = SCHEMAS[kind]
    money = {f.key for f in schema.fields if f.kind is Kind.MONEY}
    rows = []
    for member_id, day, values in items:
        row: dict[str, Any] = {"person": member_id, schema.date_field: day}
        for f in schema.fields:
            if f.kind in (Kind.ID, Kind.DATE):
                continue
            value = values.get(f.key)
            row[f.key] = Decimal(value) if f.key in money and value is not None else value
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=department_schema(kind).to_pyarrow())


def _evidence(household_ids: list[int], first: dt.date, last: dt.date) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(household_ids), BATCH):
        for pk, household_id in (Record.objects.filter(household_id__in=household_ids[start:start + BATCH],
                                                        day__gt=first, day__lte=last)
                                 .order_by("pk").values_list("pk", "household_id")):
            if len(found[household_id]) < EVIDENCE:
                found[household_id].append(pk)
    return found


ENGINES = ("duckdb", "spark", "python")


def finder(name: str | None = None, master: str | None = None
           ) -> Callable[..., Iterator[tuple[int, list[Finding], list[int]]]]:
    """DuckDB by default; ``spark`` the same compiled rules on Spark (``master``, else ``SCREENING_SPARK_MASTER``,
    else local[2]); ``python`` (or ``SCREENING_ENGINE = "python"``) runs the core's reference path."""
    name = name or getattr(settings, "SCREENING_ENGINE", "duckdb")
    if name not in ENGINES:
        raise AlertError(f"未知的筛查引擎“{name}”（可用：{'、'.join(ENGINES)}）")
    if name == "spark":
        return functools.partial(find_with_engine, connect=spark_connection(master))
    return find if name == "python" else find_with_engine


def spark_connection(master: str | None = None) -> Callable[[], Any]:
    """``connect()`` for ``find_with_engine``: one Spark connection for the whole run (every county), made on
    first use so a missing Spark fails the run with a clear reason instead of before it starts."""
    made: list[Any] = []

    def connect() -> Any:
        if not made:
            try:
                from fangpin.screening import spark
            except ImportError:
                raise AlertError("未安装 Spark 组件，请安装 fangpin[spark]（需 Java 17）或改用 duckdb 引擎") from None
            made.append(spark.connect(master or getattr(settings, "SCREENING_SPARK_MASTER", spark.DEFAULT_MASTER)))
        return made[0]

    return connect


# ---------------------------------------------------------------- runs


@transaction.atomic
def do_start_run(user, region_code: str, period: str, request=None) -> ScreeningRun:
    if not user.can("run_screening"):
        raise AlertError("筛查须由县级用户发起")
    if not region_code.startswith(user.scope_code):
        raise AlertError("该区划不在您的管辖范围内")
    period_end(period)
    refuse_if_running(region_code, period)
    run = ScreeningRun.objects.create(region_id=region_code, period=period, started_by=user)
    record(request, "screening.start", obj=run, user=user, summary=f"发起筛查 {region_code} {period}")
    start_run(run)
    return run


def refuse_if_running(region_code: str, period: str) -> None:
    """A new run of the month may start unless one is alive; a stale one (killed: no heartbeat for
    ``ALERTS_STALE_MINUTES``) is marked failed first. What it stored stays; the new run adds only what is missing."""
    mark_stale_runs(region_code, period)
    if ScreeningRun.objects.filter(region_id=region_code, period=period, status__in=("queued", "running")).exists():
        raise AlertError(f"{period} 的筛查正在进行，请等待完成")


def mark_stale_runs(region_code: str, period: str) -> list[int]:
    """Runs of the month still "queued"/"running" with no sign of life for ``ALERTS_STALE_MINUTES`` → failed."""
    minutes = getattr(settings, "ALERTS_STALE_MINUTES", STALE_MINUTES)
    now = timezone.now()
    cutoff = now - dt.timedelta(minutes=minutes)
    alive_before = Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, created_at__lt=cutoff)
    marked = []
    for run in ScreeningRun.objects.filter(alive_before, region_id=region_code, period=period,
                                           status__in=("queued", "running")):
        if ScreeningRun.objects.filter(alive_before, pk=run.pk, status=run.status).update(
                status="failed", phase="失败", finished_at=now,
                failure=f"运行中断：超过 {minutes} 分钟没有进度（进程可能已终止），已标记为失败；已写入的预警保留，可重新运行"):
            marked.append(run.pk)
            record(None, "screening.stale", obj=run, user=run.started_by,
                   summary=f"筛查中断，标记为失败 {run.region_id} {run.period}",
                   detail={"run": run.pk, "heartbeat": run.heartbeat.isoformat() if run.heartbeat else None})
    return marked


def start_run(run: ScreeningRun) -> None:
    """In a thread after commit (the page polls); inline with ALERTS_RUN_INLINE (tests, the CLI)."""
    if getattr(settings, "ALERTS_RUN_INLINE", False):
        run_screening(run.pk)
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread_main, args=(run.pk,), daemon=True).start())


def _thread_main(run_id: int) -> None:
    try:
        close_old_connections()
        run_screening(run_id)
    finally:
        connections.close_all()


def run_screening(run_id: int, progress: Callable[[ScreeningRun], None] | None = None,
                  engine: str | None = None, master: str | None = None) -> ScreeningRun:
    """Find and store; each batch of warnings commits on its own, so a killed run loses nothing it wrote
    and a re-run only adds what is missing."""
    if not ScreeningRun.objects.filter(pk=run_id, status="queued").update(
            status="running", phase="筛查中", heartbeat=timezone.now()):
        return ScreeningRun.objects.get(pk=run_id)
    run = ScreeningRun.objects.get(pk=run_id)
    counts = {"findings": 0, "new": 0}
    find_all = finder(engine, master)

    def on_progress(done: int, total: int, records_seen: int) -> None:
        ScreeningRun.objects.filter(pk=run_id).update(
            households=done, households_total=total, records=records_seen, findings=counts["findings"],
            new_warnings=counts["new"], progress=int(100 * done / total) if total else 100,
            heartbeat=timezone.now())
        if progress:
            progress(ScreeningRun.objects.get(pk=run_id))

    try:
        pending: list[tuple[int, list[Finding], list[int]]] = []
        for item in find_all(run.region_id, period_end(run.period), on_progress):
            pending.append(item)
            counts["findings"] += len(item[1])
            if len(pending) >= STORE_BATCH:
                counts["new"] += _store(run, pending)
                pending = []
        counts["new"] += _store(run, pending)
    except (CaseError, AlertError) as exc:
        return _finish(run_id, "failed", counts, str(exc))
    except Exception as exc:
        log.exception("screening run %s failed", run_id)  # tracebacks hold no personal data
        return _finish(run_id, "failed", counts, f"筛查失败（{type(exc).__name__}），已写入的预警保留，可重新运行")
    finished = _finish(run_id, "done", counts, "")
    record(None, "screening.done", obj=finished, user=run.started_by,
           summary=f"筛查完成 {run.region_id} {run.period}：发现风险 {counts['findings']} 项，新增预警 {counts['new']} 条",
           detail={"findings": counts["findings"], "new_warnings": counts["new"], "households": finished.households,
                   "records": finished.records})
    return finished


@transaction.atomic
def _store(run: ScreeningRun, found: list[tuple[int, list[Finding], list[int]]]) -> int:
    """Warnings not stored yet; the unique key keeps a concurrent or repeated run from doubling any."""
    if not found:
        return 0
    existing = set(Warning.objects.filter(household_id__in=[h for h, _, _ in found], period=run.period)
                   .values_list("household_id", "rule"))
    new = [Warning(household_id=household_id, rule=f.rule, period=run.period, title=f.title[:60], text=f.text[:500],
                   risk_types=list(f.risk_types), figures=f.figures, policy_version=f.policy_version,
                   evidence=evidence, run=run)
           for household_id, findings, evidence in found for f in findings if (household_id, f.rule) not in existing]
    Warning.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _finish(run_id: int, status: str, counts: dict[str, int], failure: str) -> ScreeningRun:
    ScreeningRun.objects.filter(pk=run_id).update(
        status=status, phase=dict(ScreeningRun._meta.get_field("status").choices)[status], finished_at=timezone.now(),
        findings=counts["findings"], new_warnings=counts["new"], failure=failure[:300],
        **({"progress": 100} if status == "done" else {}))
    return ScreeningRun.objects.get(pk=run_id)


# ---------------------------------------------------------------- warnings → leads


def _warning_for(user, warning_id: int) -> Warning:
    if not user.can("run_screening"):
        raise AlertError("预警须由县级用户处理")
    warning = (scoped(Warning.objects.select_related("household"), user, "household__village__code")
               .filter(pk=warning_id).first())
    if warning is None:
        raise AlertError("预警不存在或不在您的管辖范围内")
    return warning


@transaction.atomic
def do_warning_to_lead(user, warning_id: int, request=None) -> Warning:
    """The warning becomes a lead on the household's (single) open case, which it opens if needed."""
    warning = _warning_for(user, warning_id)
    now = timezone.now()
    if not Warning.objects.filter(pk=warning.pk, status="open").update(status="lead", handled_by=user, handled_at=now):
        raise AlertError("该预警已被处理，请刷新")
    lead = do_open_lead(warning.household, "screening", f"部门筛查预警（{warning.period}）：{warning.text}", user=user,
                        request=request, details={"warning": warning.pk, "rule": warning.rule,
                                                  "period": warning.period, "policy_version": warning.policy_version,
                                                  "evidence": warning.evidence[:20]})
    Warning.objects.filter(pk=warning.pk).update(lead=lead)
    warning.refresh_from_db()
    record(request, "warning.lead", obj=warning, user=user, summary=f"预警转线索：{warning.title}（{warning.period}）",
           detail={"warning": warning.pk, "lead": lead.pk, "case": lead.case_id})
    return warning


@transaction.atomic
def do_dismiss_warning(user, warning_id: int, reason: str, request=None) -> Warning:
    warning = _warning_for(user, warning_id)
    if not reason.strip():
        raise AlertError("排除预警须填写理由")
    if not Warning.objects.filter(pk=warning.pk, status="open").update(
            status="dismissed", reason=reason.strip()[:500], handled_by=user, handled_at=timezone.now()):
        raise AlertError("该预警已被处理，请刷新")
    warning.refresh_from_db()
    record(request, "warning.dismiss", obj=warning, user=user, summary=f"排除预警：{warning.title}（{warning.period}）",
           detail={"warning": warning.pk, "reason": warning.reason[:200]})
    return warning


def grouped(warnings) -> list[dict[str, Any]]:
    """Open warnings by village, then by risk type, for the queue page."""
    villages: dict[str, dict[str, Any]] = {}
    for w in warnings:
        village = villages.setdefault(w.household.village_id, {"village": w.household.village, "risks": {}, "n": 0})
        risk = (w.risk_types or ["其他"])[0]
        village["risks"].setdefault(risk, []).append(w)
        village["n"] += 1
    return sorted(villages.values(), key=lambda v: (-v["n"], v["village"].code))
