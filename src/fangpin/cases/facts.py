"""The rules' view of registered households (``core.rules.HouseholdFacts``), one or many at a time.

The case page, the county decision's findings snapshot and the national export all read facts
from here, so a household is judged the same way wherever it appears.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from fangpin.core.income import RIGID_FIELDS
from fangpin.core.rules import HouseholdFacts
from fangpin.registry.models import Household, HouseholdYear, Member

ABLE = ("full", "weak")


def facts_for(households: Iterable[Household]) -> dict[int, tuple[HouseholdFacts, int]]:
    """Facts from each household's latest registry year (households without a year are left out),
    and the number of active members able to work. Three queries, whatever the number of households."""
    by_id = {h.pk: h for h in households}
    if not by_id:
        return {}
    years: dict[int, list[HouseholdYear]] = defaultdict(list)
    for year in HouseholdYear.objects.filter(household_id__in=by_id).order_by("household_id", "-year"):
        if len(years[year.household_id]) < 2:
            years[year.household_id].append(year)
    members: dict[int, list[tuple[str, bool, str]]] = defaultdict(list)
    rows = (Member.objects.filter(household_id__in=by_id, status="active")
            .values_list("household_id", "schooling", "med_insurance", "labour"))
    for household_id, schooling, insured, labour in rows:
        members[household_id].append((schooling, insured, labour))
    return {pk: _facts(by_id[pk], recent, members[pk]) for pk, recent in years.items()}


def household_facts(household: Household) -> tuple[HouseholdFacts, int] | None:
    return facts_for([household]).get(household.pk)


def _facts(household: Household, recent: list[HouseholdYear],
           members: list[tuple[str, bool, str]]) -> tuple[HouseholdFacts, int]:
    latest = recent[0].as_core()
    # Last year's income counts only if it is really the year before (a gap year says nothing).
    previous = recent[1].as_core() if len(recent) > 1 and recent[1].year == recent[0].year - 1 else None
    facts = HouseholdFacts(
        household_type=household.hh_type, persons=len(members), net_income=latest.net_income,
        last_year_net_income=previous.net_income if previous else None,
        rigid={field: getattr(latest, field) for field in RIGID_FIELDS},
        housing_safety=household.housing_safety, water=household.water,
        dropouts=sum(1 for schooling, _, _ in members if schooling == "dropout"),
        uninsured=sum(1 for _, insured, _ in members if not insured),
    )
    return facts, sum(1 for _, _, labour in members if labour in ABLE)
