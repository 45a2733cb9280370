"""Second-person approval of bulk exports with full ID numbers (四眼原则).

A user with the ``unmask`` and ``export_ledger`` permissions asks for a full-ID national export of a
region in their scope and says why; another user with ``unmask`` whose region contains that region (the
same or a higher level) approves or rejects it; the asker then downloads the file once, within 24 hours
of the request (an unanswered request lapses too). Every step writes an audit row; the masked export
needs none of this.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fangpin.accounts.access import in_scope, scoped
from fangpin.audit.models import ExportApproval
from fangpin.audit.services import record, record_system_event

VALID_FOR = dt.timedelta(hours=24)


class ApprovalError(ValueError):
    """A step that the approval's state or the user does not allow (the message is for the user)."""


def may_request(user, region_code: str) -> bool:
    return user.can("unmask") and user.can("export_ledger") and in_scope(user, region_code)


def may_approve(user, approval: ExportApproval) -> bool:
    return user.can("unmask") and in_scope(user, approval.region_id) and user.pk != approval.requester_id


def visible_approvals(user):
    """Approvals of the user's region: their own requests and those they may decide on."""
    if not user.can("unmask"):
        return ExportApproval.objects.none()
    return scoped(ExportApproval.objects.select_related("requester", "approver", "region"), user, "region__code")


def pending_for(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return (visible_approvals(user).filter(status=ExportApproval.REQUESTED, expires_at__gt=now)
            .exclude(requester=user))


def expire_lapsed(now: dt.datetime | None = None) -> int:
    """Mark lapsed requests and approvals expired (each one audited); returns how many."""
    now = now or timezone.now()
    lapsed = list(ExportApproval.objects.filter(
        status__in=[ExportApproval.REQUESTED, ExportApproval.APPROVED], expires_at__lte=now))
    n = 0
    for approval in lapsed:
        with transaction.atomic():
            if ExportApproval.objects.filter(pk=approval.pk, status=approval.status).update(
                    status=ExportApproval.EXPIRED):
                n += 1
                record_system_event("export_approval.expire", summary=f"完整证件号导出审批 #{approval.pk} 已过期",
                                    detail={"approval": approval.pk, "was": approval.status,
                                            "region": approval.region_id})
    return n


@transaction.atomic
def do_request_export(request, *, region_code: str, fmt: str, include_eliminated: bool, reason: str,
                      now: dt.datetime | None = None) -> ExportApproval:
    user = request.user
    if not may_request(user, region_code):
        raise PermissionDenied("您没有申请导出该区划完整证件号码的权限")
    reason = reason.strip()
    if not reason:
        raise ApprovalError("请填写用途说明")
    now = now or timezone.now()
    approval = ExportApproval.objects.create(requester=user, region_id=region_code, fmt=fmt,
                                             include_eliminated=include_eliminated, reason=reason[:300],
                                             requested_at=now, expires_at=now + VALID_FOR)
    record(request, "export_approval.request", obj=approval,
           summary=f"申请导出 {region_code} 完整证件号码（{fmt}），待第二人审批",
           detail={"approval": approval.pk, "region": region_code, "format": fmt,
                   "include_eliminated": include_eliminated, "reason": approval.reason})
    return approval


def do_decide(request, approval_id: int, *, approve: bool, note: str = "",
              now: dt.datetime | None = None) -> ExportApproval:
    user = request.user
    now = now or timezone.now()
    approval = visible_approvals(user).filter(pk=approval_id).first()
    if approval is None:
        raise PermissionDenied("审批记录不存在或不在您的管辖范围内")
    if approval.requester_id == user.pk:
        # recorded outside the refused step's transaction, so the attempt stays in the log
        record(request, "export_approval.self_approve", obj=approval, result="denied",
               summary=f"拒绝本人审批自己的完整证件号导出申请 #{approval.pk}", detail={"approval": approval.pk})
        raise ApprovalError("不能审批自己的申请，须由另一名有权限的人员审批")
    if not may_approve(user, approval):
        raise PermissionDenied("您没有审批该申请的权限")
    with transaction.atomic():
        return _decide(request, approval, approve=approve, note=note, now=now)


def _decide(request, approval: ExportApproval, *, approve: bool, note: str, now: dt.datetime) -> ExportApproval:
    user = request.user
    if approval.status != ExportApproval.REQUESTED:
        raise ApprovalError(f"该申请当前状态为“{approval.get_status_display()}”，不能再审批")
    if approval.expires_at <= now:
        raise ApprovalError("该申请已超过 24 小时未审批，已过期，请重新申请")
    status = ExportApproval.APPROVED if approve else ExportApproval.REJECTED
    fields = {"status": status, "approver": user, "decided_at": now, "decision_note": note.strip()[:300]}
    if approve:
        fields["expires_at"] = now + VALID_FOR
    if not ExportApproval.objects.filter(pk=approval.pk, status=ExportApproval.REQUESTED).update(**fields):
        raise ApprovalError("该申请刚被他人处理，请刷新后查看")
    approval.refresh_from_db()
    verb = "approve" if approve else "reject"
    record(request, f"export_approval.{verb}", obj=approval,
           summary=f"{'批准' if approve else '驳回'} {approval.requester.username} 导出 {approval.region_id} "
                   f"完整证件号码的申请 #{approval.pk}",
           detail={"approval": approval.pk, "requester": approval.requester.username, "note": approval.decision_note})
    return approval


def claim_for_download(approval_id: int, *, user, request=None, region_code: str | None = None,
                       fmt: str | None = None, now: dt.datetime | None = None) -> ExportApproval:
    """Use an approval up (approved → used) for its requester; the caller then writes the file inside
    the same transaction. ``region_code``/``fmt`` (from the command line) must match the approval."""
    now = now or timezone.now()
    approval = ExportApproval.objects.select_related("requester").filter(pk=approval_id).first()
    if approval is None or (user is not None and approval.requester_id != user.pk):
        raise PermissionDenied("只有申请人本人可以下载经审批的导出")
    if region_code is not None and region_code != approval.region_id:
        raise ApprovalError(f"审批 #{approval.pk} 批准的是区划 {approval.region_id}，不是 {region_code}")
    if fmt is not None and fmt != approval.fmt:
        raise ApprovalError(f"审批 #{approval.pk} 批准的文件格式是 {approval.fmt}，不是 {fmt}")
    if approval.status == ExportApproval.APPROVED and approval.expires_at <= now:
        raise ApprovalError("审批已超过 24 小时有效期，请重新申请")
    if approval.status != ExportApproval.APPROVED:
        raise ApprovalError(f"该申请当前状态为“{approval.get_status_display()}”，不能下载"
                            + ("（每次审批只能下载一次）" if approval.status == ExportApproval.USED else ""))
    if not ExportApproval.objects.filter(pk=approval.pk, status=ExportApproval.APPROVED).update(
            status=ExportApproval.USED, used_at=now):
        raise ApprovalError("该审批刚被使用，每次审批只能下载一次")
    approval.refresh_from_db()
    summary = f"使用审批 #{approval.pk}（批准人 {approval.approver.username if approval.approver else ''}）下载完整证件号导出"
    detail = {"approval": approval.pk, "region": approval.region_id, "format": approval.fmt}
    if request is not None:
        record(request, "export_approval.use", obj=approval, summary=summary, detail=detail)
    else:
        record_system_event("export_approval.use", summary=summary, detail=detail)
    return approval

