from django.contrib import messages
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import redirect, render

from fangpin.accounts.access import code_prefix_q, get_scoped_or_404, require
from fangpin.core.regions import ancestors
from fangpin.regions.forms import RegionUploadForm
from fangpin.regions.models import Region
from fangpin.regions.services import RegionLoadError, do_set_retired, do_upload_regions
from fangpin.registry.models import Household


@require("manage_regions")
def region_list(request):
    """The administrator's own region: the root of what they may browse."""
    return _browse(request, request.user.region)


@require("manage_regions")
def region_detail(request, code: str):
    region = get_scoped_or_404(Region.objects.all(), request.user, "code", code=code)
    return _browse(request, region)


def _browse(request, region: Region):
    children = list(Region.objects.filter(parent_id=region.code).order_by("code"))
    return render(request, "regions/region_list.html", {
        "region": region, "crumbs": _crumbs(request.user, region), "rows": _child_rows(region, children),
        "households": Household.objects.filter(code_prefix_q("village_id", region.code)).count(),
    })


def _crumbs(user, region: Region) -> list[Region]:
    """Ancestors from the user's own region down to ``region`` (nothing above the user's scope)."""
    codes = [c for c in ancestors(region.code) if c.startswith(user.scope_code)]
    return [*Region.objects.filter(code__in=codes).order_by("code"), region]


def _child_rows(region: Region, children: list[Region]) -> list[dict]:
    """Per child: its own sub-units (live/retired) and households, two grouped queries in all."""
    if not children:
        return []
    codes = [c.code for c in children]
    subunits = {r["parent_id"]: r for r in Region.objects.filter(parent_id__in=codes).values("parent_id")
                .annotate(n=Count("code"), retired=Count("code", filter=Q(retired=True)))}
    width = len(codes[0])
    households = dict(Household.objects.filter(code_prefix_q("village_id", region.code))
                      .annotate(child=Substr("village_id", 1, width)).values("child")
                      .annotate(n=Count("id")).values_list("child", "n"))
    return [{"region": c, "subunits": subunits.get(c.code, {}).get("n", 0),
             "retired_subunits": subunits.get(c.code, {}).get("retired", 0),
             "households": households.get(c.code, 0)}
            for c in children]


@require("manage_regions")
def region_retire(request, code: str):
    """GET: confirm; POST: retire (with the subtree) or revive. The own root region stays put."""
    region = get_scoped_or_404(Region.objects.all(), request.user, "code", code=code)
    if region.code == request.user.scope_code:
        messages.error(request, "不能撤销自己所属的区划")
        return redirect("regions:list")
    if request.method == "POST":
        retired = request.POST.get("action") != "revive"
        changed = do_set_retired(request, region, retired=retired)
        messages.success(request, f"已{'撤销' if retired else '恢复'} {region.name}，共 {changed} 个单位")
        return redirect("regions:detail", code=region.parent_id or region.code)
    households = Household.objects.filter(code_prefix_q("village_id", region.code)).count()
    return render(request, "regions/region_retire.html", {"region": region, "households": households})


@require("manage_regions")
def region_upload(request):
    form = RegionUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = do_upload_regions(request, upload.name, upload.read(),
                                       retire_missing=form.cleaned_data["retire_missing"])
        except RegionLoadError as exc:
            errors = exc.errors[:50]
        else:
            messages.success(request, f"区划加载完成：新增 {result.added}，改名 {result.renamed}，"
                                      f"恢复 {result.revived}，撤销 {result.retired}，未变 {result.unchanged}")
            return redirect("regions:list")
    return render(request, "regions/region_upload.html", {"form": form, "errors": errors,
                                                           "scope": request.user.region})
