"""`fangpin check --deploy`: no demo account with its published password, no superuser, TOTP on in production."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

DEMO_USERNAMES = ("village", "village2", "township", "county", "city", "province", "department", "insurer",
                  "sysadmin", "secadmin", "auditadmin")


@register(Tags.security, deploy=True)
def production_accounts(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    from fangpin.accounts.models import User
    from fangpin.demo.services import DEMO_PASSWORD

    problems = []
    if not settings.FANGPIN_REQUIRE_TOTP:
        problems.append(Warning("生产环境未开启动态口令（FANGPIN_REQUIRE_TOTP=0）", id="fangpin.W101",
                                hint="县级及以上、部门、保险公司和三员账户应使用双因素登录"))
    if settings.FANGPIN_BREAK_GLASS:
        problems.append(Warning("应急超级用户登录已开启（FANGPIN_BREAK_GLASS=1）", id="fangpin.W102",
                                hint="应急处置结束后立即关闭"))
    try:
        candidates = list(User.objects.filter(is_active=True, username__in=DEMO_USERNAMES))
        superusers = list(User.objects.filter(is_active=True, is_superuser=True).values_list("username", flat=True))
    except DatabaseError:  # no tables yet (check before migrate)
        return problems
    demo = [u.username for u in candidates if check_password(DEMO_PASSWORD, u.password)]  # never rehashes
    if demo:
        problems.append(Error(f"生产环境存在使用演示密码的账户：{'、'.join(sorted(demo))}", id="fangpin.E101",
                              hint="停用或删除演示账号，或由安全管理员重置其密码"))
    if superusers:
        problems.append(Warning(f"存在启用的超级用户：{'、'.join(sorted(superusers))}", id="fangpin.W103",
                                hint="超级用户只作应急（break-glass）之用，平时应停用"))
    return problems
