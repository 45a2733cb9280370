"""Labour demand (用工需求) published by a county, and placements (推荐) of members on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core.employment import PLACE_LABELS

PLACE_CHOICES = [(p.value, label) for p, label in PLACE_LABELS.items()]
SEX_CHOICES = [("", "不限"), ("男", "男"), ("女", "女")]


class Demand(models.Model):
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="发布县")
    firm = models.CharField("用工单位", max_length=100)
    title = models.CharField("岗位", max_length=60)
    place = models.CharField("工作地点类型", max_length=10, choices=PLACE_CHOICES, default="local")
    location = models.CharField("工作地点", max_length=100)
    slots = models.PositiveIntegerField("招聘人数")
    wage = models.DecimalField("月薪（元）", max_digits=9, decimal_places=2, null=True, blank=True)
    age_min = models.PositiveSmallIntegerField("年龄下限", default=16)
    age_max = models.PositiveSmallIntegerField("年龄上限", default=60)
    sex = models.CharField("性别要求", max_length=1, choices=SEX_CHOICES, blank=True)
    weak_ok = models.BooleanField("弱劳动力可做", default=False)
    transport = models.BooleanField("点对点接送", default=False)
    valid_until = models.DateField("有效期至")
    contact_name = models.CharField("联系人", max_length=30, blank=True)
    contact_phone_cipher = models.CharField(max_length=120, blank=True, editable=False)
    contact_phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    note = models.CharField("其他要求", max_length=500, blank=True)
    closed_at = models.DateTimeField("停止招聘时间", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=[("form", "录入"), ("upload", "表格导入")],
                              default="form")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "用工需求"
        ordering = ["-created_at", "-id"]
        constraints = [
            # one row per job of a firm in a county: re-importing the same list updates, never doubles
            models.UniqueConstraint(fields=["county", "firm", "title", "location"], name="employment_demand_key"),
        ]

    def __str__(self) -> str:
        return f"{self.firm} · {self.title}"


class Placement(models.Model):
    STATUS_CHOICES = [("recommended", "已推荐"), ("hired", "已上岗"), ("declined", "未录用")]

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="placements", verbose_name="岗位")
    member = models.ForeignKey("registry.Member", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="监测案件")
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default="recommended")
    measures = models.ManyToManyField("plans.Measure", blank=True, related_name="+", verbose_name="帮扶措施")
    note = models.CharField("说明", max_length=500, blank=True)
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField("推荐时间")
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    outcome_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    start_date = models.DateField("上岗日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位推荐"
        ordering = ["-recommended_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["demand", "member"], name="employment_placement_once")]
        indexes = [models.Index(fields=["status"], condition=Q(status="recommended"), name="employment_open")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.demand_id}"
