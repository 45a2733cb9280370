"""gunicorn settings for serving fangpin: ``gunicorn -c python:fangpin.gunicorn_conf fangpin.wsgi``.

What the load test runs (bench/load/run_load.py, docs/load.md), so production serves as measured.
Command-line options given after ``-c`` override these (the load test sets its own port, workers, threads
and access log). Environment: ``FANGPIN_BIND`` (default 127.0.0.1:8000, behind the office's reverse
proxy), ``FANGPIN_WORKERS`` (default: one per core plus one), ``FANGPIN_THREADS`` (default 4).
"""

from __future__ import annotations

import gc
import os

bind = os.environ.get("FANGPIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FANGPIN_WORKERS", str((os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("FANGPIN_THREADS", "4"))
worker_class = "gthread"
timeout = 120  # an export of a county or a ledger upload may take a while; imports run in a thread
# Longer than a user's pause between pages: a connection closed as the next request leaves is reset
# (the load test's 1–3 s think time saw resets with gunicorn's default 2 s).
keepalive = 30
preload_app = True
accesslog = None  # the audit log records who did what; set --access-logfile to time requests

# Python's cyclic collector, per worker: gen-0 runs every 700 allocations by default, and a request of a
# list page allocates tens of thousands of short-lived containers; each full collection walks every
# object Django and the app loaded at start. Collect less often and never walk the loaded modules.
GEN0_THRESHOLD = 20_000


def pre_fork(server, worker) -> None:
    """In the master, after the app is loaded (preload_app) and before each worker is forked: what exists
    now lives for the whole process, so the collector need not track it (and the workers' copies of those
    pages stay shared instead of being written by the collector)."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


def post_fork(server, worker) -> None:
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
