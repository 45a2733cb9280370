"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture
def cached(settings):
    """Region figures cached for five minutes (as in production), from an empty cache."""
    settings.FANGPIN_FIGURES_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()
