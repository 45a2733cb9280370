"""The audit log's database triggers as they stand now (migration 0005 installs them).

Rows can never be updated. They can be deleted only by the retention purge
(``fangpin purge_audit``), and only when older than ``MIN_RETENTION_DAYS`` by the database's own
clock, whatever the application asks:

- SQLite: the delete trigger fires unless the one row of ``audit_purgegate`` is open, which the
  purge does inside its transaction (other connections never see it open: SQLite has one writer).
- PostgreSQL: the trigger function lets a DELETE through only when the transaction-local setting
  ``fangpin.audit_purge`` is ``on`` (``SET LOCAL`` by the purge); TRUNCATE is always refused. On
  top of that the application's own role has no UPDATE/DELETE/TRUNCATE on the table at all
  (``fangpin pg_roles``), so only the owner role can purge.

Tests that flush the database drop and re-create the triggers around the flush: use ``SQLITE_DROP``/
``SQLITE`` and ``POSTGRES_TRUNCATE_DROP``/``POSTGRES_TRUNCATE`` from here (the PostgreSQL row trigger
and its function are not touched by a flush).
"""

MIN_RETENTION_DAYS = 183
PURGE_SETTING = "fangpin.audit_purge"

SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purgegate WHERE id = 1 AND is_open = 1)
         OR OLD.ts > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MIN_RETENTION_DAYS} days')
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",  # noqa: S608 (a constant)
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]

POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
     AND coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on'
     AND OLD.ts < now() - interval '{MIN_RETENTION_DAYS} days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit log is append-only';
END; $$ LANGUAGE plpgsql;"""

POSTGRES_FUNCTION_0002 = """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;"""

POSTGRES_TRUNCATE = [
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();""",
]
POSTGRES_TRUNCATE_DROP = ["DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;"]


def install(connection) -> None:
    """(Re)create the current triggers on ``connection`` (migration 0005; tests after a flush)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in [*SQLITE_DROP, *SQLITE]:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for sql in [*POSTGRES_TRUNCATE_DROP, *POSTGRES_TRUNCATE]:
                cursor.execute(sql)
