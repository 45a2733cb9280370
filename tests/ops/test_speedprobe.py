"""The CPU speed probe the benchmarks print: a fixed workload, timed by CPU time, standard library only."""

from __future__ import annotations

import ast
from pathlib import Path

from fangpin import speedprobe


def test_the_workload_is_fixed():
    assert speedprobe.workload() == speedprobe.workload()


def test_probe_gives_median_then_fastest_and_describe_says_how_slow_against_the_reference(monkeypatch):
    times = iter([0.0, 0.050, 1.0, 1.030, 2.0, 2.090])  # process_time() pairs around three runs: 50, 30, 90 ms
    monkeypatch.setattr(speedprobe.time, "process_time", lambda: next(times))
    median, fastest = speedprobe.probe_ms(3)
    assert (round(median), round(fastest)) == (50, 30)
    monkeypatch.setattr(speedprobe, "probe_ms", lambda repeat=15: (60.0, 31.0))
    assert f"{60 / speedprobe.REFERENCE_MS:.2f}× slower" in speedprobe.describe()


def test_standard_library_only():
    tree = ast.parse(Path(speedprobe.__file__).read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"__future__", "json", "random", "statistics", "time", "decimal"}
