"""Access walk of the grievance pages: one grievance per location, assigned to the township user (so the
township's owner may answer; the county assigns and visits)."""

from __future__ import annotations

from tests.walk import Case, World


def walk_grievance(world: World, village: str):
    from django.utils import timezone

    from fangpin import pii
    from fangpin.grievances.models import Grievance

    key = f"grievances.{village}"
    if key not in world.extra:
        now = timezone.now()
        world.extra[key] = Grievance.objects.create(
            no=f"SUW{village}", kind="excluded", source="visit", village_id=village, name=f"反映人{village[-4:]}",
            phone_cipher=pii.encrypt("13900000001"), phone_index=pii.phone_index("13900000001"),
            phone_masked="139****0001", content=f"诉求内容{village}", state="assigned", received_at=now,
            response_due=now.date(), due=now.date(), household=world.households[village])
    return world.extra[key]


def _g(w, v):
    return {"pk": walk_grievance(w, v).pk}


def _list(w, v):
    return {}, "", walk_grievance(w, v).no


def _ledger(w, v):
    # The ledger shows counts, no grievance: its tracking number must never appear. That its counts cover the
    # user's region and nothing else is tests/grievances/test_ledger.py's job (the labels depend on the role).
    return {}, "", walk_grievance(w, v).no


_SEEN = {"seen_state": "assigned"}
WALK = {
    "grievance_public:submit": Case("public", lambda w, v: {}),
    "grievance_public:status": Case("public", lambda w, v: {}),
    "grievances:list": Case("list", _list, permission="handle_grievances"),
    "grievances:new": Case("page", lambda w, v: {}, permission="handle_grievances"),
    "grievances:detail": Case("object", _g, permission="handle_grievances"),
    "grievances:assign": Case("object", _g, permission="assign_grievances", ok_status=(405,),
                              post=lambda w, v: {**_SEEN, "owner": str(w.users["village"].pk)}),
    "grievances:respond": Case("object", _g, permission="handle_grievances", ok_status=(405,),
                               post=lambda w, v: {**_SEEN, "outcome": "solved", "response": "越权答复"}),
    "grievances:visit": Case("object", _g, permission="assign_grievances", ok_status=(405,),
                             post=lambda w, v: {**_SEEN, "satisfaction": "satisfied"}),
    "grievances:reopen": Case("object", _g, permission="assign_grievances", ok_status=(405,),
                              post=lambda w, v: {**_SEEN, "reason": "越权"}),
    "grievances:link": Case("object", _g, permission="handle_grievances", ok_status=(405,),
                            post=lambda w, v: {"hh_no": w.households[v].hh_no}),
    "grievances:lead": Case("object", _g, permission="handle_cases", ok_status=(405,), post=lambda w, v: {}),
    "grievances:ledger": Case("list", _ledger, permission="view_grievances", show_in_scope=False),
    "grievances:ledger_xlsx": Case("page", lambda w, v: {}, permission="view_grievances"),
}
