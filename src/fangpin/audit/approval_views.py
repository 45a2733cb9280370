"""Pages of the second-person approval of full-ID exports (mounted under /audit/approvals/)."""

from __future__ import annotations

import os
import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin.accounts.access import get_scoped_or_404, in_scope, require
from fangpin.audit import approvals
from fangpin.audit.models import ExportApproval
from fangpin.core.regions import short_code
from fangpin.regions.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RequestForm(forms.Form):
    region = forms.CharField(label="区划代码", max_length=12, help_text="本人管辖范围内的县、乡镇或村的代码")
    fmt = forms.ChoiceField(label="文件格式", choices=ExportApproval.FORMAT_CHOICES, initial="xlsx")
    include_eliminated = forms.BooleanField(label="包含风险已消除户", required=False, initial=True)
    reason = forms.CharField(label="用途说明", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="例如：按省里通知报送全国防返贫监测信息系统（必填，审批人据此判断）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_region(self):
        raw = self.cleaned_data["region"].strip()
        try:
            code = short_code(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"区划代码“{raw}”无效：{exc}") from None
        if not (in_scope(self.user, code) and Region.objects.filter(code=code).exists()):
            raise forms.ValidationError("该区划不存在或不在您的管辖范围内")
        return code

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写用途说明")
        return reason


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "驳回")])
    note = forms.CharField(label="审批意见", max_length=300, required=False)


@require("unmask")
def approval_new(request):
    if not request.user.can("export_ledger"):
        raise PermissionDenied("您的角色无权导出数据")
    if request.method == "POST":
        form = RequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            approval = approvals.do_request_export(request, region_code=data["region"], fmt=data["fmt"],
                                                   include_eliminated=data["include_eliminated"],
                                                   reason=data["reason"])
            messages.success(request, f"已提交申请 #{approval.pk}，请另一名有权限的人员审批，批准后 24 小时内可下载一次")
            return redirect("audit:approval_detail", pk=approval.pk)
    else:
        initial = {"region": request.GET.get("region") or request.user.scope_code,
                   "fmt": request.GET.get("fmt") if request.GET.get("fmt") in ("xlsx", "csv") else "xlsx",
                   "include_eliminated": request.GET.get("eliminated", "1") == "1"}
        form = RequestForm(initial=initial, user=request.user)
    return render(request, "audit/approval_new.html", {"form": form})


@require("unmask")
def approval_list(request):
    now = timezone.now()
    approvals.expire_lapsed(now)
    visible = approvals.visible_approvals(request.user)
    return render(request, "audit/approval_list.html", {
        "pending": approvals.pending_for(request.user, now)[:100],
        "mine": visible.filter(requester=request.user)[:50],
        "recent": visible.exclude(requester=request.user).exclude(status=ExportApproval.REQUESTED)[:50],
    })


def _approval(request, pk: int) -> ExportApproval:
    return get_scoped_or_404(approvals.visible_approvals(request.user), request.user, "region__code", pk=pk)


@require("unmask")
def approval_detail(request, pk: int):
    approvals.expire_lapsed()
    approval = _approval(request, pk)
    return render(request, "audit/approval_detail.html", {
        "approval": approval, "form": DecideForm(),
        "may_decide": approvals.may_approve(request.user, approval) and approval.status == ExportApproval.REQUESTED,
        "may_download": approval.requester_id == request.user.pk and approval.status == ExportApproval.APPROVED,
    })


@require("unmask")
def approval_decide(request, pk: int):
    approval = _approval(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择“批准”或“驳回”")
        return redirect("audit:approval_detail", pk=approval.pk)
    try:
        approvals.do_decide(request, approval.pk, approve=form.cleaned_data["decision"] == "approve",
                            note=form.cleaned_data["note"])
    except approvals.ApprovalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已" + ("批准" if form.cleaned_data["decision"] == "approve" else "驳回"))
    return redirect("audit:approval_detail", pk=approval.pk)


@require("unmask")
def approval_download(request, pk: int):
    """The approved file, once: the approval is used up in the same transaction that writes the file."""
    from fangpin.cases import national

    approval = _approval(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if approval.requester_id != request.user.pk:
        raise PermissionDenied("只有申请人本人可以下载经审批的导出")
    fd, path = tempfile.mkstemp(suffix="." + approval.fmt)
    os.close(fd)
    try:
        try:
            with transaction.atomic():
                approvals.claim_for_download(approval.pk, user=request.user, request=request)
                if approval.fmt == "xlsx":
                    national.do_export_national(request, path, region_code=approval.region_id, fmt="xlsx",
                                                full_ids=True, include_eliminated=approval.include_eliminated)
                else:
                    with open(path, "wb") as out:
                        national.do_export_national(request, out, region_code=approval.region_id, fmt="csv",
                                                    full_ids=True, include_eliminated=approval.include_eliminated)
        except approvals.ApprovalError as exc:
            messages.error(request, str(exc))
            return redirect("audit:approval_detail", pk=approval.pk)
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    finally:
        os.unlink(path)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"国家系统报送-完整证件号-{approval.region.name}-{stamp}.{'xlsx' if approval.fmt == 'xlsx' else 'zip'}"
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type=XLSX if approval.fmt == "xlsx" else "application/zip")
