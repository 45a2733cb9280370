"""Registry writes: one function per business verb.

Each is atomic, re-reads the row under lock, saves only the changed columns, keeps the
field-level history (``ChangeRecord``) and appends one audit event. ID numbers and phones
enter the history and the audit log only as "changed" with masked values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from fangpin import pii
from fangpin.accounts.access import in_scope
from fangpin.audit.services import record
from fangpin.core import choices as C
from fangpin.core.idcard import IdNumber, mask_phone
from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member
from fangpin.registry.people import id_columns, name_initials, phone_columns

SOURCE_WEB = "页面录入"
Changes = dict[str, dict[str, Any]]


# ---------------------------------------------------------------- households


def do_create_household(request, values: dict[str, Any], head: dict[str, Any] | None = None) -> Household:
    """New household (and optionally its head in the same transaction)."""
    _ensure_in_scope(request, values["village"].code)
    with transaction.atomic():
        household = Household(**values)
        household.hh_no = household.hh_no or _next_hh_no(household.village.code)
        household.save(force_insert=True)
        changes = _created(household, {**values, "hh_no": household.hh_no})
        _history(request, household, household, "create", changes, str(household))
        record(request, "household.create", obj=household, summary=f"新建户 {household.hh_no}")
        if head is not None:
            _insert_member(request, household, {**head, "relation": "head"})
    return household


def do_update_household(request, household: Household, values: dict[str, Any]) -> Changes:
    """Edit a household's facts; moving it to another village needs that village in scope too."""
    if "village" in values:
        _ensure_in_scope(request, values["village"].code)
    with transaction.atomic():
        current = Household.objects.select_for_update().select_related("village").get(pk=household.pk)
        _ensure_in_scope(request, current.village_id)
        changes = _apply(current, values)
        if not changes:
            return {}
        current.save(update_fields=[*_columns(current, changes), "updated_at"])
        _history(request, current, current, "update", changes, str(current))
        record(request, "household.update", obj=current, summary=f"修改户 {current.hh_no}",
               detail={"fields": sorted(changes)})
    return changes


def _next_hh_no(village_code: str) -> str:
    """Offices without a national 户编号 get village code + a running number."""
    n = Household.objects.filter(hh_no__startswith=village_code).count() + 1
    while Household.objects.filter(hh_no=f"{village_code}{n:05d}").exists():
        n += 1
    return f"{village_code}{n:05d}"


# ---------------------------------------------------------------- members


def do_add_member(request, household: Household, values: dict[str, Any]) -> Member:
    """``values``: the member form's fields plus ``idn`` (IdNumber) and ``phone`` (normal form or "")."""
    _ensure_in_scope(request, household.village_id)
    with transaction.atomic():
        return _insert_member(request, household, values)


def _insert_member(request, household: Household, values: dict[str, Any]) -> Member:
    values = dict(values)
    idn: IdNumber = values.pop("idn")
    phone: str = values.pop("phone", "") or ""
    _ensure_unique_person(idn, household)
    _ensure_single_head(household, None, values.get("relation", ""), "active")
    member = Member(household=household, name_initials=name_initials(values["name"]), **values,
                    **id_columns(idn), **phone_columns(phone))
    _save_person(member, idn, household, force_insert=True)
    changes = _created(member, values)
    changes.update(_sensitive("id_number", "身份证号", "", idn.masked))
    if phone:
        changes.update(_sensitive("phone", "联系电话", "", mask_phone(phone)))
    _history(request, household, member, "create", changes, member.name)
    record(request, "member.create", obj=member, summary=f"户 {household.hh_no} 新增成员 {member.name}（{idn.masked}）")
    return member


def do_update_member(request, member: Member, values: dict[str, Any]) -> Changes:
    """``idn`` / ``phone`` of None mean "unchanged" (the form never shows them in clear)."""
    values = dict(values)
    idn: IdNumber | None = values.pop("idn", None)
    phone: str | None = values.pop("phone", None)
    with transaction.atomic():
        current = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        household = current.household
        _ensure_in_scope(request, household.village_id)
        _ensure_single_head(household, current, values.get("relation", current.relation), current.status)
        changes = _apply(current, values)
        if "name" in changes:
            current.name_initials = name_initials(current.name)
        changes.update(_change_id(current, idn, household))
        changes.update(_change_phone(current, phone))
        if not changes:
            return {}
        _save_person(current, idn, household, update_fields=[*_columns(current, changes), "updated_at"])
        _history(request, household, current, "update", changes, current.name)
        record(request, "member.update", obj=current, summary=f"户 {household.hh_no} 修改成员 {current.name}",
               detail={"fields": sorted(changes)})
    return changes


def do_change_member_status(request, member: Member, status: str, on: dt.date | None, note: str = "") -> Changes:
    """迁出 / 死亡 (or back to 在户): the row stays, its status and when/why change."""
    with transaction.atomic():
        current = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        household = current.household
        _ensure_in_scope(request, household.village_id)
        if status == "active":
            _ensure_single_head(household, current, current.relation, status)
        changes = _apply(current, {"status": status, "status_date": on, "status_note": note})
        if "status" not in changes:
            raise ValidationError({"status": f"成员当前状态已是“{C.MEMBER_STATUS.label(status)}”"})
        current.save(update_fields=[*_columns(current, changes), "updated_at"])
        _history(request, household, current, "update", changes, current.name)
        record(request, "member.status", obj=current,
               summary=f"户 {household.hh_no} 成员 {current.name} 状态改为{C.MEMBER_STATUS.label(status)}",
               detail={"status": status})
    return changes


def do_unmask_member_id(request, member: Member) -> str:
    """The full ID number, to show once. Audited before decrypting: no record, no reveal."""
    user = request.user
    if not user.can("unmask"):
        raise PermissionDenied("您的角色无权查看完整身份证号")
    if not in_scope(user, member.household.village_id):
        raise Http404("记录不存在或不在您的管辖范围内")
    with transaction.atomic():
        record(request, "member.unmask", obj=member,
               summary=f"显示户 {member.household.hh_no} 成员 {member.name} 的完整身份证号（{member.id_masked}）")
    return pii.decrypt(member.id_cipher)


def _change_id(member: Member, idn: IdNumber | None, household: Household) -> Changes:
    if idn is None or pii.id_index(idn.value) == member.id_index:
        return {}
    _ensure_unique_person(idn, household, member)
    old_masked = member.id_masked
    changes = _apply(member, {"sex": idn.sex, "birth_date": idn.birth_date})
    for name, value in id_columns(idn).items():
        setattr(member, name, value)
    changes.update(_sensitive("id_number", "身份证号", old_masked, idn.masked))
    return changes


def _change_phone(member: Member, phone: str | None) -> Changes:
    if phone is None:
        return {}
    old = pii.decrypt(member.phone_cipher)
    if phone == old:
        return {}
    for name, value in phone_columns(phone).items():
        setattr(member, name, value)
    return _sensitive("phone", "联系电话", mask_phone(old) if old else "", member.phone_masked)


def _save_person(member: Member, idn: IdNumber | None, household: Household, **save_kwargs) -> None:
    """The unique blind index is the last word when two offices register one person at once."""
    try:
        with transaction.atomic():
            member.save(**save_kwargs)
    except IntegrityError:
        if idn is not None:
            _ensure_unique_person(idn, household, member if member.pk else None)
        raise


# ---------------------------------------------------------------- income years


def do_save_household_year(request, household: Household, year: int,
                           values: dict[str, Decimal]) -> tuple[HouseholdYear, Changes]:
    """Add or correct one year's income and expenditure."""
    _ensure_in_scope(request, household.village_id)
    with transaction.atomic():
        row = HouseholdYear.objects.select_for_update().filter(household=household, year=year).first()
        created = row is None
        if created:
            row = HouseholdYear(household=household, year=year, **values)
            row.save(force_insert=True)
            changes = _created(row, {"year": year, **values})
        else:
            changes = _apply(row, values)
            if not changes:
                return row, {}
            row.save(update_fields=_columns(row, changes))
        label = f"{year} 年收支"
        _history(request, household, row, "create" if created else "update", changes, label)
        record(request, "household_year.create" if created else "household_year.update", obj=row,
               summary=f"户 {household.hh_no} {'录入' if created else '修改'}{label}", detail={"fields": sorted(changes)})
    return row, changes


# ---------------------------------------------------------------- rules shared by the verbs


def _ensure_in_scope(request, village_code: str) -> None:
    if not in_scope(request.user, village_code):
        raise Http404("记录不存在或不在您的管辖范围内")


def _ensure_unique_person(idn: IdNumber, household: Household, member: Member | None = None) -> None:
    """One person, one household: name where the ID already is (masked), and where it was going."""
    other = (Member.objects.select_related("household__village__parent")
             .filter(id_index=pii.id_index(idn.value)).exclude(pk=member.pk if member else None).first())
    if other is None:
        return
    if other.household_id == household.pk:
        raise ValidationError({"id_number": f"身份证号 {idn.masked} 已是本户成员，不能重复登记"})
    there = other.household
    status = "" if other.status == "active" else f"（{other.get_status_display()}）"
    raise ValidationError({"id_number": (
        f"身份证号 {idn.masked} 已登记在{_place(there.village)}户 {there.hh_no}{status}，"
        f"不能再登记到{_place(household.village)}户 {household.hh_no}：一人只能在一个户中"
    )})


def _place(village) -> str:
    parent = village.parent.name if village.parent_id and village.parent else ""
    return f"{parent}{village.name}"


def _ensure_single_head(household: Household, member: Member | None, relation: str, status: str) -> None:
    if relation != "head" or status != "active":
        return
    others = Member.objects.filter(household=household, relation="head", status="active")
    if member is not None:
        others = others.exclude(pk=member.pk)
    head = others.first()
    if head is not None:
        raise ValidationError({"relation": f"该户已有户主 {head.name}，请先修改原户主的关系或状态"})


# ---------------------------------------------------------------- history


def _apply(obj, values: dict[str, Any]) -> Changes:
    """Set the values that differ and return {field: {label, old, new}} for the history."""
    changes: Changes = {}
    for name, new in values.items():
        field = obj._meta.get_field(name)
        old = getattr(obj, name)
        if _key(old) == _key(new):
            continue
        changes[name] = {"label": str(field.verbose_name), "old": _shown(field, old), "new": _shown(field, new)}
        setattr(obj, name, new)
    return changes


def _created(obj, values: dict[str, Any]) -> Changes:
    """A new row's history lists the fields that were filled in."""
    changes: Changes = {}
    for name, new in values.items():
        if new in (None, "") or name in ("idn", "phone"):
            continue
        field = obj._meta.get_field(name)
        changes[name] = {"label": str(field.verbose_name), "old": "", "new": _shown(field, new)}
    return changes


def _sensitive(name: str, label: str, old_masked: str, new_masked: str) -> Changes:
    return {name: {"label": label, "old": old_masked, "new": new_masked, "sensitive": True}}


def _key(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def _shown(field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.is_relation:
        return getattr(value, "name", str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _columns(obj, changes: Changes) -> list[str]:
    """Column names to save: the sensitive pseudo-fields map to their stored columns."""
    extra = {"id_number": ["id_cipher", "id_index", "id_masked"], "phone": ["phone_cipher", "phone_masked"],
             "name": ["name", "name_initials"]}
    columns: list[str] = []
    for name in changes:
        columns += extra.get(name) or [obj._meta.get_field(name).attname]
    return list(dict.fromkeys(columns))


def _history(request, household: Household, obj, action: str, changes: Changes, label: str) -> None:
    user = getattr(request, "user", None)
    ChangeRecord.objects.create(
        ts=timezone.now(), user=user if user is not None and user.is_authenticated else None, household=household,
        object_type=obj._meta.model_name, object_id=obj.pk, object_label=label[:100], action=action,
        changes=changes, source=SOURCE_WEB,
    )
