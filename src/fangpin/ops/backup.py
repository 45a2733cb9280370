"""Backup and restore of the whole database, with a manifest that lets a restore prove itself.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while the
application keeps writing. PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the row
counts and the audit chain head are read in that transaction and ``pg_dump -Fc --snapshot`` dumps
exactly the same state; ``pg_restore --single-transaction`` restores all or nothing.

The manifest (``OUT.manifest.json``) holds the file's SHA-256, the row count of every table and the
audit chain head. ``verify`` compares a database (normally the restored one) with it: same tables, same
counts, an intact audit chain ending at the recorded head.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

from fangpin.audit.services import verify_chain

FORMAT = "fangpin-backup/1"
PG_BINARIES = ("pg_dump", "pg_restore")


class BackupError(RuntimeError):
    """Refused or failed (the message is for the operator)."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading counts and the chain head through any DB-API cursor -----------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _head(cursor) -> dict[str, object]:
    cursor.execute("SELECT last_seq, last_hash, anchor_seq, anchor_hash FROM audit_chainhead WHERE id = 1")
    row = cursor.fetchone()
    if row is None:
        return {"last_seq": 0, "last_hash": "0" * 64, "anchor_seq": 0, "anchor_hash": "0" * 64}
    return {"last_seq": int(row[0]), "last_hash": row[1], "anchor_seq": int(row[2]), "anchor_hash": row[3]}


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cursor.fetchall()]


def db_state(alias: str = "default") -> dict[str, object]:
    """Row counts of every table and the audit chain head of a Django database."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        tables = _sqlite_tables(cursor) if conn.vendor == "sqlite" else _pg_tables(cursor)
        return {"tables": _counts(cursor, tables), "audit": _head(cursor)}


# --- backup ----------------------------------------------------------------------------------------


@dataclass
class Manifest:
    vendor: str
    file: str
    sha256: str
    size: int
    created: str
    tables: dict[str, int]
    audit: dict[str, object]
    format: str = FORMAT

    def write(self, path: Path) -> Path:
        target = manifest_path(path)
        target.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        return target

    @classmethod
    def read(cls, path: Path) -> Manifest:
        source = manifest_path(path)
        if not source.exists():
            raise BackupError(f"找不到备份清单 {source}")
        data = json.loads(source.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise BackupError(f"{source} 不是本系统的备份清单（格式 {data.get('format')!r}）")
        return cls(**data)


def backup(out: Path, alias: str = "default") -> Manifest:
    conn = connections[alias]
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} 已存在，不覆盖已有的备份")
    out.parent.mkdir(parents=True, exist_ok=True)
    if conn.vendor == "sqlite":
        state = _backup_sqlite(conn, out)
    elif conn.vendor == "postgresql":
        state = _backup_postgres(conn, out)
    else:
        raise BackupError(f"不支持的数据库：{conn.vendor}")
    manifest = Manifest(vendor=conn.vendor, file=out.name, sha256=sha256_of(out), size=out.stat().st_size,
                        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **state)
    manifest.write(out)
    return manifest


def _sqlite_source(conn) -> tuple[sqlite3.Connection, bool]:
    """A connection to read the snapshot from: a separate read-only one for a file database; the Django
    connection itself for an in-memory one (tests)."""
    name = str(conn.settings_dict["NAME"])
    if conn.is_in_memory_db():
        conn.ensure_connection()
        return conn.connection, False
    return sqlite3.connect(Path(name).absolute().as_uri() + "?mode=ro", uri=True, timeout=30), True


def _backup_sqlite(conn, out: Path) -> dict[str, object]:
    source, own = _sqlite_source(conn)
    partial = out.with_name(out.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # one step: a consistent snapshot (retries while a writer holds the lock)
        cursor = target.cursor()
        state = {"tables": _counts(cursor, _sqlite_tables(cursor)), "audit": _head(cursor)}
    finally:
        target.close()
        if own:
            source.close()
    os.replace(partial, out)
    return state


def _pg_conninfo(settings_dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", str(settings_dict["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _need_binaries() -> None:
    missing = [b for b in PG_BINARIES if shutil.which(b) is None]
    if missing:
        raise BackupError(f"找不到 {'、'.join(missing)}：请安装与服务器版本相同或更新的 PostgreSQL 客户端")


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[:2000]}")


def _backup_postgres(conn, out: Path) -> dict[str, object]:
    import psycopg

    _need_binaries()
    sd = conn.settings_dict
    params = {k: v for k, v in {"dbname": sd["NAME"], "user": sd.get("USER"), "password": sd.get("PASSWORD"),
                                "host": sd.get("HOST"), "port": sd.get("PORT")}.items() if v}
    partial = out.with_name(out.name + ".partial")
    with psycopg.connect(**params) as snap:
        snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snap.read_only = True
        with snap.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = {"tables": _counts(cursor, _pg_tables(cursor)), "audit": _head(cursor)}
            args, env = _pg_conninfo(conn.settings_dict)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                  "--file", str(partial), *args], env)
        snap.rollback()
    os.replace(partial, out)
    return state


# --- restore and verify ----------------------------------------------------------------------------


@dataclass
class VerifyReport:
    checked_tables: int = 0
    audit_rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(manifest: Manifest, alias: str) -> VerifyReport:
    """Compare a database with the manifest: every table and its row count, then the audit chain."""
    state = db_state(alias)
    report = VerifyReport(checked_tables=len(state["tables"]))
    expected, actual = manifest.tables, state["tables"]
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            report.problems.append(f"缺少表 {table}")
        elif table not in expected:
            report.problems.append(f"多出表 {table}（备份中没有）")
        elif expected[table] != actual[table]:
            report.problems.append(f"表 {table} 行数 {actual[table]}，备份清单为 {expected[table]}")
    if state["audit"] != manifest.audit:
        report.problems.append(f"审计链头 {state['audit']} 与备份清单 {manifest.audit} 不符")
    chain = verify_chain(using=alias)
    report.audit_rows = chain.checked
    report.problems.extend(f"审计哈希链：{p}" for p in chain.problems)
    return report


def check_file(path: Path) -> Manifest:
    manifest = Manifest.read(path)
    if not path.exists():
        raise BackupError(f"找不到备份文件 {path}")
    digest = sha256_of(path)
    if digest != manifest.sha256:
        raise BackupError(f"备份文件校验和不符：{digest}，清单为 {manifest.sha256}（文件损坏或被改动）")
    return manifest


def restore(path: Path, alias: str) -> Manifest:
    """Restore a checked backup into the (empty) database of ``alias``."""
    path = Path(path)
    manifest = check_file(path)
    conn = connections[alias]
    if conn.vendor != manifest.vendor:
        raise BackupError(f"备份来自 {manifest.vendor}，不能恢复到 {conn.vendor}")
    with conn.cursor() as cursor:
        existing = _sqlite_tables(cursor) if conn.vendor == "sqlite" else _pg_tables(cursor)
    if existing:
        raise BackupError(f"目标数据库不是空库（已有 {len(existing)} 张表）：请恢复到新建的空数据库")
    if conn.vendor == "sqlite":
        _restore_sqlite(conn, path)
    else:
        _restore_postgres(conn, path)
    return manifest


def _restore_sqlite(conn, path: Path) -> None:
    conn.ensure_connection()
    source = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        source.backup(conn.connection)
    finally:
        source.close()


def _restore_postgres(conn, path: Path) -> None:
    _need_binaries()
    conn.close()
    args, env = _pg_conninfo(conn.settings_dict)
    _run(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", *args,
          str(path)], env)


# --- a second database from a URL (restore --database URL) ------------------------------------------


def attach_database(url: str, alias: str):
    """Open ``url`` as a connection named ``alias`` in this thread only, without adding it to the
    project's DATABASES (``connections[alias]``, ``.using(alias)`` and ``atomic(using=alias)`` work)."""
    from django.db.utils import load_backend

    from fangpin.envreaders import database_from_url

    config = database_from_url(url)
    config.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    config = connections.configure_settings({"default": dict(config), alias: config})[alias]
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    setattr(connections._connections, alias, wrapper)
    return wrapper


def detach_database(alias: str) -> None:
    wrapper = getattr(connections._connections, alias, None)
    if wrapper is not None:
        wrapper.close()
        delattr(connections._connections, alias)


@contextlib.contextmanager
def database_alias(url: str, alias: str = "fangpin_restore_target"):
    """``url`` as the connection ``alias`` of this thread for the duration of the block."""
    attach_database(url, alias)
    try:
        yield alias
    finally:
        detach_database(alias)
