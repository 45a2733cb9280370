"""Issue, check and revoke personal API tokens (each issue and revocation is audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangpin.accounts.policy import totp_required
from fangpin.api.models import ApiToken
from fangpin.audit.services import record, record_system_event
from fangpin.core.roles import ADMIN_ROLES, Role

TOKEN_PREFIX = "fpk_"  # noqa: S105  (a visible marker, not a secret)
LAST_USED_EVERY = dt.timedelta(minutes=1)  # do not write the row on every request


class TokenError(Exception):
    """A refused token operation; ``str()`` is the Chinese explanation."""


def max_days(user) -> int:
    """A token is a login without the second factor: it always expires, sooner for roles that need a TOTP code."""
    if totp_required(user):
        return settings.FANGPIN_API_TOKEN_MAX_DAYS_TOTP
    return settings.FANGPIN_API_TOKEN_MAX_DAYS


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def do_issue_token(user, name: str, *, days: int | None = None, request=None,
                   now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret (never stored, shown once)."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise TokenError("请填写令牌用途说明")
    if not user.is_active:
        raise TokenError(f"用户 {user.username} 已停用，不能签发令牌")
    if not user.role or Role(user.role) in ADMIN_ROLES:
        raise TokenError("系统管理员、安全管理员、审计管理员（三员）不能使用数据接口，不签发令牌")
    if days is not None and days < 1:
        raise TokenError("有效天数须为正整数")
    limit = max_days(user)
    if days is None:
        days = limit
    elif days > limit:
        raise TokenError(f"令牌有效期最长 {limit} 天" + ("（须动态口令登录的角色）" if totp_required(user) else ""))
    if request is not None and totp_required(user) and not request.user.is_verified():
        # a token stands in for a login: it is issued only from a session that passed the second factor
        raise TokenError("请先用动态口令完成登录验证，再签发令牌")
    public = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:60], prefix=f"{TOKEN_PREFIX}{public}",
                                    key_hash=hash_key(key),
                                    expires=now + dt.timedelta(days=days))
    _record(request, "api.token_issue", token, f"签发接口令牌 {token.prefix}…（{token.name}）给 {user.username}",
            {"token": token.pk, "owner": user.username, "days": days})
    return token, key


@transaction.atomic
def do_revoke_token(token: ApiToken, *, request=None, now: dt.datetime | None = None) -> ApiToken:
    now = now or timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=now) == 1:
        token.revoked = now
        _record(request, "api.token_revoke", token, f"撤销接口令牌 {token.prefix}…（{token.name}）",
                {"token": token.pk, "owner": token.user.username})
    return token


def _record(request, action: str, token: ApiToken, summary: str, detail: dict) -> None:
    """From a page: the request's user; from the command line: the operating-system account."""
    if request is None:
        record_system_event(action, summary=summary, detail=detail)
    else:
        record(request, action, obj=token, summary=summary, detail=detail)


def user_for_key(key: str, now: dt.datetime | None = None):
    """The active user a presented token belongs to, or None (unknown, revoked, expired, user disabled)."""
    now = now or timezone.now()
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user", "user__region").filter(key_hash=hash_key(key)).first()
    if token is None or not token.usable(now) or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
