"""Small real extracts of the statistics bureau files (china-division 2.7.0), cut once per session."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

NATIONAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "regions"
FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv.gz"]
YIXIAN = "130633"


def _filtered(src: Path, dst: Path, keep) -> None:
    raw = gzip.decompress(src.read_bytes()) if src.suffix == ".gz" else src.read_bytes()
    lines = raw.decode("utf-8-sig").splitlines(keepends=True)
    out = lines[0] + "".join(line for line in lines[1:] if keep(line.split(",", 1)[0]))
    dst.write_bytes(gzip.compress(out.encode()) if dst.suffix == ".gz" else out.encode())


@pytest.fixture(scope="session")
def yixian_files(tmp_path_factory) -> list[Path]:
    """易县 (130633) and its ancestors, in the china-division file layout."""
    if not NATIONAL.exists():
        pytest.skip(f"{NATIONAL} not present")
    folder = tmp_path_factory.mktemp("yixian")
    paths = []
    for name in FILES:
        dst = folder / name
        _filtered(NATIONAL / name, dst, lambda code: YIXIAN.startswith(code) or code.startswith(YIXIAN))
        paths.append(dst)
    return paths


def write_csv(path: Path, rows, header=("code", "name", "level")) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
