"""Seeded sampling that hits target counts exactly at any scale.

Drawing each household's traits independently would make a 1 % demo county wander far from
its targets; quotas (largest remainder) and weighted selection without replacement keep the
counts exact while the random generator still decides *which* households get them.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K")


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    mass = sum(weights)
    if total <= 0 or mass <= 0:
        return [0] * len(weights)
    exact = [total * w / mass for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def deck(rng: random.Random, shares: Mapping[K, float], n: int) -> list[K]:
    """``n`` keys in exact proportion to ``shares``, shuffled."""
    keys = list(shares)
    cards = [k for k, count in zip(keys, allocate(n, [shares[k] for k in keys]), strict=True)
             for _ in range(count)]
    rng.shuffle(cards)
    return cards


def flags(rng: random.Random, n: int, share: float) -> list[bool]:
    """``round(n × share)`` True values among ``n``, shuffled."""
    return deck(rng, {True: share, False: 1 - share}, n) if n else []


def pick_weighted(rng: random.Random, items: Sequence[T], n: int, weight: Callable[[T], float]) -> list[T]:
    """``n`` distinct items, each more likely the heavier it is (Efraimidis–Spirakis)."""
    keyed = []
    for index, item in enumerate(items):
        w = weight(item)
        if w > 0:
            keyed.append((rng.random() ** (1.0 / w), index))
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:n]]


class Chooser:
    """Repeated weighted choice from a fixed table (bisect on cumulative weights)."""

    def __init__(self, shares: Mapping[K, float] | Sequence[tuple[K, float]]):
        pairs = list(shares.items()) if isinstance(shares, Mapping) else list(shares)
        self.keys = [k for k, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))

    def __call__(self, rng: random.Random):
        return self.keys[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]
