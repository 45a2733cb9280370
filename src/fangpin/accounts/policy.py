"""Login policy in one place: password age, who needs a second factor, session limits, break-glass."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from fangpin.core.roles import Role

# County and above, departments, insurers and the three administrators hold many households' data or the keys
# to it: they log in with a password and a TOTP code (等保 L3 8.1.4.1 d: two authentication factors).
TOTP_ROLES = frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE, Role.DEPARTMENT, Role.INSURER,
                        Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})


def totp_required(user) -> bool:
    return bool(settings.FANGPIN_REQUIRE_TOTP) and (user.is_superuser or user.role in TOTP_ROLES)


def password_expires_at(user) -> dt.datetime | None:
    days = settings.FANGPIN_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or user.password_changed_at is None:
        return None
    return user.password_changed_at + dt.timedelta(days=days)


def password_expired(user, now: dt.datetime | None = None) -> bool:
    expires = password_expires_at(user)
    return expires is not None and (now or timezone.now()) >= expires


def must_change_password(user) -> bool:
    return user.must_change_password or password_expired(user)


def idle_seconds() -> int:
    return settings.FANGPIN_IDLE_MINUTES * 60


def absolute_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


def break_glass() -> bool:
    return bool(settings.FANGPIN_BREAK_GLASS)
