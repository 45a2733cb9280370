"""Policy versions, holidays, and the case that carries a household from a lead to monitoring.

The procedure itself is the core's transition table (``fangpin.core.workflow``); these models
only store where each case stands, every step taken, and every lead that reached it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core import workflow
from fangpin.core.policy import DEFAULT_RISK_TYPES, Policy


class PolicyVersion(models.Model):
    """A year's policy for a province (or, overriding it, a county), effective from a date."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="适用区划")
    year = models.PositiveSmallIntegerField("年度")
    effective_from = models.DateField("生效日期")
    version = models.CharField("版本号", max_length=40, unique=True)
    monitoring_line = models.DecimalField("监测线（元/人·年）", max_digits=10, decimal_places=2)
    collapse_ratio = models.DecimalField("收入骤减比例", max_digits=4, decimal_places=3, default=Decimal("0.5"))
    rigid_factor = models.DecimalField("刚性支出超收入倍数", max_digits=5, decimal_places=2, default=Decimal("1"))
    stable_months = models.PositiveSmallIntegerField("风险消除稳定月数", default=6)
    verify_days = models.PositiveSmallIntegerField("入户核实时限（工作日）", default=5)
    identification_days = models.PositiveSmallIntegerField("识别总时限（工作日）", default=15)
    notice_days = models.PositiveSmallIntegerField("公示天数（不少于）", default=5)
    followup_interval_days = models.PositiveSmallIntegerField("回访间隔（天）", default=30)
    risk_types = models.JSONField("风险类型", default=list)
    # Which expenditures count as rigid (keys of core.rules facts); empty means the core's default list.
    rigid_items = models.JSONField("刚性支出项目", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "监测政策"
        verbose_name_plural = "监测政策"
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.version}（{self.monitoring_line} 元）"

    def as_core(self) -> Policy:
        return Policy(
            version=self.version, year=self.year, monitoring_line=self.monitoring_line,
            collapse_ratio=self.collapse_ratio, rigid_factor=self.rigid_factor,
            stable_months_for_elimination=self.stable_months, verify_days=self.verify_days,
            identification_days=self.identification_days, notice_days=self.notice_days,
            followup_interval_days=self.followup_interval_days,
            risk_types=tuple(self.risk_types or DEFAULT_RISK_TYPES),
            **({"rigid_items": tuple(self.rigid_items)} if self.rigid_items else {}),
        )


class Holiday(models.Model):
    """法定节假日 (rest) or 调休 (a weekend day worked); the default calendar covers 2025–2026."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班", default=False)
    name = models.CharField("名称", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


STATE_CHOICES = [(s.value, workflow.STATE_LABELS[s]) for s in workflow.State]
CHANNEL_CHOICES = [("self", "农户自主申报"), ("visit", "干部走访排查"), ("screening", "部门筛查预警"),
                   ("ledger", "存量监测对象")]


class Case(models.Model):
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases",
                                  verbose_name="农户")
    # The household's village code, kept by database triggers (migration 0007: set when a case is written,
    # followed when the household moves), so region counts read cases alone instead of joining a county's
    # households to every case of the province (docs/load.md). Never set by the application.
    village_code = models.CharField("所在村代码", max_length=12, default="", editable=False)
    state = models.CharField("当前环节", max_length=20, choices=STATE_CHOICES, default=workflow.State.LEAD)
    channel = models.CharField("发现渠道", max_length=10, choices=CHANNEL_CHOICES)
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, verbose_name="适用政策")
    category = models.CharField("监测对象类别", max_length=20, blank=True)
    risk_types = models.JSONField("风险类型", default=list, blank=True)
    opened_at = models.DateTimeField("立案时间")
    state_since = models.DateTimeField("进入本环节时间")
    step_due = models.DateField("本环节办理期限", null=True, blank=True)
    identification_due = models.DateField("识别办结期限", null=True, blank=True)
    notice_ends = models.DateField("公示截止", null=True, blank=True)
    effective_date = models.DateField("纳入监测日期", null=True, blank=True)
    # The rules' findings when the county decided (each names the policy version that produced it).
    findings = models.JSONField("纳入时研判结果", default=list, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = "监测识别案件"
        verbose_name_plural = "监测识别案件"
        ordering = ["-opened_at"]
        constraints = [
            # A household has at most one open case; new leads attach to it as evidence.
            models.UniqueConstraint(fields=["household"], condition=Q(closed_at__isnull=True),
                                    name="one_open_case_per_household"),
        ]
        indexes = [models.Index(fields=["state", "step_due"]), models.Index(fields=["village_code"], name="case_village_idx")]

    def __str__(self) -> str:
        return f"案件 {self.pk}（{self.get_state_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id

    @property
    def state_enum(self) -> workflow.State:
        return workflow.State(self.state)

    def is_overdue(self, today: dt.date) -> bool:
        return self.closed_at is None and self.step_due is not None and today > self.step_due


class Lead(models.Model):
    """One piece of evidence that reached a case: an application, a visit, a screening finding."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="leads", verbose_name="案件")
    channel = models.CharField("渠道", max_length=10, choices=CHANNEL_CHOICES)
    received_at = models.DateTimeField("接收时间")
    summary = models.CharField("摘要", max_length=300)
    details = models.JSONField("内容", default=dict, blank=True)  # never an ID number in clear
    receipt_no = models.CharField("受理编号", max_length=20, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "线索"
        verbose_name_plural = "线索"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.summary[:20]}"


class CaseStep(models.Model):
    """Every move of a case: who, when, from where to where, why (the record of the procedure)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps", verbose_name="案件")
    action = models.CharField("动作", max_length=20, choices=[(a.value, workflow.ACTION_LABELS[a]) for a in workflow.Action])
    from_state = models.CharField("原环节", max_length=20, choices=STATE_CHOICES)
    to_state = models.CharField("新环节", max_length=20, choices=STATE_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="办理人")
    at = models.DateTimeField("办理时间")
    reason = models.CharField("理由", max_length=500, blank=True)
    data = models.JSONField("办理内容", default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_state}→{self.to_state}"


APPLICATION_STATUS = [("matched", "已转入案件"), ("pending", "待村级登记核实"), ("registered", "已登记转入")]


class PublicApplication(models.Model):
    """A household's own application from the public page; kept even when the applicant is not registered
    yet, so the village can register the household later. ID and phone only encrypted + blind-indexed."""

    receipt_no = models.CharField("受理编号", max_length=20, unique=True)
    submitted_at = models.DateTimeField("申请时间", db_index=True)
    name = models.CharField("申请人", max_length=50)
    id_cipher = models.CharField(max_length=120, editable=False)
    id_index = models.CharField(max_length=40, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    phone_cipher = models.CharField(max_length=120, editable=False)
    phone_index = models.CharField(max_length=40, db_index=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, editable=False)
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在村")
    risk_type = models.CharField("风险类型", max_length=20)
    text = models.CharField("困难情况", max_length=1000)
    ip_hash = models.CharField(max_length=40, db_index=True, editable=False)  # keyed hash: rate limit only
    status = models.CharField("状态", max_length=10, choices=APPLICATION_STATUS, default="pending")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, verbose_name="线索")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, verbose_name="案件")

    class Meta:
        verbose_name = "农户自主申报"
        verbose_name_plural = "农户自主申报"
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.id_masked}"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class VisitRecord(models.Model):
    """A structured 排查 visit by village staff; its figures feed the core rules."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="visits",
                                  verbose_name="农户")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="走访人")
    visit_date = models.DateField("走访日期")
    income_12m = models.DecimalField("近12个月家庭纯收入（元）", max_digits=12, decimal_places=2)
    last_year_income = models.DecimalField("上年家庭纯收入（元）", max_digits=12, decimal_places=2, null=True,
                                           blank=True)
    medical_oop = models.DecimalField("医疗自付支出", max_digits=12, decimal_places=2, default=Decimal("0"))
    schooling_exp = models.DecimalField("教育支出", max_digits=12, decimal_places=2, default=Decimal("0"))
    disaster_loss = models.DecimalField("灾害损失", max_digits=12, decimal_places=2, default=Decimal("0"))
    accident_exp = models.DecimalField("意外事故支出", max_digits=12, decimal_places=2, default=Decimal("0"))
    labour_summary = models.CharField("劳动能力情况", max_length=300, blank=True)
    food_ok = models.BooleanField("吃穿不愁", default=True)
    education_ok = models.BooleanField("义务教育有保障", default=True)
    medical_ok = models.BooleanField("基本医疗有保障", default=True)
    housing_ok = models.BooleanField("住房安全有保障", default=True)
    water_ok = models.BooleanField("饮水安全有保障", default=True)
    consent_data_query = models.BooleanField("同意查询相关数据", default=False)
    risk_flag = models.BooleanField("发现风险", default=False)
    note = models.CharField("备注", max_length=1000, blank=True)
    findings = models.JSONField("规则发现", default=list, blank=True)
    policy = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT,
                               verbose_name="适用政策")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, verbose_name="线索")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访排查记录"
        verbose_name_plural = "走访排查记录"
        ordering = ["-visit_date", "-id"]

    def __str__(self) -> str:
        return f"走访 {self.household_id} {self.visit_date}"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class VisitPhoto(models.Model):
    """A photo taken on a visit (optional). The file is kept encrypted outside the database
    (MEDIA_ROOT/visits/<stored_name>) and only served through a scoped, audited view."""

    visit = models.ForeignKey(VisitRecord, on_delete=models.PROTECT, related_name="photos", verbose_name="走访记录")
    stored_name = models.CharField(max_length=40, unique=True, editable=False)
    content_type = models.CharField("类型", max_length=20)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
        ordering = ["visit_id", "id"]

    def __str__(self) -> str:
        return f"走访照片 {self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.visit.household.village_id
