"""gunicorn settings for serving fangpin: ``gunicorn -c python:fangpin.gunicorn_conf fangpin.wsgi``.

What the load test runs (bench/load/run_load.py, docs/load.md), so production serves as measured.
Command-line options given after ``-c`` override these (the load test sets its own port, workers, threads
and access log). Environment: ``FANGPIN_BIND`` (default 127.0.0.1:8000, behind the office's reverse
proxy), ``FANGPIN_WORKERS`` (default: one per core plus one), ``FANGPIN_THREADS`` (default 4).
"""

from __future__ import annotations

import gc
import os

from fangpin.envreaders import envint, envstr

bind = envstr("FANGPIN_BIND") or "127.0.0.1:8000"
workers = envint("FANGPIN_WORKERS", (os.cpu_count() or 1) + 1)
threads = envint("FANGPIN_THREADS", 4)
worker_class = "gthread"
timeout = 120  # an export of a county or a ledger upload may take a while; imports run in a thread
# Longer than a user's pause between pages: a connection closed as the next request leaves is reset
# (the load test's 1–3 s think time saw resets with gunicorn's default 2 s).
keepalive = 30
preload_app = True
# No access log by default (the audit log records who did what); --access-logfile times requests.

# Python's cyclic collector: what the master loaded before forking (Django, the app, the URL and template
# caches: ~300,000 objects) lives for the whole process. Measured in-process on the load test's pages, the
# collector is ~2.5 % of a request's CPU either way; freezing keeps full collections from walking those
# objects and keeps the workers' copies of their pages shared (the collector would write to them).


def pre_fork(server, worker) -> None:
    """In the master, after the app is loaded (preload_app) and before each worker is forked."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()
