"""Ledger import jobs: one row per uploaded file, so progress and results survive a reload."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    STATUS = [
        ("queued", "排队中"),
        ("running", "处理中"),
        ("done", "已完成"),  # dry run passed, or import written
        ("invalid", "有错误"),  # validation found bad rows: nothing written
        ("crashed", "处理失败"),  # unexpected error: nothing written
    ]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="导入人", related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="导入范围",
                               related_name="+", db_constraint=False)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    dry_run = models.BooleanField("仅校验", default=True)
    status = models.CharField("状态", max_length=10, choices=STATUS, default="queued", db_index=True)
    phase = models.CharField("当前步骤", max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    counts = models.JSONField("统计", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)  # [[row, column, message], ...], masked only
    error_count = models.PositiveIntegerField("错误数", default=0)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = "台账导入任务"
        verbose_name_plural = "台账导入任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def finished(self) -> bool:
        return self.status in ("done", "invalid", "crashed")

    @property
    def can_confirm(self) -> bool:
        """A dry run that passed can be imported from the file already uploaded."""
        return self.dry_run and self.status == "done"
