"""Ledger pages: upload → job page (polls progress) → result or error report; template; export."""

from __future__ import annotations

import io
import os
import tempfile

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import get_scoped_or_404, in_scope, require, scoped
from fangpin.audit.services import record
from fangpin.core import ledger as L
from fangpin.ledger import files, services
from fangpin.ledger.forms import ExportForm, UploadForm
from fangpin.ledger.models import ImportJob
from fangpin.ledger.workbook import write_error_report, write_template
from fangpin.regions.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCREEN_ERRORS = 100


def _jobs(request):
    return scoped(ImportJob.objects.select_related("user"), request.user, "region__code")


@require_http_methods(["GET", "POST"])
@require("import_ledger")
def import_page(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.do_submit_import(request, upload.read(), upload.name, form.cleaned_data["mode"] == "check")
        return redirect("ledger:job", pk=job.pk)
    recent = _jobs(request)[:10]
    return render(request, "ledger/import.html", {"form": form, "recent": recent})


def _job_context(job: ImportJob) -> dict:
    return {"job": job, "errors": job.errors[:SCREEN_ERRORS], "more_errors": max(job.error_count - SCREEN_ERRORS, 0),
            "counts": _counts_table(job.counts), "stale": _stale(job)}


def _counts_table(counts: dict) -> list[tuple[str, dict]]:
    return [(label, counts[kind]) for kind, label in (("households", "户"), ("members", "成员"), ("years", "年度收支"))
            if kind in counts]


def _stale(job: ImportJob) -> bool:
    """A job without progress for 10 minutes died with its process (a restart, say)."""
    beat = job.heartbeat or job.created_at
    return not job.finished and (timezone.now() - beat).total_seconds() > 600


@require("import_ledger")
def job_detail(request, pk: int):
    job = get_scoped_or_404(_jobs(request), request.user, "region__code", pk=pk)
    return render(request, "ledger/job.html", _job_context(job))


@require("import_ledger")
def job_status(request, pk: int):
    job = get_scoped_or_404(_jobs(request), request.user, "region__code", pk=pk)
    return render(request, "ledger/_job_status.html", _job_context(job))


@require_http_methods(["GET", "POST"])
@require("import_ledger")
def job_confirm(request, pk: int):
    job = get_scoped_or_404(_jobs(request), request.user, "region__code", pk=pk)
    if request.method != "POST" or not job.can_confirm:
        return redirect("ledger:job", pk=job.pk)
    new = services.do_confirm_import(request, job)
    return redirect("ledger:job", pk=new.pk)


@require("import_ledger")
def job_report(request, pk: int):
    job = get_scoped_or_404(_jobs(request), request.user, "region__code", pk=pk)
    data = files.load(job.pk)
    original = None
    if data is not None:
        try:
            original = files.iter_rows(data, job.filename)[1]
        except files.LedgerFileError:
            original = None
    out = io.BytesIO()
    write_error_report(out, job.errors, original)
    record(request, "ledger.report", obj=job, summary=f"下载导入错误报告（{job.error_count} 处错误）")
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"错误报告-{job.pk}.xlsx", content_type=XLSX)


@require("import_ledger")
def template_download(request):
    out = io.BytesIO()
    write_template(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="农户台账导入模板.xlsx", content_type=XLSX)


@require("export_ledger")
def export_page(request):
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        code = form.cleaned_data["region"] or request.user.scope_code
        if in_scope(request.user, code) and Region.objects.filter(code=code).exists():
            response = redirect("ledger:export_file", code=code)
            hh_type = form.cleaned_data["hh_type"]
            if hh_type:
                response["Location"] += f"?type={hh_type}"
            return response
        form.add_error("region", "该区划不存在或不在您的管辖范围内")
    return render(request, "ledger/export.html", {"form": form})


@require("export_ledger")
def export_download(request, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None or not in_scope(request.user, code):
        raise Http404("区划不存在或不在您的管辖范围内")
    hh_type = request.GET.get("type", "")
    if hh_type and hh_type not in L.BY_KEY["hh_type"].codes.values():
        raise Http404("户类型不存在")
    # constant_memory needs a real file: big exports never sit in memory whole.
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        services.do_export_ledger(request, path, region_code=code, hh_type=hh_type)
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    finally:
        os.unlink(path)  # the open handle keeps the data readable until the response is sent
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(handle, as_attachment=True, filename=f"农户台账-{region.name}-{stamp}.xlsx", content_type=XLSX)
