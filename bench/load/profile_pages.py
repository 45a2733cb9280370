"""Time each page the load test visits, once per role, in-process: wall time, this process's CPU time
(the application's share, PostgreSQL not included), query count, the slowest SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_load FANGPIN_MODE=demo \\
        .venv/bin/python bench/load/profile_pages.py [--accounts var/load/accounts.json] [--repeat 3]

Less noisy than the load run on a shared machine (one request at a time, no think time), so it is how
the slow pages were found (docs/load.md). Reads only, except the audit rows pages write when viewed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", default=str(ROOT / "var" / "load" / "accounts.json"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sql", type=int, default=2, help="show this many slowest statements of pages over 200 ms")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="cProfile the ordinary pages (not the exports) and print the N costliest functions")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fangpin.accounts.models import User

    names = json.loads(Path(args.accounts).read_text(encoding="utf-8"))
    county = User.objects.get(username=names["county"][0]).region_id
    township = User.objects.get(username=names["township"][0]).region_id
    pages = {
        "village": ["/", "/cases/", "/households/", "/households/?page=3", "/cases/visits/new/", "/plans/followups/",
                    "{case}", "{household}"],
        "township": ["/cases/", "/cases/pipeline/", "/households/", "/plans/followups/", "{case}", "{household}"],
        "county": ["/", "/cases/", "/cases/pipeline/", "/alerts/", "/households/?hh_type=jiance", "{case}",
                   "{household}"],
        "city": ["/", "/cases/pipeline/", "/households/?hh_type=jiance", f"/cases/national/{county}/?fmt=csv",
                 f"/ledger/export/{township}.xlsx?type=jiance"],
        "province": ["/", "/cases/pipeline/", "/households/?hh_type=jiance", "/households/?page=5",
                     f"/cases/national/{county}/?fmt=csv"],
        "department": ["/", "/plans/referrals/"],
    }
    case_link, hh_link = re.compile(r'href="(/cases/\d+/)"'), re.compile(r'href="(/households/\d+/)"')
    profiler = cProfile.Profile() if args.profile else None
    print(f"{'role':<10} {'page':<48} {'status':>6} {'ms':>7} {'cpu ms':>7} {'queries':>7}")
    for role, urls in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=names[role][0]))
        found: dict[str, str] = {}
        for url in urls:
            if url.startswith("{"):
                url = found.get(url.strip("{}"), "")
                if not url:
                    continue
            times, cpu, statements, status = [], [], [], 0
            profiled = profiler is not None and not ("/national/" in url or "/export/" in url)
            for attempt in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    started, cpu0 = time.perf_counter(), time.process_time()
                    on = profiled and attempt > 0  # the first view of a page warms caches and imports
                    if on:
                        profiler.enable()
                    resp = client.get(url)
                    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
                    if on:
                        profiler.disable()
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu0) * 1000)
                status, statements = resp.status_code, list(queries.captured_queries)
            text = body.decode("utf-8", "replace") if "html" in resp.get("Content-Type", "") else ""
            for key, pattern in (("case", case_link), ("household", hh_link)):
                match = pattern.search(text)
                if match and key not in found:
                    found[key] = match.group(1)
            ms = statistics.median(times)
            print(f"{role:<10} {url[:48]:<48} {status:>6} {ms:>7.0f} {statistics.median(cpu):>7.0f} "
                  f"{len(statements):>7}")
            if ms > 200 and args.sql:
                for q in sorted(statements, key=lambda q: -float(q["time"]))[: args.sql]:
                    print(f"{'':>12}{float(q['time']) * 1000:>7.0f} ms  {q['sql'][:300]}")
    if profiler is not None:  # where the ordinary pages' Python time goes (SQL capture included: a small share)
        profiler.dump_stats(ROOT / "var" / "load" / "pages.prof")  # for pstats / snakeviz
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(args.profile)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
