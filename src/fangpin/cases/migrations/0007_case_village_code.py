"""Cases carry their household's village code, kept by the database.

Region counts of cases (the pipeline, the national export) used to join a county's 43,000 households to
every case of the province: 20–45 ms per county view on the province registry (docs/load.md). With the
code on the case they read that county's cases by an index range. Triggers keep it right whatever writes
the rows — the ORM, the ledger import's bulk UPDATE of households, raw SQL: a case takes its household's
village when it is written, and follows the household when its village changes.
"""

from django.db import migrations, models

POSTGRES = [
    """CREATE OR REPLACE FUNCTION case_village_code() RETURNS trigger AS $$
    BEGIN
        SELECT village_id INTO NEW.village_code FROM registry_household WHERE id = NEW.household_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER case_village_code BEFORE INSERT OR UPDATE OF household_id, village_code ON cases_case
    FOR EACH ROW EXECUTE FUNCTION case_village_code()""",
    """CREATE OR REPLACE FUNCTION household_village_to_cases() RETURNS trigger AS $$
    BEGIN
        UPDATE cases_case SET village_code = NEW.village_id WHERE household_id = NEW.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER household_village_to_cases AFTER UPDATE OF village_id ON registry_household
    FOR EACH ROW WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id)
    EXECUTE FUNCTION household_village_to_cases()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS household_village_to_cases ON registry_household",
    "DROP FUNCTION IF EXISTS household_village_to_cases()",
    "DROP TRIGGER IF EXISTS case_village_code ON cases_case",
    "DROP FUNCTION IF EXISTS case_village_code()",
]
# SQLite cannot assign NEW in a BEFORE trigger: the row is corrected right after it is written.
SQLITE = [
    """CREATE TRIGGER case_village_code_insert AFTER INSERT ON cases_case
    BEGIN
        UPDATE cases_case SET village_code = (SELECT village_id FROM registry_household WHERE id = NEW.household_id)
         WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER case_village_code_update AFTER UPDATE OF household_id, village_code ON cases_case
    WHEN NEW.village_code IS NOT (SELECT village_id FROM registry_household WHERE id = NEW.household_id)
    BEGIN
        UPDATE cases_case SET village_code = (SELECT village_id FROM registry_household WHERE id = NEW.household_id)
         WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER household_village_to_cases AFTER UPDATE OF village_id ON registry_household
    WHEN OLD.village_id IS NOT NEW.village_id
    BEGIN UPDATE cases_case SET village_code = NEW.village_id WHERE household_id = NEW.id; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS household_village_to_cases",
    "DROP TRIGGER IF EXISTS case_village_code_update",
    "DROP TRIGGER IF EXISTS case_village_code_insert",
]
BACKFILL = ("UPDATE cases_case SET village_code = "
            "(SELECT village_id FROM registry_household WHERE registry_household.id = cases_case.household_id)")


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"no village-code triggers for {schema_editor.connection.vendor}")
    schema_editor.execute(BACKFILL)
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_visit_photo"),
        ("registry", "0003_leaner_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="village_code",
            field=models.CharField(default="", editable=False, max_length=12, verbose_name="所在村代码"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["village_code"], name="case_village_idx"),
        ),
    ]
