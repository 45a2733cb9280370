"""National export pages (mounted at /cases/national/): a form, and the file it produces."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.access import in_scope, require
from fangpin.cases import national
from fangpin.core.regions import short_code
from fangpin.regions.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = [("xlsx", "Excel（xlsx，每表一个工作表）"), ("csv", "CSV（zip 压缩包，每表一个 UTF-8 文件）")]


class NationalExportForm(forms.Form):
    region = forms.CharField(label="区划代码", required=False, max_length=12,
                             help_text="留空为本人全部管辖范围；可填乡镇或村的代码（6、9 或 12 位均可）")
    fmt = forms.ChoiceField(label="文件格式", choices=FORMATS, initial="xlsx")
    include_eliminated = forms.BooleanField(label="包含风险已消除户", required=False, initial=True)
    full_ids = forms.BooleanField(label="完整证件号码和电话（报送国家系统用，须有查看完整证件号权限，并经第二人审批）",
                                  required=False)

    def clean_region(self):
        raw = self.cleaned_data["region"].strip()
        if not raw:
            return ""
        try:
            return short_code(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"区划代码“{raw}”无效：{exc}") from None


@require("export_ledger")
def national_page(request):
    form = NationalExportForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        code = data["region"] or request.user.scope_code
        if not (in_scope(request.user, code) and Region.objects.filter(code=code).exists()):
            form.add_error("region", "该区划不存在或不在您的管辖范围内")
        elif data["full_ids"] and not request.user.can("unmask"):
            form.add_error("full_ids", "您没有导出完整证件号码的权限")
        elif data["full_ids"]:
            # full IDs in bulk: a request that a second person approves (fangpin.audit.approvals)
            query = {"region": code, "fmt": data["fmt"], "eliminated": "1" if data["include_eliminated"] else "0"}
            return redirect(reverse("audit:approval_new") + "?" + urlencode(query))
        else:
            query = {"fmt": data["fmt"], "eliminated": "1" if data["include_eliminated"] else "0"}
            return redirect(reverse("cases:national_file", kwargs={"code": code}) + "?" + urlencode(query))
    return render(request, "cases/national.html", {"form": form, "layout": national.LAYOUT,
                                                   "version": national.LAYOUT_VERSION})


@require("export_ledger")
def national_file(request, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None or not in_scope(request.user, code):
        raise Http404("区划不存在或不在您的管辖范围内")
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("文件格式不存在")
    if request.GET.get("full") == "1":
        # the masked export is immediate; full IDs only through an approved request (audit:approval_new)
        raise PermissionDenied("完整证件号码的批量导出须经第二人审批，请在“国家系统报送导出”页勾选后提交申请")
    full_ids = False
    # constant_memory needs a real file: a province's export never sits in memory whole.
    fd, path = tempfile.mkstemp(suffix="." + fmt)
    os.close(fd)
    try:
        if fmt == "xlsx":
            national.do_export_national(request, path, region_code=code, fmt=fmt, full_ids=full_ids,
                                        include_eliminated=request.GET.get("eliminated", "1") == "1")
        else:
            with open(path, "wb") as out:
                national.do_export_national(request, out, region_code=code, fmt=fmt, full_ids=full_ids,
                                            include_eliminated=request.GET.get("eliminated", "1") == "1")
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    finally:
        os.unlink(path)  # the open handle keeps the data readable until the response is sent
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"国家系统报送-{region.name}-{stamp}.{'xlsx' if fmt == 'xlsx' else 'zip'}"
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type=XLSX if fmt == "xlsx" else "application/zip")
