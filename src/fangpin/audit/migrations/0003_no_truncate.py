"""PostgreSQL: TRUNCATE skips row triggers, so refuse it with a statement trigger too.

(SQLite has no TRUNCATE; its ``DELETE FROM`` without WHERE still fires the row trigger.)
"""

from django.db import migrations

POSTGRES = [
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();""",
]
POSTGRES_REVERSE = ["DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
