"""Verbs of policy administration: a new policy version, a holiday added or removed. Each atomic and audited.

A policy version is never edited in place: a change is a new version with its own effective date,
so every finding and case keeps pointing at the figures that produced it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record
from fangpin.cases.models import Holiday, PolicyVersion
from fangpin.cases.services import CaseError, policy_for, work_calendar
from fangpin.core.regions import Level, ancestors
from fangpin.regions.models import Region

POLICY_FIELDS = ("year", "effective_from", "monitoring_line", "collapse_ratio", "rigid_factor", "stable_months",
                 "verify_days", "identification_days", "notice_days", "followup_interval_days", "risk_types", "rigid_items", "note")
POLICY_LEVELS = (Level.PROVINCE, Level.COUNTY)


class PolicyError(CaseError):
    """A refused policy or holiday change; ``str()`` is the Chinese explanation."""


def policy_region(user) -> Region | None:
    """The region whose policy the user administers: a county user's county, a province user's province."""
    region = user.region
    if not user.can("manage_policy") or region is None or region.level not in POLICY_LEVELS:
        return None
    return region


def visible_versions(user):
    """Versions of the user's region, its ancestors and (for a province) the counties below it, newest first."""
    code = user.region_id
    if not code:
        return PolicyVersion.objects.none()
    query = Q(region_id__in=[*ancestors(code), code]) | code_prefix_q("region_id", code)
    return PolicyVersion.objects.filter(query).select_related("region", "created_by")


def in_force(user, today: dt.date) -> PolicyVersion | None:
    if not user.region_id:
        return None
    try:
        return policy_for(user.region_id, today)
    except CaseError:
        return None


def latest_version(region_code: str) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(region_id=region_code).order_by("-effective_from", "-id").first()


def check_effective_from(region_code: str, effective_from: dt.date, today: dt.date) -> None:
    """History moves forward: a new version may not take effect before the region's latest one, except that
    a version still scheduled for the future may be superseded by one effective from today onwards."""
    latest = latest_version(region_code)
    if latest is None or effective_from >= latest.effective_from:
        return
    if latest.effective_from > today and effective_from >= today:
        return
    raise PolicyError(f"生效日期 {effective_from:%Y-%m-%d} 早于本地区最新版本 {latest.version} 的生效日期 "
                      f"{latest.effective_from:%Y-%m-%d}；政策不能倒签，请选择不早于该日期的生效日期")


def _next_version_no(region_code: str, year: int) -> str:
    prefix = f"{region_code}-{year}-"
    used = PolicyVersion.objects.filter(version__startswith=prefix).values_list("version", flat=True)
    numbers = [int(v[len(prefix):]) for v in used if v[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def do_create_policy_version(request, user, values: dict[str, Any], *, today: dt.date | None = None) -> PolicyVersion:
    """Create the next version of the user's region's policy (the numbering is ``region-year-n``)."""
    today = today or timezone.localdate()
    region = policy_region(user)
    if region is None:
        raise PolicyError("只有县级、省级管理员可以设置本级监测政策")
    with transaction.atomic():
        # The region row lock serialises two admins saving at once, so version numbers never collide.
        Region.objects.select_for_update().filter(code=region.code).first()
        check_effective_from(region.code, values["effective_from"], today)
        fields = {k: values[k] for k in POLICY_FIELDS if k in values}
        try:
            with transaction.atomic():
                version = PolicyVersion.objects.create(region=region, created_by=user,
                                                       version=_next_version_no(region.code, fields["year"]),
                                                       **fields)
        except IntegrityError:
            raise PolicyError("版本号冲突：其他管理员刚刚保存了新版本，请刷新后重试") from None
        record(request, "policy.create", obj=version, user=user, region_code=region.code,
               summary=f"新建监测政策 {version.version}：监测线 {version.monitoring_line} 元，"
                       f"{version.effective_from:%Y-%m-%d} 起生效",
               detail=_audit_detail(version))
    return version


def _audit_detail(version: PolicyVersion) -> dict[str, Any]:
    detail: dict[str, Any] = {k: getattr(version, k) for k in POLICY_FIELDS}
    detail["effective_from"] = version.effective_from.isoformat()
    for key in ("monitoring_line", "collapse_ratio", "rigid_factor"):
        detail[key] = str(detail[key])
    return {"version": version.version, **detail}


def do_add_holiday(request, user, date: dt.date, is_workday: bool, name: str) -> Holiday:
    if not user.can("manage_policy"):
        raise PolicyError("只有县级、省级管理员可以维护节假日")
    with transaction.atomic():
        if Holiday.objects.filter(date=date).exists():
            raise PolicyError(f"{date:%Y-%m-%d} 已设置过，请先删除原记录再添加")
        try:
            with transaction.atomic():
                holiday = Holiday.objects.create(date=date, is_workday=is_workday, name=name)
        except IntegrityError:
            raise PolicyError(f"{date:%Y-%m-%d} 已设置过，请先删除原记录再添加") from None
        record(request, "holiday.add", obj=holiday, user=user, region_code=user.region_id,
               summary=f"节假日设置：{_describe(holiday)}",
               detail={"date": date.isoformat(), "is_workday": is_workday, "name": name})
    return holiday


def do_delete_holiday(request, user, holiday_id: int) -> None:
    """Holidays are configuration, so a wrong row is deleted outright; the audit row keeps what it was."""
    if not user.can("manage_policy"):
        raise PolicyError("只有县级、省级管理员可以维护节假日")
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().filter(pk=holiday_id).first()
        if holiday is None:
            raise PolicyError("该节假日记录不存在或已被删除")
        description = _describe(holiday)
        detail = {"date": holiday.date.isoformat(), "is_workday": holiday.is_workday, "name": holiday.name}
        holiday.delete()
        record(request, "holiday.delete", object_type="holiday", object_id=str(holiday_id), user=user,
               region_code=user.region_id,
               summary=f"删除节假日设置：{description}", detail=detail)


def _describe(holiday: Holiday) -> str:
    kind = "调休上班" if holiday.is_workday else "法定节假日"
    return f"{holiday.date:%Y-%m-%d} {kind} {holiday.name}".strip()


@dataclass(frozen=True)
class DeadlinePreview:
    start: dt.date
    days: int
    end: dt.date
    skipped: int  # calendar days passed over as rest days


def preview_deadline(start: dt.date, days: int) -> DeadlinePreview:
    """"A step starting on ``start`` with ``days`` working days ends on …" with the office's calendar."""
    end = work_calendar().add_workdays(start, days)
    return DeadlinePreview(start=start, days=days, end=end, skipped=(end - start).days - days)
