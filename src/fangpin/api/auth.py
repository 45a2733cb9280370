"""Who is calling and may they: a personal token (``Authorization: Bearer …``) or the browser session.

Each operation's ``auth`` is ``access(permission, scope)``: the two schemes, each of which, once it
knows the user, checks the role's permission (403, audited like the pages' refusals) and — for
operations on one object — that the object lies in the user's region (404 otherwise, no existence
oracle). Both checks run before the request body is read, so a refused caller learns nothing from
validation messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security.apikey import APIKeyCookie
from ninja.security.base import AuthBase

from fangpin.accounts.access import get_scoped_or_404
from fangpin.api.tokens import user_for_key
from fangpin.audit.services import record

MAX_PK = 2**31 - 1


@dataclass(frozen=True)
class Scope:
    """The object an operation acts on: its queryset, region-code field and URL keyword."""

    queryset: Callable[[], QuerySet]
    field: str
    kwarg: str


def authorize(request: HttpRequest, user, permission: str | None, scope: Scope | None) -> None:
    if permission is not None and not user.can(permission):
        record(request, "access.denied", user=user, summary=f"拒绝访问 {request.path[:200]}", result="denied",
               detail={"path": request.path[:300], "method": request.method, "api": True})
        raise HttpError(403, "您的角色无权使用此接口")
    if scope is not None:
        match = getattr(request, "resolver_match", None)
        pk = match.kwargs.get(scope.kwarg) if match else None
        if not isinstance(pk, int) or not 0 < pk <= MAX_PK:
            raise Http404("记录不存在或不在您的管辖范围内")
        get_scoped_or_404(scope.queryset(), user, scope.field, pk=pk)


class BearerToken(AuthBase):
    """``Authorization: Bearer fpk_…``: a personal token from ``fangpin create_api_token``."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, permission: str | None = None, scope: Scope | None = None) -> None:
        self.permission, self.scope = permission, scope
        super().__init__()

    def __call__(self, request: HttpRequest):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None  # not a token request: the session scheme decides
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationError(401, "Authorization 请求头的格式应为“Bearer <令牌>”")
        user = user_for_key(key.strip())
        if user is None:
            raise AuthenticationError(401, "接口令牌无效、已撤销或已过期，或令牌所属用户已停用")
        request.user = user  # audit rows and scoping see the token's user
        authorize(request, user, self.permission, self.scope)
        return user


class Session(APIKeyCookie):
    """The logged-in browser (Django session cookie); unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, permission: str | None = None, scope: Scope | None = None) -> None:
        self.permission, self.scope = permission, scope
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # no session: nothing to forge, the caller gets 401 (not a CSRF 403)
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        authorize(request, user, self.permission, self.scope)
        return user


def access(permission: str | None = None, scope: Scope | None = None) -> list:
    return [BearerToken(permission, scope), Session(permission, scope)]
