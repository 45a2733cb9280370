"""Account verbs of the system and security administrators and of the login itself: each atomic and
audited; no password, TOTP secret or code ever in the log."""

from __future__ import annotations

import logging
import time

from django.contrib.auth import update_session_auth_hash
from django.contrib.sessions.models import Session
from django.db import transaction

from fangpin.accounts.models import User, UserSession
from fangpin.audit.services import client_ip, record

log = logging.getLogger("fangpin.security")
GRANTS = ("role", "region_id", "department_kind")

TRACKED = ("username", "display_name", "role", "region_id", "department_kind")
NAMES = ("username", "display_name")


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
    user.must_change_password = True  # the administrator knows it: the holder sets their own at first login
    user.save(force_insert=True)
    _record(request, "user.create", user, f"创建用户 {user.username}（{user.get_role_display()}）",
            fields=snapshot(user))
    return user


@transaction.atomic
def do_update_user(request, user: User, before: dict[str, str]) -> dict[str, list[str]]:
    """Save the edited fields; returns {field: [old, new]} of what changed."""
    after = snapshot(user)
    changes = {k: [before[k], after[k]] for k in NAMES if before[k] != after[k]}
    if not changes:
        return {}
    user.save(update_fields=list(changes))
    _record(request, "user.update", user, f"修改用户 {user.username}：{'、'.join(changes)}", changes=changes)
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
def do_change_grants(request, user: User, before: dict[str, str]) -> dict[str, list[str]]:
    """The security administrator's verb: role, region and department kind. New powers need a new login."""
    after = snapshot(user)
    changes = {k: [before[k], after[k]] for k in GRANTS if before[k] != after[k]}
    if not changes:
        return {}
    user.save(update_fields=[k.removesuffix("_id") for k in changes])
    ended = _end_sessions(user)
    _record(request, "user.grants", user, f"变更用户 {user.username} 的权限：{'、'.join(changes)}",
            changes=changes, sessions_ended=ended)
    return changes


@transaction.atomic
def do_reset_password(request, user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ended = _end_sessions(user)
    _record(request, "user.password_reset", user, f"重置用户 {user.username} 的密码", sessions_ended=ended)


@transaction.atomic
def do_reset_totp(request, user: User) -> int:
    """Recovery of a lost authenticator: remove the devices; the next login enrols a new one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    ended = _end_sessions(user)
    _record(request, "user.totp_reset", user, f"重置用户 {user.username} 的动态口令（TOTP）",
            devices_removed=removed, sessions_ended=ended)
    return removed


@transaction.atomic
def do_change_own_password(request, password: str) -> None:
    user = request.user
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # keeps this session (with a new key), ends the others
    UserSession.objects.filter(session_key=old_key).delete()
    ended = _end_sessions(user, keep=request.session.session_key)
    track_session(request, user)
    record(request, "password.change", obj=user, object_type="user", region_code=user.region_id,
           summary=f"用户 {user.username} 修改了自己的密码", detail={"other_sessions_ended": ended})


def _end_sessions(user: User, keep: str | None = None) -> int:
    """Delete the user's sessions, known from the UserSession rows written at each login."""
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) - {keep}
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    return deleted


def track_session(request, user: User) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(session_key=session.session_key,
                                         defaults={"user": user, "ip": client_ip(request)})


def on_login(sender, request, user, **kwargs) -> None:
    from fangpin.accounts.middleware import LOGIN_AT, SEEN_AT

    if request is None:
        return
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[LOGIN_AT] = session[SEEN_AT] = now
    track_session(request, user)
    # Audit authentications: a login through an HTTP request (the login form). force_login() and shell
    # logins hand Django a bare HttpRequest (no method) — no credentials were checked, nothing to record.
    if request.method is None:
        return
    if user.is_superuser:
        log.critical("BREAK-GLASS superuser login: %s from %s", user.username, client_ip(request))
        record(request, "login.break_glass", user=user, object_type="user", object_id=str(user.pk),
               region_code=user.region_id or "",
               summary=f"【应急】超级用户登录（FANGPIN_BREAK_GLASS）：{user.username}",
               detail={"break_glass": True})
    record(request, "login.ok", user=user, object_type="user", object_id=str(user.pk), region_code=user.region_id,
           summary=f"登录成功：{user.username}")


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """django-axes signal: the username reached the failure limit."""
    if getattr(request, "fangpin_locked", False):
        return  # an attempt during the lockout: recorded as login.failed with locked=True
    username = str(username or "")[:150]
    record(request, "login.locked", summary=f"连续登录失败，账户已锁定：{username}", result="denied",
           detail={"username": username})


def on_otp_verified(request, user, ok: bool, stage: str) -> None:
    record(request, f"totp.{stage}" if ok else "totp.failed", user=user, object_type="user",
           object_id=str(user.pk), region_code=user.region_id, result="ok" if ok else "failed",
           summary=f"{'动态口令验证通过' if ok else '动态口令错误'}（{stage}）：{user.username}")


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in ``credentials``; we keep the username only, never anything else.
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "fangpin_locked", False))
    detail = {"username": username, **({"locked": True} if locked else {})}
    record(request, "login.failed", summary=f"登录失败{'（账户锁定中）' if locked else ''}：{username}",
           result="failed", detail=detail)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(request, "logout", user=user, object_type="user", object_id=str(user.pk), region_code=user.region_id,
               summary=f"退出登录：{user.username}")
