"""fangpin import_households / export_households."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.registry.models import Household
from tests.conftest import OTHER_COUNTY_VILLAGE
from tests.ledger.helpers import household, xlsx

pytestmark = pytest.mark.django_db


def test_dry_run_then_import_from_the_command_line(tmp_path, users, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx(household("H1") + household("H2")))
    call_command("import_households", str(path), "--dry-run", "--region", "130633")
    assert "校验通过" in capsys.readouterr().out and not Household.objects.exists()
    call_command("import_households", str(path), "--user", "township")
    assert Household.objects.count() == 2
    event = AuditEvent.objects.filter(action="ledger.import").get()
    assert event.username == "township" and event.detail["counts"]["households"]["created"] == 2


def test_errors_fail_the_command_and_write_the_report(tmp_path, users, capsys):
    path, report = tmp_path / "a.xlsx", tmp_path / "errors.xlsx"
    path.write_bytes(xlsx(household("H1", OTHER_COUNTY_VILLAGE)))
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("import_households", str(path), "--user", "county", "--report", str(report))
    assert "第 2 行 【村代码】" in capsys.readouterr().err
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "错误说明" and len(rows) == 3 and not Household.objects.exists()


def test_scope_must_be_given_and_inside_the_users_region(tmp_path, users):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx(household("H1")))
    with pytest.raises(CommandError, match="--region"):
        call_command("import_households", str(path))
    with pytest.raises(CommandError, match="不在用户 village 的管辖范围内"):
        call_command("import_households", str(path), "--user", "village", "--region", "130633")


def test_export_command_writes_masked_ledger(tmp_path, users, make_household):
    make_household(hh_no="E1")
    out = tmp_path / "out.xlsx"
    call_command("export_households", str(out), "--region", "130633", "--type", "脱贫户")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert len(rows) == 3 and rows[1][0] == "E1" and "********" in rows[1][rows[0].index("身份证号")]
    assert AuditEvent.objects.get(action="ledger.export").username.startswith("system:")
