"""数据看板: the user's region (or a sub-region drilled into), its boundary map, and the maps' upload.

Every page is scoped: a region outside the user's subtree answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
import io
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.cases.forms import error_text
from fangpin.core.dashboard import PanelData
from fangpin.core.geojson import GeoJSONError
from fangpin.core.regions import Level, ancestors
from fangpin.dashboards import services
from fangpin.dashboards.forms import MapUploadForm, map_limit
from fangpin.dashboards.models import RegionMap
from fangpin.dashboards.panels import PANELS, Ctx, Panel, available_panels
from fangpin.regions.models import Region
from fangpin.uploads import human_size


def today() -> dt.date:
    """The office's date; tests freeze it here."""
    return timezone.localdate()


def _region(request, code: str) -> Region:
    return get_scoped_or_404(Region.objects.all(), request.user, "code", code=code)


def _crumbs(user, region: Region) -> list[Region]:
    """From the user's own region down to ``region`` (nothing above the user's scope)."""
    codes = [c for c in ancestors(region.code) if c.startswith(user.scope_code)]
    return [*Region.objects.filter(code__in=codes).order_by("code"), region]


@require("view_dashboard")
def index(request):
    return _dashboard(request, request.user.region)


@require("view_dashboard")
def region(request, code: str):
    return _dashboard(request, _region(request, code))


def computed(panel: Panel, ctx: Ctx) -> PanelData:
    """A panel's figures, cached per region and day for FANGPIN_FIGURES_CACHE_SECONDS (as the home page's).

    Same region, same figures whoever asks (scope is checked before), so the key is panel + region + day.
    0 (dev and tests) computes every time; a few minutes' delay in a dashboard is fine, a slow page is not.
    """
    seconds = getattr(settings, "FANGPIN_FIGURES_CACHE_SECONDS", 0)
    if not seconds:
        return panel.compute(ctx)
    key = f"dashboards:{panel.key}:{ctx.code}:{ctx.day:%Y%m%d}"
    data = cache.get(key)
    if data is None:
        data = panel.compute(ctx)
        cache.set(key, data, seconds)
    return data


def _dashboard(request, region_: Region):
    started = time.perf_counter()
    ctx = Ctx(region_, today())
    panels = [computed(p, ctx) for p in available_panels()]
    has_map = region_.level < Level.VILLAGE and RegionMap.objects.filter(region=region_).exists()
    data = {
        "region": region_.code, "name": region_.name,
        "drill_url": reverse("dashboards:region", args=["CODE"]),
        "map_url": reverse("dashboards:map_json", args=[region_.code]) if has_map else "",
        "panels": [p.as_json() for p in panels],
    }
    shown = [{"data": p, "chart": not p.empty or bool(p.drill), "rows": _linked_rows(p)} for p in panels]
    return render(request, "dashboards/dashboard.html", {
        "region": region_, "crumbs": _crumbs(request.user, region_), "panels": shown, "data": data,
        "has_map": has_map, "today": ctx.day, "elapsed_ms": round(1000 * (time.perf_counter() - started)),
        "can_upload_map": request.user.can("manage_regions"),
    })


def _linked_rows(data: PanelData) -> list[tuple[str, list]]:
    """Table rows with the sub-region each one drills into ("" for totals and plain rows): the table is the
    keyboard's and the screen reader's way down, as the chart is the pointer's."""
    drill = dict(zip(data.categories, data.drill, strict=True)) if data.drill else {}
    return [(drill.get(row[0], "") if row else "", row) for row in data.rows]


def _safe(value):
    """Spreadsheets run cells that start with = + - @ as formulas; region names never should."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@require("view_dashboard")
def panel_xlsx(request, code: str, key: str):
    """下载表格: the panel's table as an xlsx sheet (title row, header, rows, the note and the date)."""
    import xlsxwriter

    region_ = _region(request, code)
    panel = PANELS.get(key)
    if panel is None or not panel.available:
        raise Http404("没有这个看板")
    day = today()
    data = computed(panel, Ctx(region_, day))
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(data.title[:31].replace("/", "、"))
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    width = max(len(data.columns), 1)
    if width > 1:
        sheet.merge_range(0, 0, 0, width - 1, f"{region_.name} {data.title}", title)
    else:
        sheet.write(0, 0, f"{region_.name} {data.title}", title)
    sheet.write(1, 0, f"统计日期：{day:%Y-%m-%d}" + (f"；单位：{data.unit}" if data.unit else ""))
    sheet.write_row(2, 0, data.columns, bold)
    for i, row in enumerate(data.rows, start=3):
        sheet.write_row(i, 0, [_safe(v) for v in row])
    if data.note:
        sheet.write(len(data.rows) + 4, 0, _safe(data.note))
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, width, 12)
    book.close()
    record(request, "dashboard.export", object_type="region", object_id=region_.code, region_code=region_.code,
           summary=f"下载看板表格：{region_.name} {data.title}")
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{region_.code}-{key}-{day:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require("view_dashboard")
def map_json(request, code: str):
    region_ = _region(request, code)
    stored = RegionMap.objects.filter(region=region_).only("geojson").first()
    if stored is None:
        raise Http404("该区划没有上传边界图")
    names = dict(Region.objects.filter(parent_id=region_.code).values_list("code", "name"))
    return JsonResponse({"geojson": stored.geojson, "names": names})


@require("manage_regions")
def maps(request):
    rows = scoped(RegionMap.objects.select_related("region", "uploaded_by"), request.user, "region__code")
    return render(request, "dashboards/maps.html", {"rows": rows, "limit": human_size(map_limit())})


@require("manage_regions")
def map_upload(request):
    form = MapUploadForm(request.POST or None, request.FILES or None,
                         initial={"region": request.GET.get("region", request.user.region_id)})
    errors: list[str] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = [error_text(form)]
        else:
            code = form.cleaned_data["region"]
            region_ = Region.objects.filter(code=code).first()
            if region_ is None or not code.startswith(request.user.scope_code):
                errors = [f"区划代码：{code} 不存在或不在您的管辖范围内"]
            elif region_.level >= Level.VILLAGE:
                errors = ["区划代码：村级单位没有下级区划，请填写乡镇及以上的代码"]
            else:
                upload = form.cleaned_data["file"]
                try:
                    checked = services.do_upload_map(request, region_, upload.name, upload.read())
                except GeoJSONError as exc:
                    errors = exc.errors
                else:
                    note = f"；{len(checked.missing)} 个下级区划没有边界" if checked.missing else ""
                    messages.success(request, f"已保存 {region_.name} 边界图：{len(checked.matched)} 个要素{note}")
                    return redirect("dashboards:maps")
    return render(request, "dashboards/map_upload.html", {"form": form, "errors": errors,
                                                          "limit": human_size(map_limit())})
