"""Access-walk cases for the accounts app (see tests/walk.py): one account located in each village."""

from __future__ import annotations

from tests.walk import Case, World


def _account(world: World, village: str):
    from fangpin.accounts.models import User

    key = f"accounts.user.{village}"
    if key not in world.extra:
        world.extra[key] = User.objects.create_user(username=f"walk-user-{village}", password="Walk-pass-2026!",
                                                    role="village", region_id=village)
    return world.extra[key]


def _object(world: World, village: str) -> dict:
    return {"pk": _account(world, village).pk}


def _edit_post(world: World, village: str) -> dict:
    """A valid edit: were access not refused, the account would be renamed."""
    user = _account(world, village)
    return {"username": user.username, "display_name": "被拒绝的修改", "role": "village", "region": village}


WALK = {
    "home": Case("page", lambda w, v: {}),
    "accounts:users": Case("list", lambda w, v: ({}, "", _account(w, v).username), permission="view_users"),
    "accounts:user_create": Case("page", lambda w, v: {}, permission="manage_users"),
    "accounts:user_edit": Case("object", _object, permission="manage_users", post=_edit_post),
    "accounts:user_active": Case("object", _object, permission="manage_users",
                                 post=lambda w, v: {"action": "disable"}),
    "accounts:user_password": Case("object", _object, permission="manage_grants",
                                   post=lambda w, v: {"password1": "Another-pass-9", "password2": "Another-pass-9"}),
    "accounts:user_grants": Case("object", _object, permission="manage_grants",
                                 post=lambda w, v: {"role": "township", "region": v[:9]}),
    "accounts:user_totp": Case("object", _object, permission="manage_grants", post=lambda w, v: {}),
    # one's own password and TOTP pages: any logged-in user (TOTP setup enrols the user's own device)
    "accounts:password_change": Case("page", lambda w, v: {}),
    "accounts:otp_setup": Case("page", lambda w, v: {}),
    # without a confirmed device the verify page sends the user to enrol
    "accounts:otp_verify": Case("page", lambda w, v: {}, ok_status=(302,)),
}
