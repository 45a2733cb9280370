"""Writing and checking the audit log. Callers pass masked values only — never an ID number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.accounts.access import scoped
from fangpin.accounts.models import User
from fangpin.audit.models import AuditEvent, ChainHead

GENESIS = "0" * 64


def client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:64]


def _append(**fields) -> AuditEvent:
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(seq=head.last_seq + 1, ts=timezone.now(), prev_hash=head.last_hash, **fields)
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
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


def record_system_event(action: str, *, summary: str = "", detail: dict | None = None) -> AuditEvent:
    """Events from management commands: no request, the operator is the OS account."""
    import getpass

    return _append(user_id=None, username=f"system:{getpass.getuser()}", role="", ip="local", action=action,
                   object_type="", object_id="", region_code="", summary=summary[:300], detail=detail or {},
                   result="ok")


@dataclass
class ChainReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash and link; report edits, deletions (seq gaps) and a moved head."""
    problems: list[str] = []
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    qs = AuditEvent.objects.order_by("seq")
    last_seq = 0
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
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != prev_seq or head.last_hash != prev_hash):
        problems.append(f"链头记录为第 {head.last_seq} 条，实际最后一条为第 {prev_seq} 条（末尾记录被删除或篡改）")
    return ChainReport(checked, problems)


# --- the audit administrator's reads --------------------------------------------------------------


def visible_events(user):
    """Events an audit administrator may read: those located in their region, those of users of their
    region without a location (logins, exports), and anonymous/system events (failed logins, loaders)."""
    scope = user.scope_code
    local_users = scoped(User.objects.all(), user, "region__code").values("pk")
    return AuditEvent.objects.filter(
        Q(region_code__startswith=scope)
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
