"""Grievances (诉求): appeals and complaints from the public page or registered by staff, and their history.

States move by the core's table (``fangpin.core.grievance``); nothing is deleted. The applicant's
phone and (optional) ID number are stored like a member's: encrypted, blind-indexed, shown masked.
The tracking number (查询编号) is unguessable; with the phone it lets the applicant see the status.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from fangpin.core import grievance as core
from fangpin.core.grievance import Kind, Outcome, Satisfaction, State

KIND_CHOICES = [(k.value, core.KIND_LABELS[k]) for k in Kind]
STATE_CHOICES = [(s.value, core.STATE_LABELS[s]) for s in State]
SATISFACTION_CHOICES = [(s.value, core.SATISFACTION_LABELS[s]) for s in Satisfaction]
OUTCOME_CHOICES = [(o.value, core.OUTCOME_LABELS[o]) for o in Outcome]
SOURCE_CHOICES = [("public", "网上自主提交"), ("visit", "来访"), ("phone", "来电"), ("letter", "来信"),
                  ("hotline", "12345热线转办"), ("other", "其他")]
ACTION_CHOICES = [("submit", "提交"), ("register", "登记"), ("link", "关联农户"), ("lead", "转入监测识别"),
                  *((a.value, core.ACTION_LABELS[a]) for a in core.Action)]


class Grievance(models.Model):
    no = models.CharField("查询编号", max_length=20, unique=True)
    kind = models.CharField("诉求类型", max_length=12, choices=KIND_CHOICES)
    source = models.CharField("来源", max_length=10, choices=SOURCE_CHOICES)
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在村",
                                related_name="+")
    name = models.CharField("反映人", max_length=50)
    phone_cipher = models.CharField(max_length=120, editable=False)
    phone_index = models.CharField(max_length=40, db_index=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, editable=False)
    id_cipher = models.CharField(max_length=120, blank=True, editable=False)
    id_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    content = models.CharField("诉求内容", max_length=2000)
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="grievances", verbose_name="关联农户")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="grievances",
                             verbose_name="关联案件")
    lead = models.ForeignKey("cases.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="转入的线索")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=State.RECEIVED)
    received_at = models.DateTimeField("受理时间", db_index=True)
    due = models.DateField("当前期限", null=True, blank=True)  # response while received/assigned; visit after
    response_due = models.DateField("首次答复期限")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_grievances", verbose_name="承办人账户")
    leader = models.CharField("包案领导", max_length=60, blank=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    first_response_at = models.DateTimeField("首次答复时间", null=True, blank=True)
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=10, choices=OUTCOME_CHOICES, blank=True)
    response = models.CharField("答复内容", max_length=2000, blank=True)
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    visit_note = models.CharField("回访情况", max_length=1000, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=SATISFACTION_CHOICES, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    ip_hash = models.CharField(max_length=40, blank=True, db_index=True, editable=False)  # public page: rate limit
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "due"]), models.Index(fields=["village", "received_at"])]

    def __str__(self) -> str:
        return f"诉求 {self.no}（{self.get_state_display()}）"

    @property
    def audit_region_code(self) -> str:
        return self.village_id

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def satisfaction_enum(self) -> Satisfaction | None:
        return Satisfaction(self.satisfaction) if self.satisfaction else None

    def is_overdue(self, today: dt.date) -> bool:
        return core.is_overdue(self.state_enum, self.due, today)

    @property
    def resolved(self) -> bool:
        return core.is_resolved(self.state_enum, self.satisfaction_enum)


class GrievanceEvent(models.Model):
    """One step in a grievance's history (who, when, from which state to which, what was recorded)."""

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("动作", max_length=10, choices=ACTION_CHOICES)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    at = models.DateTimeField("时间")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="办理人")
    note = models.CharField("说明", max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)  # never an ID number or phone in clear

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.grievance_id} {self.action}"

    @property
    def to_label(self) -> str:
        return core.STATE_LABELS[State(self.to_state)]
