"""Pages of supervision (督战): region statistics, rules and campaigns, the problem lists and
交办, a problem's page (整改 / 销号 / 退回), evidence files, the monthly summary and 约谈 list.

Views read (scoped to the user's region) and hand every change to ``services``; each POST
redirects back with a message.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin import postflow
from fangpin.accounts.access import get_scoped_or_404, in_scope, require
from fangpin.audit.services import record
from fangpin.core import supervision as core
from fangpin.core.regions import CODE_LENGTHS, LEVEL_LABELS, Level, ancestors, level_of
from fangpin.regions.models import Region
from fangpin.supervision import services
from fangpin.supervision.forms import (
    AssignForm,
    CampaignForm,
    PhaseForm,
    RectifyForm,
    ReviewForm,
    RuleForm,
    error_text,
)
from fangpin.supervision.models import OPEN_STATES, Campaign, Evidence, Problem
from fangpin.supervision.services import SupervisionError
from fangpin.supervision.stats import region_stats

LIST_PAGE = 50
PROBLEM_SCOPE = "region__code"


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


# a posted form: its errors in one message, else the service verb (refusals as messages)
_done, _submit = postflow.for_errors(SupervisionError)


_post_only = postflow.post_only


# ---------------------------------------------------------------- statistics


def _area_and_level(request) -> tuple[str, Level]:
    user = request.user
    area = request.GET.get("region") or user.region_id
    if not area.isdigit() or len(area) not in CODE_LENGTHS.values() or not in_scope(user, area):
        area = user.region_id
    below = Level(min(level_of(area) + 1, Level.VILLAGE))
    try:
        level = Level(int(request.GET.get("level") or below))
    except ValueError:
        level = below
    if level <= level_of(area) and level != Level.VILLAGE or level < Level.CITY:
        level = below
    # A province's village table would have ~50 000 rows: villages are listed one county at a time.
    if level == Level.VILLAGE and level_of(area) < Level.COUNTY:
        level = below
    return area, level


@require("supervise")
def stats(request):
    area, level = _area_and_level(request)
    day = today()
    rows = region_stats(area, level, day)
    if request.GET.get("nonzero"):
        rows = [r for r in rows if r.households]
    names = dict(Region.objects.filter(code__in=[*ancestors(area), area]).values_list("code", "name"))
    trail = [{"code": c, "name": names.get(c, c)} for c in [*ancestors(area), area] if in_scope(request.user, c)]
    levels = [{"value": lvl.value, "label": LEVEL_LABELS[lvl]} for lvl in core.RULE_LEVELS
              if lvl > level_of(area) and (lvl != Level.VILLAGE or level_of(area) >= Level.COUNTY)]
    return render(request, "supervision/stats.html", {
        "rows": rows, "area": area, "level": level, "level_label": LEVEL_LABELS[level], "trail": trail,
        "levels": levels, "today": day, "drill": level < Level.VILLAGE, "metric_labels": core.METRIC_LABELS,
    })


# ---------------------------------------------------------------- rules and campaigns


@require("supervise")
def rules(request):
    user = request.user
    campaigns = Campaign.objects.filter(region_id=user.region_id)
    return render(request, "supervision/rules.html", {
        "rules": services.rules_for(user).select_related("campaign", "region").order_by("-active", "level", "id"),
        "form": RuleForm(campaigns=campaigns), "own_region": user.region_id,
        "in_force": {r.pk for r in services.rules_in_force(user, today())},
    })


@require("supervise")
def rule_add(request):
    refused = _post_only(request)
    if refused:
        return refused
    form = RuleForm(request.POST, campaigns=Campaign.objects.filter(region_id=request.user.region_id))
    return _submit(request, form, lambda d: services.do_save_rule(
        request.user, name=d["name"], metric=d["metric"], level=d["level"], comparator=d["comparator"],
        value=d["value"], campaign_id=d["campaign"], phase=d["phase"].strip(), request=request),
        "已保存督战规则", redirect("supervision:rules"))


@require("supervise")
def rule_active(request, pk: int):
    refused = _post_only(request)
    if refused:
        return refused
    active = request.POST.get("active") == "1"
    return _done(request, lambda: services.do_set_rule_active(request.user, pk, active, request=request),
                 "已启用规则" if active else "已停用规则", redirect("supervision:rules"))


@require("supervise")
def campaigns(request):
    allowed = [*ancestors(request.user.region_id), request.user.region_id]
    items = Campaign.objects.filter(region_id__in=allowed).prefetch_related("phases")
    day = today()
    rows = [{"c": c, "current": c.as_core().phase_on(day)} for c in items]
    return render(request, "supervision/campaigns.html", {"rows": rows, "form": CampaignForm(), "today": day})


@require("supervise")
def campaign_add(request):
    refused = _post_only(request)
    if refused:
        return refused
    form = CampaignForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("supervision:campaigns")
    try:
        campaign = services.do_save_campaign(request.user, name=form.cleaned_data["name"],
                                             note=form.cleaned_data["note"], request=request)
    except SupervisionError as exc:
        messages.error(request, str(exc))
        return redirect("supervision:campaigns")
    messages.success(request, "已创建督战行动，请添加阶段")
    return redirect("supervision:campaign", pk=campaign.pk)


def _campaign(request, pk: int) -> Campaign:
    allowed = [*ancestors(request.user.region_id), request.user.region_id]
    campaign = Campaign.objects.filter(pk=pk, region_id__in=allowed).first()
    if campaign is None:
        raise Http404("督战行动不存在或不在您的管辖范围内")
    return campaign


@require("supervise")
def campaign(request, pk: int):
    item = _campaign(request, pk)
    day = today()
    return render(request, "supervision/campaign.html", {
        "c": item, "phases": item.phases.all(), "current": item.as_core().phase_on(day),
        "rules": item.rules.all(), "form": PhaseForm(), "own": item.region_id == request.user.region_id,
        "today": day,
    })


@require("supervise")
def phase_add(request, pk: int):
    item = _campaign(request, pk)
    refused = _post_only(request)
    if refused:
        return refused
    form = PhaseForm(request.POST)
    return _submit(request, form, lambda d: services.do_add_phase(
        request.user, item.pk, name=d["name"], start=d["start"], end=d["end"], focus=d["focus"], request=request),
        "已添加阶段", redirect("supervision:campaign", pk=item.pk))


# ---------------------------------------------------------------- problem lists and 交办


@require("supervise")
def findings(request):
    day = today()
    area = request.GET.get("region") or ""
    found = services.findings(request.user, day, within=area or None)
    codes = {f.breach.code for f in found if f.problem is None}
    owners: dict[str, list] = {}
    from fangpin.accounts.models import User

    for u in User.objects.filter(region_id__in=codes, is_active=True, role__in=services.OWNER_ROLE.values()):
        if u.role == services.OWNER_ROLE.get(level_of(u.region_id)):
            owners.setdefault(u.region_id, []).append(u)
    rows = [{"f": f, "owners": owners.get(f.breach.code, []),
             "form": AssignForm(initial={"rule": f.rule.pk, "region": f.breach.code,
                                         "deadline": day + dt.timedelta(days=15)},
                                auto_id=f"id_a{f.rule.pk}_{f.breach.code}_%s")} for f in found]
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    children = list(Region.objects.filter(parent_id=request.user.region_id, retired=False).order_by("code"))
    return render(request, "supervision/findings.html", {
        "page": page, "rows": page.object_list, "total": len(rows), "today": day, "area": area,
        "children": children, "children_codes": {c.code for c in children}, "area_name": Region.objects.filter(code=area).values_list("name", flat=True).first(),
        "assigned": sum(1 for f in found if f.problem is not None),
    })


@require("supervise")
def assign(request):
    refused = _post_only(request)
    if refused:
        return refused
    form = AssignForm(request.POST)
    back = redirect("supervision:findings")
    return _submit(request, form, lambda d: services.do_assign(
        request.user, d["rule"], d["region"], deadline=d["deadline"], requirement=d["requirement"],
        owner_id=d["owner"], today=today(), request=request), "已交办", back)


@require("view_problems")
def problems(request):
    day = today()
    qs = services.problems_for(request.user).select_related("region", "owner", "campaign")
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=day)
    elif state in core.PROBLEM_STATE_LABELS:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("deadline", "id"), LIST_PAGE).get_page(request.GET.get("page"))
    filters = [("open", "未销号"), ("overdue", "已超期"), *((s.value, lbl) for s, lbl in core.PROBLEM_STATE_LABELS.items()),
               ("all", "全部")]
    return render(request, "supervision/problems.html", {"page": page, "today": day, "state": state,
                                                         "filters": filters})


@require("view_problems")
def problem(request, pk: int):
    item = get_scoped_or_404(Problem.objects.select_related("region", "rule", "owner", "assigned_by", "campaign",
                                                            "supervisor_region"), request.user, PROBLEM_SCOPE, pk=pk)
    actor = services.actor_of(request.user, item)
    actions = [a.value for a in core.problem_actions(item.state_enum, actor)] if actor else []
    steps = item.steps.select_related("actor").prefetch_related("evidence").order_by("at", "id")
    return render(request, "supervision/problem.html", {
        "p": item, "steps": steps, "actions": actions, "today": today(), "overdue": item.is_overdue(today()),
        "rectify_form": RectifyForm() if "submit" in actions else None,
        "review_form": ReviewForm() if actor == core.Actor.SUPERVISOR else None,
    })


@require("handle_cases")
def rectify(request, pk: int):
    item = get_scoped_or_404(Problem.objects.all(), request.user, PROBLEM_SCOPE, pk=pk)
    refused = _post_only(request)
    if refused:
        return refused
    form = RectifyForm(request.POST, request.FILES)
    return _submit(request, form, lambda d: services.do_rectify(
        request.user, item.pk, text=d["text"], files=d["files"], request=request),
        "已报送整改情况，等待督战单位审核", redirect("supervision:problem", pk=item.pk))


@require("supervise")
def review(request, pk: int):
    item = get_scoped_or_404(Problem.objects.all(), request.user, PROBLEM_SCOPE, pk=pk)
    refused = _post_only(request)
    if refused:
        return refused
    form = ReviewForm(request.POST)
    labels = {"sign_off": "已销号", "send_back": "已退回重新整改", "cancel": "已撤销交办"}
    return _submit(request, form, lambda d: services.do_review(
        request.user, item.pk, d["action"], reason=d["reason"], request=request),
        labels.get(request.POST.get("action", ""), "已办理"), redirect("supervision:problem", pk=item.pk))


@require("view_problems")
def evidence(request, pk: int):
    item = get_scoped_or_404(Evidence.objects.select_related("step__problem"), request.user,
                             "step__problem__region__code", pk=pk)
    data = services.read_evidence(item)
    record(request, "supervision.evidence", obj=item, summary=f"查看督战整改佐证材料（问题 {item.step.problem_id}）",
           detail={"problem": item.step.problem_id, "evidence": item.pk})
    response = HttpResponse(data, content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- monthly summary and 约谈


@require("supervise")
def monthly(request):
    day = today()
    try:
        year, month = (int(x) for x in (request.GET.get("month") or f"{day:%Y-%m}").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        year, month = day.year, day.month
    by = request.GET.get("by", "")
    roll_up = {"county": 6, "township": 9}.get(by, 0)
    result = services.monthly(request.user, year, month, day, roll_up=roll_up)
    prev = dt.date(year, month, 1) - dt.timedelta(days=1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return render(request, "supervision/monthly.html", {
        "m": result, "year": year, "month": month, "today": day, "rule": core.SummonsRule(),
        "prev": f"{prev:%Y-%m}", "next": f"{nxt:%Y-%m}" if nxt <= day else "", "by": by if roll_up else "",
        "month_value": f"{year}-{month:02d}",
    })
