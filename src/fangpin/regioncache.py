"""Figures over a whole region above county level, computed once per region and cache period.

A city's or the province's overview counts hundreds of thousands of cases or households per view;
the same region gives the same answer whoever asks, and a few minutes' delay in an overview is fine
where a second of database time per page view under load is not (docs/load.md). Counties and below
always see live figures: that is where people act on them. ``FANGPIN_FIGURES_CACHE_SECONDS`` (0 in
development and tests) sets the period; the default cache is per process, so each web worker keeps
its own copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from fangpin.core.regions import Level

T = TypeVar("T")


def cache_seconds() -> int:
    return settings.FANGPIN_FIGURES_CACHE_SECONDS


def is_cached(region, *, below: Level = Level.COUNTY) -> bool:
    """Whether ``region``'s figures are kept for the cache period (above level ``below``) or always live."""
    return bool(cache_seconds()) and region.level < below


def cached_minutes(region, *, below: Level = Level.COUNTY) -> int:
    """How old ``region``'s figures may be, in minutes (0: always live), for the page to say so."""
    return cache_seconds() // 60 if is_cached(region, below=below) else 0


def region_cached(region, name: str, compute: Callable[[], T], *, below: Level = Level.COUNTY) -> T:
    """``compute()``, kept for the cache period when ``region`` lies above level ``below``."""
    if not is_cached(region, below=below):
        return compute()
    seconds = cache_seconds()
    key = f"region:{name}:{region.code}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


class RegionPaginator(Paginator):
    """A paginator whose total (COUNT over a city's or the province's rows) is kept per region and
    filter for the cache period; pages themselves are always read live."""

    def __init__(self, object_list, per_page, *, region, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.region = region

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or not is_cached(self.region):  # the key costs an SQL compile: only when it is used
            return super().count
        sql, params = query.sql_with_params()
        digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
        return region_cached(self.region, f"count:{digest}", lambda: Paginator.count.func(self))
