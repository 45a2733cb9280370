"""督战: threshold rules and campaigns of a province or city, and the problems they assign (交办).

A problem moves by the core's table (``fangpin.core.supervision.PROBLEM_MOVES``); every move is a
``ProblemStep``; evidence files are kept encrypted outside the database (MEDIA_ROOT/supervision/).
Nothing here is deleted: a rule is switched off, a problem cancelled.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core import supervision as core
from fangpin.core.regions import LEVEL_LABELS

METRIC_CHOICES = [(m.value, label) for m, label in core.METRIC_LABELS.items()]
COMPARATOR_CHOICES = [(c.value, label) for c, label in core.COMPARATOR_LABELS.items()]
LEVEL_CHOICES = [(lvl.value, LEVEL_LABELS[lvl]) for lvl in core.RULE_LEVELS]
STATE_CHOICES = [(s.value, label) for s, label in core.PROBLEM_STATE_LABELS.items()]
ACTION_CHOICES = [("assign", "交办"), *((a.value, label) for a, label in core.PROBLEM_ACTION_LABELS.items())]
OPEN_STATES = sorted(s.value for s in core.OPEN_STATES)  # sorted: a stable migration


class Campaign(models.Model):
    """A supervision campaign (e.g. 百日攻坚联合督战) in dated phases; its rules apply during its phases."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="督战单位区划")
    name = models.CharField("督战名称", max_length=100)
    note = models.CharField("督战重点", max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "督战行动"
        verbose_name_plural = "督战行动"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    def as_core(self) -> core.Campaign:
        return core.Campaign(self.name, tuple(p.as_core() for p in self.phases.all()))


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="phases", verbose_name="督战行动")
    name = models.CharField("阶段名称", max_length=50)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    focus = models.CharField("阶段重点", max_length=500, blank=True)

    class Meta:
        verbose_name = "督战阶段"
        verbose_name_plural = "督战阶段"
        ordering = ["campaign_id", "start", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="uniq_phase_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.start}—{self.end}）"

    @property
    def audit_region_code(self) -> str:
        return self.campaign.region_id

    def as_core(self) -> core.Phase:
        return core.Phase(self.name, self.start, self.end)


class Rule(models.Model):
    """A threshold over region statistics, e.g. 村级 未消除风险监测人口 > 20."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="督战单位区划")
    name = models.CharField("规则名称", max_length=100)
    metric = models.CharField("指标", max_length=30, choices=METRIC_CHOICES)
    level = models.PositiveSmallIntegerField("对象层级", choices=LEVEL_CHOICES)
    comparator = models.CharField("比较", max_length=2, choices=COMPARATOR_CHOICES, default="gt")
    value = models.DecimalField("阈值", max_digits=12, decimal_places=2)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="rules",
                                 verbose_name="所属督战行动")
    phase = models.CharField("适用阶段", max_length=50, blank=True)  # a phase name of the campaign; "" = all
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "督战规则"
        verbose_name_plural = "督战规则"
        ordering = ["level", "metric", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    def as_core(self) -> core.Rule:
        from fangpin.core.regions import Level

        return core.Rule(core.Metric(self.metric), Level(self.level), core.Comparator(self.comparator),
                         Decimal(self.value))


class Problem(models.Model):
    """One region over a rule, assigned (交办) to the region's office with a deadline."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="problems", verbose_name="督战规则")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name="被交办区划")
    supervisor_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                          verbose_name="交办单位区划")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="责任账户")
    metric = models.CharField("指标", max_length=30, choices=METRIC_CHOICES)
    value = models.DecimalField("发现时数值", max_digits=12, decimal_places=2)
    finding = models.CharField("问题", max_length=300)
    requirement = models.CharField("整改要求", max_length=1000, blank=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, verbose_name="督战行动")
    phase = models.CharField("阶段", max_length=50, blank=True)
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=core.ProblemState.ASSIGNED)
    deadline = models.DateField("整改期限")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("交办时间")
    state_since = models.DateTimeField("进入本状态时间")
    returned_count = models.PositiveSmallIntegerField("退回次数", default=0)
    closed_at = models.DateTimeField("销号/撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "督战问题"
        verbose_name_plural = "督战问题"
        ordering = ["deadline", "id"]
        constraints = [
            # A region has at most one open problem per rule: the list offers 交办 only once.
            models.UniqueConstraint(fields=["rule", "region"], condition=Q(state__in=OPEN_STATES),
                                    name="one_open_problem_per_rule_region"),
        ]
        indexes = [models.Index(fields=["region", "state"]), models.Index(fields=["assigned_at"])]

    def __str__(self) -> str:
        return f"督战问题 {self.pk}（{self.get_state_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def state_enum(self) -> core.ProblemState:
        return core.ProblemState(self.state)

    def is_overdue(self, today) -> bool:
        return self.state in OPEN_STATES and today > self.deadline


class ProblemStep(models.Model):
    """Every move of a problem: 交办, 报送整改 (with evidence), 销号, 退回, 撤销."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="steps", verbose_name="问题")
    action = models.CharField("动作", max_length=10, choices=ACTION_CHOICES)
    from_state = models.CharField("原状态", max_length=10, choices=STATE_CHOICES, blank=True)
    to_state = models.CharField("新状态", max_length=10, choices=STATE_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="办理人")
    at = models.DateTimeField("办理时间")
    text = models.CharField("整改情况/理由", max_length=2000, blank=True)

    class Meta:
        verbose_name = "督战问题办理记录"
        verbose_name_plural = "督战问题办理记录"
        ordering = ["problem_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.from_state}→{self.to_state}"

    @property
    def audit_region_code(self) -> str:
        return self.problem.region_id


class Evidence(models.Model):
    """A rectification's evidence file (photo or PDF), encrypted at MEDIA_ROOT/supervision/<stored_name>."""

    step = models.ForeignKey(ProblemStep, on_delete=models.PROTECT, related_name="evidence", verbose_name="办理记录")
    name = models.CharField("文件名", max_length=100)
    stored_name = models.CharField(max_length=40, unique=True, editable=False)
    content_type = models.CharField("类型", max_length=30)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["step_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.step.problem.region_id
