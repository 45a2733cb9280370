"""kill -9: ``fangpin screen`` runs in a subprocess against a database file (SQLite: a copy of the test
database; PostgreSQL: the test database itself), is killed with SIGKILL half way through storing its
warnings, and run again. The re-run is refused while the killed run still looks alive, starts once its
heartbeat is stale (the killed run is marked failed), and the final warnings are exactly a clean run's.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from fangpin.alerts import services
from fangpin.alerts.models import ScreeningRun
from fangpin.registry.models import HouseholdYear
from tests.conftest import SIBLING_VILLAGE

ROOT = Path(__file__).resolve().parents[2]
SLOW = Path(__file__).with_name("slow_screen.py")
PERIOD = "2026-10"
ZERO = Decimal("0")


class Target:
    """The database the subprocess screens, and raw SQL on it from here (the ORM's connection cannot see a
    SQLite file that is only a copy of the in-memory test database)."""

    def __init__(self, tmp_path: Path):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangpin.settings"}
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if connection.vendor == "sqlite":
            self.path = tmp_path / "screen.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(self.path)
            connection.connection.backup(copy)
            copy.close()
            self.env.pop("DATABASE_URL", None)
            self.env["FANGPIN_SQLITE_PATH"] = str(self.path)
        else:
            s = connection.settings_dict
            auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
            self.env["DATABASE_URL"] = (f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
                                        f"{s['NAME']}")
            self.path = None

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        if self.path is None:
            with connection.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        db = sqlite3.connect(self.path, timeout=30)
        try:
            cur = db.execute(query.replace("%s", "?"), params)
            rows = cur.fetchall()
            db.commit()
            return rows
        finally:
            db.close()

    def warnings(self) -> set[tuple[int, str, str]]:
        return set(self.sql("SELECT household_id, rule, period FROM alerts_warning"))

    def runs(self) -> list[tuple[int, str, str]]:
        return self.sql("SELECT id, status, failure FROM alerts_screeningrun ORDER BY id")

    def screen(self, engine: str, slow: bool = False) -> subprocess.Popen:
        script = [str(SLOW)] if slow else ["-m", "fangpin.cli"]
        return subprocess.Popen([sys.executable, *script, "screen", "--period", PERIOD, "--region", "130633",
                                 "--engine", engine], cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


@pytest.fixture
def registry(transactional_db, make_household, policy):
    """Twelve households below the income line in two villages, six above it."""
    low = []
    for i in range(18):
        household = make_household(SIBLING_VILLAGE if i % 2 else "130633100201")
        HouseholdYear.objects.create(household=household, year=2026, wage=Decimal("1000" if i < 12 else "50000"),
                                     business=ZERO, property_income=ZERO, transfer=ZERO, production_cost=ZERO,
                                     medical_oop=ZERO, schooling_exp=ZERO, disaster_loss=ZERO, accident_exp=ZERO)
        if i < 12:
            low.append(household.pk)
    return low


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_killed_mid_run_and_run_again_gives_a_clean_runs_warnings(registry, engine, tmp_path):
    # The clean run's set, from the reference path in this process on the same data.
    clean = {(h, f.rule, PERIOD) for h, findings, _ in services.find("130633", services.period_end(PERIOD))
             for f in findings}
    assert {h for h, _, _ in clean} == set(registry)
    target = Target(tmp_path)

    victim = target.screen(engine, slow=True)
    deadline = time.monotonic() + 180
    stored = set()
    while time.monotonic() < deadline and victim.poll() is None:
        stored = target.warnings() if target.runs() else set()
        if len(stored) >= 3:
            break
        time.sleep(0.05)
    assert victim.poll() is None, victim.communicate()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    (killed, status, _), = target.runs()
    assert status == "running"
    partial = target.warnings()
    assert stored <= partial < clean  # something stored, not everything, nothing foreign

    # Still looks alive (fresh heartbeat): a second run of the month is refused.
    refused = target.screen(engine)
    _, err = refused.communicate(timeout=180)
    assert refused.returncode != 0 and "正在进行" in err
    assert len(target.runs()) == 1

    # Its heartbeat goes stale (as it would after ALERTS_STALE_MINUTES): the re-run marks it failed and finishes.
    target.sql("UPDATE alerts_screeningrun SET heartbeat = %s WHERE id = %s", ("2000-01-01 00:00:00", killed))
    again = target.screen(engine)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"新增预警 {len(clean - partial)} 条" in out
    assert target.warnings() == clean
    (first, first_status, failure), (_, second_status, _) = target.runs()
    assert (first, first_status, second_status) == (killed, "failed", "done") and "运行中断" in failure
    assert target.sql("SELECT COUNT(*) FROM alerts_warning")[0][0] == len(clean)  # no duplicates


def test_a_stale_run_is_marked_failed_and_a_fresh_one_blocks(users, policy, settings):
    settings.ALERTS_STALE_MINUTES = 30
    now = dt.datetime.now(dt.UTC)
    alive = ScreeningRun.objects.create(region_id="130633", period=PERIOD, status="running", heartbeat=now)
    with pytest.raises(services.AlertError, match="正在进行"):
        services.do_start_run(users["county"], "130633", PERIOD)
    ScreeningRun.objects.filter(pk=alive.pk).update(heartbeat=now - dt.timedelta(minutes=29))
    assert services.mark_stale_runs("130633", PERIOD) == []
    ScreeningRun.objects.filter(pk=alive.pk).update(heartbeat=now - dt.timedelta(minutes=31))
    other_month = ScreeningRun.objects.create(region_id="130633", period="2026-09", status="running",
                                              heartbeat=now - dt.timedelta(hours=5))
    queued = ScreeningRun.objects.create(region_id="130633", period=PERIOD, status="queued")
    assert services.mark_stale_runs("130633", PERIOD) == [alive.pk]  # a queued run just created is not stale
    alive.refresh_from_db()
    other_month.refresh_from_db()
    assert alive.status == "failed" and "运行中断" in alive.failure and alive.finished_at is not None
    assert other_month.status == "running"  # another month is not touched
    ScreeningRun.objects.filter(pk=queued.pk).update(created_at=now - dt.timedelta(hours=1))
    assert services.mark_stale_runs("130633", PERIOD) == [queued.pk]
    from fangpin.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="screening.stale").count() == 2
    settings.ALERTS_RUN_INLINE = True
    started = services.do_start_run(users["county"], "130633", PERIOD)  # nothing alive left: the month runs
    started.refresh_from_db()
    assert started.status == "done"
