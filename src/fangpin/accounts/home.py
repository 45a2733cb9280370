"""What each role sees first: its figures, its sub-regions as bars, a lookup, or its tools."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Substr

from fangpin.accounts.access import scoped
from fangpin.core.regions import Level
from fangpin.core.roles import Role
from fangpin.regioncache import region_cached
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member

SUPERVISORS = {Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE}
LOOKUP = {Role.DEPARTMENT, Role.INSURER}


def context_for(user) -> dict:
    context = {"region": user.region, "region_path": user.region.path_names(), "kind": _kind(user)}
    if context["kind"] in ("village", "supervisor"):
        context.update(_region_figures(user, "figures", _figures))
    if context["kind"] == "supervisor" and user.region.level < Level.VILLAGE:
        context["children"] = _region_figures(user, "children", child_counts)
    if context["kind"] == "supervisor" and user.region.level == Level.COUNTY:
        from fangpin.cases.scale import county_scale  # cases builds on accounts, not the reverse

        context["scale"] = _region_figures(user, "scale", lambda u: county_scale(u.region))
    if context["kind"] == "admin":
        context["tools"] = _tools(user)
    return context


def _region_figures(user, name: str, compute):
    """Counts over a whole region, cached above village level (``fangpin.regioncache``): a province's
    home page counts millions of members."""
    return region_cached(user.region, f"home:{name}", lambda: compute(user), below=Level.VILLAGE)


def _kind(user) -> str:
    role = Role(user.role)
    if role is Role.VILLAGE:
        return "village"
    if role in SUPERVISORS:
        return "supervisor"
    return "lookup" if role in LOOKUP else "admin"


def _figures(user) -> dict:
    households = scoped(Household.objects.all(), user, "village__code")
    counts = households.aggregate(
        total=Count("id"),
        tuopin=Count("id", filter=Q(hh_type="tuopin")),
        jiance=Count("id", filter=Q(hh_type="jiance")),
        dibao=Count("id", filter=Q(is_dibao=True)),
        tekun=Count("id", filter=Q(is_tekun=True)),
        unsafe_house=Count("id", filter=Q(housing_safety__in=["C", "D"])),
    )
    persons = scoped(Member.objects.filter(status="active"), user, "household__village__code").count()
    return {"counts": counts, "persons": persons}


def child_counts(user) -> list[dict]:
    """Households per direct sub-region, one grouped query over the code prefix; bars scaled to the largest."""
    children = list(Region.objects.filter(parent_id=user.region_id).order_by("code"))
    if not children:
        return []
    width = len(children[0].code)
    rows = list(
        scoped(Household.objects.all(), user, "village__code")
        .annotate(child=Substr("village_id", 1, width))
        .values("child")
        .annotate(n=Count("id"), jiance=Count("id", filter=Q(hh_type="jiance")))
    )
    by_code = {r["child"]: r for r in rows}
    most = max((r["n"] for r in rows), default=0) or 1
    out = []
    for child in children:
        row = by_code.get(child.code, {})
        n = row.get("n", 0)
        out.append({"region": child, "n": n, "jiance": row.get("jiance", 0), "pct": round(100 * n / most)})
    return out


def _tools(user) -> list[tuple[str, str, str]]:
    """(url name, label, explanation) of the administrator's pages."""
    spec = user.role_spec
    tools = []
    if spec.manage_users:
        tools.append(("accounts:users", "用户管理", "新建账户、修改姓名、停用或启用账户"))
    if spec.manage_grants:
        tools.append(("accounts:users", "账户权限", "变更账户的角色和区划，重置密码和动态口令"))
    if spec.manage_regions:
        tools.append(("regions:list", "行政区划", "浏览区划树，撤销单位，上传新版区划清单"))
    if spec.read_audit:
        tools.append(("audit:list", "审计日志", "按用户、操作、对象、区划、结果和日期检索，导出"))
        tools.append(("audit:verify", "校验哈希链", "检查审计日志是否被修改或删除"))
    tools.append(("accounts:password_change", "修改密码", "修改自己的登录密码"))
    return tools
