"""Open cases by household, with the columns the region counts read (PostgreSQL only).

The pipeline, queue and follow-up counts join open cases to the households of a region. With this index
they read no case rows: a township's pipeline was a hash join over every open case of the province
(15–20 ms under load), now a nested loop of index-only probes (≈ 1 ms); a county's 40 → 20 ms
(docs/load.md). SQLite has no covering indexes and its databases are county-sized; the unique partial
index ``one_open_case_per_household`` serves it.
"""

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS case_open_by_household ON cases_case (household_id) "
          "INCLUDE (id, state, step_due) WHERE closed_at IS NULL")
DROP = "DROP INDEX IF EXISTS case_open_by_household"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_visit_photo")]
    operations = [migrations.RunPython(forwards, backwards)]
