"""Pages of the employment link: demand list, publishing (form or list), candidates, placements.

Views read (scoped to the user's region) and hand every change to ``services``.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import require
from fangpin.audit.services import record
from fangpin.core.employment import PRIORITY_LABELS
from fangpin.employment import services
from fangpin.employment.forms import DemandForm, ImportForm, OutcomeForm, error_text
from fangpin.employment.models import Placement
from fangpin.employment.services import JobError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require("handle_cases")
def demand_list(request):
    day = services.today()
    demands = services.visible_demands(request.user).order_by("closed_at", "-created_at")
    if request.GET.get("all") != "1":
        demands = demands.filter(closed_at__isnull=True, valid_until__gte=day)
    page = Paginator(demands, 50).get_page(request.GET.get("page"))
    return render(request, "employment/list.html", {"page": page, "rows": page.object_list, "today": day,
                                                    "show_all": request.GET.get("all") == "1"})


def _save(request, form, pk=None):
    if not form.is_valid():
        messages.error(request, error_text(form))
        return None
    data = dict(form.cleaned_data)
    phone = data.pop("phone")
    try:
        demand, _ = services.do_save_demand(request.user, data, phone=phone, pk=pk, request=request)
    except JobError as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, f"已保存岗位：{demand.firm}·{demand.title}")
    return redirect("employment:detail", pk=demand.pk)


@require("manage_jobs")
@require_http_methods(["GET", "POST"])
def demand_new(request):
    form = DemandForm(request.POST or None)
    if request.method == "POST" and (done := _save(request, form)):
        return done
    return render(request, "employment/form.html", {"form": form, "demand": None})


@require("manage_jobs")
@require_http_methods(["GET", "POST"])
def demand_edit(request, pk: int):
    demand = services.demand_for(request.user, pk)
    initial = {f: getattr(demand, f) for f in services.FIELDS}
    form = DemandForm(request.POST or None, initial=initial)
    form.fields["phone"].help_text = f"现为 {demand.contact_phone_masked or '未登记'}；留空表示不修改"
    if request.method == "POST" and (done := _save(request, form, pk=demand.pk)):
        return done
    return render(request, "employment/form.html", {"form": form, "demand": demand})


@require("manage_jobs")
def demand_close(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.do_close_demand(request.user, pk, request=request)
        messages.success(request, "已停止招聘")
    except JobError as exc:
        messages.error(request, str(exc))
    return redirect("employment:detail", pk=pk)


@require("manage_jobs")
@require_http_methods(["GET", "POST"])
def demand_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.do_import_demands(request.user, upload.read(), upload.name, request=request)
        except JobError as exc:
            form.add_error("file", str(exc))
        else:
            if not outcome.errors:
                messages.success(request, f"已导入 {outcome.rows} 个岗位：新增 {outcome.created}，更新 {outcome.updated}，"
                                          f"未变 {outcome.unchanged}")
                return redirect("employment:list")
    return render(request, "employment/import.html", {"form": form, "outcome": outcome})


@require("manage_jobs")
def template(request):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("用工需求")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    for col, (key, header, _) in enumerate(services.COLUMNS):
        sheet.write(0, col, header + ("*" if key in services.REQUIRED else ""), head)
        sheet.set_column(col, col, 14)
    sheet.data_validation(1, 2, 2000, 2, {"validate": "list", "source": ["县内", "省内县外", "省外"]})
    sheet.data_validation(1, 8, 2000, 8, {"validate": "list", "source": ["不限", "男", "女"]})
    for col in (9, 10):
        sheet.data_validation(1, col, 2000, col, {"validate": "list", "source": ["是", "否"]})
    sheet.write_row(1, 0, ["示例：某某食品有限公司", "包装工", "县内", "易县经济开发区", 20, 3200, 18, 55, "不限", "是", "否",
                           "2026-12-31", "王经理", "", "包吃住"])
    sheet.freeze_panes(1, 0)
    book.close()
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%94%A8%E5%B7%A5%E9%9C%80%E6%B1%82%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@require("handle_cases")
def demand_detail(request, pk: int):
    demand = services.demand_for(request.user, pk)
    day = services.today()
    placements = services.placements_for(request.user).filter(demand=demand)
    rows = services.candidates(request.user, demand, day) if services.is_open(demand, day) else []
    if rows:
        record(request, "employment.candidates", obj=demand, region_code=request.user.scope_code,
               summary=f"查看岗位 {demand.firm}·{demand.title} 的待就业人员 {len(rows)} 人",
               detail={"members": [m.pk for _, m in rows][:200]})
    return render(request, "employment/detail.html", {
        "demand": demand, "placements": placements, "candidates": rows, "today": day,
        "open": services.is_open(demand, day), "priority_labels": PRIORITY_LABELS,
        "can_edit": request.user.can("manage_jobs") and demand.county_id == request.user.scope_code[:6],
        "outcome_form": OutcomeForm(initial={"hired": "1", "start_date": day})})


@require("handle_cases")
def recommend(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    demand = services.demand_for(request.user, pk)
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError:
        messages.error(request, "请选择要推荐的人员")
        return redirect("employment:detail", pk=demand.pk)
    try:
        placement = services.do_recommend(request.user, demand.pk, member_id, request=request)
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        made = placement.measures.count()
        messages.success(request, f"已推荐 {placement.member.name}" + (f"，已记入帮扶计划 {made} 项就业帮扶措施" if made else ""))
    return redirect("employment:detail", pk=demand.pk)


@require("handle_cases")
def placements(request):
    qs = services.placements_for(request.user)
    status = request.GET.get("status", "recommended")
    if status in {s for s, _ in Placement.STATUS_CHOICES}:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "employment/placements.html", {
        "page": page, "rows": page.object_list, "status": status, "statuses": Placement.STATUS_CHOICES,
        "outcome_form": OutcomeForm(initial={"hired": "1", "start_date": services.today()})})


@require("handle_cases")
def outcome(request, pk: int):
    placement = services.placements_for(request.user).filter(pk=pk).first()
    if placement is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OutcomeForm(request.POST)
    if request.POST.get("next") == "detail":
        back = redirect("employment:detail", pk=placement.demand_id)
    else:
        back = redirect("employment:placements")
    if not form.is_valid():
        messages.error(request, error_text(form))
        return back
    d = form.cleaned_data
    try:
        services.do_record_outcome(request.user, placement.pk, hired=d["hired"], note=d["note"],
                                   start_date=d["start_date"], request=request)
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记结果")
    return back
