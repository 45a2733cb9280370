"""`fangpin demo_screening`: department files through the real upload, then a screening with warnings."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command

from fangpin.alerts.models import ScreeningRun, Warning
from fangpin.cases.models import PolicyVersion
from fangpin.datasets.models import Dataset, Record


def test_demo_department_data_and_first_screening(yixian):
    call_command("demo_data", county="130633", seed=3, scale=0.05, stdout=io.StringIO())
    call_command("demo_users", county="130633", stdout=io.StringIO())
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1), version="13-2026-1",
                                 monitoring_line=Decimal("7300"))
    from fangpin.demo.screening import do_demo_screening

    result = do_demo_screening("130633", today=dt.date(2026, 11, 23))
    assert result.period == "2026-10" and result.datasets == 4 == Dataset.objects.count()
    assert Dataset.objects.get(kind="medical_insurance").uploaded_by.username == "department"
    assert Record.objects.count() == sum(d.rows_matched for d in Dataset.objects.all()) > 0
    run = ScreeningRun.objects.get()
    assert run.status == "done" and result.warnings == Warning.objects.count() > 0
    assert Warning.objects.filter(rule="rigid_over_income").exists()  # the large hospital bills
    out = io.StringIO()
    call_command("demo_screening", county="130633", if_empty=True, stdout=out)
    assert "跳过" in out.getvalue() and Dataset.objects.count() == 4
