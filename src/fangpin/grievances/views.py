"""Pages of grievances (诉求): the login-free page and status lookup, the staff list, registration, the
grievance page with one form per step, and the ledger with its xlsx.

Views read (scoped to the user's region) and hand every change to ``services``; each step POST
redirects back with a message.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.accounts.models import User
from fangpin.audit.services import record
from fangpin.cases.public_views import _county
from fangpin.core import grievance as core
from fangpin.core.grievance import Kind, State
from fangpin.core.regions import Level
from fangpin.core.roles import Role
from fangpin.grievances import ledger as ledger_mod
from fangpin.grievances import services
from fangpin.grievances.forms import (
    AssignForm,
    LedgerFilter,
    LinkForm,
    PublicForm,
    ReopenForm,
    RespondForm,
    StaffForm,
    StatusForm,
    VisitForm,
    error_text,
)
from fangpin.grievances.models import KIND_CHOICES, STATE_CHOICES, Grievance
from fangpin.grievances.services import SCOPE, GrievanceError, Submission
from fangpin.regions.models import Region

LIST_PAGE = 50


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


# ---------------------------------------------------------------- login-free pages


@login_not_required
@require_http_methods(["GET", "POST"])
def public_submit(request):
    county = _county(request)
    if county is None:
        counties = Region.objects.filter(level=Level.COUNTY, retired=False).select_related("parent").order_by("code")
        return render(request, "grievances/public_counties.html", {"counties": counties})
    township = request.POST.get("township") or request.GET.get("township", "")
    form = PublicForm(request.POST or None, county=county, township=township)
    if request.method == "POST":
        if services.submit_limited(request):
            return render(request, "cases/public_limited.html", status=429)
        if form.is_bot:
            # A filled honeypot: answer like a refusal for too many submissions, store nothing.
            return render(request, "cases/public_limited.html", status=429)
        if form.is_valid():
            d = form.cleaned_data
            g = services.do_submit_public(request, Submission(form.kind_enum(), d["village"], d["name"], d["phone"],
                                                              d["content"], d["id_number"]))
            return render(request, "grievances/public_receipt.html", {"grievance": g, "county": county})
    return render(request, "grievances/public_submit.html", {"form": form, "county": county})


@login_not_required
@require_http_methods(["GET", "POST"])
def public_status(request):
    form = StatusForm(request.POST or None, initial={"no": request.GET.get("no", "")})
    context = {"form": form, "searched": False, "status": None}
    if request.method == "POST":
        if services.status_limited(request):
            return render(request, "cases/public_limited.html", status=429)
        if form.is_valid():
            d = form.cleaned_data
            context.update(form=StatusForm(), searched=True,
                           status=services.lookup_status(request, d["no"], d["phone"]))
    return render(request, "grievances/public_status.html", context)


# ---------------------------------------------------------------- staff: list, new, detail


@require("handle_grievances")
def grievance_list(request):
    day = today()
    qs = scoped(Grievance.objects.select_related("village__parent", "owner"), request.user, SCOPE)
    state, kind, flag = request.GET.get("state", ""), request.GET.get("kind", ""), request.GET.get("flag", "")
    if state in {s.value for s in State}:
        qs = qs.filter(state=state)
    if kind in {k.value for k in Kind}:
        qs = qs.filter(kind=kind)
    if flag == "overdue":
        qs = qs.filter(state__in=[s.value for s in core.OPEN_STATES], due__lt=day)
    elif flag == "mine":
        qs = qs.filter(owner=request.user)
    elif flag == "open":
        qs = qs.filter(state__in=[s.value for s in core.OPEN_STATES])
    overdue_count = scoped(Grievance.objects.filter(state__in=[s.value for s in core.OPEN_STATES], due__lt=day),
                           request.user, SCOPE).count()
    page = Paginator(qs.order_by("-received_at", "-id"), LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "grievances/list.html", {
        "page": page, "today": day, "overdue_count": overdue_count, "state": state, "kind": kind, "flag": flag,
        "state_choices": STATE_CHOICES, "kind_choices": KIND_CHOICES,
    })


@require("handle_grievances")
@require_http_methods(["GET", "POST"])
def grievance_new(request):
    form = StaffForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            g = services.do_register(request.user, Submission(form.kind_enum(), d["village"], d["name"], d["phone"],
                                                              d["content"], d["id_number"], d["source"]),
                                     hh_no=d["hh_no"], case_id=d["case_id"], request=request)
        except GrievanceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记诉求，查询编号 {g.no}")
            return redirect("grievances:detail", pk=g.pk)
    return render(request, "grievances/new.html", {"form": form})


@require("handle_grievances")
def grievance_detail(request, pk: int):
    g = get_scoped_or_404(Grievance.objects.select_related("village__parent", "owner__region", "household", "case",
                                                           "lead", "created_by"), request.user, SCOPE, pk=pk)
    record(request, "grievance.view", obj=g, summary=f"查看诉求 {g.no}")
    user = request.user
    actions = core.allowed_actions(g.state_enum, Role(user.role)) if user.can("handle_grievances") else []
    seen = {"seen_state": g.state}
    can_assign = core.Action.ASSIGN in actions and user.can("assign_grievances")
    context = {
        "g": g, "today": today(), "events": g.events.select_related("user").order_by("at", "id"),
        "assign_form": AssignForm(initial=seen, owners=services.owner_choices(user, g).select_related("region"))
        if can_assign else None,
        "respond_form": RespondForm(initial=seen) if core.Action.RESPOND in actions and g.owner_id == user.pk else None,
        "visit_form": VisitForm(initial=seen) if core.Action.VISIT in actions else None,
        "reopen_form": ReopenForm(initial=seen) if core.Action.REOPEN in actions and (
            g.state == State.RESPONDED or g.satisfaction == core.Satisfaction.UNSATISFIED) else None,
        "link_form": LinkForm(initial={"hh_no": g.household.hh_no if g.household else ""}),
        "can_lead": (g.kind == Kind.EXCLUDED and g.household_id and not g.lead_id and user.can("handle_cases")),
    }
    return render(request, "grievances/detail.html", context)


# ---------------------------------------------------------------- staff: steps


def _post(request, pk: int):
    g = get_scoped_or_404(Grievance.objects.all(), request.user, SCOPE, pk=pk)
    if request.method != "POST":
        return g, HttpResponseNotAllowed(["POST"])
    return g, None


def _submit(request, g: Grievance, form, act, success: str):
    back = redirect("grievances:detail", pk=g.pk)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return back
    try:
        act(form.cleaned_data)
    except GrievanceError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, success)
    return back


@require("assign_grievances")
def assign(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    owners = services.owner_choices(request.user, g).select_related("region")
    form = AssignForm(request.POST, owners=owners)
    return _submit(request, g, form, lambda d: services.do_assign(
        request.user, g.pk, seen_state=d["seen_state"], owner=User.objects.get(pk=d["owner"]), leader=d["leader"],
        request=request), "已交办")


@require("handle_grievances")
def respond(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    form = RespondForm(request.POST)
    return _submit(request, g, form, lambda d: services.do_respond(
        request.user, g.pk, seen_state=d["seen_state"], outcome=form.outcome_enum(), response=d["response"],
        request=request), "已答复，等待回访")


@require("assign_grievances")
def visit(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    form = VisitForm(request.POST)
    return _submit(request, g, form, lambda d: services.do_visit(
        request.user, g.pk, seen_state=d["seen_state"], satisfaction=form.satisfaction_enum(), note=d["note"],
        request=request), "已回访，诉求办结")


@require("assign_grievances")
def reopen(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    return _submit(request, g, ReopenForm(request.POST), lambda d: services.do_reopen(
        request.user, g.pk, seen_state=d["seen_state"], reason=d["reason"], request=request), "已重新交承办人办理")


@require("handle_grievances")
def link(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    return _submit(request, g, LinkForm(request.POST), lambda d: services.do_link(
        request.user, g.pk, hh_no=d["hh_no"], case_id=d["case_id"], request=request), "已关联农户")


@require("handle_cases")
def open_lead(request, pk: int):
    g, refused = _post(request, pk)
    if refused:
        return refused
    return _submit(request, g, LinkForm({}), lambda d: services.do_open_lead(request.user, g.pk, request=request),
                   "已转入监测识别（作为该户案件的线索）")


# ---------------------------------------------------------------- the ledger


def _ledger(request):
    form = LedgerFilter(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, ledger_mod.build(request.user, today(), start=start, end=end)


@require("view_grievances")
def ledger(request):
    form, data = _ledger(request)
    return render(request, "grievances/ledger.html", {"form": form, "ledger": data, "today": today(),
                                                      "query": request.GET.urlencode()})


@require("view_grievances")
def ledger_xlsx(request):
    _, data = _ledger(request)
    day = today()
    body = ledger_mod.to_xlsx(data, request.user, day)
    record(request, "grievance.export", region_code=request.user.scope_code,
           summary=f"导出诉求台账（{data.region.name}，受理 {data.total.received} 件）")
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=grievances-{request.user.scope_code}-{day:%Y%m%d}.xlsx"
    return response
