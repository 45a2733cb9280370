"""Identification cases: my queue / by state, one case (audited), act on it, open a lead, the pipeline.

Moves go through ``services.do_case_action`` (the core's transition table, the conditional update
on the state the caller saw, the audit row); step data is checked by the page's own forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import OuterRef, Subquery
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from fangpin.accounts.access import get_scoped_or_404, scoped
from fangpin.api.auth import Scope, access
from fangpin.api.common import PageQuery, page_of, post_only
from fangpin.api.errors import FormInvalid
from fangpin.audit.services import record
from fangpin.cases import services
from fangpin.cases.forms import ActForm, DecisionForm, OpenLeadForm, form_class, needs_reason
from fangpin.cases.models import Case
from fangpin.cases.views import CASE_SCOPE, case_findings, pipeline_rows, queue_for, today
from fangpin.core import workflow
from fangpin.core.roles import Role
from fangpin.core.workflow import Action, IllegalTransition, State
from fangpin.registry.models import Household, Member

router = Router()
CASE = Scope(lambda: Case.objects.all(), CASE_SCOPE, "case_id")
HOUSEHOLD = Scope(lambda: Household.objects.all(), "village__code", "household_id")
STATE_HELP = "；".join(f"{s.value}={workflow.STATE_LABELS[s]}" for s in State)
ACTION_HELP = "；".join(f"{a.value}={workflow.ACTION_LABELS[a]}" for a in Action)


class Detail(Schema):
    detail: str


class CaseItem(Schema):
    id: int
    state: str
    state_label: str
    household_id: int
    hh_no: str
    village_code: str
    village_name: str
    head_name: str = Field(..., description="户主姓名")
    head_id_masked: str = Field(..., description="户主身份证号（脱敏）")
    channel: str
    opened_at: dt.datetime
    step_due: dt.date | None
    overdue: bool
    category: str


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseItem]


class LeadOut(Schema):
    id: int
    channel: str
    channel_label: str
    received_at: dt.datetime
    summary: str
    receipt_no: str
    case_id: int


class StepOut(Schema):
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    at: dt.datetime
    reason: str
    data: dict[str, Any]


class FieldOut(Schema):
    name: str
    label: str
    required: bool
    choices: list[str] | None = None
    many: bool = False


class ActionOut(Schema):
    action: str
    label: str
    needs_reason: bool
    data_fields: list[FieldOut] = Field(..., description="本动作须在 data 中提交的字段")


class CaseOut(CaseItem):
    policy_version: str
    identification_due: dt.date | None
    notice_ends: dt.date | None
    effective_date: dt.date | None
    risk_types: list[str]
    closed_at: dt.datetime | None
    findings: list[str] = Field(..., description="按当前台账数据研判的结果")
    suggested_category: str | None
    suggested_risks: list[str]
    leads: list[LeadOut]
    steps: list[StepOut]
    actions: list[ActionOut] = Field(..., description="调用者的角色在当前环节可执行的动作")


class ActionIn(Schema):
    action: str = Field(..., max_length=30, description=f"动作：{ACTION_HELP}")
    seen_state: str = Field(..., max_length=30, description=f"调用者看到的环节（防止重复办理）：{STATE_HELP}")
    reason: str = Field("", max_length=500, description="理由/说明（退回、不予纳入、异议成立时必填）")
    data: dict[str, Any] = Field(default_factory=dict, description="本环节须记录的内容，见案件详情的 actions[].data_fields")


class MovedOut(Schema):
    id: int
    state: str
    state_label: str
    step_due: dt.date | None
    message: str


class LeadIn(Schema):
    summary: str = Field(..., max_length=300, description="线索摘要")


class PipelineCell(Schema):
    state: str
    label: str
    n: int


class PipelineRow(Schema):
    code: str
    name: str
    total: int
    overdue: int
    cells: list[PipelineCell]


class PipelineOut(Schema):
    today: dt.date
    total: int
    overdue: int
    rows: list[PipelineRow]


# ---------------------------------------------------------------- reads


def _heads():
    return Member.objects.filter(household=OuterRef("household_id"), relation="head").order_by("status", "id")


def _item(case: Case, day: dt.date) -> dict:
    household = case.household
    return {"id": case.pk, "state": case.state, "state_label": workflow.STATE_LABELS[case.state_enum],
            "household_id": household.pk, "hh_no": household.hh_no, "village_code": household.village_id,
            "village_name": household.village.name, "head_name": getattr(case, "head_name", None) or "",
            "head_id_masked": getattr(case, "head_id_masked", None) or "", "channel": case.channel,
            "opened_at": case.opened_at, "step_due": case.step_due, "overdue": case.is_overdue(day),
            "category": case.category}


@router.get("/cases", url_name="cases", auth=access("handle_cases"), response={200: CasePage, 422: Detail},
            summary="我的待办 / 按环节查询案件")
def case_list(request, paging: Query[PageQuery],
              state: str | None = Query(None, max_length=30, description=f"按环节筛选（不填为我的待办）：{STATE_HELP}")):
    """不带 state：与“我的待办”页面相同（本角色可办理的环节，逾期在前）；带 state：管辖范围内该环节的案件。"""
    if state is None:
        cases = queue_for(request.user)
    else:
        if state not in {s.value for s in State}:
            raise HttpError(422, f"环节：“{state[:30]}”不是有效的环节代码")
        cases = (scoped(Case.objects.filter(state=state), request.user, CASE_SCOPE)
                 .select_related("household__village").annotate(head_name=Subquery(_heads().values("name")[:1]))
                 .order_by("step_due", "opened_at", "id"))
    cases = cases.annotate(head_id_masked=Subquery(_heads().values("id_masked")[:1]))
    count, rows = page_of(cases, paging)
    day = today()
    return {"count": count, "page": paging.page, "page_size": paging.page_size,
            "items": [_item(c, day) for c in rows]}


def _data_fields(form: forms.Form) -> list[dict]:
    fields = []
    for name, field in form.fields.items():
        if name in ActForm.base_fields:
            continue
        choices = [str(value) for value, _ in getattr(field, "choices", []) if value] or None
        fields.append({"name": name, "label": str(field.label), "required": field.required, "choices": choices,
                       "many": isinstance(field, forms.MultipleChoiceField)})
    return fields


def _actions(case: Case, user) -> list[dict]:
    try:
        role = Role(user.role)
    except ValueError:
        return []
    state = case.state_enum
    result = []
    for action in workflow.allowed_actions(state, role):
        cls = form_class(state, action)
        form = cls(policy=case.policy) if cls is DecisionForm else cls()
        result.append({"action": action.value, "label": workflow.ACTION_LABELS[action],
                       "needs_reason": needs_reason(state, action), "data_fields": _data_fields(form)})
    return result


@router.get("/cases/{int:case_id}", url_name="case", auth=access("handle_cases", CASE), response=CaseOut,
            summary="案件详情")
def case_detail(request, case_id: int):
    """环节、线索、办理记录、研判结果和调用者可执行的动作（记审计日志，与页面相同）。"""
    case = get_scoped_or_404(
        Case.objects.select_related("household__village", "policy").annotate(
            head_name=Subquery(_heads().values("name")[:1]), head_id_masked=Subquery(_heads().values("id_masked")[:1])),
        request.user, CASE_SCOPE, pk=case_id)
    record(request, "case.view", obj=case, summary=f"查看案件 {case.pk}（户 {case.household.hh_no}）")
    found = case_findings(case)
    leads = [{"id": lead.pk, "channel": lead.channel, "channel_label": lead.get_channel_display(),
              "received_at": lead.received_at, "summary": lead.summary, "receipt_no": lead.receipt_no,
              "case_id": lead.case_id} for lead in case.leads.order_by("received_at", "id")]
    steps = [{"action": s.action, "action_label": s.get_action_display(), "from_state": s.from_state,
              "to_state": s.to_state, "actor": str(s.actor) if s.actor_id else "", "at": s.at, "reason": s.reason,
              "data": s.data} for s in case.steps.select_related("actor").order_by("at", "id")]
    return {**_item(case, today()), "policy_version": case.policy.version,
            "identification_due": case.identification_due, "notice_ends": case.notice_ends,
            "effective_date": case.effective_date, "risk_types": case.risk_types, "closed_at": case.closed_at,
            "findings": [f.text for f in found["findings"]], "suggested_category": found["suggested_category"],
            "suggested_risks": list(found["suggested_risks"]), "leads": leads, "steps": steps,
            "actions": _actions(case, request.user)}


# ---------------------------------------------------------------- writes


def _form_value(value: Any) -> Any:
    """JSON values as a posted form would carry them (strings, or lists of strings for multiple choices)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


@router.get("/cases/{int:case_id}/actions", url_name="case_actions", auth=access("handle_cases", CASE),
            include_in_schema=False)
def case_actions_get(request, case_id: int):
    post_only()


@router.post("/cases/{int:case_id}/actions", url_name="case_actions", auth=access("handle_cases", CASE),
             response={200: MovedOut, 409: Detail, 422: Detail}, summary="办理案件（推进、退回、不予纳入……）")
def case_act(request, case_id: int, payload: ActionIn):
    """与案件页面相同：动作是否允许由核心流转表决定（非法 → 409），按 seen_state 条件更新
    （他人已办理 → 409），本环节须记录的内容由页面同一表单校验（→ 422）。"""
    case = get_scoped_or_404(Case.objects.select_related("policy"), request.user, CASE_SCOPE, pk=case_id)
    try:
        state, action = State(payload.seen_state), Action(payload.action)
    except ValueError:
        raise HttpError(422, f"动作或环节代码无效。动作：{ACTION_HELP}") from None
    cls = form_class(state, action)
    data = {**{k: _form_value(v) for k, v in payload.data.items() if k not in ActForm.base_fields},
            "action": action.value, "seen_state": state.value, "reason": payload.reason}
    form = cls(data, policy=case.policy) if cls is DecisionForm else cls(data)
    if not form.is_valid():
        raise FormInvalid(form)
    try:
        moved = services.do_case_action(request.user, case.pk, action.value, seen_state=state.value,
                                        reason=form.cleaned_data["reason"], data=form.step_data(), request=request)
    except (IllegalTransition, services.CaseError) as exc:
        raise HttpError(409, str(exc)) from None
    label = workflow.STATE_LABELS[moved.state_enum]
    return {"id": moved.pk, "state": moved.state, "state_label": label, "step_due": moved.step_due,
            "message": f"已办理：{workflow.ACTION_LABELS[action]}，案件进入“{label}”"}


@router.get("/households/{int:household_id}/leads", url_name="household_leads",
            auth=access("handle_cases", HOUSEHOLD), include_in_schema=False)
def household_leads_get(request, household_id: int):
    post_only()


@router.post("/households/{int:household_id}/leads", url_name="household_leads",
             auth=access("handle_cases", HOUSEHOLD), response={201: LeadOut, 409: Detail, 422: Detail},
             summary="为农户登记线索")
def open_lead(request, household_id: int, payload: LeadIn):
    """并入该户未结案件，没有则立案（一户同时只有一个未结案件）。"""
    household = get_scoped_or_404(Household.objects.all(), request.user, "village__code", pk=household_id)
    form = OpenLeadForm({"summary": payload.summary})
    if not form.is_valid():
        raise FormInvalid(form)
    try:
        lead = services.do_open_lead(household, "visit", form.cleaned_data["summary"], user=request.user,
                                     request=request)
    except services.CaseError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201, {"id": lead.pk, "channel": lead.channel, "channel_label": lead.get_channel_display(),
                        "received_at": lead.received_at, "summary": lead.summary, "receipt_no": lead.receipt_no,
                        "case_id": lead.case_id})


@router.get("/pipeline", url_name="pipeline", auth=access("view_pipeline"), response=PipelineOut,
            summary="识别进度（按下级区划、环节计数）")
def pipeline(request):
    """与“识别进度”页面相同：只有计数，没有个人信息。"""
    day = today()
    rows = pipeline_rows(request.user, day)
    return {"today": day, "total": sum(r["total"] for r in rows), "overdue": sum(r["overdue"] for r in rows),
            "rows": [{**r, "cells": [{k: c[k] for k in ("state", "label", "n")} for c in r["cells"]]} for r in rows]}
