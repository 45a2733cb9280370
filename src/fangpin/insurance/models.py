"""防贫保险: a county's scheme (fund) per year, its claims and its fund ledger.

The scheme's configuration is turned into the core's ``Scheme`` (``as_core``); claim states move by the
core's table (``fangpin.core.insurance.CLAIM_MOVES``); ledger entries are never edited or deleted — the
balance is their sum and reconciles by construction (``fangpin.core.insurance.reconcile``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core import insurance as core
from fangpin.core.insurance import (
    CLAIM_STATE_LABELS,
    CLOSED_STATES,
    COVERAGE_LABELS,
    ENTRY_LABELS,
    ITEMS,
    METHOD_LABELS,
    ClaimState,
    CoverageMode,
    EntryKind,
    Method,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
COVERAGE_CHOICES = [(m.value, COVERAGE_LABELS[m]) for m in CoverageMode]
METHOD_CHOICES = [(m.value, METHOD_LABELS[m]) for m in Method]
STATE_CHOICES = [(s.value, CLAIM_STATE_LABELS[s]) for s in ClaimState]
ENTRY_CHOICES = [(k.value, ENTRY_LABELS[k]) for k in EntryKind]
ITEM_CHOICES = list(ITEMS.items())
SOURCE_CHOICES = [("warning", "筛查预警"), ("case", "监测案件")]
OPEN_STATES = [s.value for s in ClaimState if s not in CLOSED_STATES]


class Scheme(models.Model):
    """One county's 防贫保险 for one year: the fund and the payout rules."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="县（市、区）")
    year = models.PositiveSmallIntegerField("年度")
    insurer_name = models.CharField("承保机构", max_length=100, blank=True)
    premium_per_person = models.DecimalField("每人保费（元/人·年）", max_digits=8, decimal_places=2)
    line = models.DecimalField("监测线（元/人·年）", max_digits=10, decimal_places=2)
    coverage = models.CharField("覆盖方式", max_length=20, choices=COVERAGE_CHOICES,
                                default=CoverageMode.INCOME_MULTIPLE)
    coverage_multiple = models.DecimalField("覆盖倍数（×监测线）", max_digits=5, decimal_places=2,
                                            default=Decimal("1.5"))
    coverage_share = models.DecimalField("覆盖比例（占农村人口）", max_digits=5, decimal_places=4,
                                         default=Decimal("0.10"))
    rural_population = models.PositiveIntegerField("农村人口（人）", default=0)
    covered_persons = models.PositiveIntegerField("投保人数（人）", default=0)
    method = models.CharField("赔付方式", max_length=10, choices=METHOD_CHOICES, default=Method.TIERS)
    gap_multiple = models.DecimalField("补差倍数（×监测线）", max_digits=5, decimal_places=2, default=Decimal("1"))
    per_person_cap = models.DecimalField("每人年度封顶（元）", null=True, blank=True, **MONEY)
    per_household_cap = models.DecimalField("每户年度封顶（元）", null=True, blank=True, **MONEY)
    allow_overdraft = models.BooleanField("资金不足时先赔后补", default=False)
    check_days = models.PositiveSmallIntegerField("入户核查时限（工作日）", default=5)
    # {item: {"warning_line": "5000", "deductible": "3000", "tiers": "0-20000:60%; …"}}
    items = models.JSONField("预警线与赔付分段", default=dict)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "防贫保险方案"
        verbose_name_plural = "防贫保险方案"
        ordering = ["region_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_insurance_scheme_per_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} 年度防贫保险"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    def as_core(self) -> core.Scheme:
        items = {code: core.ItemRule(Decimal(rule["warning_line"]), Decimal(rule.get("deductible") or 0),
                                     core.parse_tiers(rule["tiers"]) if rule.get("tiers") else ())
                 for code, rule in self.items.items()}
        return core.Scheme(
            year=self.year, premium_per_person=self.premium_per_person, line=self.line,
            coverage=CoverageMode(self.coverage), coverage_multiple=self.coverage_multiple,
            coverage_share=self.coverage_share, items=items, method=Method(self.method),
            gap_multiple=self.gap_multiple, per_person_cap=self.per_person_cap,
            per_household_cap=self.per_household_cap)

    @property
    def premium_due(self) -> Decimal:
        return self.as_core().premium_total(self.covered_persons)


class Claim(models.Model):
    """A claim on the scheme for one household and one spending item."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="claims", verbose_name="方案")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="insurance_claims",
                                  verbose_name="农户")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="案件")
    warning = models.ForeignKey("alerts.Warning", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="筛查预警")
    source = models.CharField("来源", max_length=10, choices=SOURCE_CHOICES)
    item = models.CharField("支出项目", max_length=20, choices=ITEM_CHOICES)
    summary = models.CharField("报案说明", max_length=500)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=ClaimState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("报案时间")
    check_due = models.DateField("核查期限", null=True, blank=True)
    # the insurer's check: {"check_date", "persons", "net_income", "expenses": [{"item", "person", "amount"}], "note"}
    facts = models.JSONField("核查情况", default=dict, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField("核查提交时间", null=True, blank=True)
    proposed_amount = models.DecimalField("拟赔付金额（元）", null=True, blank=True, **MONEY)
    explanation = models.JSONField("计算过程", default=list, blank=True)
    lines = models.JSONField("赔付明细", default=list, blank=True)  # [{"item", "person", "amount"}]
    approved_amount = models.DecimalField("赔付金额（元）", null=True, blank=True, **MONEY)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("退回/不予赔付/撤销理由", max_length=500, blank=True)
    measure = models.ForeignKey("plans.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="帮扶措施")

    class Meta:
        verbose_name = "防贫保险理赔"
        verbose_name_plural = "防贫保险理赔"
        ordering = ["-opened_at", "-id"]
        constraints = [
            # one claim per warning; one claim in progress per household and item (a second click opens nothing)
            models.UniqueConstraint(fields=["warning"], condition=Q(warning__isnull=False),
                                    name="one_claim_per_warning"),
            models.UniqueConstraint(fields=["household", "item"], condition=Q(state__in=OPEN_STATES),
                                    name="one_open_claim_per_item"),
        ]
        indexes = [models.Index(fields=["scheme", "state"])]

    def __str__(self) -> str:
        return f"理赔 {self.pk}（{self.get_state_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id

    @property
    def state_enum(self) -> ClaimState:
        return ClaimState(self.state)

    @property
    def item_label(self) -> str:
        return ITEMS.get(self.item, self.item)


class LedgerEntry(models.Model):
    """One movement of a scheme's fund; the amount is ≥ 0 and the kind gives its direction."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="entries", verbose_name="方案")
    kind = models.CharField("类别", max_length=10, choices=ENTRY_CHOICES)
    amount = models.DecimalField("金额（元）", **MONEY)
    date = models.DateField("日期")
    note = models.CharField("摘要", max_length=300, blank=True)
    claim = models.OneToOneField(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="entry",
                                 verbose_name="理赔")  # a payout, once per claim
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="记账人")
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "防贫保险资金台账"
        verbose_name_plural = "防贫保险资金台账"
        ordering = ["scheme_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def audit_region_code(self) -> str:
        return self.scheme.region_id

    def as_core(self) -> core.Entry:
        return core.Entry(EntryKind(self.kind), self.amount, self.scheme.year, self.note)
