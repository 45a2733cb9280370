from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.registry.models import Household


@require("view_registry")
def household_list(request):
    qs = scoped(Household.objects.select_related("village"), request.user, "village__code")
    page = Paginator(qs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/household_list.html", {"page": page})


@require("view_registry")
def household_detail(request, pk: int):
    household = get_scoped_or_404(Household.objects.select_related("village"), request.user, "village__code", pk=pk)
    members = list(household.members.all())
    record(request, "household.view", obj=household, summary=f"查看户 {household.hh_no}")
    return render(request, "registry/household_detail.html", {"household": household, "members": members})
