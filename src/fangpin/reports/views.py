"""Report pages: choose a region and month; download the ledgers; read or print the monthly report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from fangpin.accounts.access import require
from fangpin.cases.notice_services import PdfUnavailable, content_disposition, render_pdf
from fangpin.reports import services
from fangpin.reports.forms import ReportForm
from fangpin.reports.services import ReportError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_CSS = Path(__file__).resolve().parent / "static" / "reports" / "print.css"
LEDGERS = {"monitoring": "监测对象台账", "measures": "帮扶措施台账"}


def today() -> dt.date:
    return timezone.localdate()


@require("view_dashboard")
def index(request):
    form = ReportForm(request.GET or None, user=request.user, today=today())
    if request.GET and form.is_valid():
        code, month = form.cleaned_data["region"], form.cleaned_data["month"]
        return redirect("reports:monthly", code=code, month=month)
    region = services.region_for(request.user, None)
    return render(request, "reports/index.html", {"form": form, "region": region, "ledgers": LEDGERS,
                                                  "month": f"{today():%Y-%m}"})


@require("view_dashboard")
def ledger(request, code: str, kind: str):
    if kind not in LEDGERS:
        raise Http404("没有这种台账")
    region = services.region_for(request.user, code)
    data, name = services.do_export_ledger(request, kind, region, today())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(name, f"{kind}.xlsx")
    return response


def _report(request, code: str, month: str):
    region = services.region_for(request.user, code)
    return services.monthly_report(region, month, today())


@require("view_dashboard")
def monthly(request, code: str, month: str):
    try:
        report = _report(request, code, month)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:index")
    services.audit_report(request, report, "html")
    return render(request, "reports/monthly.html", {"report": report, "ledgers": LEDGERS})


@require("view_dashboard")
def monthly_pdf(request, code: str, month: str):
    try:
        report = _report(request, code, month)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:index")
    html = render_to_string("reports/monthly_print.html", {"report": report}, request=request)
    try:
        pdf = render_pdf(html, str(PRINT_CSS))
    except PdfUnavailable:
        messages.error(request, "服务器未安装 PDF 组件（pango），请用浏览器打印本页")
        return redirect("reports:monthly", code=code, month=month)
    services.audit_report(request, report, "pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{report.region.name}{month}月度报告.pdf",
                                                          f"monthly-{code}-{month}.pdf")
    return response
