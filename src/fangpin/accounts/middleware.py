"""After authentication: session time limits, then the steps a login still owes (TOTP, a password change)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from fangpin.accounts import policy
from fangpin.audit.services import record

LOGIN_AT = "fp_login_at"
SEEN_AT = "fp_seen_at"
SEEN_WRITE_EVERY = 30  # seconds: don't rewrite the session row on every request

# Pages a user with a pending step may still reach (besides static files).
OPEN_DURING_STEPS = {"logout", "login", "healthz", "accounts:password_change", "accounts:otp_setup",
                     "accounts:otp_verify"}


def _url_name(request) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return match.view_name


def pending_step(request) -> str | None:
    """The URL name of the page the logged-in user must pass first, or None."""
    user = request.user
    if policy.totp_required(user) and not user.is_verified():
        from django_otp import user_has_device

        if user_has_device(user, confirmed=True):
            return "accounts:otp_verify"
        if not policy.must_change_password(user):
            return "accounts:otp_setup"
    if policy.must_change_password(user):
        return "accounts:password_change"
    return None


class LoginPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._session_limits(request)
            if ended is not None:
                return ended
            step = pending_step(request)
            name = _url_name(request)
            if step is not None and name not in OPEN_DURING_STEPS and not request.path.startswith("/static/"):
                return redirect(f"{reverse(step)}?next={request.get_full_path()}"
                                if request.method == "GET" else reverse(step))
        return self.get_response(request)

    def _session_limits(self, request):
        session, user, now = request.session, request.user, int(time.time())
        if user.is_superuser and not policy.break_glass():
            return self._end(request, "superuser", "应急（break-glass）登录已关闭，超级用户会话已结束")
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if login_at is None:
            session[LOGIN_AT] = login_at = now
        if seen_at is None:
            seen_at = now
        if now - login_at >= policy.absolute_seconds():
            hours = policy.absolute_seconds() / 3600
            return self._end(request, "absolute", f"本次登录已超过 {hours:g} 小时，请重新登录")
        if now - seen_at >= policy.idle_seconds():
            return self._end(request, "idle",
                             f"您已 {policy.idle_seconds() // 60} 分钟未操作，为保护数据已自动退出，请重新登录")
        if now - seen_at >= SEEN_WRITE_EVERY or SEEN_AT not in session:
            session[SEEN_AT] = now
        return None

    def _end(self, request, reason: str, message: str):
        user = request.user
        record(request, "session.expired", user=user, object_type="user", object_id=str(user.pk),
               region_code=user.region_id or "", summary=f"会话结束（{reason}）：{user.username}",
               detail={"reason": reason})
        logout(request)
        messages.warning(request, message)
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")
