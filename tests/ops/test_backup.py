"""Backup under load, restore into a fresh database, compare counts and the audit chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import shutil
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from fangpin.audit.services import record_system_event, verify_chain
from fangpin.ops import backup
from fangpin.regions.models import Region


def _pg_url(name: str) -> str:
    sd = connection.settings_dict
    auth = sd["USER"] + (f":{sd['PASSWORD']}" if sd.get("PASSWORD") else "")
    return f"postgres://{auth}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    sd = connection.settings_dict
    params = {k: v for k, v in {"dbname": "postgres", "user": sd["USER"], "password": sd.get("PASSWORD"),
                                "host": sd.get("HOST"), "port": sd.get("PORT")}.items() if v}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture
def fresh_target(tmp_path):
    """(URL of an empty database, cleanup): a new file on SQLite, a new database on PostgreSQL."""
    if connection.vendor == "sqlite":
        yield f"sqlite://{tmp_path / 'restored.sqlite3'}"
        return
    name = "test_secdata_restore"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory, django_db_blocker):
    """A migrated SQLite file, made once per module and copied per test."""
    path = tmp_path_factory.mktemp("secdata") / "migrated.sqlite3"
    with django_db_blocker.unblock(), backup.database_alias(f"sqlite://{path}", alias="secdata_migrate") as alias:
        call_command("migrate", database=alias, verbosity=0)
    return path


@pytest.fixture
def source(tmp_path, request):
    """The database to back up: on SQLite a migrated file (the in-memory test database is one connection,
    so no second thread could write to it); on PostgreSQL the test database itself."""
    if connection.vendor == "postgresql":
        yield "default", None
        return
    copy = tmp_path / "source.sqlite3"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), copy)
    url = f"sqlite://{copy}"
    with backup.database_alias(url, alias="secdata_source") as alias:
        yield alias, url


def _writer(alias: str, url: str | None, stop: threading.Event, written: list[int],
            errors: list[BaseException]) -> None:
    """One region and one audit row per transaction, until told to stop."""
    if url is not None:
        backup.attach_database(url, alias)  # a private connection is per thread
    try:
        n = 0
        while not stop.is_set() and n < 2000:
            with transaction.atomic(using=alias):
                Region.objects.using(alias).create(code=f"99{n:04d}", name=f"负载县{n}", level=3)
                record_system_event("test.load", summary=f"写入 {n}", using=alias)
            n += 1
            written[0] = n
    except BaseException as exc:  # noqa: BLE001 — reported by the main thread
        errors.append(exc)
    finally:
        if url is not None:
            backup.detach_database(alias)
        connections.close_all()


def _wait_for(written: list[int], n: int) -> None:
    deadline = time.monotonic() + 60
    while written[0] < n:
        assert time.monotonic() < deadline, f"writer stuck at {written[0]}"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_backup_under_load_restores_into_a_fresh_database_with_the_same_counts_and_chain(
        tmp_path, source, fresh_target):
    source, url = source
    for n in range(5):
        record_system_event("test.before", summary=f"备份前 {n}", using=source)
    base = backup.db_state(source)["tables"]
    stop, written, errors = threading.Event(), [0], []
    thread = threading.Thread(target=_writer, args=(source, url, stop, written, errors))
    thread.start()
    try:
        _wait_for(written, 20)
        out = tmp_path / "fangpin.backup"
        manifest = backup.backup(out, alias=source)
        at_backup = written[0]
        _wait_for(written, at_backup + 20)  # the load goes on after the snapshot
    finally:
        stop.set()
        thread.join()
    assert errors == []
    final = backup.db_state(source)["tables"]

    # the snapshot is one consistent state: each writer transaction added one region and one audit row
    added_regions = manifest.tables["regions_region"] - base["regions_region"]
    added_events = manifest.tables["audit_auditevent"] - base["audit_auditevent"]
    assert added_regions == added_events >= 20
    assert final["audit_auditevent"] > manifest.tables["audit_auditevent"]  # written under load, after it
    assert manifest.audit["last_seq"] == manifest.tables["audit_auditevent"]
    assert manifest.sha256 == backup.sha256_of(out) and manifest.vendor == connection.vendor

    out_text = io.StringIO()
    call_command("restore", str(out), "--database", fresh_target, "--verify", stdout=out_text)
    assert "恢复校验通过" in out_text.getvalue()
    with backup.database_alias(fresh_target, alias="secdata_check") as alias:
        restored = backup.db_state(alias)
        # the restore's own audit row is the only addition
        assert restored["tables"]["audit_auditevent"] == manifest.tables["audit_auditevent"] + 1
        assert {t: c for t, c in restored["tables"].items() if t not in ("audit_auditevent", "audit_chainhead")} == \
            {t: c for t, c in manifest.tables.items() if t not in ("audit_auditevent", "audit_chainhead")}
        report = verify_chain(using=alias)
        assert report.ok and report.checked == manifest.audit["last_seq"] + 1
        # a second restore into the now non-empty database is refused
        with pytest.raises(backup.BackupError, match="不是空库"):
            backup.restore(out, alias)


@pytest.mark.django_db(transaction=True)
def test_a_changed_file_or_a_changed_database_is_caught(tmp_path, source, fresh_target):
    source, _ = source
    record_system_event("test.before", summary="备份前", using=source)
    out = tmp_path / "fangpin.backup"
    manifest = backup.backup(out, alias=source)
    data = bytearray(out.read_bytes())
    damaged = tmp_path / "damaged.backup"
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    backup.manifest_path(damaged).write_text(backup.manifest_path(out).read_text())
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(damaged), "--database", fresh_target)
    with backup.database_alias(fresh_target, alias="secdata_check") as alias:
        backup.restore(out, alias)
        assert backup.verify(manifest, alias).ok
        Region.objects.using(alias).create(code="990001", name="多出的县", level=3)
        problems = backup.verify(manifest, alias).problems
    want = manifest.tables["regions_region"]
    assert problems == [f"表 regions_region 行数 {want + 1}，备份清单为 {want}"]
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(out))


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_verifies_and_is_audited(tmp_path):
    from fangpin.audit.models import AuditEvent

    record_system_event("test.before", summary="备份前")
    out = tmp_path / "fangpin.backup"
    text = io.StringIO()
    call_command("backup", str(out), "--verify", stdout=text)
    assert "备份校验通过" in text.getvalue()
    manifest = backup.Manifest.read(out)
    assert manifest.audit["last_seq"] == 1 and manifest.tables["audit_auditevent"] == 1
    event = AuditEvent.objects.get(action="ops.backup")
    assert event.detail["sha256"] == manifest.sha256 and event.seq == 2
