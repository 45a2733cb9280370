"""Assistance plans (一户一策): the helper, the measures and their referrals, the follow-up visits.

Measure statuses move by the core's table (``fangpin.core.assistance.MEASURE_MOVES``); nothing
here is ever deleted. The helper's phone is stored like a member's: encrypted, shown masked.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from fangpin.core.assistance import MEASURE_STATUS_LABELS, MEASURES, MeasureStatus
from fangpin.core.roles import DEPARTMENT_KIND_CHOICES

MEASURE_CHOICES = [(code, f"{group}·{label}") for code, (group, label) in MEASURES.items()]
MEASURE_STATUS_CHOICES = [(s.value, MEASURE_STATUS_LABELS[s]) for s in MeasureStatus]
# A measure goes to a department of the county (by kind) or, for 防贫保险, to the insurer.
INSURER = "insurer"
REFERRAL_TARGET_CHOICES = [*DEPARTMENT_KIND_CHOICES, (INSURER, "保险公司")]
REFERRAL_TARGET_LABELS = dict(REFERRAL_TARGET_CHOICES)


class Plan(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="plan", verbose_name="案件")
    helper_name = models.CharField("帮扶责任人", max_length=50, blank=True)
    helper_unit = models.CharField("单位职务", max_length=100, blank=True)
    helper_phone_cipher = models.CharField(max_length=120, blank=True, editable=False)
    helper_phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    helper_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="helped_plans", verbose_name="责任人账户")
    note = models.CharField("备注", max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "帮扶计划"
        verbose_name_plural = "帮扶计划"

    def __str__(self) -> str:
        return f"帮扶计划（案件 {self.case_id}）"

    @property
    def audit_region_code(self) -> str:
        return self.case.household.village_id


class Measure(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="measures", verbose_name="帮扶计划")
    code = models.CharField("措施", max_length=30, choices=MEASURE_CHOICES)
    group = models.CharField("类别", max_length=20)
    label = models.CharField("名称", max_length=30)
    detail = models.CharField("具体内容", max_length=500, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    department_kind = models.CharField("转办部门", max_length=30, blank=True, choices=REFERRAL_TARGET_CHOICES)
    status = models.CharField("状态", max_length=10, choices=MEASURE_STATUS_CHOICES, default=MeasureStatus.PLANNED)
    reason = models.CharField("退回/取消理由", max_length=500, blank=True)  # the latest decline or cancel
    result = models.CharField("落实情况", max_length=1000, blank=True)
    done_date = models.DateField("落实日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    referred_at = models.DateTimeField("转办时间", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_at = models.DateTimeField("接收时间", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField("落实登记时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # who last declined or cancelled
    closed_at = models.DateTimeField("退回/取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["plan_id", "id"]
        indexes = [models.Index(fields=["department_kind", "status"])]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_status_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.plan.case.household.village_id

    @property
    def status_enum(self) -> MeasureStatus:
        return MeasureStatus(self.status)


class FollowUp(models.Model):
    """帮扶回访: income of the last 12 months and the 两不愁三保障/饮水 checks, monthly by default."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="followups", verbose_name="案件")
    visit_date = models.DateField("回访日期")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="回访人")
    income_12m = models.DecimalField("近12个月家庭纯收入（元）", max_digits=12, decimal_places=2)
    persons = models.PositiveSmallIntegerField("家庭人口")
    per_capita = models.DecimalField("人均纯收入（元）", max_digits=12, decimal_places=2)
    food_ok = models.BooleanField("吃穿不愁", default=True)
    education_ok = models.BooleanField("义务教育有保障", default=True)
    medical_ok = models.BooleanField("基本医疗有保障", default=True)
    housing_ok = models.BooleanField("住房安全有保障", default=True)
    water_ok = models.BooleanField("饮水安全有保障", default=True)
    rigid_resolved = models.BooleanField("刚性支出问题已解决", default=True)
    effect_note = models.CharField("措施成效", max_length=1000, blank=True)
    note = models.CharField("备注", max_length=1000, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    GUARANTEE_FIELDS = {"food": "food_ok", "education": "education_ok", "medical": "medical_ok",
                        "housing": "housing_ok", "water": "water_ok"}

    class Meta:
        verbose_name = "帮扶回访"
        verbose_name_plural = "帮扶回访"
        ordering = ["-visit_date", "-id"]
        indexes = [models.Index(fields=["case", "visit_date"])]

    def __str__(self) -> str:
        return f"回访 {self.case_id} {self.visit_date}"

    @property
    def audit_region_code(self) -> str:
        return self.case.household.village_id

    @property
    def unmet_guarantees(self) -> tuple[str, ...]:
        return tuple(code for code, field in self.GUARANTEE_FIELDS.items() if not getattr(self, field))

    @staticmethod
    def per_capita_of(income: Decimal, persons: int) -> Decimal:
        return (income / persons).quantize(Decimal("0.01")) if persons else income
