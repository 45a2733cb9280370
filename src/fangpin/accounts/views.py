from django.db.models import Count, Q
from django.shortcuts import render

from fangpin.accounts.access import scoped
from fangpin.core.regions import Level
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member


def home(request):
    """A home page per role: the registry figures of the user's region, or the admin's tools."""
    user = request.user
    context = {"region": user.region, "region_path": user.region.path_names()}
    if user.can("view_registry"):
        households = scoped(Household.objects.all(), user, "village__code")
        context["counts"] = households.aggregate(
            total=Count("id"),
            tuopin=Count("id", filter=Q(hh_type="tuopin")),
            jiance=Count("id", filter=Q(hh_type="jiance")),
            dibao=Count("id", filter=Q(is_dibao=True)),
            tekun=Count("id", filter=Q(is_tekun=True)),
        )
        context["persons"] = scoped(Member.objects.filter(status="active"), user, "household__village__code").count()
        if user.region.level < Level.VILLAGE:
            context["children"] = _child_counts(user)
    return render(request, "accounts/home.html", context)


def _child_counts(user):
    """Households per direct sub-region, one grouped query over the code prefix."""
    children = list(Region.objects.filter(parent_id=user.region_id).order_by("code"))
    if not children:
        return []
    width = len(children[0].code)
    from django.db.models.functions import Substr

    rows = (
        scoped(Household.objects.all(), user, "village__code")
        .annotate(child=Substr("village_id", 1, width))
        .values("child")
        .annotate(n=Count("id"), jiance=Count("id", filter=Q(hh_type="jiance")))
    )
    by_code = {r["child"]: r for r in rows}
    return [{"region": c, "n": by_code.get(c.code, {}).get("n", 0),
             "jiance": by_code.get(c.code, {}).get("jiance", 0)} for c in children]


def user_list(request):
    from fangpin.accounts.access import require

    @require("manage_users")
    def inner(request):
        from fangpin.accounts.models import User

        users = scoped(User.objects.select_related("region"), request.user, "region__code").order_by("username")
        return render(request, "accounts/user_list.html", {"users": users})

    return inner(request)
