"""Department data (部门数据): uploaded files checked against the department's schema, matched to
registered persons, and kept as records of members — never with the ID number itself.

Rows of people who are not registered, or registered outside the uploader's region, are counted
and dropped: another county's people are not this county's data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fangpin.core.screening import SCHEMAS

KIND_CHOICES = [(kind, schema.label) for kind, schema in SCHEMAS.items()]


class ColumnMapping(models.Model):
    """How a department's own file headers map to the schema (saved per region and kind)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="区划")
    kind = models.CharField("数据类型", max_length=30, choices=KIND_CHOICES)
    mapping = models.JSONField("列对应", default=dict)  # field key → header text
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "列对应关系"
        verbose_name_plural = "列对应关系"
        constraints = [models.UniqueConstraint(fields=["region", "kind"], name="one_mapping_per_region_kind")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind}"


class Dataset(models.Model):
    """One uploaded file of one department kind, with what became of its rows."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="上传单位区划")
    kind = models.CharField("数据类型", max_length=30, choices=KIND_CHOICES)
    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64, editable=False)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_matched = models.PositiveIntegerField("匹配到本辖区人员", default=0)
    rows_outside = models.PositiveIntegerField("辖区外人员", default=0)
    rows_unmatched = models.PositiveIntegerField("未登记人员", default=0)
    rows_invalid = models.PositiveIntegerField("无效行", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)  # [[row, column, message]], the first 2,000
    first_day = models.DateField("最早日期", null=True, blank=True)
    last_day = models.DateField("最晚日期", null=True, blank=True)
    mapping = models.JSONField("所用列对应", default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "部门数据"
        verbose_name_plural = "部门数据"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # The same file of the same kind for the same region is one dataset: a re-upload changes nothing.
            models.UniqueConstraint(fields=["region", "kind", "sha256"], name="one_dataset_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Record(models.Model):
    """One matched row: whose (member, household), when, and its values without the ID number."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="records")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    day = models.DateField("日期")
    values = models.JSONField(default=dict)

    class Meta:
        verbose_name = "部门数据记录"
        verbose_name_plural = "部门数据记录"
        indexes = [models.Index(fields=["kind", "day"]), models.Index(fields=["household", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id} {self.day}"
