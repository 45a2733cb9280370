"""What-if pages (模拟新标准, mounted at /alerts/whatif/): the draft form with the simulations of the region,
and one simulation's live progress and results. State changes only through ``alerts.whatif``."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts.access import code_prefix_q, get_scoped_or_404, scoped
from fangpin.alerts import whatif
from fangpin.alerts.models import Simulation
from fangpin.alerts.views import _last_month
from fangpin.cases.services import CaseError, policy_for
from fangpin.core.regions import Level
from fangpin.regions.models import Region

SCOPE = "region__code"
CHART_ROWS = 60  # more units than this: the table only


def require_simulate(view):
    """Whoever screens (the county) or sets the policy (county, province)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not whatif.may_simulate(request.user):
            raise PermissionDenied("您的角色无权进行政策模拟")
        return view(request, *args, **kwargs)

    return wrapper


def _regions(user) -> list[Region]:
    """The user's own region and, above a county, the counties in it (a simulation runs county by county)."""
    own = user.region
    if own is None:
        return []
    below = [] if own.level >= Level.COUNTY else list(
        Region.objects.filter(code_prefix_q("code", own.code), level=Level.COUNTY, retired=False)
        .order_by("code"))
    return [own, *below]


class DraftForm(forms.Form):
    period = forms.CharField(label="筛查月份（截至该月底的近 12 个月）", max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}))
    region = forms.ChoiceField(label="模拟范围")
    monitoring_line = forms.CharField(label="模拟监测线（元/人·年，不填则沿用现行）", required=False, max_length=20,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    rigid_factor = forms.CharField(label="刚性支出超上年收入倍数（不填则沿用现行）", required=False, max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    collapse_ratio = forms.CharField(label="收入骤减比例（0–1，不填则沿用现行）", required=False, max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    rules = forms.MultipleChoiceField(label="启用的规则", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=list(whatif.RULE_TITLES.items()))

    def __init__(self, *args, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            data["draft"] = whatif.parse_draft(
                data.get("monitoring_line"), data.get("rigid_factor"), data.get("collapse_ratio"),
                [code for code in whatif.RULE_TITLES if code not in (data.get("rules") or [])])
        except whatif.DraftError as exc:
            self.add_error(exc.field, str(exc))
        return data


@require_simulate
@require_http_methods(["GET", "POST"])
def whatif_list(request):
    user = request.user
    regions = _regions(user)
    form = DraftForm(request.POST or None, regions=regions,
                     initial={"period": _last_month(), "region": user.region_id, "rules": list(whatif.RULE_TITLES)})
    if request.method == "POST" and form.is_valid():
        try:
            simulation = whatif.do_start_simulation(user, form.cleaned_data["region"], form.cleaned_data["period"],
                                                    form.cleaned_data["draft"], request=request)
        except whatif.AlertError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("alerts:whatif_detail", pk=simulation.pk)
    try:
        current = policy_for(user.region_id, timezone.localdate()) if user.region_id else None
    except CaseError:
        current = None
    simulations = scoped(Simulation.objects.select_related("region", "created_by"), user, SCOPE)[:30]
    return render(request, "alerts/whatif.html", {"form": form, "current": current, "simulations": simulations})


@require_simulate
def whatif_detail(request, pk: int):
    item = get_scoped_or_404(Simulation.objects.select_related("region", "created_by"), request.user, SCOPE, pk=pk)
    if request.headers.get("HX-Request"):
        response = render(request, "alerts/_whatif_status.html", {"simulation": item})
        if item.finished:
            response["HX-Refresh"] = "true"  # the results are on the full page
        return response
    results = item.results if item.status == "done" else None
    counties = results.get("counties", []) if results else []
    overview = _chart(counties) if len(counties) > 1 else []  # a province or city: one bar pair per county
    chosen = request.GET.get("county", "")
    shown = [c for c in counties if len(counties) == 1 or c["code"] == chosen]
    return render(request, "alerts/whatif_detail.html", {
        "simulation": item, "results": results, "overview": overview, "chosen": chosen,
        "counties": [_county(c) for c in counties], "shown": [_county(c, detail=True) for c in shown]})


def _chart(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bar widths (CSS classes w-0 … w-100: the CSP allows no inline style), households today vs the draft."""
    units = units[:CHART_ROWS]
    top = max([u["today"][0] for u in units] + [u["draft"][0] for u in units] + [1])
    return [{"code": u["code"], "name": u["name"], "today": u["today"][0], "draft": u["draft"][0],
             "w_today": round(100 * u["today"][0] / top), "w_draft": round(100 * u["draft"][0] / top),
             "level": u["scale_draft"]["level"]} for u in units]


def _county(county: dict[str, Any], detail: bool = False) -> dict[str, Any]:
    """A county's figures; with ``detail`` its chart (per township, or per village in a one-township scope)."""
    extra: dict[str, Any] = {
        "villages_over": sum(1 for v in county.get("villages", []) if v["scale_draft"]["over"]),
        "diff": [county["draft"][0] - county["today"][0], county["draft"][1] - county["today"][1]]}
    if detail:
        units = county.get("townships") or []
        extra["chart"] = _chart(units if len(units) > 1 else county.get("villages") or [])
    return {**county, **extra}
