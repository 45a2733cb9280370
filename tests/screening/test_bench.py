"""``fangpin bench_screening`` at a tiny size: the full path, the hand-written floor and the pandas baseline
flag the same (household, rule) pairs, and the warnings are stored (Parquet; PostgreSQL when the tests run
on it), exactly once. Correctness only — the figures are not asserted."""

from __future__ import annotations

import io
import re

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connection

from fangpin.core.rules import RULES

pytestmark = pytest.mark.django_db(transaction=True)


def _pg_url() -> str | None:
    if connection.vendor != "postgresql":
        return None
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _bench(tmp_path, *extra: str) -> str:
    out = io.StringIO()
    args = ["--persons", "3000", "--records", "30000", "--out", str(tmp_path), "--sample", "400",
            "--threads", "2", "--memory-limit", "1GB", "--no-spark", *extra]
    pg = _pg_url()
    call_command("bench_screening", *args, *(["--pg", pg] if pg else []), stdout=out)
    return out.getvalue()


def test_bench_agrees_and_stores(tmp_path):
    text = _bench(tmp_path)
    assert "generation: " in text and "(not part of the path)" in text
    assert "agreement: IDENTICAL (household, rule) sets" in text, text
    assert "0 engine/core mismatches" in text
    pandas = next(line for line in text.splitlines() if line.strip().startswith("pandas"))
    assert "agreement with the floor on the sample: IDENTICAL" in pandas, text
    core = next(line for line in text.splitlines() if line.strip().startswith("core path"))
    assert "agreement with the floor: IDENTICAL" in core, text

    # matching: every record counted once as matched, not registered or outside the province
    total = re.search(r"all kinds\s+([\d,]+) rows:\s+([\d,]+) matched,\s+([\d,]+) not in the registry,"
                      r"\s+([\d,]+) outside", text)
    assert total is not None, text
    rows, matched, unregistered, outside = (int(g.replace(",", "")) for g in total.groups())
    assert rows == 30000 or rows >= 29990  # per-kind shares are rounded down
    assert matched + unregistered + outside == rows and matched > 0.9 * rows and unregistered > 0 and outside > 0

    findings = int(re.search(r"households flagged \([\d.]+ %\), ([\d,]+) findings", text).group(1).replace(",", ""))
    assert findings > 0
    warnings = pq.read_table(tmp_path / "warnings-2026-10.parquet")
    assert warnings.num_rows == findings
    assert set(warnings.column("rule").to_pylist()) <= {r.code for r in RULES}
    assert set(warnings.column("period").to_pylist()) == {"2026-10"}
    keys = list(zip(warnings.column("household_id").to_pylist(), warnings.column("rule").to_pylist(), strict=True))
    assert len(set(keys)) == len(keys)

    if _pg_url():
        assert f"{findings:,} new rows in bench_screening_warning" in text
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), count(DISTINCT (household_id, rule)) FROM bench_screening_warning "
                        "WHERE period = '2026-10'")
            assert cur.fetchone() == (findings, findings)
        agree = next(line for line in text.splitlines() if line.strip().startswith("PostgreSQL"))
        assert "agreement with the floor on the sample: IDENTICAL" in agree, text
    else:
        assert "no PostgreSQL given" in text


def test_bench_reuses_the_files(tmp_path):
    first = _bench(tmp_path, "--no-baselines")
    again = _bench(tmp_path, "--no-baselines")
    assert "reused from an earlier run" not in first
    assert "reused from an earlier run" in again
    assert "agreement: IDENTICAL" in again
    flagged = [re.search(r"([\d,]+) households flagged", t).group(1) for t in (first, again)]
    assert flagged[0] == flagged[1]


def test_a_failed_floor_is_reported_not_fatal(tmp_path, monkeypatch):
    """Under a small memory_limit the hand-written SQL may run out of memory: the run reports it, compares
    the baselines with the engine instead, and the command does not claim a disagreement."""
    from fangpin.screening import bench

    def out_of_memory(*args, **kwargs):
        raise MemoryError("failed to pin block")

    monkeypatch.setattr(bench, "floor", out_of_memory)
    text = _bench(tmp_path, "--core-households", "200")
    assert "FLOOR      hand-written DuckDB SQL: FAILED (MemoryError: failed to pin block)" in text
    assert "agreement: IDENTICAL" not in text
    pandas = next(line for line in text.splitlines() if line.strip().startswith("pandas"))
    assert "agreement with the engine on the sample: IDENTICAL" in pandas, text
    assert "n/a    ≤ 1.5× the hand-written DuckDB floor" in text
