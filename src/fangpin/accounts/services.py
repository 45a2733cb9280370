"""Account verbs of the system administrator: each atomic and audited; no password ever in the log."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.audit.services import record

TRACKED = ("username", "display_name", "role", "region_id", "department_kind")


def snapshot(user: User) -> dict[str, str]:
    return {name: str(getattr(user, name) or "") for name in TRACKED}


def _record(request, action: str, user: User, summary: str, **detail) -> None:
    record(request, action, obj=user, object_type="user", region_code=user.region_id, summary=summary,
           detail={"username": user.username, **detail})


@transaction.atomic
def do_create_user(request, user: User, password: str) -> User:
    # Powers come from the role alone; these flags stay off whatever was posted.
    user.is_superuser = user.is_staff = False
    user.set_password(password)
    user.save(force_insert=True)
    _record(request, "user.create", user, f"创建用户 {user.username}（{user.get_role_display()}）",
            fields=snapshot(user))
    return user


@transaction.atomic
def do_update_user(request, user: User, before: dict[str, str]) -> dict[str, list[str]]:
    """Save the edited fields; returns {field: [old, new]} of what changed."""
    after = snapshot(user)
    changes = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
    if not changes:
        return {}
    user.save(update_fields=[k.removesuffix("_id") for k in changes])
    _record(request, "user.update", user, f"修改用户 {user.username}：{'、'.join(changes)}", changes=changes)
    if "role" in changes or "region_id" in changes:
        # New powers or a new scope start with a fresh login.
        _end_sessions(user)
    return changes


@transaction.atomic
def do_set_active(request, user: User, *, active: bool) -> int:
    """Enable or disable; disabling ends every session of the account at once."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    ended = 0 if active else _end_sessions(user)
    verb = "启用" if active else "停用"
    _record(request, "user.enable" if active else "user.disable", user, f"{verb}用户 {user.username}",
            sessions_ended=ended)
    return ended


@transaction.atomic
def do_reset_password(request, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = _end_sessions(user)
    _record(request, "user.password_reset", user, f"重置用户 {user.username} 的密码", sessions_ended=ended)


def _end_sessions(user: User) -> int:
    """Delete the user's live sessions (a county has hundreds, not millions: a scan is fine)."""
    mine = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
            if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def on_login(sender, request, user, **kwargs) -> None:
    # Audit authentications: a login through an HTTP request (the login form). force_login() and shell
    # logins hand Django a bare HttpRequest (no method) — no credentials were checked, nothing to record.
    if request is None or request.method is None:
        return
    record(request, "login.ok", user=user, object_type="user", object_id=str(user.pk), region_code=user.region_id,
           summary=f"登录成功：{user.username}")


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in ``credentials``; we keep the username only, never anything else.
    username = str(credentials.get("username", ""))[:150]
    record(request, "login.failed", summary=f"登录失败：{username}", result="failed", detail={"username": username})


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(request, "logout", user=user, object_type="user", object_id=str(user.pk), region_code=user.region_id,
               summary=f"退出登录：{user.username}")
