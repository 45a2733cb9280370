"""Ledger import benchmark: generate N member rows, import them end to end, import again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_import.py --rows 200000

Runs in a scratch database next to the configured one (PostgreSQL: <name>_ledger_bench, dropped
afterwards unless --keep; SQLite: a temporary file), so it never touches real data. The same rows
are imported as xlsx and as CSV (the registry is emptied in between); for each it prints rows/s
per phase (read+parse, check+diff, write) and in total, and the ratio to the 20 k rows/s target.
It also prints the reading floor: the time python-calamine alone takes to hand over the cells.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TARGET = 20_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华玉兰国华志强海燕春梅淑珍红梅"
HEADERS = ["户编号", "村代码", "住址", "户类型", "脱贫年度", "低保户", "特困供养户", "残疾户", "住房安全等级", "饮水安全",
           "年度", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "医疗自付支出", "教育支出",
           "灾害损失", "意外事故支出", "姓名", "身份证号", "与户主关系", "联系电话", "健康状况", "残疾类别", "残疾等级",
           "劳动能力", "在校情况", "就业状况", "参加基本医保", "参加养老保险", "成员状态"]
COUNTY, TOWNSHIP, VILLAGES = "130633", "130633100", 40
RELATIONS = ["配偶", "之子", "之女", "之父", "之母", "之孙子", "之孙女"]


def scratch_database() -> str:
    """Point DATABASE_URL at a fresh scratch database before Django reads its settings."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ.pop("DATABASE_URL", None)
        os.environ["FANGPIN_SQLITE_PATH"] = str(path)
        return ""
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_ledger_bench"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    return url


def drop_scratch(admin_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    scratch = os.environ["DATABASE_URL"].rpartition("/")[2]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def make_ledger(path: str, rows: int, seed: int = 1) -> int:
    """Households of 1–6 members in 40 villages; every value typed the way offices type them."""
    import xlsxwriter

    from fangpin.core.idcard import make_id

    rnd = random.Random(seed)
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, HEADERS)
    r, hh, day0 = 1, 0, dt.date(1940, 1, 1)
    while r <= rows:
        hh += 1
        size = min(rnd.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]), rows - r + 1)
        village = f"{TOWNSHIP}{200 + hh % VILLAGES:03d}"
        household = [f"B{hh:07d}", village, f"第 {hh % 300} 组", rnd.choice(["脱贫户", "监测户", "一般农户"]),
                     2016 + hh % 5, rnd.choice(["是", "否", "否"]), "否", "否", "A级", "安全", 2024,
                     rnd.randrange(0, 60000), rnd.randrange(0, 9000), 0, rnd.randrange(0, 6000), 500,
                     rnd.randrange(0, 20000), 0, 0, 0]
        for m in range(size):
            birth = day0 + dt.timedelta(days=(r * 37) % 28000)
            member = [rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN),
                      make_id(COUNTY, birth, r // 28000 * 2 % 1000 + (r % 2)),
                      "户主" if m == 0 else rnd.choice(RELATIONS), f"13{rnd.randrange(10**9):09d}", "健康", "", "",
                      "有劳动力", "非在校生", "务农", "是", "是", "在户"]
            ws.write_row(r, 0, household[:2] + household[2:])
            for c, value in enumerate(member, start=len(household)):
                ws.write_string(r, c, value)
            r += 1
    book.close()
    return hh


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fangpin.regions.models import Region

    units = [("13", "河北省", 1), ("1306", "保定市", 2), (COUNTY, "易县", 3), (TOWNSHIP, "易州镇", 4)]
    units += [(f"{TOWNSHIP}{200 + i:03d}", f"第{i}村委会", 5) for i in range(VILLAGES)]
    Region.objects.bulk_create([Region(code=c, name=n, level=lvl, parent_id=c[: {2: 0, 4: 2, 6: 4, 9: 6, 12: 9}[len(c)]]
                                       or None) for c, n, lvl in units], ignore_conflicts=True)


def as_csv(data: bytes) -> bytes:
    """The same cells as a UTF-8 CSV (what an office gets from Excel's 另存为 CSV)."""
    import csv
    import io

    from python_calamine import CalamineWorkbook

    out = io.StringIO()
    writer = csv.writer(out)
    for row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows():
        writer.writerow(["" if v is None else int(v) if isinstance(v, float) and v.is_integer() else v for v in row])
    return out.getvalue().encode("utf-8")


def reading_floor(data: bytes, filename: str) -> float:
    """Seconds to get the cells as Python values and nothing else: no import can be faster."""
    from fangpin.ledger.files import iter_rows

    started = time.perf_counter()
    _, rows = iter_rows(data, filename)
    for _ in rows:
        pass
    return time.perf_counter() - started


def reset_registry() -> None:
    """Empty the scratch registry so the next format's run is a first import again."""
    from django.db import connection

    from fangpin.registry.models import ChangeRecord, Household, HouseholdYear, Member

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_changerecord, registry_member, registry_householdyear, "
                           "registry_household CASCADE")
        return
    for model in (ChangeRecord, Member, HouseholdYear, Household):
        model.objects.all().delete()


def run(data: bytes, label: str, rows: int, filename: str = "bench.xlsx") -> float:
    from fangpin.ledger.services import do_import_ledger

    started, cpu = time.perf_counter(), time.process_time()
    outcome = do_import_ledger(data, filename, scope_code=COUNTY, dry_run=False)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    if outcome.errors:
        sys.exit(f"{label}: {len(outcome.errors)} errors, first: {outcome.errors[:3]}")
    t = outcome.timings
    print(f"{label}: {rows} rows in {total:.2f} s = {rows / total:,.0f} rows/s "
          f"({total and rows / total / TARGET:.2f}× target {TARGET:,}); this process used {cpu:.2f} s CPU "
          f"= {rows / cpu:,.0f} rows per CPU-second (database server time not included)")
    for phase in ("parse", "plan", "write"):
        if phase in t:
            print(f"  {phase:<6} {t[phase]:6.2f} s  {rows / t[phase]:>10,.0f} rows/s")
    print(f"  counts {outcome.counts}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--file", help="reuse this generated ledger (generated and saved there if missing)")
    args = parser.parse_args()
    admin_url = scratch_database()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    setup_django()
    from django.db import connection

    path = Path(args.file) if args.file else Path(tempfile.mkdtemp()) / "ledger.xlsx"
    started = time.perf_counter()
    if path.exists():
        made = f"reused {path}"
    else:
        made = f"{make_ledger(str(path), args.rows)} households, generated in {time.perf_counter() - started:.1f} s"
    data = path.read_bytes()
    csv_data = as_csv(data)
    print(f"database: {connection.vendor}; file: {args.rows} member rows, {len(data) / 1e6:.1f} MB xlsx, "
          f"{len(csv_data) / 1e6:.1f} MB csv ({made})")
    from fangpin.speedprobe import describe

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (figures scale with a busy machine)")
    print(describe())
    from fangpin.registry.models import ChangeRecord

    summary = []
    for fmt, blob in (("xlsx", data), ("csv", csv_data)):
        floor = reading_floor(blob, f"bench.{fmt}")
        print(f"\n== {fmt}: reading floor (cells to Python values, nothing else) {floor:.2f} s "
              f"= {args.rows / floor:,.0f} rows/s")
        first = run(blob, f"{fmt} first import", args.rows, f"bench.{fmt}")
        again = run(blob, f"{fmt} re-import (must change nothing)", args.rows, f"bench.{fmt}")
        print(f"history rows after both imports: {ChangeRecord.objects.count()} (all from the first)")
        summary.append(f"{fmt}: first {args.rows / first:,.0f} rows/s ({args.rows / first / TARGET:.2f}× target), "
                       f"re-import {args.rows / again:,.0f} rows/s ({args.rows / again / TARGET:.2f}× target), "
                       f"reading floor {floor:.1f} s")
        reset_registry()
    print("\nsummary:\n  " + "\n  ".join(summary))
    print(describe())
    if admin_url and not args.keep:
        drop_scratch(admin_url)


if __name__ == "__main__":
    main()
