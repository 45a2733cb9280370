"""The append-only, hash-chained audit log.

Each row's hash covers its content and the previous row's hash, so editing or deleting
any row breaks the chain (``fangpin verify_audit``). The model refuses updates and
deletes; database triggers (see migrations) refuse them below the ORM too.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志不可修改")

    def delete(self):
        raise AppendOnlyError("审计日志不可删除")


def _dumps(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


class AuditEvent(models.Model):
    RESULT_CHOICES = [("ok", "成功"), ("denied", "拒绝"), ("failed", "失败")]

    seq = models.BigIntegerField("序号", unique=True)
    ts = models.DateTimeField("时间", db_index=True)
    user_id = models.BigIntegerField("用户ID", null=True, blank=True)
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    role = models.CharField("角色", max_length=20, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    result = models.CharField("结果", max_length=10, choices=RESULT_CHOICES, default="ok")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.ts:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志不可删除")

    def body(self) -> dict:
        return {
            "seq": self.seq, "ts": self.ts.isoformat(timespec="microseconds"), "user_id": self.user_id,
            "username": self.username, "role": self.role, "ip": self.ip, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id, "region_code": self.region_code,
            "summary": self.summary, "detail": self.detail, "result": self.result, "prev_hash": self.prev_hash,
        }

    def canonical(self) -> bytes:
        return _dumps(self.body()).encode()

    def canonical_around_link(self) -> tuple[str, str, str]:
        """The canonical text cut at the two values only the chain head knows, as (before prev_hash,
        between prev_hash and seq, after seq): ``a + prev_hash + b + str(seq) + c`` is ``canonical()``.
        Lets PostgreSQL hash the row in the same statement that takes the next link (fangpin.audit.services)."""
        body = self.body()
        # sort_keys writes the keys in this order; three runs of it joined are the same text as one dict
        first = {k: body[k] for k in sorted(body) if k < "prev_hash"}
        middle = {k: body[k] for k in sorted(body) if "prev_hash" < k < "seq"}
        last = {k: body[k] for k in sorted(body) if k > "seq"}
        return ("{" + _dumps(first)[1:-1] + ',"prev_hash":"', '",' + _dumps(middle)[1:-1] + ',"seq":',
                "," + _dumps(last)[1:-1] + "}")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class ChainHead(models.Model):
    """One row, locked while appending, so concurrent writers extend the chain in turn.

    ``anchor_seq``/``anchor_hash`` are the last row removed by the retention purge (0 and the
    genesis hash while nothing was purged): the chain is verified from there. Every purge writes
    the new anchor into its own audit row too, so a moved anchor shows in ``verify_audit``.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # the hash before last_hash: set by the one-statement append, so its RETURNING hands back both links
    prev_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain head #{self.last_seq}"


class PurgeGate(models.Model):
    """SQLite only: the delete trigger on the audit log lets rows go only while this row is open, which
    the retention purge does inside its own transaction (PostgreSQL uses a transaction-local setting)."""

    is_open = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "purge gate open" if self.is_open else "purge gate closed"


class ExportApproval(models.Model):
    """A bulk export with full ID numbers and phones: one person asks, a second one approves, the asker
    downloads it once within 24 hours. Every step is an audit row (see fangpin.audit.approvals)."""

    REQUESTED, APPROVED, REJECTED, USED, EXPIRED = "requested", "approved", "rejected", "used", "expired"
    STATUS_CHOICES = [(REQUESTED, "待审批"), (APPROVED, "已批准"), (REJECTED, "已驳回"), (USED, "已下载"),
                      (EXPIRED, "已过期")]
    FORMAT_CHOICES = [("xlsx", "Excel（xlsx）"), ("csv", "CSV（zip）")]

    kind = models.CharField("导出类型", max_length=20, default="national")
    requester = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    fmt = models.CharField("文件格式", max_length=4, choices=FORMAT_CHOICES)
    include_eliminated = models.BooleanField("包含风险已消除户", default=True)
    reason = models.CharField("用途说明", max_length=300)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=REQUESTED, db_index=True)
    requested_at = models.DateTimeField("申请时间")
    expires_at = models.DateTimeField("有效期至")
    approver = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="审批人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    used_at = models.DateTimeField("下载时间", null=True, blank=True)

    class Meta:
        verbose_name = "完整证件号导出审批"
        verbose_name_plural = "完整证件号导出审批"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"导出审批 #{self.pk} {self.region_id} {self.get_status_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id
