"""Region scope is filtered by ``access.code_prefix_q`` everywhere, never by ``…__startswith``.

On PostgreSQL a ``LIKE 'prefix%'`` cannot use the b-tree index of a code column under the database's
C.UTF-8 collation, so one forgotten ``village__code__startswith`` turns a county's figures into a scan
of the province's million households. The range that ``code_prefix_q`` writes is served by the index.
"""

from __future__ import annotations

import re
from pathlib import Path

import fangpin

SRC = Path(fangpin.__file__).resolve().parent
# a lookup on a column that holds a region code: code, region_code, village, village_id, county_id …
REGION_STARTSWITH = re.compile(r"\b(?:\w+__)?(?:code|region_code|region_id|village|village_id|county_id)__startswith\b")
ALLOWED = {SRC / "accounts" / "access.py"}  # code_prefix_q's own fallback for a prefix that is not digits


def _offences(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if REGION_STARTSWITH.search(line)]


def test_the_pattern_catches_what_it_is_for():
    assert _offences('Household.objects.filter(village__code__startswith=code)')
    assert _offences('qs.filter(region_code__startswith=scope)')
    assert _offences('Q(**{"household__village_id__startswith": s})')
    assert not _offences('qs.filter(hh_no__startswith=text, name_initials__startswith=t)')


def test_no_region_filter_is_a_like_prefix():
    found = {}
    for path in SRC.rglob("*.py"):
        if path in ALLOWED or "tests" in path.parts:
            continue
        lines = _offences(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(SRC))] = lines
    assert not found, f"use fangpin.accounts.access.code_prefix_q for region filters: {found}"
