"""The logged-in user's own steps: change the password, enrol and verify a TOTP device; the lockout page."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from fangpin.accounts import policy
from fangpin.accounts.forms import LoginForm, OwnPasswordForm, TokenForm
from fangpin.accounts.services import do_change_own_password, on_otp_verified, track_session


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def password_change(request):
    user = request.user
    form = OwnPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        do_change_own_password(request, form.cleaned_data["password1"])
        messages.success(request, "密码已修改")
        return redirect(_next(request))
    reason = ("管理员为您设置了初始密码，请先修改为只有您知道的密码" if user.must_change_password
              else "您的密码已过期，请修改后继续使用" if policy.password_expired(user) else "")
    days = settings.FANGPIN_PASSWORD_MAX_AGE_DAYS
    return render(request, "accounts/password_change.html", {
        "form": form, "reason": reason, "next": _next(request), "max_age_days": days,
        "expires_at": policy.password_expires_at(user),
    })


def _otp_login(request, device) -> None:
    from django_otp import login as otp_login

    otp_login(request, device)
    # A new key for the now fully authenticated session (as at the password step).
    old_key = request.session.session_key
    request.session.cycle_key()
    from fangpin.accounts.models import UserSession

    UserSession.objects.filter(session_key=old_key).delete()
    track_session(request, request.user)


def otp_setup(request):
    """Enrol a TOTP device: shows the secret and the otpauth:// URI (and its QR code), confirms with a code."""
    from django_otp import user_has_device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    if user_has_device(user, confirmed=True):
        messages.info(request, "您已绑定动态口令设备；如需更换，请联系安全管理员重置")
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机动态口令", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok = device.verify_token(form.cleaned_data["token"])
        on_otp_verified(request, user, ok, "enrol")
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _otp_login(request, device)
            messages.success(request, "动态口令已绑定，以后登录时须输入")
            return redirect(_next(request))
        form.add_error("token", "动态口令不正确，请核对手机时间后输入当前显示的 6 位数字")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {
        "form": form, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": device.config_url, "qr_svg": _qr_svg(device.config_url), "next": _next(request),
        "required": policy.totp_required(user),
    })


def _qr_svg(data: str) -> str:
    """The otpauth URI as an inline SVG, drawn on the server (no script, no third-party service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def otp_verify(request):
    from django_otp import devices_for_user

    user = request.user
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect("accounts:otp_setup")
    if user.is_verified():
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _why = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                on_otp_verified(request, user, True, "verify")
                _otp_login(request, device)
                return redirect(_next(request))
        on_otp_verified(request, user, False, "verify")
        throttled = any(not d.verify_is_allowed()[0] for d in devices)
        form.add_error("token", "动态口令不正确" + ("，错误次数过多，请稍候再试" if throttled else ""))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the login page with the time the username may try again."""
    from axes.models import AccessAttempt
    from django.db.models import Max

    username = str((credentials or {}).get("username") or request.POST.get("username") or "")[:150]
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    until = timezone.localtime((last or timezone.now()) + settings.AXES_COOLOFF_TIME)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (f"账户 {username} 连续 {settings.AXES_FAILURE_LIMIT} 次登录失败，已锁定 {minutes} 分钟，"
               f"请于 {until:%H:%M} 后再试（锁定期间输入正确密码也无法登录）")
    form = LoginForm(request, initial={"username": username})
    return render(request, "accounts/login.html", {"form": form, "locked_message": message,
                                                   "next": request.POST.get("next", "")}, status=429)
