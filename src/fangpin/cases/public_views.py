"""The login-free household pages (mounted at /apply/): apply, pick a village, check progress.

The county comes from ``?county=`` (the link or QR code a county hands out) or the setting
``FANGPIN_PUBLIC_COUNTY``; without either, the page lists the counties to choose from.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.cases.public_forms import ApplyForm, StatusForm, villages_of
from fangpin.cases.public_services import (
    Application,
    apply_limited,
    do_public_apply,
    lookup_progress,
    status_limited,
)
from fangpin.cases.services import CaseError, policy_for
from fangpin.core.policy import DEFAULT_RISK_TYPES
from fangpin.core.regions import Level
from fangpin.regions.models import Region


def _county(request) -> Region | None:
    code = request.POST.get("county") or request.GET.get("county") or getattr(settings, "FANGPIN_PUBLIC_COUNTY", "")
    if not code:
        return None
    county = Region.objects.filter(code=code, level=Level.COUNTY, retired=False).first()
    if county is None:
        raise Http404("未找到该县（市、区）")
    return county


def risk_types_for(county: Region) -> tuple[str, ...]:
    try:
        return policy_for(county.code, timezone.localdate()).as_core().risk_types
    except CaseError:
        return DEFAULT_RISK_TYPES


@login_not_required
@require_http_methods(["GET", "POST"])
def apply(request):
    county = _county(request)
    if county is None:
        counties = Region.objects.filter(level=Level.COUNTY, retired=False).select_related("parent").order_by("code")
        return render(request, "cases/public_counties.html", {"counties": counties})
    township = request.POST.get("township") or request.GET.get("township", "")
    form = ApplyForm(request.POST or None, county=county, risk_types=risk_types_for(county), township=township)
    if request.method == "POST":
        if apply_limited(request):
            return render(request, "cases/public_limited.html", status=429)
        if form.is_valid():
            d = form.cleaned_data
            row = do_public_apply(request, Application(d["name"], d["id_number"], d["phone"], d["village"],
                                                       county.code, d["risk_type"], d["text"]))
            return render(request, "cases/public_receipt.html", {"application": row, "county": county})
    return render(request, "cases/public_apply.html", {"form": form, "county": county})


@login_not_required
def village_options(request):
    """htmx: the villages of the chosen township, within the county of the page."""
    county = _county(request)
    villages = villages_of(county, request.GET.get("township", "")) if county else []
    return render(request, "cases/public_village_options.html", {"villages": villages})


@login_not_required
@require_http_methods(["GET", "POST"])
def status(request):
    form = StatusForm(request.POST or None)
    context = {"form": form, "searched": False, "progress": None}
    if request.method == "POST":
        if status_limited(request):
            return render(request, "cases/public_limited.html", status=429)
        if form.is_valid():
            d = form.cleaned_data
            # A fresh form: the ID number and phone are not echoed back into the page.
            context.update(form=StatusForm(), searched=True,
                           progress=lookup_progress(request, d["id_number"], d["phone"], d["receipt_no"]))
    return render(request, "cases/public_status.html", context)
