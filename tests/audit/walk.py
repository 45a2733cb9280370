"""Access-walk cases for the audit app (see tests/walk.py): one audit event located in each village."""

from __future__ import annotations

from tests.walk import Case, World


def _event(world: World, village: str):
    from fangpin.audit.services import record

    key = f"audit.event.{village}"
    if key not in world.extra:
        world.extra[key] = record(None, "walk.marker", region_code=village, summary=f"walk-marker-{village}")
    return world.extra[key]


def _listed(query: str = ""):
    def build(world: World, village: str):
        event = _event(world, village)
        return {}, f"region={village}{query}", event.summary

    return build


def _approval(world: World, village: str):
    """A pending full-ID export request located in ``village``, asked by a village user of that village
    (so every walk user with ``unmask`` in scope is a possible approver)."""
    import datetime as dt

    from django.utils import timezone

    from fangpin.accounts.models import User
    from fangpin.audit.models import ExportApproval

    key = f"audit.approval.{village}"
    if key not in world.extra:
        requester = User.objects.create(username=f"walkreq{village}", role="village", region_id=village)
        now = timezone.now()
        world.extra[key] = ExportApproval.objects.create(
            requester=requester, region_id=village, fmt="xlsx", reason=f"walk-approval-{village}",
            requested_at=now, expires_at=now + dt.timedelta(hours=24))
    return world.extra[key]


def _approvals(world: World, village: str):
    approval = _approval(world, village)
    return {}, "", approval.reason


WALK = {
    "audit:approvals": Case("list", _approvals, permission="unmask"),
    "audit:approval_new": Case("page", lambda w, v: {}, permission="unmask"),
    "audit:approval_detail": Case("object", lambda w, v: {"pk": _approval(w, v).pk}, permission="unmask"),
    # POST-only steps: GET answers 405 where allowed; out-of-scope and unpermitted POSTs change nothing
    "audit:approval_decide": Case("object", lambda w, v: {"pk": _approval(w, v).pk}, permission="unmask",
                                  ok_status=(405,), post=lambda w, v: {"decision": "approve"}),
    "audit:approval_download": Case("object", lambda w, v: {"pk": _approval(w, v).pk}, permission="unmask",
                                    ok_status=(405,), post=lambda w, v: {}),
    "audit:list": Case("list", _listed(), permission="read_audit"),
    "audit:export": Case("list", _listed("&format=csv"), permission="read_audit"),
    "audit:detail": Case("object", lambda w, v: {"seq": _event(w, v).seq}, permission="read_audit"),
    "audit:verify": Case("page", lambda w, v: {}, permission="read_audit"),
}
