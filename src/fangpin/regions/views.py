from django.shortcuts import render

from fangpin.accounts.access import require, scoped
from fangpin.regions.models import Region


@require("manage_regions")
def region_list(request):
    parent = request.GET.get("parent") or request.user.region_id
    regions = scoped(Region.objects.filter(parent_id=parent), request.user, "code")
    return render(request, "regions/region_list.html", {"regions": regions, "parent": parent})
