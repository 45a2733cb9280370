"""PostgreSQL: the application role can work normally but cannot UPDATE, DELETE or TRUNCATE the audit log."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from fangpin.audit.models import AuditEvent
from fangpin.audit.services import record_system_event, verify_chain
from fangpin.ops import backup
from fangpin.ops.pgroles import app_role_sql

ROLE = "test_secdata_app"


def test_the_sql_keeps_the_audit_table_append_only():
    sql = "\n".join(app_role_sql("fangpin_app", "fangpin"))
    assert 'GRANT SELECT, INSERT ON "public".audit_auditevent TO "fangpin_app";' in sql
    assert 'GRANT UPDATE (last_seq, last_hash, prev_hash) ON "public".audit_chainhead TO "fangpin_app";' in sql
    assert "NOSUPERUSER" in sql and "PASSWORD" not in sql
    with_password = app_role_sql("o'brien", "fangpin", password="p'w")
    assert "CREATE ROLE \"o'brien\"" in with_password[0] and "PASSWORD 'p''w'" in with_password[1]


@pytest.fixture
def app_role():
    yield ROLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_change_the_audit_log(app_role, regions, monkeypatch):
    import psycopg
    from psycopg import errors

    record_system_event("test.before", summary="设置角色之前")
    monkeypatch.setenv("SECDATA_PW", "app-secret-1")
    out = io.StringIO()
    call_command("pg_roles", "--app-role", app_role, "--password-env", "SECDATA_PW", stdout=out)
    assert "审计日志只能追加" in out.getvalue()
    sd = connection.settings_dict
    url = f"postgres://{app_role}:app-secret-1@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{sd['NAME']}"

    # the application, connected as that role, works: reads, writes business tables, appends audit rows
    with backup.database_alias(url, alias="secdata_app") as alias:
        from fangpin.regions.models import Region

        Region.objects.using(alias).filter(code="130633").update(name="易县（改）")
        record_system_event("test.as_app", summary="以应用角色追加", using=alias)
        assert verify_chain(using=alias).ok

    params = {"dbname": sd["NAME"], "user": app_role, "password": "app-secret-1", "host": sd["HOST"] or "127.0.0.1",
              "port": sd["PORT"] or 5432}
    refused = [
        "UPDATE audit_auditevent SET summary = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "UPDATE audit_chainhead SET anchor_seq = 1, anchor_hash = 'x'",
        "DELETE FROM audit_chainhead",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
        "CREATE TABLE sneaky (id int)",
    ]
    for sql in refused:
        with psycopg.connect(**params) as app, pytest.raises(errors.InsufficientPrivilege):
            # even with the purge door opened in the session
            app.execute("SELECT set_config('fangpin.audit_purge', 'on', true)")
            app.execute(sql)
    assert AuditEvent.objects.count() == 3  # before, the pg_roles event, the app's own row
    assert verify_chain().ok
