"""Dashboard benchmark: each panel and each whole page (数据看板) on the demo county, per region level.

    .venv/bin/python bench/bench_dashboards.py                       # builds the demo in a scratch SQLite file
    .venv/bin/python bench/bench_dashboards.py --db /tmp/demo.sqlite3  # reuses (or builds once) that file

The demo is built with `make demo`'s commands (migrate, load_regions, seed_policy, demo_data, demo_users,
demo_cases, and the insurance / grievance / 督战 demos when those apps exist) — about a minute. Then, for
the province, the city, 易县, 易州镇 and one village — after the nightly persons snapshot (refresh_dashboards),
whose time it prints with the county page's time without it — it prints the median time of every panel and of the
whole page (the column "shared" is the per-sub-region households and persons several panels use, computed
once per page; the panels are timed without it) (a logged-in GET through Django's test client, templates and JSON included) with every figure
computed ("page") and with the figures cached as in production ("cached", FANGPIN_FIGURES_CACHE_SECONDS),
and fails (exit 1) when an uncached page takes longer than --limit-ms (1000 by default, the issue's target).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

COUNTY = "130633"
REGIONS = ["13", "1306", COUNTY, "130633100", "130633100204"]
DEMO_STEPS = [
    ["migrate", "--no-input", "-v0"],
    ["load_regions"],
    ["seed_policy", "--province", "13", "--year", "2026", "--line", "7300"],
    ["demo_data", "--county", COUNTY, "--seed", "1", "--if-empty"],
    ["demo_users", "--county", COUNTY],
    ["demo_cases", "--county", COUNTY, "--seed", "1", "--if-empty"],
]
OPTIONAL_DEMOS = [  # (app, command): run when the app is installed
    ("fangpin.insurance", ["demo_insurance", "--county", COUNTY, "--if-empty"]),
    ("fangpin.grievances", ["demo_grievances", "--county", COUNTY, "--seed", "1", "--if-empty"]),
    ("fangpin.supervision", ["demo_supervision", "--county", COUNTY, "--if-empty"]),
]


def setup(db: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["FANGPIN_SQLITE_PATH"] = str(db)
    os.environ.setdefault("FANGPIN_MODE", "demo")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()


def build_demo() -> None:
    from django.apps import apps
    from django.core.management import call_command

    call_command(*DEMO_STEPS[0])  # new apps' tables on a reused file too
    from fangpin.registry.models import Household

    if Household.objects.filter(village__code__startswith=COUNTY).exists():
        return
    started = time.perf_counter()
    for step in DEMO_STEPS[1:]:
        call_command(*step)
    for app, step in OPTIONAL_DEMOS:
        if apps.is_installed(app):
            call_command(*step)
    print(f"demo built in {time.perf_counter() - started:.0f} s")


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="SQLite file to use (built with the demo if it has none)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit-ms", type=float, default=1000.0)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "dashboards-bench.sqlite3"
    setup(db)
    build_demo()

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from fangpin.accounts.models import User
    from fangpin.dashboards.panels import Ctx, available_panels
    from fangpin.regions.models import Region
    from fangpin.registry.models import Household

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="province"))
    panels = available_panels()
    day = timezone.localdate()
    print(f"database {db}: {Household.objects.filter(village__code__startswith=COUNTY).count():,} households in "
          f"{COUNTY}; median of {args.repeat} runs, ms")
    from fangpin.dashboards.models import VillageTotals
    from fangpin.dashboards.services import do_snapshot_totals

    VillageTotals.objects.all().delete()
    settings.FANGPIN_FIGURES_CACHE_SECONDS = 0
    county_url = reverse("dashboards:region", args=[COUNTY])
    client.get(county_url)
    live = median_ms(lambda: client.get(county_url), args.repeat)
    snapshot = median_ms(lambda: do_snapshot_totals(day), 1)
    print(f"易县 page without a persons snapshot: {live:.1f} ms; refresh_dashboards (all villages): {snapshot:.1f} ms")
    print(f"{'region':<28}{'shared':>13}" + "".join(f"{p.key[:12]:>13}" for p in panels) + f"{'page':>9}{'cached':>9}")
    slow = []
    for code in REGIONS:
        region = Region.objects.get(code=code)
        # the per-sub-region households and persons, shared by several panels, timed once on its own
        cells = [median_ms(lambda r=region: Ctx(r, day).per_child, args.repeat)]
        warm = Ctx(region, day)
        warm.per_child  # noqa: B018  (computed once, as on the page)
        for panel in panels:
            cells.append(median_ms(lambda p=panel, c=warm: p.compute(c), args.repeat))
        url = reverse("dashboards:region", args=[code])
        settings.FANGPIN_FIGURES_CACHE_SECONDS = 0  # every figure computed: the worst case
        assert client.get(url).status_code == 200
        page = median_ms(lambda u=url: client.get(u), args.repeat)
        settings.FANGPIN_FIGURES_CACHE_SECONDS = 300  # production: figures cached per region and day
        client.get(url)
        cached = median_ms(lambda u=url: client.get(u), args.repeat)
        if page > args.limit_ms:
            slow.append(code)
        label = f"{region.name}（{code}）"
        print(f"{label:<28}" + "".join(f"{c:>13.1f}" for c in cells) + f"{page:>9.1f}{cached:>9.1f}")
    if slow:
        print(f"FAIL: pages over {args.limit_ms:.0f} ms: {', '.join(slow)}")
        return 1
    print(f"PASS: every page under {args.limit_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
