"""Pausing Python's cyclic garbage collector around bulk work.

A county ledger builds ~200 k rows of small dicts and dataclasses that live until the import
ends and hold no reference cycles; the collector walks all of them again and again as they
accumulate (measured: a third of the parse and plan time of a 200 k-row import). Reference
counting still frees everything; the collector runs once the last paused job ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # jobs in progress in this process (imports run in threads of a web worker)
_was_enabled = True  # the collector's state when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
