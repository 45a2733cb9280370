"""Screening runs over the registry and the department data, and the warnings they find.

A warning is keyed by (household, rule, period): running the same month again — or again after a run
was killed half way — adds nothing that is already there, so every finding becomes a warning once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

RUN_STATUS = [("queued", "排队中"), ("running", "运行中"), ("done", "已完成"), ("failed", "失败")]
WARNING_STATUS = [("open", "待处理"), ("lead", "已转线索"), ("dismissed", "已排除")]


class RegionJob(models.Model):
    """A background job over a region (screening run, what-if simulation): status, progress and heartbeat for
    the page that polls it, and the region its audit rows belong to."""

    status = models.CharField("状态", max_length=10, choices=RUN_STATUS, default="queued")
    phase = models.CharField("阶段", max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class ScreeningRun(RegionJob):
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="筛查范围")
    period = models.CharField("筛查月份", max_length=7)  # YYYY-MM: the 12 months ending on its last day
    households = models.PositiveIntegerField("已筛查户数", default=0)
    households_total = models.PositiveIntegerField("应筛查户数", default=0)
    records = models.PositiveIntegerField("部门数据记录", default=0)
    findings = models.PositiveIntegerField("发现风险", default=0)
    new_warnings = models.PositiveIntegerField("新增预警", default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name="发起人")

    class Meta:
        verbose_name = "筛查"
        verbose_name_plural = "筛查"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"筛查 {self.region_id} {self.period}"


class Warning(models.Model):  # noqa: A001 - the domain word (预警); shadows the builtin only in this module
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="warnings",
                                  verbose_name="农户")
    rule = models.CharField("规则", max_length=40)
    period = models.CharField("月份", max_length=7)
    title = models.CharField("风险项", max_length=60)
    text = models.CharField("说明", max_length=500)
    risk_types = models.JSONField("风险类型", default=list)
    figures = models.JSONField("数据", default=dict)
    policy_version = models.CharField("政策版本", max_length=40)
    evidence = models.JSONField("依据记录", default=list, blank=True)  # department Record ids (first 50)
    run = models.ForeignKey(ScreeningRun, on_delete=models.PROTECT, related_name="warnings", verbose_name="筛查")
    status = models.CharField("状态", max_length=10, choices=WARNING_STATUS, default="open")
    reason = models.CharField("排除理由", max_length=500, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("产生时间", auto_now_add=True)

    class Meta:
        verbose_name = "筛查预警"
        verbose_name_plural = "筛查预警"
        ordering = ["household__village_id", "household_id", "rule"]
        constraints = [models.UniqueConstraint(fields=["household", "rule", "period"], name="one_warning_per_finding")]
        indexes = [models.Index(fields=["status", "period"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.rule} {self.period}"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class Simulation(RegionJob):
    """A what-if run (模拟新标准): the rules with a draft policy next to today's, per county and village.

    Writes no warnings and changes no policy; the results (counts only, no personal data) are kept as JSON."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="模拟范围")
    period = models.CharField("筛查月份", max_length=7)
    params = models.JSONField("模拟参数", default=dict)  # the changed policy values; absent means unchanged
    results = models.JSONField("结果", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   verbose_name="发起人")

    class Meta:
        verbose_name = "政策模拟"
        verbose_name_plural = "政策模拟"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"模拟 {self.region_id} {self.period}"
