"""Writing a ledger plan in bulk: COPY on PostgreSQL, batched bulk_create/bulk_update on SQLite.

Ids of new rows are allocated first (sequence values on PostgreSQL, max(id)+n inside the
write lock on SQLite), so members, years and history can point at new households without
reading anything back. The caller wraps everything in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Model

from fangpin import pii
from fangpin.core import ledger as L
from fangpin.core.idcard import mask_phone
from fangpin.ledger.plan import LABELS, HouseholdKey, Plan
from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member
from fangpin.registry.people import name_initials, phone_columns

MODELS: dict[str, type[Model]] = {"household": Household, "member": Member, "householdyear": HouseholdYear}
SQLITE_BATCH = 500


def _columns(model: type[Model]) -> list[tuple[str, Any]]:
    """(column, default) of every concrete field: rows built here must fill NOT NULL columns too."""
    return [(f.column, f.get_default()) for f in model._meta.concrete_fields]


class Backend:
    def allocate(self, model: type[Model], n: int) -> list[int]:
        raise NotImplementedError

    def insert(self, model: type[Model], rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def update(self, model: type[Model], rows: list[dict[str, Any]], columns: list[str]) -> None:
        raise NotImplementedError


class PostgresBackend(Backend):
    def __init__(self) -> None:
        self.cursor = connection.cursor()

    def allocate(self, model: type[Model], n: int) -> list[int]:
        if n == 0:
            return []
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, n]
        )
        return [row[0] for row in self.cursor.fetchall()]

    def insert(self, model: type[Model], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        spec = _columns(model)
        names = ", ".join(connection.ops.quote_name(c) for c, _ in spec)
        raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for start in range(0, len(rows), 5000):
                copy.write("".join(copy_line(row, spec) for row in rows[start: start + 5000]))

    def update(self, model: type[Model], rows: list[dict[str, Any]], columns: list[str]) -> None:
        """Changed rows go to a temp table by COPY, then one UPDATE … FROM joins them in."""
        if not rows:
            return
        table, temp = model._meta.db_table, f"ledger_upd_{model._meta.model_name}"
        q = connection.ops.quote_name
        cols = ["id", *columns]
        # Identifiers below come from model metadata, never from the file.
        self.cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        self.cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
                            f"SELECT {', '.join(q(c) for c in cols)} FROM {table} WITH NO DATA")
        with self.cursor.cursor.copy(f"COPY {temp} ({', '.join(q(c) for c in cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in cols])
        sets = ", ".join(f"{q(c)} = t.{q(c)}" for c in columns)
        self.cursor.execute(f"UPDATE {table} AS m SET {sets} FROM {temp} AS t WHERE m.id = t.id")  # noqa: S608
        self.cursor.execute(f"DROP TABLE {temp}")


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: Any) -> str:
    """One value in COPY's text format; formatting it here is ~4× faster than write_row's per-value adaptation."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES) if ("\\" in value or "\t" in value or "\n" in value or "\r" in value) else value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_FRAGMENTS: dict[tuple[str, ...], str] = {}


def changes_json(changes: dict[str, dict[str, Any]]) -> str:
    """json.dumps of a history entry from cached per-field pieces: the same (field, old, new)
    recurs across thousands of members, and dumping each nested dict was a large share of a
    big import's write time."""
    parts = []
    for name, change in changes.items():
        key = (name, change["label"], change["old"], change["new"], "s" if change.get("sensitive") else "")
        piece = _FRAGMENTS.get(key)
        if piece is None:
            piece = json.dumps({name: change}, ensure_ascii=False)[1:-1]
            if len(_FRAGMENTS) < 200_000:
                _FRAGMENTS[key] = piece
        parts.append(piece)
    return "{" + ", ".join(parts) + "}"


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def copy_line(row: dict[str, Any], spec: list[tuple[str, Any]]) -> str:
    """Strings (most cells) take the short path; everything else goes through copy_value."""
    out = []
    for column, default in spec:
        value = row.get(column, default)
        if value.__class__ is str:
            out.append(value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value)
        else:
            out.append(copy_value(value))
    return "\t".join(out) + "\n"


class OrmBackend(Backend):
    """SQLite (and any other database): the ORM's bulk paths in batches."""

    def allocate(self, model: type[Model], n: int) -> list[int]:
        # Safe only inside the write transaction: SQLite's IMMEDIATE mode holds the write lock.
        top = model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return list(range(top + 1, top + 1 + n))

    def insert(self, model: type[Model], rows: list[dict[str, Any]]) -> None:
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        objs = [model(**{attnames[k]: v for k, v in row.items()}) for row in rows]
        model.objects.bulk_create(objs, batch_size=SQLITE_BATCH)

    def update(self, model: type[Model], rows: list[dict[str, Any]], columns: list[str]) -> None:
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        objs = [model(id=row["id"], **{attnames[c]: row[c] for c in columns}) for row in rows]
        model.objects.bulk_update(objs, [attnames[c] for c in columns], batch_size=SQLITE_BATCH)


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else OrmBackend()


class PlanWriter:
    def __init__(self, plan: Plan, *, user_id: int | None, source: str, now: Any):
        self.plan, self.user_id, self.source, self.now = plan, user_id, source, now
        self.db = backend()
        self.hh_ids: dict[str, int] = {}
        self.new_ids: dict[str, list[int]] = {}
        self._pieces: dict[tuple[str, Any], str] = {}

    def write(self) -> None:
        self.insert_households()
        self.insert_members()
        self.insert_years()
        for kind, updates in self.plan.updates.items():
            self.apply_updates(kind, updates)
        self.insert_history()

    def household_id(self, key: HouseholdKey) -> int:
        return key if isinstance(key, int) else self.hh_ids[key]

    def insert_households(self) -> None:
        rows = self.plan.new_households
        ids = self.db.allocate(Household, len(rows))
        self.new_ids["household"] = ids
        out = []
        for pk, r in zip(ids, rows, strict=True):
            self.hh_ids[r.hh_no] = pk
            out.append({"id": pk, "hh_no": r.hh_no, **_with_defaults(r.household, L.HOUSEHOLD_FIELDS),
                        "village_id": r.village_code, "created_at": self.now, "updated_at": self.now})
        self.db.insert(Household, out)

    def insert_members(self) -> None:
        rows = self.plan.new_members
        ids = self.db.allocate(Member, len(rows))
        self.new_ids["member"] = ids
        out = []
        for pk, (key, r, index) in zip(ids, rows, strict=True):
            values = _with_defaults(r.member, L.MEMBER_FIELDS)
            idn, phone = r.idn, r.phone or ""
            out.append({"id": pk, "household_id": self.household_id(key), **values,
                        "name_initials": initials(values["name"]), "id_cipher": pii.encrypt(idn.value),
                        "id_index": index, "id_masked": idn.masked, "sex": idn.sex, "birth_date": idn.birth_date,
                        "phone_cipher": pii.encrypt(phone), "phone_masked": mask_phone(phone) if phone else "",
                        "created_at": self.now, "updated_at": self.now})
        self.db.insert(Member, out)

    def insert_years(self) -> None:
        rows = self.plan.new_years
        ids = self.db.allocate(HouseholdYear, len(rows))
        self.new_ids["householdyear"] = ids
        self.db.insert(HouseholdYear, [
            {"id": pk, "household_id": self.household_id(key), "year": r.year,
             **_with_defaults(r.year_values, L.YEAR_FIELDS)}
            for pk, (key, r) in zip(ids, rows, strict=True)
        ])

    def apply_updates(self, kind: str, updates: Iterable[Any]) -> None:
        model = MODELS[kind]
        updates = list(updates)
        columns: list[str] = []
        rows = []
        for u in updates:
            values = dict(u.values)
            changed = list(u.changed)
            if "name" in changed:
                values["name_initials"] = initials(values["name"])
                changed.append("name_initials")
            if "phone" in changed:
                values.update(phone_columns(values.pop("phone")))
                changed[changed.index("phone"):changed.index("phone") + 1] = ["phone_cipher", "phone_masked"]
            columns.extend(c for c in changed if c not in columns)
            rows.append(values)
        if kind != "householdyear":
            columns.append("updated_at")
            for values in rows:
                values["updated_at"] = self.now
        self.db.update(model, _fill(rows, columns), columns)

    def changes(self, h: Any) -> Any:
        """The history entry: JSON text for COPY, a dict for the ORM; a new record lists its filled fields."""
        as_text = connection.vendor == "postgresql"
        if h.values is None:
            return changes_json(h.changes) if as_text else h.changes
        if not as_text:
            return {**{k: _created_entry(k, self.plan.shown(k, v)) for k, v in h.values.items()
                       if v is not None and v != ""}, **h.changes}
        parts = []
        for k, v in h.values.items():
            if v is None or v == "":
                continue
            piece = self._pieces.get((k, v))
            if piece is None:
                piece = self._pieces[(k, v)] = json.dumps({k: _created_entry(k, self.plan.shown(k, v))},
                                                          ensure_ascii=False)[1:-1]
            parts.append(piece)
        if h.changes:
            parts.append(changes_json(h.changes)[1:-1])
        return "{" + ", ".join(parts) + "}"

    def insert_history(self) -> None:
        rows = []
        for h in self.plan.history:
            object_id = h.ref if isinstance(h.ref, int) else self.new_ids[h.object_type][h.ref[1]]
            rows.append({"ts": self.now, "user_id": self.user_id, "household_id": self.household_id(h.household),
                         "object_type": h.object_type, "object_id": object_id, "object_label": h.label[:100],
                         "action": h.action, "changes": self.changes(h), "source": self.source[:60]})
        ids = self.db.allocate(ChangeRecord, len(rows))
        for pk, row in zip(ids, rows, strict=True):
            row["id"] = pk
        self.db.insert(ChangeRecord, rows)


def _created_entry(key: str, shown: str) -> dict[str, Any]:
    return {"label": LABELS[key], "old": "", "new": shown}


_INITIALS: dict[str, str] = {}


def initials(name: str) -> str:
    """registry.people.name_initials, character by character with a memo: pinyin per distinct name
    was the slowest step of a large import. A name whose reading depends on a multi-character
    phrase may differ in rare cases; the search box matches on these letters only."""
    out = []
    for char in name:
        letter = _INITIALS.get(char)
        if letter is None:
            letter = _INITIALS[char] = name_initials(char)
        out.append(letter)
    return "".join(out)


def _with_defaults(values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Columns the file did not have take the registry's defaults on new rows."""
    return {k: values[k] if k in values else L.BY_KEY[k].default for k in fields}


def _fill(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    """Every update row carries every updated column (its own unchanged values where needed)."""
    missing = [c for c in columns if any(c not in r for r in rows)]
    if missing:
        raise KeyError(f"update rows lack columns {missing}")
    return rows
