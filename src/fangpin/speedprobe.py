"""How fast this machine's CPU is right now: one fixed, pure-Python workload, timed.

The benchmarks (ledger import, screening, load) print it at their start and end. The 2-core build
machines are shared virtual machines whose speed changed by up to 1.8× within one session on
2026-12-07 (the same page took 14 ms and 27 ms of CPU an hour apart): a figure measured while the
probe read 2× its usual is not a regression of the code. Standard library only.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from decimal import Decimal

REFERENCE_MS = 30.0  # the probe's fastest runs on the 2-core build machine, 2026-12-07 (its median read 45–60 there)


def workload() -> int:
    """About what a web request or an import row does: dicts, strings, JSON, sorting, Decimal sums."""
    rnd = random.Random(7)
    rows = [{"id": i, "name": f"户{i:06d}", "income": Decimal(rnd.randrange(0, 9_000_000)) / 100,
             "flags": [rnd.random() < 0.1 for _ in range(4)]} for i in range(4_000)]
    text = json.dumps([{**r, "income": str(r["income"])} for r in rows], ensure_ascii=False)
    total = sum((r["income"] for r in rows), Decimal(0))
    ordered = sorted(rows, key=lambda r: (r["income"], r["name"]))
    return len(text) + int(total) + ordered[0]["id"]


def probe_ms(repeat: int = 15) -> tuple[float, float]:
    """(median, fastest) of ``repeat`` runs, in milliseconds of this process's CPU time. The median is the
    figure: on a shared virtual machine even CPU time per unit of work drifts within seconds."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        workload()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), min(times)


def describe(repeat: int = 15) -> str:
    median, fastest = probe_ms(repeat)
    return (f"CPU speed probe: median {median:.0f} ms, fastest {fastest:.0f} ms of a fixed Python workload "
            f"(fangpin.speedprobe; {REFERENCE_MS:.0f} ms on the build machine at its fastest: "
            f"this machine is running {median / REFERENCE_MS:.2f}× slower than that now)")
