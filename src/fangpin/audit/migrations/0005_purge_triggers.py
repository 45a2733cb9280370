"""The delete triggers let the retention purge through, and only for rows older than 183 days
(see fangpin.audit.triggers). Updates stay refused, TRUNCATE too."""

import importlib

from django.db import migrations

from fangpin.audit import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    old = importlib.import_module("fangpin.audit.migrations.0002_append_only_triggers")
    if schema_editor.connection.vendor == "sqlite":
        for sql in [*old.SQLITE_REVERSE, *old.SQLITE]:
            schema_editor.execute(sql)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(triggers.POSTGRES_FUNCTION_0002)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_purge_anchor")]
    operations = [migrations.RunPython(forwards, backwards)]
