"""``fangpin screen`` with the kill -9 test's knobs (run as a script in a subprocess, never imported by pytest):
two households per progress step, one household's findings per transaction, and a pause after each stored
batch (``SLOW_STORE_SECONDS``), so the run lasts long enough to be killed half way through."""

from __future__ import annotations

import os
import sys
import time

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from fangpin.alerts import services

    services.BATCH, services.STORE_BATCH = 2, 1
    store, pause = services._store, float(os.environ.get("SLOW_STORE_SECONDS", "0.3"))

    def slow_store(run, found):
        added = store(run, found)
        time.sleep(pause)
        return added

    services._store = slow_store
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fangpin", *sys.argv[1:]])
