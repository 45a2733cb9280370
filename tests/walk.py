"""How the access walk (tests/test_access_walk.py) reaches each named URL.

Every app registers its URL names in ``tests/<app>/walk.py`` as ``WALK = {"app:name": Case(...)}``;
the walk fails if a named URL has no Case. For each URL × role × location (a village in the
user's own subtree or outside it) it checks that data outside the user's region never comes back.

Locations are villages of tests/conftest.py: OWN_VILLAGE, SIBLING_VILLAGE (same township),
OTHER_TOWNSHIP_VILLAGE (same county) and OTHER_COUNTY_VILLAGE (same city). The World holds
one household per location (``world.households[code]``), whose ``hh_no`` is a good marker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class World:
    households: dict[str, Any]  # village code → Household
    users: dict[str, Any]  # role value → User
    extra: dict[str, Any] = field(default_factory=dict)  # for builders to cache objects they create


@dataclass(frozen=True)
class Case:
    """One URL name's walk.

    kind:
      "object": ``build(world, village)`` → url kwargs of an object located in ``village``.
                Allowed iff the role has ``permission`` and the village is in the user's scope:
                then GET must answer 200 (or 302 for redirects listed in ``ok_status``);
                otherwise 403 or 404. With ``post`` the walk also POSTs ``post(world, village)``
                for every disallowed combination and expects 403/404 (and nothing written).
      "list":   ``build(world, village)`` → (url kwargs, query string, marker). One GET per role and
                village; the marker (text that shows only if that village's object is listed) must
                not appear for a village outside the user's scope. Roles without ``permission`` get 403.
      "page":   ``build(world, None)`` → url kwargs of a page without region-bound data
                (a form, a template download). Allowed iff ``permission``; else 403.
      "public": no login needed (login page, health check, public application form): ``build`` → kwargs.
    permission: a RoleSpec attribute (see fangpin.core.roles), or None for any logged-in user.
    """

    kind: Literal["object", "list", "page", "public"]
    build: Callable[[World, str | None], Any]
    permission: str | None = None
    post: Callable[[World, str], dict] | None = None
    ok_status: tuple[int, ...] = (200,)
    denied_status: tuple[int, ...] = (403, 404)
    # lists: also require that an in-scope village's marker does appear (proves the list is not empty)
    show_in_scope: bool = True
