"""Access walk of the API endpoints (JSON bodies: markers are quoted values)."""

from __future__ import annotations

from tests.cases.walk_public import _visit
from tests.cases.walk_work import walk_case
from tests.walk import Case, World


def _cases(world: World, village: str):
    # By state: every role with handle_cases sees the in-scope lead (the default queue is per role).
    return {}, "state=lead", f'"hh_no": "{walk_case(world, village).household.hh_no}"'


def _pipeline(world: World, village: str):
    walk_case(world, village)
    return {}, "", world.households[village].village.name


def _token(world: World, village: str | None):
    from fangpin.api.tokens import do_issue_token

    if "api.token" not in world.extra:
        world.extra["api.token"] = do_issue_token(world.users["village"], "遍历")[0]
    return {"pk": world.extra["api.token"].pk}


WALK = {
    "api:api-root": Case("public", lambda w, v: {}),
    "api:openapi-json": Case("public", lambda w, v: {}),
    "api:docs": Case("public", lambda w, v: {}),
    # POST-only: a GET answers 405 (JSON) to anyone, the walk only checks it is reachable without login.
    "api:public_apply": Case("public", lambda w, v: {}, ok_status=(405,)),
    "api:public_status": Case("public", lambda w, v: {}, ok_status=(405,)),
    "api:visits": Case("list", lambda w, v: ({}, "", f'"hh_no": "{_visit(w, v).household.hh_no}"'),
                       permission="handle_cases"),
    "api:visit": Case("object", lambda w, v: {"visit_id": _visit(w, v).pk}, permission="handle_cases"),
    "api:cases": Case("list", _cases, permission="handle_cases"),
    "api:case": Case("object", lambda w, v: {"case_id": walk_case(w, v).pk}, permission="handle_cases"),
    "api:case_actions": Case("object", lambda w, v: {"case_id": walk_case(w, v).pk}, permission="handle_cases",
                             ok_status=(405,), post=lambda w, v: {"action": "start_verify", "seen_state": "lead"}),
    "api:household_leads": Case("object", lambda w, v: {"household_id": w.households[v].pk},
                                permission="handle_cases", ok_status=(405,), post=lambda w, v: {"summary": "被拒绝"}),
    "api:pipeline": Case("list", _pipeline, permission="view_pipeline", show_in_scope=False),
    # my tokens: a user only ever sees and revokes their own (not region-bound data)
    "api:tokens": Case("page", lambda w, v: {}, permission="handle_cases"),
    "api:token_revoke": Case("page", _token, permission="handle_cases", ok_status=(405,)),
}
