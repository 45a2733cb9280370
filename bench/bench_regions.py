"""Time `load_regions` on the whole national list (~665,000 units), first load and re-load.

    .venv/bin/python bench/bench_regions.py                       # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/bench_regions.py

The target database is migrated and its regions replaced: point it at a scratch database.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "regions"
FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv.gz"]


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-regions-")
    os.environ.setdefault("FANGPIN_VAR_DIR", tmp)
    if not os.environ.get("DATABASE_URL"):
        os.environ["FANGPIN_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fangpin.regions.models import Region
    from fangpin.regions.services import load_regions, read_region_files

    call_command("migrate", verbosity=0)
    paths = [Path(sys.argv[1]) / f for f in FILES] if len(sys.argv) > 1 else [NATIONAL / f for f in FILES]
    print(f"database: {connection.vendor}")
    for label in ("first load", "re-load"):
        start = time.perf_counter()
        rows = read_region_files(paths)
        read = time.perf_counter() - start
        result = load_regions(rows)
        total = time.perf_counter() - start
        print(f"{label:10s}: {len(rows):,} rows, read {read:.1f} s, total {total:.1f} s — {vars(result)}")
    print(f"regions in database: {Region.objects.count():,}")


if __name__ == "__main__":
    main()
