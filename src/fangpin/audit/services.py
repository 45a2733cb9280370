"""Writing and checking the audit log. Callers pass masked values only — never an ID number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q, scoped
from fangpin.accounts.models import User
from fangpin.audit.models import AuditEvent, ChainHead
from fangpin.audit.triggers import MIN_RETENTION_DAYS, PURGE_SETTING

GENESIS = "0" * 64


def client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:64]


# One statement takes the next link, hashes the row and inserts it, so the chain head's row lock is held
# for that statement only (outside a caller's transaction) instead of three round trips and the Python
# between them: under load, audited requests queued on that lock (docs/load.md). The hash is the same
# SHA-256 of the same canonical text that verify_chain recomputes in Python.
_PG_APPEND = """
WITH link AS (
    UPDATE audit_chainhead
       SET last_seq = last_seq + 1, prev_hash = last_hash,
           last_hash = encode(sha256(convert_to(%(a)s || last_hash || %(b)s || (last_seq + 1)::text || %(c)s,
                                                'UTF8')), 'hex')
     WHERE id = 1
 RETURNING last_seq, prev_hash, last_hash)
INSERT INTO audit_auditevent (seq, ts, user_id, username, role, ip, action, object_type, object_id, region_code,
                              summary, detail, result, prev_hash, hash)
SELECT link.last_seq, %(ts)s, %(user_id)s, %(username)s, %(role)s, %(ip)s, %(action)s, %(object_type)s,
       %(object_id)s, %(region_code)s, %(summary)s, %(detail)s, %(result)s, link.prev_hash, link.last_hash
  FROM link
RETURNING id, seq, prev_hash, hash
"""


def _append_in_one_statement(event: AuditEvent, using: str) -> AuditEvent | None:
    """PostgreSQL: ``event`` (without its link) appended by ``_PG_APPEND``; None before the first row
    (no chain head yet: the ORM path creates it)."""
    a, b, c = event.canonical_around_link()
    conn = connections[using]
    detail = AuditEvent._meta.get_field("detail").get_db_prep_save(event.detail, conn)
    params = {name: getattr(event, name) for name in (
        "ts", "user_id", "username", "role", "ip", "action", "object_type", "object_id", "region_code", "summary",
        "result")}
    with conn.cursor() as cursor:
        cursor.execute(_PG_APPEND, {**params, "detail": detail, "a": a, "b": b, "c": c})
        row = cursor.fetchone()
    if row is None:
        return None
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding, event._state.db = False, using
    return event


def _append(*, ts=None, using: str = "default", **fields) -> AuditEvent:
    """Extend the chain by one row (``ts`` only for tests that need an old row; default now;
    ``using`` for operations on another database, e.g. a restored copy)."""
    if connections[using].vendor == "postgresql":
        event = _append_in_one_statement(AuditEvent(ts=ts or timezone.now(), **fields), using)
        if event is not None:
            return event
    with transaction.atomic(using=using):
        head, _ = ChainHead.objects.using(using).select_for_update().get_or_create(pk=1)
        event = AuditEvent(seq=head.last_seq + 1, ts=ts or timezone.now(), prev_hash=head.last_hash, **fields)
        event.hash = event.compute_hash()
        event.save(force_insert=True, using=using)
        ChainHead.objects.using(using).filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def record(request, action: str, *, obj=None, object_type: str = "", object_id: str = "", region_code: str = "",
           summary: str = "", detail: dict | None = None, result: str = "ok", user=None) -> AuditEvent:
    """Append one event for the request's user. ``obj`` fills type/id/region if it has them."""
    user = user or (getattr(request, "user", None) if request is not None else None)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        region_code = region_code or getattr(obj, "audit_region_code", "")
    authenticated = user is not None and user.is_authenticated
    return _append(
        user_id=user.pk if authenticated else None,
        username=user.username if authenticated else "",
        role=getattr(user, "role", "") if authenticated else "",
        ip=client_ip(request), action=action, object_type=object_type, object_id=str(object_id),
        region_code=region_code, summary=summary[:300], detail=detail or {}, result=result,
    )


def record_system_event(action: str, *, summary: str = "", detail: dict | None = None,
                        result: str = "ok", using: str = "default") -> AuditEvent:
    """Events from management commands: no request, the operator is the OS account."""
    import getpass

    return _append(using=using, user_id=None, username=f"system:{getpass.getuser()}", role="", ip="local", action=action,
                   object_type="", object_id="", region_code="", summary=summary[:300], detail=detail or {},
                   result=result)


@dataclass
class ChainReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch_size: int = 5000, using: str = "default") -> ChainReport:
    """Recompute every hash and link from the purge anchor on; report edits, deletions (seq gaps), a moved
    head and an anchor that no purge recorded."""
    problems: list[str] = []
    head = ChainHead.objects.using(using).filter(pk=1).first()
    anchor_seq, anchor_hash = (head.anchor_seq, head.anchor_hash) if head is not None else (0, GENESIS)
    prev_hash, prev_seq, checked = anchor_hash, anchor_seq, 0
    qs = AuditEvent.objects.using(using).order_by("seq")
    last_seq = anchor_seq
    if qs.filter(seq__lte=anchor_seq).exists():
        problems.append(f"存在序号不大于清理锚点（第 {anchor_seq} 条）的记录，清理锚点被改动")
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch_size])
        if not rows:
            break
        for event in rows:
            checked += 1
            if event.seq != prev_seq + 1:
                problems.append(f"第 {prev_seq + 1}–{event.seq - 1} 条审计记录缺失（被删除）")
            if event.prev_hash != prev_hash:
                problems.append(f"第 {event.seq} 条记录的前序哈希与上一条不符")
            if event.compute_hash() != event.hash:
                problems.append(f"第 {event.seq} 条记录内容被篡改（哈希不符）")
            prev_hash, prev_seq = event.hash, event.seq
        last_seq = rows[-1].seq
    if head is not None and (head.last_seq != prev_seq or head.last_hash != prev_hash):
        problems.append(f"链头记录为第 {head.last_seq} 条，实际最后一条为第 {prev_seq} 条（末尾记录被删除或篡改）")
    problems.extend(_anchor_problems(anchor_seq, anchor_hash, using))
    return ChainReport(checked, problems)


def _anchor_problems(anchor_seq: int, anchor_hash: str, using: str) -> list[str]:
    """The anchor must be the one the latest successful purge wrote into its own (chained) row."""
    purge = (AuditEvent.objects.using(using).filter(action=PURGE_ACTION, result="ok").order_by("-seq").first())
    if purge is None:
        if anchor_seq != 0 or anchor_hash != GENESIS:
            return [f"清理锚点为第 {anchor_seq} 条，但没有任何清理记录（开头的记录被删除）"]
        return []
    if (purge.detail.get("anchor_seq"), purge.detail.get("anchor_hash")) != (anchor_seq, anchor_hash):
        return [f"清理锚点（第 {anchor_seq} 条）与第 {purge.seq} 条清理记录不符（开头的记录被删除或锚点被改动）"]
    return []


# --- retention ------------------------------------------------------------------------------------

PURGE_ACTION = "audit.purge"


class PurgeRefused(ValueError):
    pass


@dataclass
class PurgeResult:
    purged: int
    cutoff: dt.datetime
    anchor_seq: int
    anchor_hash: str
    event: AuditEvent


def do_purge(older_than_days: int, *, now: dt.datetime | None = None) -> PurgeResult:
    """Remove the oldest rows of the chain, those older than ``older_than_days`` (never fewer than
    183 days), as one prefix of the chain; the last removed row becomes the anchor verification
    starts from. The purge, or its refusal, is itself an audit row."""
    now = now or timezone.now()
    if older_than_days < MIN_RETENTION_DAYS:
        record_system_event(PURGE_ACTION, result="denied",
                            summary=f"拒绝清理审计日志：保留期 {older_than_days} 天少于 {MIN_RETENTION_DAYS} 天",
                            detail={"older_than_days": older_than_days})
        raise PurgeRefused(f"审计日志至少保留 {MIN_RETENTION_DAYS} 天，--older-than-days 不能小于 {MIN_RETENTION_DAYS}")
    cutoff = now - dt.timedelta(days=older_than_days)
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        # the prefix ends before the first young row, so every removed row is older than the cutoff
        first_young = AuditEvent.objects.filter(ts__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        old = AuditEvent.objects.filter(seq__gt=head.anchor_seq)
        if first_young is not None:
            old = old.filter(seq__lt=first_young)
        last = old.order_by("-seq").first()
        purged = 0
        anchor_seq, anchor_hash = head.anchor_seq, head.anchor_hash
        if last is not None:
            purged = _delete_through(last.seq)
            anchor_seq, anchor_hash = last.seq, last.hash
            ChainHead.objects.filter(pk=1).update(anchor_seq=anchor_seq, anchor_hash=anchor_hash)
        event = record_system_event(
            PURGE_ACTION, summary=f"清理 {cutoff:%Y-%m-%d} 之前的审计日志 {purged} 条（保留 {older_than_days} 天）",
            detail={"older_than_days": older_than_days, "cutoff": cutoff.isoformat(), "purged": purged,
                    "anchor_seq": anchor_seq, "anchor_hash": anchor_hash})
    return PurgeResult(purged, cutoff, anchor_seq, anchor_hash, event)


def _delete_through(seq: int) -> int:
    """Delete rows up to ``seq`` through the triggers' one open door (see fangpin.audit.triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        else:
            cursor.execute("INSERT OR REPLACE INTO audit_purgegate (id, is_open) VALUES (1, 1)")
        # on failure the rollback closes the door again (the gate row and SET LOCAL are transactional)
        cursor.execute("DELETE FROM audit_auditevent WHERE seq <= %s", [seq])
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
        else:
            cursor.execute("UPDATE audit_purgegate SET is_open = 0 WHERE id = 1")
    return deleted


# --- the audit administrator's reads --------------------------------------------------------------


def visible_events(user):
    """Events an audit administrator may read: those located in their region, those of users of their
    region without a location (logins, exports), and anonymous/system events (failed logins, loaders)."""
    scope = user.scope_code
    if not scope:  # every event lies in the whole country (and ``Q() | x`` would be just ``x``)
        return AuditEvent.objects.all()
    local_users = scoped(User.objects.all(), user, "region__code").values("pk")
    return AuditEvent.objects.filter(
        code_prefix_q("region_code", scope)
        | Q(region_code="", user_id__in=local_users)
        | Q(region_code="", user_id__isnull=True)
    )


def do_verify(request) -> ChainReport:
    """Check the whole chain; the check itself is recorded with its outcome."""
    report = verify_chain()
    record(request, "audit.verify", summary=f"校验审计哈希链：{report.checked} 条，{'完整' if report.ok else '发现问题'}",
           result="ok" if report.ok else "failed",
           detail={"checked": report.checked, "problems": report.problems[:20]})
    return report
