"""Ledgers and the monthly report: the right households and measures, formatted, scoped and audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.plans import services as plans
from fangpin.plans.models import FollowUp
from fangpin.reports import services
from fangpin.reports.services import ReportError
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


def _sheet(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def test_monitoring_ledger_lists_monitored_households_with_their_assistance(make_case, users, client):
    own = make_case(OWN_VILLAGE)
    make_case(SIBLING_VILLAGE)
    make_case(OTHER_TOWNSHIP_VILLAGE)
    make_case(OWN_VILLAGE, state="verifying")  # still in the procedure: not a monitoring object
    plans.do_save_plan(users["village"], own.pk, helper_name="王帮扶")
    m = plans.do_add_measure(users["village"], own.pk, code="public_post", detail="护林员", amount=Decimal("3000"))
    plans.do_add_measure(users["village"], own.pk, code="skills_training")
    plans.do_complete_measure(users["village"], m.pk, result="已上岗")
    FollowUp.objects.create(case=own, visit_date=dt.date(2026, 10, 5), visitor=users["village"],
                            income_12m=Decimal("30000"), persons=2, per_capita=Decimal("15000"))
    client.force_login(users["township"])
    response = client.get(reverse("reports:ledger", args=["130633100", "monitoring"]))
    assert response.status_code == 200
    rows = _sheet(response.content)
    assert rows[0][0] == "易州镇防止返贫监测对象台账"
    assert rows[1][0].startswith("填报单位：河北省保定市") or rows[1][0].startswith("填报单位：保定市")
    assert rows[2][1] == "所在地" and rows[3][1] == "乡镇" and rows[2][0] == "序号"  # merged group headers
    data = [r for r in rows[4:] if isinstance(r[0], float | int) and r[0] >= 1]
    assert len(data) == 2  # the township's two monitored households, not the other township's
    mine = next(r for r in data if r[3] == own.household.hh_no)
    assert mine[11] == "王帮扶" and mine[12] == 2 and mine[13] == 1 and mine[15] == 15000
    assert "*" in mine[5] and len(mine[5]) == 18  # masked ID only
    assert any("填报人" in str(c) for r in rows[-2:] for c in r)
    assert AuditEvent.objects.filter(action="report.ledger", region_code="130633100").exists()


def test_measure_ledger_and_period_filter(make_case, users):
    case = make_case(OWN_VILLAGE)
    plans.do_add_measure(users["village"], case.pk, code="medical_aid", start_date=dt.date(2026, 3, 1))
    x = plans.do_add_measure(users["village"], case.pk, code="skills_training")
    plans.do_cancel_measure(users["village"], x.pk, reason="重复")
    region = services.region_for(users["county"], "130633")
    rows = services.measure_rows(region)
    assert [r[6] for r in rows] == ["医疗救助"]  # cancelled ones are left out
    assert services.measure_rows(region, dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == []


def test_monthly_report_figures_charts_and_pdf(make_case, users, client):
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    make_case(OWN_VILLAGE, effective_date=today.replace(day=1))
    make_case(OWN_VILLAGE, effective_date=dt.date(2025, 1, 5))
    report = services.monthly_report(services.region_for(users["county"], "130633"), month, today)
    figures = {f.label: f.value for f in report.figures}
    assert figures["监测对象（户）"] == 2 and figures["本月新纳入（户）"] == 1
    assert report.charts and all(c["svg"].startswith("<svg") for c in report.charts)
    with pytest.raises(ReportError, match="尚未开始"):
        services.monthly_report(report.region, f"{today.year + 1}-01", today)
    client.force_login(users["county"])
    page = client.get(reverse("reports:monthly", args=["130633", month]))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    pdf = client.get(reverse("reports:monthly_pdf", args=["130633", month]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.monthly").count() == 2


def test_regions_outside_the_scope_are_404(users, client):
    client.force_login(users["village"])
    assert client.get(reverse("reports:ledger", args=[SIBLING_VILLAGE, "monitoring"])).status_code == 404
    assert client.get(reverse("reports:ledger", args=[OWN_VILLAGE, "nope"])).status_code == 404
    assert client.get(reverse("reports:index")).status_code == 200
    client.force_login(users["department"])
    assert client.get(reverse("reports:index")).status_code == 403
