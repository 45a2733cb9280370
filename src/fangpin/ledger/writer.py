"""Writing a ledger plan in bulk: COPY on PostgreSQL, batched bulk_create/bulk_update on SQLite.

Ids of new rows are allocated first (sequence values on PostgreSQL, max(id)+n inside the
write lock on SQLite), so members, years and history can point at new households without
reading anything back. The caller wraps everything in one transaction.

New rows travel as tuples in a declared column order plus a dict of columns that are the same
on every row (timestamps, source, defaults): a county's first load is ~200 k members and
~320 k history rows, and per-row dicts and per-value type checks were most of the write time.
"""

from __future__ import annotations

import binascii
import json
import os
from collections.abc import Iterable, Iterator, Sequence
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
COPY_BATCH = 5000  # lines per write to the COPY stream


def _constants(model: type[Model], columns: Sequence[str], fixed: dict[str, Any]) -> dict[str, Any]:
    """The fixed columns plus the default of every other column not sent per row (NOT NULL ones too);
    a primary key left out is numbered by the database."""
    out = dict(fixed)
    for f in model._meta.concrete_fields:
        if f.column not in columns and f.column not in out and not f.primary_key:
            out[f.column] = f.get_default()
    return out


class Backend:
    def allocate(self, model: type[Model], n: int) -> list[int]:
        raise NotImplementedError

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
               fixed: dict[str, Any]) -> None:
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

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
               fixed: dict[str, Any]) -> None:
        constants = _constants(model, columns, fixed)
        names = ", ".join(connection.ops.quote_name(c) for c in (*columns, *constants))
        tail = "".join("\t" + copy_value(v) for v in constants.values()) + "\n"
        raw = self.cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for batch in _batches(copy_lines(rows, len(columns), tail)):
                copy.write("".join(batch))

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


def _batches(lines: Iterator[str], size: int = COPY_BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: Any) -> str:
    """One value in COPY's text format (None → \\N; str() of bools, numbers, dates is valid input)."""
    if value is None:
        return "\\N"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPES)


def copy_lines(rows: Iterable[tuple[Any, ...]], width: int, tail: str) -> Iterator[str]:
    """COPY text lines. A line is checked once as a whole: only a line holding a backslash,
    newline or an extra tab (rare: free text) is rebuilt value by value with escapes."""
    for row in rows:
        nulls = row.count(None)  # each \N accounts for one backslash in the line
        line = "\t".join(["\\N" if v is None else str(v) for v in row] if nulls else map(str, row))
        if line.count("\\") != nulls or "\n" in line or "\r" in line or line.count("\t") != width - 1:
            line = "\t".join([copy_value(v) for v in row])
        yield line + tail


class OrmBackend(Backend):
    """SQLite (and any other database): the ORM's bulk paths in batches."""

    def allocate(self, model: type[Model], n: int) -> list[int]:
        # Safe only inside the write transaction: SQLite's IMMEDIATE mode holds the write lock.
        top = model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return list(range(top + 1, top + 1 + n))

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
               fixed: dict[str, Any]) -> None:
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        names = [attnames[c] for c in columns]
        constants = {attnames[c]: v for c, v in fixed.items()}
        objs = [model(**dict(zip(names, row, strict=True)), **constants) for row in rows]
        model.objects.bulk_create(objs, batch_size=SQLITE_BATCH)

    def update(self, model: type[Model], rows: list[dict[str, Any]], columns: list[str]) -> None:
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        objs = [model(id=row["id"], **{attnames[c]: row[c] for c in columns}) for row in rows]
        model.objects.bulk_update(objs, [attnames[c] for c in columns], batch_size=SQLITE_BATCH)


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else OrmBackend()


class Sealer:
    """``pii.encrypt`` for many values: the same token format, the cipher looked up once and the
    nonces drawn from one ``os.urandom`` call (one system call per value was measurable)."""

    def __init__(self, n: int):
        ring = pii.keyring()
        self.prefix = ring.current_id + "$"
        self.aes = ring.keys[ring.current_id]
        self.nonces = os.urandom(pii.NONCE_BYTES * n)
        self.used = 0

    def seal(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        start = self.used
        self.used = end = start + pii.NONCE_BYTES
        nonce = self.nonces[start:end]
        if len(nonce) != pii.NONCE_BYTES:
            raise RuntimeError("Sealer: more values than nonces drawn")  # never reuse a nonce
        sealed = self.aes.encrypt(nonce, plaintext.encode(), None)
        return self.prefix + binascii.b2a_base64(nonce + sealed, newline=False).decode()


HOUSEHOLD_COLUMNS = ("id", "hh_no", "village_id", *L.HOUSEHOLD_FIELDS)
MEMBER_COLUMNS = ("id", "household_id", *L.MEMBER_FIELDS, "name_initials", "id_cipher", "id_index", "id_masked",
                  "sex", "birth_date", "phone_cipher", "phone_masked")
YEAR_COLUMNS = ("id", "household_id", "year", *L.YEAR_FIELDS)
HISTORY_COLUMNS = ("household_id", "object_type", "object_id", "object_label", "action", "changes")


def _defaults(fields: Sequence[str]) -> list[tuple[str, Any]]:
    """Columns the file did not have take the registry's defaults on new rows."""
    return [(k, L.BY_KEY[k].default) for k in fields]


class PlanWriter:
    def __init__(self, plan: Plan, *, user_id: int | None, source: str, now: Any):
        self.plan, self.user_id, self.source, self.now = plan, user_id, source, now
        self.db = backend()
        self.hh_ids: dict[str, int] = {}
        self.new_ids: dict[str, list[int]] = {}
        self._pieces: dict[tuple[str, Any], str] = {}
        self.stamps = {"created_at": now, "updated_at": now}
        self.as_text = connection.vendor == "postgresql"  # looked up once: the connection proxy is slow per row

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
        defaults = _defaults(L.HOUSEHOLD_FIELDS)
        out = []
        for pk, r in zip(ids, rows, strict=True):
            self.hh_ids[r.hh_no] = pk
            values = r.household
            out.append((pk, r.hh_no, r.village_code, *[values.get(k, d) for k, d in defaults]))
        self.db.insert(Household, HOUSEHOLD_COLUMNS, out, self.stamps)

    def insert_members(self) -> None:
        rows = self.plan.new_members
        ids = self.db.allocate(Member, len(rows))
        self.new_ids["member"] = ids
        self.db.insert(Member, MEMBER_COLUMNS, self._member_rows(ids, rows), self.stamps)

    def _member_rows(self, ids: list[int], rows: list[Any]) -> Iterator[tuple[Any, ...]]:
        defaults = _defaults(L.MEMBER_FIELDS)
        sealer = Sealer(2 * len(rows))
        for pk, (key, r, index) in zip(ids, rows, strict=True):
            values = r.member
            fields = [values.get(k, d) for k, d in defaults]
            idn, phone = r.idn, r.phone or ""
            yield (pk, self.household_id(key), *fields, name_initials(fields[0]), sealer.seal(idn.value), index,
                   idn.masked, idn.sex, idn.birth_date, sealer.seal(phone), mask_phone(phone) if phone else "")

    def insert_years(self) -> None:
        rows = self.plan.new_years
        ids = self.db.allocate(HouseholdYear, len(rows))
        self.new_ids["householdyear"] = ids
        defaults = _defaults(L.YEAR_FIELDS)
        self.db.insert(HouseholdYear, YEAR_COLUMNS, [
            (pk, self.household_id(key), r.year, *[r.year_values.get(k, d) for k, d in defaults])
            for pk, (key, r) in zip(ids, rows, strict=True)
        ], {})

    def apply_updates(self, kind: str, updates: Iterable[Any]) -> None:
        model = MODELS[kind]
        updates = list(updates)
        columns: list[str] = []
        rows = []
        for u in updates:
            values = dict(u.values)
            changed = list(u.changed)
            if "name" in changed:
                values["name_initials"] = name_initials(values["name"])
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
        as_text = self.as_text
        if h.values is None:
            return changes_json(h.changes) if as_text else h.changes
        folded = _folded(h)
        if not as_text:
            return {**{k: _created_entry(k, self.plan.shown(k, v)) for k, v in h.values.items()
                       if v is not None and v != ""}, **folded, **h.changes}
        parts = []
        for k, v in h.values.items():
            if v is None or v == "":
                continue
            piece = self._pieces.get((k, v))
            if piece is None:
                piece = self._pieces[(k, v)] = json.dumps({k: _created_entry(k, self.plan.shown(k, v))},
                                                          ensure_ascii=False)[1:-1]
            parts.append(piece)
        if folded:
            parts.append(json.dumps(folded, ensure_ascii=False)[1:-1])
        if h.changes:
            parts.append(changes_json(h.changes)[1:-1])
        return "{" + ", ".join(parts) + "}"

    def insert_history(self) -> None:
        # No ids drawn: nothing points at a history row, so the column's own default numbers them.
        new_ids, household_id, changes = self.new_ids, self.household_id, self.changes
        rows = [
            (household_id(h.household), h.object_type,
             h.ref if isinstance(h.ref, int) else new_ids[h.object_type][h.ref[1]], h.label[:100], h.action,
             changes(h))
            for h in self.plan.history
        ]
        self.db.insert(ChangeRecord, HISTORY_COLUMNS, rows,
                       {"ts": self.now, "user_id": self.user_id, "source": self.source[:60]})


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


def _folded(h: Any) -> dict[str, dict[str, Any]]:
    """A new household's new members and year, named in its own history row."""
    out = {}
    if h.members:
        out["members"] = {"label": "家庭成员", "old": "", "new": "、".join(h.members)}
    if h.year is not None:
        out["householdyear"] = {"label": "年度收支", "old": "", "new": f"{h.year} 年"}
    return out


def _created_entry(key: str, shown: str) -> dict[str, Any]:
    return {"label": LABELS[key], "old": "", "new": shown}


def _fill(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    """Every update row carries every updated column (its own unchanged values where needed)."""
    missing = [c for c in columns if any(c not in r for r in rows)]
    if missing:
        raise KeyError(f"update rows lack columns {missing}")
    return rows
