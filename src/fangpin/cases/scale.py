"""The county's scale check from the registry and the cases (issue 3 item 9)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from fangpin.accounts.access import code_prefix_q
from fangpin.cases.models import Case
from fangpin.core.regions import Level
from fangpin.core.scale import ScaleCheck, check_scale
from fangpin.core.workflow import State
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member

# A household counts as a monitoring object once the county has decided, until elimination.
MONITORED_STATES = [State.MONITORING, State.ELIM_VERIFYING, State.ELIM_REVIEW, State.ELIM_NOTICE,
                    State.ELIM_DECISION]


@dataclass(frozen=True)
class CountyScale:
    check: ScaleCheck
    villages_without: list[Region]  # the first 50 village units with households but no monitoring object
    villages_without_count: int
    villages_total: int


def monitored_households_q() -> Q:
    # 监测户 registered by import or form, or decided through the procedure here.
    in_procedure = Case.objects.filter(closed_at__isnull=True, state__in=MONITORED_STATES).values("household_id")
    return Q(hh_type="jiance") | Q(pk__in=in_procedure)


def county_scale(county: Region) -> CountyScale:
    """Three queries whatever the county's size: persons, villages, and the names of the silent ones."""
    assert county.level == Level.COUNTY
    households = Household.objects.filter(code_prefix_q("village_id", county.code))
    monitored = Q(household_id__in=households.filter(monitored_households_q()).values("pk"))
    persons = (Member.objects.filter(code_prefix_q("household__village_id", county.code), status="active")
               .aggregate(total=Count("id"), monitored=Count("id", filter=monitored)))
    check = check_scale(persons["monitored"], persons["total"], deep_poverty=county.deep_poverty)
    per_village = households.values("village_id").annotate(m=Count("id", filter=monitored_households_q()))
    without = sorted(row["village_id"] for row in per_village if row["m"] == 0)
    villages = list(Region.objects.filter(code__in=without[:50]).order_by("code"))
    return CountyScale(check, villages, len(without), len(per_village))
