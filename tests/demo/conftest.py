"""易县 (130633) from the bundled Hebei list, cut once per session: its 472 real village units."""

from __future__ import annotations

import pytest

from fangpin.demo.generator import Generator, Village
from fangpin.regions.services import BUNDLED_HEBEI, load_regions, read_region_files

YIXIAN = "130633"


def keep(code: str) -> bool:
    return YIXIAN.startswith(code) or code.startswith(YIXIAN)


@pytest.fixture(scope="session")
def yixian_rows():
    return [row for row in read_region_files([BUNDLED_HEBEI]).rows if keep(row.code)]


@pytest.fixture(scope="session")
def villages(yixian_rows) -> list[Village]:
    townships = {r.code: r.name for r in yixian_rows if len(r.code) == 9}
    return [Village(r.code, r.name, townships[r.code[:9]]) for r in yixian_rows if len(r.code) == 12]


@pytest.fixture(scope="session")
def make_plan(villages):
    """make_plan(seed, scale) → generated households (no database), cached per arguments."""
    cache: dict = {}

    def plan(seed: int = 7, scale: float = 0.02):
        if (seed, scale) not in cache:
            cache[seed, scale] = Generator(YIXIAN, villages, seed=seed, scale=scale,
                                           neighbours=("130623", "130626")).run()
        return cache[seed, scale]

    return plan


@pytest.fixture
def yixian(db, yixian_rows):
    load_regions(yixian_rows, retire_missing=False)
    return YIXIAN


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs a fraction of a second per account; the hasher is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
