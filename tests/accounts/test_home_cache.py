"""Home-page counts over a township or larger are cached (FANGPIN_FIGURES_CACHE_SECONDS); a village's are not."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import OWN_VILLAGE

pytestmark = pytest.mark.django_db


def _counts(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["counts"]["total"], response.context.get("children")


def test_county_figures_are_cached_until_they_expire(client, users, make_household, cached):
    make_household(OWN_VILLAGE)
    first, bars = _counts(client, users["county"])
    make_household(OWN_VILLAGE)
    assert _counts(client, users["county"])[0] == first == 1  # cached: the new household not yet counted
    assert bars and "scale" in client.get(reverse("home")).context
    cache.clear()  # what expiry does
    assert _counts(client, users["county"])[0] == 2


def test_village_figures_are_always_fresh(client, users, make_household, cached):
    make_household(OWN_VILLAGE)
    assert _counts(client, users["village"])[0] == 1
    make_household(OWN_VILLAGE)
    assert _counts(client, users["village"])[0] == 2


def test_off_by_default_in_dev_and_tests(settings):
    assert settings.FANGPIN_FIGURES_CACHE_SECONDS == 0
