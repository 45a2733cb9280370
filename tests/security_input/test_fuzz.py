"""Bounded fuzz of the upload parsers: random and mutated bytes may only raise validation errors.

Ledger (``files.iter_rows``, rows consumed to the end) may raise only ``LedgerFileError``;
regions (``read_uploaded``) only ``RegionLoadError``. Seeds are real files (an xlsx from the
template writer and from the export, csv in UTF-8/GBK, a gzip), mutated by hypothesis: bytes
overwritten, ranges cut out or repeated, the file truncated. FANGPIN_FUZZ_EXAMPLES raises the
number of examples per test for a longer local run (CI: 40, about 10 s in all).
"""

from __future__ import annotations

import gzip
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangpin.ledger import files
from fangpin.ledger.workbook import write_template
from fangpin.regions.services import RegionCodeError, RegionLoadError, read_uploaded
from tests.ledger.helpers import csv_bytes, household, xlsx
from tests.security_input.files import corner_cells

EXAMPLES = int(os.environ.get("FANGPIN_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _template() -> bytes:
    out = io.BytesIO()
    write_template(out)
    return out.getvalue()


LEDGER_SEEDS = {
    "台账.xlsx": [xlsx(household("H1", members=3)), _template(), corner_cells()],
    "台账.csv": [csv_bytes(household("H2"), encoding="utf-8-sig"), csv_bytes(household("H3"), encoding="gbk")],
    "台账.xls": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4],
}
REGION_CSV = "code,name,level\n130633100201,东关村委会,5\n130633100202,西关村委会,5\n".encode()
REGION_SEEDS = {"regions.csv": [REGION_CSV, REGION_CSV.decode().encode("gbk")], "regions.csv.gz": [gzip.compress(REGION_CSV)]}


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["set", "cut", "repeat", "truncate", "insert"]))
        if kind == "set":
            data[at:at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 64))] * draw(st.integers(1, 8))
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(max_size=32))
    return bytes(data)


def inputs(seeds: dict[str, list[bytes]]):
    names = sorted(seeds)
    return st.sampled_from(names).flatmap(lambda name: st.tuples(
        st.just(name),
        st.one_of(st.binary(max_size=2048), st.sampled_from(seeds[name]).flatmap(mutated))))


def read_all_ledger(data: bytes, name: str) -> None:
    count, rows = files.iter_rows(data, name)
    for _ in rows:
        pass


@FUZZ
@given(inputs(LEDGER_SEEDS))
def test_ledger_reader_raises_only_ledger_file_errors(case):
    name, data = case
    try:
        read_all_ledger(data, name)
    except files.LedgerFileError as exc:
        assert str(exc)  # a Chinese explanation, never empty


@FUZZ
@given(inputs(REGION_SEEDS))
def test_region_reader_raises_only_region_load_errors(case):
    name, data = case
    try:
        read_uploaded(name, data)
    except RegionLoadError as exc:
        assert exc.errors and all(exc.errors)


def test_the_seeds_themselves_parse_except_the_hostile_ones():
    for name in ("台账.xlsx", "台账.csv"):
        for seed in LEDGER_SEEDS[name][:2]:
            read_all_ledger(seed, name)
    for name, seed in (("台账.xlsx", LEDGER_SEEDS["台账.xlsx"][2]), ("台账.xls", LEDGER_SEEDS["台账.xls"][0])):
        with pytest.raises(files.LedgerFileError):
            read_all_ledger(seed, name)


def test_region_code_errors_stay_inside_region_load_errors():
    with pytest.raises(RegionLoadError) as err:
        read_uploaded("regions.csv", b"code,name\nabc,x\n")
    assert "第 2 行" in err.value.errors[0]
    assert not isinstance(err.value, RegionCodeError)
