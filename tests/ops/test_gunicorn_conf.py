"""fangpin.gunicorn_conf: gunicorn accepts it, and the master freezes what it loaded before forking."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from fangpin import gunicorn_conf

GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_gunicorn_loads_the_settings_and_the_app():
    env = {**os.environ, "FANGPIN_BIND": "127.0.0.1:0", "FANGPIN_WORKERS": "2"}
    run = subprocess.run([str(GUNICORN), "--check-config", "-c", "python:fangpin.gunicorn_conf", "fangpin.wsgi"],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_master_freezes_what_is_loaded_once():
    try:
        gunicorn_conf.pre_fork(None, None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the interpreter, Django and the app
        gunicorn_conf.pre_fork(None, None)  # forking the next worker freezes nothing new
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
