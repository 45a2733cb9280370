"""Access-walk cases for the regions app (see tests/walk.py)."""

from fangpin.core.regions import full_code
from tests.walk import Case


def _root_listing(world, village):
    # The admin's root page lists its children by full code; a township outside the scope never shows.
    return {}, "", full_code(village[:9])


WALK = {
    "regions:list": Case("list", _root_listing, permission="manage_regions"),
    "regions:detail": Case("object", lambda world, village: {"code": village}, permission="manage_regions"),
    "regions:retire": Case("object", lambda world, village: {"code": village}, permission="manage_regions",
                           post=lambda world, village: {"action": "retire"}),
    "regions:upload": Case("page", lambda world, _: {}, permission="manage_regions"),
}
