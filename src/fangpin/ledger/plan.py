"""From parsed ledger rows to a write plan: the checks that need the database, then the diff.

Nothing here writes. Identity: a household is its 户编号, a member is the blind index of the
ID number. Unchanged records produce nothing; changed ones list exactly their changed fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from fangpin import pii
from fangpin.accounts.access import code_prefix_q
from fangpin.core import ledger as L
from fangpin.core.idcard import mask_phone
from fangpin.core.regions import Level, RegionCodeError, short_code
from fangpin.regions.models import Region
from fangpin.registry.models import Household, HouseholdYear, Member

CHUNK = 5000
FEW_HOUSEHOLDS = 2000  # above this, per-household lookups read the whole scope instead
HouseholdKey = int | str  # an existing household's id, or a new household's 户编号


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """One chunk: the whole list travels as a single array parameter (see ``among``)."""
    yield items


def among(field_name: str, values: Sequence[Any], cast: str = "varchar") -> Q:  # unique-indexed text columns
    """``field IN values`` as one parameter: thousands of %s placeholders cost more to build than to run."""
    values = list(values)
    if connection.vendor == "postgresql":
        # The values are a bound parameter; ``cast`` is one of our literals, never input.
        return Q(**{f"{field_name}__in": RawSQL(f"SELECT unnest(%s::{cast}[])", (values,))})  # noqa: S611
    return Q(**{f"{field_name}__in": RawSQL("SELECT value FROM json_each(%s)", (json.dumps(values),))})  # noqa: S611


def id_indexes(id_numbers: Sequence[str]) -> list[str]:
    """``pii.id_index`` of many numbers: the HMAC is keyed once and copied per value (keying it
    hashes the key twice, which was most of the cost per number)."""
    ring = pii.keyring()
    keyed = hmac.new(ring.blind_key, b"id:", hashlib.sha256)
    out = []
    for value in id_numbers:
        mac = keyed.copy()
        mac.update(value.encode())
        out.append(mac.hexdigest()[:40])
    return out


# ---- villages ---------------------------------------------------------------------------------

def village_key(name: str) -> str:
    """东关村委会 / 东关村民委员会 / 东关村 / 东关 all mean the same village to an office."""
    for suffix in ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "委员会", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class VillageResolver:
    """(code cell, name cell) → (village code, name); only live villages inside the scope."""

    def __init__(self, scope_code: str):
        self.scope = scope_code
        self._by_name: dict[str, list[tuple[str, str, str]]] | None = None

    def __call__(self, code_text: str, name_text: str) -> tuple[str, str]:
        if not code_text and name_text.isdigit():
            code_text, name_text = name_text, ""
        if not code_text:
            return self.by_name(name_text)
        code, name = self.by_code(code_text)
        if name_text and village_key(name_text) != village_key(name):
            raise ValueError(f"村代码 {code} 是“{name}”，与所在村“{name_text}”不符")
        return code, name

    def by_code(self, text: str) -> tuple[str, str]:
        try:
            code = short_code(text, Level.VILLAGE)
        except RegionCodeError as exc:
            raise ValueError(f"{exc}；村代码应为 12 位数字") from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValueError(f"村代码 {text} 不存在")
        if region.level != Level.VILLAGE:
            raise ValueError(f"区划代码 {text}（{region.name}）不是村级单位")
        if region.retired:
            raise ValueError(f"村“{region.name}”（{code}）已撤销，请改用现行的村")
        if not code.startswith(self.scope):
            raise ValueError(f"村“{region.name}”（{code}）不在您的管辖范围内")
        return code, region.name

    def by_name(self, text: str) -> tuple[str, str]:
        found = self.names().get(village_key(text), [])
        if not found:
            raise ValueError(f"您的管辖范围内没有名为“{text}”的村；请核对村名或填写 12 位村代码")
        if len(found) > 1:
            where = "、".join(f"{township}{name}" for _, name, township in found[:5])
            raise ValueError(f"您的管辖范围内有 {len(found)} 个“{text}”（{where}），请填写 12 位村代码")
        return found[0][0], found[0][1]

    def names(self) -> dict[str, list[tuple[str, str, str]]]:
        if self._by_name is None:
            self._by_name = defaultdict(list)
            villages = Region.objects.filter(code_prefix_q("code", self.scope), level=Level.VILLAGE,
                                             retired=False)
            for code, name, township in villages.values_list("code", "name", "parent__name"):
                self._by_name[village_key(name)].append((code, name, township or ""))
        return self._by_name


# ---- the plan ---------------------------------------------------------------------------------

@dataclass
class Update:
    id: int
    values: dict[str, Any]  # every compared column, new values (unchanged ones as stored)
    changed: list[str]  # columns that differ


@dataclass
class History:
    household: HouseholdKey
    object_type: str  # household / member / householdyear
    ref: int | tuple[str, int]  # existing id, or ("new", index in that type's new list)
    label: str
    action: str
    changes: dict[str, dict[str, Any]]  # for "create": only the sensitive entries; the rest is ``values``
    values: dict[str, Any] | None = None  # a new record's identifying values (CREATED_FIELDS), rendered when written
    # A new household's one history row also names its new members and year (folded in, see plan_members).
    members: list[str] = field(default_factory=list)
    year: int | None = None


@dataclass
class Plan:
    errors: list[L.LedgerError] = field(default_factory=list)
    new_households: list[L.LedgerRow] = field(default_factory=list)
    new_members: list[tuple[HouseholdKey, L.LedgerRow, str]] = field(default_factory=list)  # (…, id_index)
    new_years: list[tuple[HouseholdKey, L.LedgerRow]] = field(default_factory=list)
    updates: dict[str, list[Update]] = field(default_factory=lambda: defaultdict(list))
    history: list[History] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    shown: Any = None  # (field, value) → text as the history shows it (Planner.shown)

    def count(self, kind: str, what: str) -> None:
        bucket = self.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        bucket[what] += 1


HH_COLUMNS = ("id", "hh_no", "village_id", *L.HOUSEHOLD_FIELDS)
MEMBER_COLUMNS = ("id", "id_index", "household_id", "household__hh_no", "household__village__name",
                  "phone_cipher", "phone_masked", "id_masked", "name_initials", *L.MEMBER_FIELDS)
YEAR_COLUMNS = ("id", "household_id", "year", *L.YEAR_FIELDS)


class Planner:
    def __init__(self, parsed: L.ParseResult, scope_code: str):
        self.rows = parsed.rows
        self.scope = scope_code
        self.villages = dict(parsed.village_names)
        self.plan = Plan()
        self.plan.shown = self.shown
        self.first: dict[str, L.LedgerRow] = {}
        for r in self.rows:
            self.first.setdefault(r.hh_no, r)
        self.index = id_indexes([r.idn.value for r in self.rows])
        self.in_file = set(self.index)
        self._shown: dict[tuple[str, Any], str] = {}
        self.created: dict[str, History] = {}  # hh_no → the new household's history row
        self.local_households: dict[int, str] = {}  # id → 户编号: the file's households already in scope
        self.local_members: list[dict[str, Any]] = []  # every member of those (for check_heads)

    def build(self) -> Plan:
        households = self.load_households()
        members = self.load_members(households)
        self.check_heads()
        if self.plan.errors:
            self.plan.errors.sort(key=lambda e: e.row)
            return self.plan
        keys = self.plan_households(households)
        self.plan_members(members, keys)
        self.plan_years(households, keys)
        return self.plan

    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(L.LedgerError(row, column, message))

    def place(self, hh_no: str, village_code: str) -> str:
        return f"户编号 {hh_no}（{self.villages.get(village_code, village_code)}）"

    # -- loading and the cross-database checks

    def load_households(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for part in chunks(list(self.first)):
            # .order_by(): rows go into a dict; the models' default order sorted 60 k households (and
            # 200 k members, spilling to disk) for nothing
            for row in Household.objects.filter(among("hh_no", part)).values(*HH_COLUMNS, "village__name").order_by():
                found[row["hh_no"]] = row
        for hh_no, row in found.items():
            if not row["village_id"].startswith(self.scope):
                self.error(self.first[hh_no].row, "户编号",
                           f"户编号 {hh_no} 已被您管辖范围以外的农户使用（{row['village__name']}），请核对户编号")
        return found

    def load_members(self, households: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The file's persons already registered anywhere, by blind index.

        First every member of the file's households already in scope (on a re-import, nearly all of
        them: a range of the scope instead of 200 k index probes, ~3× less database time), then the
        remaining persons one probe each (new persons, or persons registered in another household).
        """
        in_file = self.in_file
        found: dict[str, dict[str, Any]] = {}
        self.local_members = []
        self.local_households = {h["id"]: hh_no for hh_no, h in households.items()
                                 if h["village_id"].startswith(self.scope)}
        for part in chunks(list(self.local_households)):
            wanted = set(part)
            for row in Member.objects.filter(self.of_households("household", part)).values(*MEMBER_COLUMNS).order_by():
                if row["household_id"] in wanted:
                    self.local_members.append(row)
                    if row["id_index"] in in_file:
                        found[row["id_index"]] = row
        missing = list(in_file.difference(found))
        for part in chunks(missing):
            for row in Member.objects.filter(among("id_index", part)).values(*MEMBER_COLUMNS).order_by():
                found[row["id_index"]] = row
        for r, idx in zip(self.rows, self.index, strict=True):
            other = found.get(idx)
            if other is not None and other["household__hh_no"] != r.hh_no:
                there = f"户编号 {other['household__hh_no']}（{other['household__village__name']}）"
                self.error(r.row, "身份证号", f"身份证号 {r.idn.masked} 已登记在{there}，不能再登记到"
                                          f"{self.place(r.hh_no, r.village_code)}：一人只能属于一户")
        return found

    def check_heads(self) -> None:
        """A head in the database but not in the file would make two heads after the import."""
        in_file = self.in_file
        for row in self.local_members:
            if row["relation"] != "head" or row["status"] != "active" or row["id_index"] in in_file:
                continue
            first = self.first[self.local_households[row["household_id"]]]
            self.error(first.row, "与户主关系",
                       f"户编号 {first.hh_no} 在系统中已有户主 {row['id_masked']}，表中没有此人；"
                       "如需更换户主，请把原户主一并列入表中并修改其与户主关系或成员状态")

    def of_households(self, relation: str, ids: Sequence[int]) -> Q:
        """Rows of these households. Many ids: the whole scope, filtered by the caller — PostgreSQL
        planned ``household_id IN (unnest(array))`` with tens of thousands of ids very badly."""
        if len(ids) <= FEW_HOUSEHOLDS:
            return Q(**{f"{relation}_id__in": list(ids)})
        return code_prefix_q(f"{relation}__village_id", self.scope)

    # -- the diff

    def plan_households(self, existing: dict[str, dict[str, Any]]) -> dict[str, HouseholdKey]:
        keys: dict[str, HouseholdKey] = {}
        for hh_no, r in self.first.items():
            old = existing.get(hh_no)
            if old is None:
                keys[hh_no] = hh_no
                self.plan.new_households.append(r)
                self.created[hh_no] = History(hh_no, "household", ("new", len(self.plan.new_households) - 1),
                                              f"户 {hh_no}", "create", {}, _created(r.household, "household"))
                self.plan.history.append(self.created[hh_no])
                self.plan.count("households", "created")
                continue
            keys[hh_no] = old["id"]
            changes = L.changed_fields(old, r.household)
            if not changes:
                self.plan.count("households", "unchanged")
                continue
            self.plan.updates["household"].append(Update(old["id"], {**old, **r.household}, list(changes)))
            self.plan.history.append(History(old["id"], "household", old["id"], f"户 {hh_no}", "update",
                                             self.shown_changes(changes)))
            self.plan.count("households", "updated")
        return keys

    def plan_members(self, existing: dict[str, dict[str, Any]], keys: dict[str, HouseholdKey]) -> None:
        for r, idx in zip(self.rows, self.index, strict=True):
            key = keys[r.hh_no]
            old = existing.get(idx)
            if old is None:
                self.plan.new_members.append((key, r, idx))
                self.plan.count("members", "created")
                if isinstance(key, str):
                    # A new household's members are named in its one history row: a county's first load
                    # is ~200 k members, and a row each (with its indexes and foreign-key checks) was
                    # the largest part of the write. Every field's first value is the record itself.
                    self.created[key].members.append(
                        f"{r.member.get('name', '')}（{self.shown('relation', r.member.get('relation', ''))}）")
                    continue
                changes = {"id_number": _sensitive("身份证号", "", r.idn.masked)}
                if r.phone:
                    changes["phone"] = _sensitive("联系电话", "", mask_phone(r.phone))
                self.plan.history.append(History(key, "member", ("new", len(self.plan.new_members) - 1),
                                                 r.member.get("name", ""), "create", changes,
                                                 _created(r.member, "member")))
                continue
            self.diff_member(key, r, old)

    def diff_member(self, key: HouseholdKey, r: L.LedgerRow, old: dict[str, Any]) -> None:
        changes = L.changed_fields(old, r.member)
        phone_changed = r.phone is not None and r.phone != (
            pii.decrypt(old["phone_cipher"]) if old["phone_cipher"] else "")
        if not changes and not phone_changed:
            self.plan.count("members", "unchanged")  # the usual case on a re-import: build nothing
            return
        shown = self.shown_changes(changes)
        values = {**old, **r.member}
        if phone_changed:
            changes["phone"] = (old["phone_cipher"], r.phone)
            shown["phone"] = _sensitive("联系电话", old["phone_masked"], mask_phone(r.phone) if r.phone else "")
            values["phone"] = r.phone
        self.plan.updates["member"].append(Update(old["id"], values, list(changes)))
        self.plan.history.append(History(key, "member", old["id"], r.member.get("name", old["name"]), "update", shown))
        self.plan.count("members", "updated")

    def plan_years(self, households: dict[str, dict[str, Any]], keys: dict[str, HouseholdKey]) -> None:
        existing: dict[tuple[int, int], dict[str, Any]] = {}
        ids = [h["id"] for h in households.values()]
        for part in chunks(ids):
            years = {r.year for r in self.first.values() if r.year is not None}
            wanted = set(part)
            qs = HouseholdYear.objects.filter(self.of_households("household", part), year__in=years)
            for row in qs.values(*YEAR_COLUMNS).order_by():
                if row["household_id"] in wanted:
                    existing[(row["household_id"], row["year"])] = row
        for hh_no, r in self.first.items():
            if r.year is None:
                continue
            key = keys[hh_no]
            old = existing.get((key, r.year)) if isinstance(key, int) else None
            label = f"{r.year} 年收支"
            if old is None:
                self.plan.new_years.append((key, r))
                self.plan.count("years", "created")
                if isinstance(key, str):
                    self.created[key].year = r.year
                    continue
                self.plan.history.append(History(key, "householdyear", ("new", len(self.plan.new_years) - 1), label,
                                                 "create", {}, {"year": r.year}))
                continue
            changes = L.changed_fields(old, r.year_values)
            if not changes:
                self.plan.count("years", "unchanged")
                continue
            self.plan.updates["householdyear"].append(Update(old["id"], {**old, **r.year_values}, list(changes)))
            self.plan.history.append(History(key, "householdyear", old["id"], label, "update",
                                             self.shown_changes(changes)))
            self.plan.count("years", "updated")

    # -- history entries, in the registry's format {field: {label, old, new}}

    def shown_changes(self, changes: dict[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
        return {k: {"label": _label(k), "old": self.shown(k, a), "new": self.shown(k, b)} for k, (a, b) in changes.items()}

    def shown(self, key: str, value: Any) -> str:
        """Values as the history shows them (labels, names); memoised, values repeat a lot."""
        text = self._shown.get((key, value))
        if text is None:
            text = self._shown[(key, value)] = self._show(key, value)
        return text

    def _show(self, key: str, value: Any) -> str:
        if key == "village_id":
            if value not in self.villages:
                self.villages[value] = Region.objects.filter(code=value).values_list("name", flat=True).first() or value
            return self.villages[value]
        text = L.show(key, value)
        return "" if text == "（空）" else text


def _label(key: str) -> str:
    return LABELS[key]


LABELS = {"village_id": "所在村", **{c.key: c.header for c in L.COLUMNS}}


# A new record's history names it rather than listing every field: the record itself holds the
# values, and a 200 k-row load wrote ~1 KB of JSON per member otherwise (half the write time).
CREATED_FIELDS = {"household": ("village_id", "hh_type"), "member": ("name", "relation")}


def _created(values: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: values[k] for k in CREATED_FIELDS[kind] if k in values}


def _sensitive(label: str, old_masked: str, new_masked: str) -> dict[str, Any]:
    return {"label": label, "old": old_masked, "new": new_masked, "sensitive": True}


def build_plan(parsed: L.ParseResult, scope_code: str) -> Plan:
    return Planner(parsed, scope_code).build()
