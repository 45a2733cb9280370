"""Work pages of the identification procedure: my queue, the pipeline, a case, its actions.

Views read (scoped to the user's region) and hand every move to ``services``; the core's
transition table decides which actions a role may take at each step.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.cases import services
from fangpin.cases.facts import household_facts
from fangpin.cases.forms import (
    ActForm,
    DecisionForm,
    OpenLeadForm,
    error_text,
    form_class,
    needs_reason,
)
from fangpin.cases.models import Case
from fangpin.core import workflow
from fangpin.core.regions import CODE_LENGTHS, Level
from fangpin.core.roles import Role
from fangpin.core.rules import evaluate, suggest_category, suggest_risk_types
from fangpin.core.workflow import Action, IllegalTransition, State
from fangpin.fragments import fragment
from fangpin.regioncache import cached_minutes, region_cached
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member

CASE_SCOPE = "household__village__code"
QUEUE_PAGE = 50
# Monitoring is a standing state, not a step due: its only move (starting elimination) is not a to-do.
NOT_TODO = frozenset({State.MONITORING})


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


# ---------------------------------------------------------------- queue


def queue_states(role: str) -> list[str]:
    """Open states whose step this role may act on (the core's table decides)."""
    try:
        role_enum = Role(role)
    except ValueError:
        return []
    return [s.value for s in workflow.OPEN_STATES - NOT_TODO if workflow.allowed_actions(s, role_enum)]


def queue_for(user):
    """The user's to-dos: overdue first (the oldest due date), then by due date; one query."""
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="head").order_by("status", "id")
    qs = Case.objects.filter(closed_at__isnull=True, state__in=queue_states(user.role))
    return (scoped(qs, user, CASE_SCOPE).select_related("household__village__parent")
            .annotate(head_name=Subquery(heads.values("name")[:1]))
            .order_by(F("step_due").asc(nulls_last=True), "opened_at", "id"))


def quick_actions(case: Case, role: str) -> list[tuple[str, str]]:
    """Actions that need no reason and no step data: one button each, right in the queue."""
    state = case.state_enum
    return [(a.value, workflow.ACTION_LABELS[a]) for a in workflow.allowed_actions(state, Role(role))
            if form_class(state, a) is ActForm and not needs_reason(state, a)]


@require("handle_cases")
def queue(request):
    page = Paginator(queue_for(request.user), QUEUE_PAGE).get_page(request.GET.get("page"))
    day = today()
    rows = [(case, case.is_overdue(day), quick_actions(case, request.user.role)) for case in page]
    overdue_count = services.overdue(request.user, day).filter(state__in=queue_states(request.user.role)).count()
    rows_html = fragment("cases/queue_rows.html", {"rows": rows}, request)
    return render(request, "cases/queue.html", {"page": page, "rows_html": rows_html, "today": day,
                                                "overdue_count": overdue_count})


# ---------------------------------------------------------------- pipeline

PIPELINE_STATES = [s for s in State if s in workflow.OPEN_STATES]


def pipeline_rows(user, day: dt.date) -> list[dict]:
    """Open cases per sub-region of the user's region (townships for a county, villages for a
    township), by state, with overdue totals: one grouped query and one for the region names."""
    level = Level(user.region.level)
    child_len = CODE_LENGTHS[Level(min(level + 1, Level.VILLAGE))]
    counts = (scoped(Case.objects.filter(closed_at__isnull=True), user, "village_code")  # no join: Case.village_code
              .annotate(area=Substr("village_code", 1, child_len))
              .values("area", "state")
              .annotate(n=Count("id"), late=Count("id", filter=Q(step_due__lt=day)))
              .order_by())
    by_area: dict[str, dict] = defaultdict(lambda: {"states": defaultdict(int), "total": 0, "overdue": 0})
    for row in counts:
        entry = by_area[row["area"]]
        entry["states"][row["state"]] += row["n"]
        entry["total"] += row["n"]
        entry["overdue"] += row["late"]
    areas = scoped(Region.objects.filter(level=min(level + 1, Level.VILLAGE), retired=False), user, "code")
    names = dict(areas.values_list("code", "name"))
    codes = sorted(set(names) | set(by_area))
    biggest = max((by_area[c]["total"] for c in codes if c in by_area), default=0) or 1
    return [_pipeline_row(code, names.get(code, code), by_area.get(code), biggest) for code in codes]


def _pipeline_row(code: str, name: str, entry: dict | None, biggest: int) -> dict:
    entry = entry or {"states": {}, "total": 0, "overdue": 0}
    segments = [
        {"state": s.value, "label": workflow.STATE_LABELS[s], "n": entry["states"].get(s.value, 0),
         "pct": round(100 * entry["states"].get(s.value, 0) / biggest, 1)}
        for s in PIPELINE_STATES
    ]
    return {"code": code, "name": name, "total": entry["total"], "overdue": entry["overdue"],
            "segments": [seg for seg in segments if seg["n"]], "cells": segments}


@require("view_pipeline")
def pipeline(request):
    day = today()
    user = request.user
    rows = region_cached(user.region, f"pipeline:{day}", lambda: pipeline_rows(user, day))
    totals = {"total": sum(r["total"] for r in rows), "overdue": sum(r["overdue"] for r in rows)}
    legend = [{"state": s.value, "label": workflow.STATE_LABELS[s]} for s in PIPELINE_STATES]
    sub_label = Level(min(request.user.region.level + 1, Level.VILLAGE)).label
    refreshed = cached_minutes(user.region)
    rows_html = fragment("cases/pipeline_rows.html", {"rows": rows, "legend": legend, "sub_label": sub_label})
    return render(request, "cases/pipeline.html", {"rows_html": rows_html, "totals": totals, "legend": legend,
                                                   "sub_label": sub_label, "today": day, "refreshed": refreshed})


# ---------------------------------------------------------------- detail


@require("handle_cases")
def detail(request, pk: int):
    case = get_scoped_or_404(Case.objects.select_related("household__village__parent", "policy"),
                             request.user, CASE_SCOPE, pk=pk)
    record(request, "case.view", obj=case, summary=f"查看案件 {case.pk}（户 {case.household.hh_no}）")
    found = case_findings(case)
    context = {
        "case": case, "household": case.household, "today": today(),
        "overdue": case.is_overdue(today()),
        "leads": case.leads.all(),
        "steps": case.steps.select_related("actor").order_by("at", "id"),
        "head": Member.objects.filter(household=case.household, relation="head").order_by("status", "id").first(),
        "actions": _action_forms(case, request.user, found),
        "assisted": case.state_enum in ASSISTED_STATES,
        "elimination": _elimination(case),
        "in_notice": case.state_enum in (State.NOTICE, State.ELIM_NOTICE),
        **found,
    }
    return render(request, "cases/detail.html", context)


# A plan, follow-ups and the elimination check belong to monitoring and the elimination path.
ASSISTED_STATES = frozenset({State.MONITORING, State.ELIM_VERIFYING, State.ELIM_REVIEW, State.ELIM_NOTICE,
                             State.ELIM_DECISION})


def _elimination(case: Case):
    """The core's elimination check where it matters: before starting and before approving elimination."""
    if case.state_enum not in ASSISTED_STATES:
        return None
    from fangpin.plans.services import elimination_check  # plans builds on cases

    return elimination_check(case)


def _action_forms(case: Case, user, found: dict) -> list[dict]:
    """One form per action the user's role may take now (the core's ``allowed_actions``)."""
    try:
        role = Role(user.role)
    except ValueError:
        return []
    state = case.state_enum
    forms_ = []
    for action in workflow.allowed_actions(state, role):
        cls = form_class(state, action)
        # each action's form gets its own element ids: several forms share field names on one page
        kw = {"initial": {"action": action.value, "seen_state": state.value}, "auto_id": f"id_{action.value}_%s"}
        form = cls(policy=case.policy, **kw) if cls is DecisionForm else cls(**kw)
        if cls is DecisionForm:  # the core's suggestion is the starting point; the county decides
            form.initial.update(category=case.category or found["suggested_category"] or "",
                                risk_types=case.risk_types or found["suggested_risks"], effective_date=today())
        forms_.append({"action": action.value, "label": workflow.ACTION_LABELS[action], "form": form,
                       "needs_reason": needs_reason(state, action), "has_data": cls is not ActForm,
                       "danger": action in (Action.REJECT, Action.RETURN, Action.OBJECTION)})
    return forms_


def case_findings(case: Case) -> dict:
    found = household_facts(case.household)
    if found is None:
        return {"facts": None, "findings": [], "suggested_category": None, "suggested_risks": []}
    facts, labour = found
    findings = evaluate(facts, case.policy.as_core())
    return {"facts": facts, "findings": findings, "suggested_category": suggest_category(facts, findings),
            "suggested_risks": suggest_risk_types(facts, findings, labour)}


# ---------------------------------------------------------------- actions


@require("handle_cases")
def act(request, pk: int):
    """POST one action; the service does the move (and refuses stale or illegal ones)."""
    case = get_scoped_or_404(Case.objects.select_related("policy"), request.user, CASE_SCOPE, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # From the queue's quick buttons the user goes back to the queue; anything else to the case.
    back = redirect("cases:queue") if request.POST.get("next") == "queue" else redirect("cases:detail", pk=case.pk)
    form = _bound_form(request, case)
    if form is None or not form.is_valid():
        messages.error(request, error_text(form) if form is not None else "无效的办理动作")
        return back
    data = form.cleaned_data
    try:
        moved = services.do_case_action(request.user, case.pk, data["action"], seen_state=data["seen_state"],
                                        reason=data["reason"], data=form.step_data(), request=request)
    except (IllegalTransition, services.CaseError) as exc:
        # StaleCase is a CaseError: the message tells the user to refresh.
        messages.error(request, str(exc))
        return back
    messages.success(request, f"已办理：{workflow.ACTION_LABELS[Action(data['action'])]}，"
                              f"案件进入“{workflow.STATE_LABELS[moved.state_enum]}”")
    return back


def _bound_form(request, case: Case):
    try:
        state, action = State(request.POST.get("seen_state", "")), Action(request.POST.get("action", ""))
    except ValueError:
        return None
    cls = form_class(state, action)
    if cls is DecisionForm:
        return cls(request.POST, policy=case.policy)
    return cls(request.POST)


@require("handle_cases")
def open_lead(request, household_pk: int):
    """Register a visit lead for a household: attaches to its open case or opens one."""
    household = get_scoped_or_404(Household.objects.all(), request.user, "village__code", pk=household_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OpenLeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(reverse("registry:detail", kwargs={"pk": household.pk}))
    try:
        lead = services.do_open_lead(household, "visit", form.cleaned_data["summary"], user=request.user,
                                     request=request)
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("registry:detail", kwargs={"pk": household.pk}))
    messages.success(request, f"已登记线索，受理编号 {lead.receipt_no}")
    return redirect("cases:detail", pk=lead.case_id)

