"""Walk every named URL × role × location and fail on anything returned outside the user's region.

URL names are registered per app in tests/<app>/walk.py (see tests/walk.py for the Case kinds);
a URL with no registration fails ``test_every_named_url_is_walked``.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from fangpin.core.roles import Role
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE
from tests.walk import Case, World

LOCATIONS = [OWN_VILLAGE, SIBLING_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OTHER_COUNTY_VILLAGE]
PROJECT_WALK = {
    "login": Case("public", lambda w, v: {}),
    "healthz": Case("public", lambda w, v: {}),
    # logout is POST-only (GET answers 405); any logged-in user may log out.
    "logout": Case("page", lambda w, v: {}, ok_status=(405,)),
}


def _named_urls(patterns, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _named_urls(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def _registered_cases() -> dict[str, Case]:
    cases = dict(PROJECT_WALK)
    for mod in pkgutil.iter_modules(tests.__path__):
        if not mod.ispkg:
            continue
        try:
            walk = importlib.import_module(f"tests.{mod.name}.walk")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{mod.name}.walk":
                raise
            continue
        overlap = set(cases) & set(walk.WALK)
        assert not overlap, f"URL names registered twice: {overlap}"
        cases.update(walk.WALK)
    return cases


CASES = _registered_cases()


def test_every_named_url_is_walked():
    missing = _named_urls(get_resolver().url_patterns) - set(CASES)
    assert missing == set(), f"register these URL names in tests/<app>/walk.py: {sorted(missing)}"


def test_no_stale_registrations():
    stale = set(CASES) - _named_urls(get_resolver().url_patterns)
    assert stale == set(), f"registered but not routed: {sorted(stale)}"


@pytest.fixture
def world(users, make_household):
    households = {v: make_household(v, members=((f"户主{v[-4:]}", "head"),)) for v in LOCATIONS}
    return World(households=households, users=users)


def _allowed(user, case: Case, village: str | None) -> bool:
    if case.permission is not None and not user.can(case.permission):
        return False
    return village is None or village.startswith(user.region_id)


def _url(name: str, kwargs: dict, query: str = "") -> str:
    return reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def _walk_object(client, name, case, world, user):
    for village in LOCATIONS:
        url = _url(name, case.build(world, village))
        status = client.get(url).status_code
        expected = case.ok_status if _allowed(user, case, village) else case.denied_status
        assert status in expected, f"{user.role} GET {url} (object in {village}) → {status}, want {expected}"
        if case.post is not None and not _allowed(user, case, village):
            status = client.post(url, case.post(world, village)).status_code
            assert status in case.denied_status, f"{user.role} POST {url} ({village}) → {status}"


def _walk_list(client, name, case, world, user):
    for village in LOCATIONS:
        kwargs, query, marker = case.build(world, village)
        url = _url(name, kwargs, query)
        response = client.get(url)
        if case.permission is not None and not user.can(case.permission):
            assert response.status_code in case.denied_status, f"{user.role} GET {url} → {response.status_code}"
            continue
        assert response.status_code in case.ok_status, f"{user.role} GET {url} → {response.status_code}"
        body = response.content.decode()
        if village.startswith(user.region_id):
            if case.show_in_scope:
                assert marker in body, f"{user.role} GET {url}: in-scope {marker!r} ({village}) missing"
        else:
            assert marker not in body, f"{user.role} GET {url}: out-of-scope {marker!r} ({village}) returned"


def _walk_page(client, name, case, world, user):
    url = _url(name, case.build(world, None))
    status = client.get(url).status_code
    expected = case.ok_status if _allowed(user, case, None) else case.denied_status
    assert status in expected, f"{user.role} GET {url} → {status}, want {expected}"


WALKERS = {"object": _walk_object, "list": _walk_list, "page": _walk_page}


@pytest.mark.parametrize("name", sorted(CASES))
def test_walk(name, client, world):
    case = CASES[name]
    if case.kind == "public":
        assert client.get(_url(name, case.build(world, None))).status_code in case.ok_status
        return
    anonymous = client.get(_url(name, _anonymous_kwargs(case, world)))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], f"anonymous {name}"
    for role in Role:
        user = world.users[role.value]
        client.force_login(user)
        WALKERS[case.kind](client, name, case, world, user)
        client.logout()


def _anonymous_kwargs(case: Case, world: World) -> dict:
    if case.kind == "object":
        return case.build(world, OWN_VILLAGE)
    if case.kind == "list":
        return case.build(world, OWN_VILLAGE)[0]
    return case.build(world, None)
