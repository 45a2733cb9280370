from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render

from fangpin.accounts import home as home_pages
from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.accounts.forms import GrantForm, PasswordForm, UserCreateForm, UserEditForm, UserFilterForm
from fangpin.accounts.models import User
from fangpin.accounts.selfservice import locked_out, otp_setup, otp_verify, password_change  # noqa: F401
from fangpin.accounts.services import (
    do_change_grants,
    do_create_user,
    do_reset_password,
    do_reset_totp,
    do_set_active,
    do_update_user,
    snapshot,
)


def home(request):
    """A home page per role (see fangpin.accounts.home)."""
    return render(request, "accounts/home.html", home_pages.context_for(request.user))


def _users(request):
    return scoped(User.objects.select_related("region"), request.user, "region__code")


def _user(request, pk: int) -> User:
    return get_scoped_or_404(User.objects.select_related("region"), request.user, "region__code", pk=pk)


@require("view_users")
def user_list(request):
    form = UserFilterForm(request.GET or None)
    users = _users(request).order_by("region_id", "username")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            users = users.filter(Q(username__icontains=data["q"]) | Q(display_name__icontains=data["q"]))
        if data["role"]:
            users = users.filter(role=data["role"])
        if data["active"]:
            users = users.filter(is_active=data["active"] == "1")
    page = Paginator(users, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/user_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require("manage_users")
def user_create(request):
    form = UserCreateForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        user = do_create_user(request, form.save(commit=False), form.cleaned_data["password1"])
        messages.success(request, f"已创建用户 {user.username}")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建用户"})


@require("manage_users")
def user_edit(request, pk: int):
    user = _user(request, pk)
    before = snapshot(user)
    form = UserEditForm(request.POST or None, instance=user, admin=request.user)
    if request.method == "POST" and form.is_valid():
        changes = do_update_user(request, form.save(commit=False), before)
        messages.success(request, f"已保存：{'、'.join(changes) or '没有变化'}")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": f"编辑用户 {user.username}",
                                                       "target": user})


@require("manage_grants")
def user_grants(request, pk: int):
    """The security administrator changes an account's role, region and department kind (never their own)."""
    user = _user(request, pk)
    before = snapshot(user)
    form = GrantForm(request.POST or None, instance=user, admin=request.user)
    if request.method == "POST" and form.is_valid():
        if user.pk == request.user.pk:
            form.add_error("role", "不能修改自己的角色和权限")
        else:
            changes = do_change_grants(request, form.save(commit=False), before)
            messages.success(request, f"已保存：{'、'.join(changes) or '没有变化'}"
                                      + ("，该账户的会话已结束" if changes else ""))
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": f"变更 {user.username} 的角色和权限",
                                                       "target": user})


@require("manage_grants")
def user_totp(request, pk: int):
    """GET: confirm; POST: remove the account's TOTP devices (a lost phone); it enrols anew at next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = _user(request, pk)
    if request.method == "POST":
        removed = do_reset_totp(request, user)
        messages.success(request, f"已重置 {user.username} 的动态口令（删除 {removed} 个设备），下次登录时重新绑定")
        return redirect("accounts:users")
    devices = TOTPDevice.objects.filter(user=user, confirmed=True).count()
    return render(request, "accounts/user_totp.html", {"target": user, "devices": devices})


@require("manage_users")
def user_active(request, pk: int):
    """GET: confirm; POST: disable (ending the sessions) or enable. Nobody disables themselves."""
    user = _user(request, pk)
    if request.method == "POST":
        if user.pk == request.user.pk:
            messages.error(request, "不能停用自己的账户")
        else:
            active = request.POST.get("action") == "enable"
            ended = do_set_active(request, user, active=active)
            messages.success(request, f"已{'启用' if active else '停用'} {user.username}"
                                      + (f"，结束 {ended} 个会话" if ended else ""))
        return redirect("accounts:users")
    return render(request, "accounts/user_active.html", {"target": user})


@require("manage_grants")
def user_password(request, pk: int):
    user = _user(request, pk)
    form = PasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        do_reset_password(request, user, form.cleaned_data["password1"])
        messages.success(request, f"已重置 {user.username} 的密码，其原有会话已结束")
        return redirect("accounts:users")
    return render(request, "accounts/user_password.html", {"form": form, "target": user})
