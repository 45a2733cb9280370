"""Registry URLs for the access walk (tests/test_access_walk.py)."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import new_id
from tests.walk import Case, World


def _household(world: World, village: str) -> dict:
    return {"pk": world.households[village].pk}


def _head(world: World, village: str) -> dict:
    return {"pk": world.households[village].members.first().pk}


def _year(world: World, village: str) -> dict:
    from fangpin.registry.models import HouseholdYear

    key = f"registry.year.{village}"
    if key not in world.extra:
        world.extra[key] = HouseholdYear.objects.create(household=world.households[village], year=2023,
                                                        wage=Decimal("8000"))
    return {"pk": world.extra[key].pk}


def _household_post(world: World, village: str) -> dict:
    """A valid edit: were access not refused, the household would change."""
    return {"hh_no": world.households[village].hh_no, "village": village, "hh_type": "jiance",
            "housing_safety": "D", "water": "safe", "address": "被拒绝的修改"}


def _member_post(world: World, village: str) -> dict:
    return {"name": "王五", "id_number": new_id(village[:6]), "relation": "other", "health": "healthy",
            "labour": "full", "schooling": "none", "employment": "farming"}


def _year_post(world: World, village: str) -> dict:
    return {"year": "2022", "wage": "1", "business": "0", "property_income": "0", "transfer": "0",
            "production_cost": "0", "medical_oop": "0", "schooling_exp": "0", "disaster_loss": "0",
            "accident_exp": "0"}


WALK = {
    "registry:list": Case("list", lambda w, v: ({}, "", w.households[v].hh_no), permission="view_registry"),
    "registry:villages": Case("list", lambda w, v: ({}, f"township={v[:9]}", w.households[v].village.name),
                              permission="view_registry"),
    "registry:create": Case("page", lambda w, v: {}, permission="edit_registry"),
    "registry:detail": Case("object", _household, permission="view_registry"),
    "registry:edit": Case("object", _household, permission="edit_registry", post=_household_post),
    "registry:member_add": Case("object", _household, permission="edit_registry", post=_member_post),
    "registry:year_add": Case("object", _household, permission="edit_registry", post=_year_post),
    "registry:member_edit": Case("object", _head, permission="edit_registry", post=_member_post),
    "registry:member_status": Case("object", _head, permission="edit_registry",
                                   post=lambda w, v: {"status": "deceased", "on": "2024-01-01"}),
    "registry:member_unmask": Case("object", _head, permission="unmask", post=lambda w, v: {}),
    "registry:year_edit": Case("object", _year, permission="edit_registry", post=_year_post),
}
