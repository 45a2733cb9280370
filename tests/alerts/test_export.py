"""export_screening_tables: the registry and stored department records as the engine's Parquet input, keyed
by person_key; the engine on those files flags what the screening run stores as warnings."""

from __future__ import annotations

import io
import stat

import ibis
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from fangpin import pii
from fangpin.alerts import services
from fangpin.alerts.models import ScreeningRun, Warning
from fangpin.audit.models import AuditEvent
from fangpin.core.screening import SCHEMAS, id_of_key, person_key
from fangpin.registry.models import Member
from fangpin.screening import run
from fangpin.screening.sample import POLICIES
from fangpin.screening.tables import SCHEMA_OF
from tests.alerts.test_screening import county  # noqa: F401
from tests.conftest import OTHER_TOWNSHIP_VILLAGE


def test_export_is_the_engines_input_and_flags_what_screening_stores(users, county, tmp_path):  # noqa: F811
    out = tmp_path / "export"
    text = io.StringIO()
    call_command("export_screening_tables", region="130633", out=str(out), stdout=text)
    tables = {name: pq.read_table(out / f"{name}.parquet") for name in SCHEMA_OF}
    assert all(tables[name].schema.equals(SCHEMA_OF[name].to_pyarrow()) for name in SCHEMA_OF)
    assert set(tables["households"].column("household_id").to_pylist()) == {county[k].pk for k in "abc"}
    expected = {person_key(pii.decrypt(m.id_cipher))
                for m in Member.objects.filter(household__village__code__startswith="130633", status="active")}
    keys = set(tables["members"].column("person").to_pylist())
    assert keys == expected and len(keys) == 6
    head = pii.decrypt(county["a"].members.get(relation="head").id_cipher)
    medical = tables["medical_insurance"].to_pylist()
    assert len(medical) == 3 and {id_of_key(r["person"]) for r in medical} == {head}  # last year's bill too
    assert all(tables[kind].num_rows == 0 for kind in SCHEMAS if kind != "medical_insurance")
    assert stat.S_IMODE((out / "members.parquet").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "medical_insurance" in text.getvalue() and AuditEvent.objects.filter(action="screening.export").exists()

    con = ibis.duckdb.connect()
    result = run(con, {name: con.read_parquet(out / f"{name}.parquet") for name in SCHEMA_OF}, POLICIES[0],
                 services.period_end("2026-10"))
    screened = services.run_screening(ScreeningRun.objects.create(region_id="130633", period="2026-10").pk)
    assert screened.status == "done"
    assert {(h, code) for h, codes in result.fired.items() for code in codes} == \
        set(Warning.objects.values_list("household_id", "rule"))


def test_the_period_window_and_the_province_layout(users, county, tmp_path):  # noqa: F811
    call_command("export_screening_tables", region="130633", out=str(tmp_path), period="2026-10", hive=True,
                 stdout=io.StringIO())
    medical = pq.read_table(tmp_path / "medical_insurance" / "province=13" / "part-130633.parquet")
    assert medical.num_rows == 2  # only the 12 months ending 2026-10-31
    with pytest.raises(CommandError, match="没有农户"):
        call_command("export_screening_tables", region=OTHER_TOWNSHIP_VILLAGE, out=str(tmp_path / "x"), stdout=io.StringIO())
