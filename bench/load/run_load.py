"""Load run: gunicorn on a PostgreSQL registry, locust headless against it, figures and PASS/FAIL.

    make load          # full run on the province registry (fangpin demo_province; docs/load.md)
    make load-smoke    # ~30 s on a small scratch registry, for CI

    .venv/bin/python bench/load/run_load.py [--smoke] [--users 200] [--duration 300] [--think 2]
        [--workers 3] [--threads 4] [--households N]

Full run: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fp_load) must hold the registry
(`--prepare` builds it with ``fangpin demo_province --households N`` first; counties already there are
kept). Smoke: a scratch database ``<name>_load_smoke`` next to DATABASE_URL, built from nothing and
dropped afterwards. Both run with FANGPIN_MODE=demo (demo logins, DEBUG off, TOTP not required).

Prints sustained req/s (after every user has logged in: locust --reset-stats) and p50/p95/p99 per page
from locust's CSV. The full run checks ≥ 85 req/s, p95 ≤ 1 s for reads, ≤ 2 s for writes (POST) and no
failed request; the smoke (a few users on whatever else CI's machine is doing) only that every request
succeeded, and marks pages over the limits TOO SLOW without failing. Exit status 1 on FAIL.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from fangpin.speedprobe import describe

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TARGET_RPS, READ_P95_MS, WRITE_P95_MS = 85.0, 1000, 2000
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/fp_load"


def fangpin(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "fangpin"), *args], env=env, cwd=ROOT, check=True)


def scratch(url: str, suffix: str, *, drop: bool = False) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    db = f"{name.split('?')[0]}{suffix}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        if not drop:
            conn.execute(f'CREATE DATABASE "{db}"')
    return f"{base}/{db}"


def prepare(env: dict, households: int, accounts: Path) -> None:
    print(f"== preparing the registry: {households} households", flush=True)
    fangpin(env, "migrate", "--no-input", "-v0")
    fangpin(env, "load_regions")
    subprocess.run([str(BIN / "fangpin"), "seed_policy", "--province", "13", "--year", "2026", "--line", "7300"],
                   env=env, cwd=ROOT, check=False)  # already there on a re-run: refused, harmless
    fangpin(env, "demo_province", "--households", str(households), "--accounts", str(accounts),
            *(["--load-counties", "1"] if households < 50_000 else []))


def free_port() -> int:
    """A port nothing listens on (another server on a fixed port would answer /healthz for us)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited before answering")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer /healthz in time")


class CpuMeter:
    """CPU seconds the server spent: gunicorn's workers and the PostgreSQL backends of our database.

    On a machine others are using as well, req/s measures the machine's spare time as much as
    fangpin; CPU per request does not, and 2 cores ÷ CPU per request is what two idle cores can serve.
    """

    def __init__(self, gunicorn_pid: int, database: str) -> None:
        import psutil

        self.psutil, self.root, self.database = psutil, psutil.Process(gunicorn_pid), database
        self.start = self.sample()
        self.last = dict(self.start)  # a backend that closes mid-run keeps its last reading
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stop.wait(2):
            self.last.update(self.sample())

    def processes(self) -> list[tuple[str, object]]:
        procs = [("app", p) for p in (self.root, *self.root.children(recursive=True))]
        for proc in self.psutil.process_iter(["cmdline"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if cmd.startswith("postgres:") and f" {self.database} " in f"{cmd} ":
                procs.append(("pg", proc))
        return procs

    def sample(self) -> dict[tuple[int, str], float]:
        out = {}
        for kind, proc in self.processes():
            try:
                t = proc.cpu_times()
            except self.psutil.Error:
                continue
            out[proc.pid, kind] = t.user + t.system
        return out

    def used(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join()
        self.last.update(self.sample())
        total = {"app": 0.0, "pg": 0.0}
        for key, value in self.last.items():
            total[key[1]] += value - self.start.get(key, 0.0)
        return total


def report(prefix: Path, *, full: bool) -> bool:
    """Print the figures; False when a request failed or (full run) a goal was missed."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    rps = float(total["Requests/s"])
    width = max(len(r["Name"]) for r in pages)
    print(f"\n{'page':<{width}} {'reqs':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  limit")
    ok = True
    for r in sorted(pages, key=lambda r: -int(r["Request Count"])):
        write = r["Type"] == "POST"
        limit = WRITE_P95_MS if write else READ_P95_MS
        p95 = float(r["95%"]) if r["95%"] not in ("", "N/A") else 0.0  # N/A: no request after the reset
        bad = p95 > limit and not r["Name"].endswith("login")  # logins hash on purpose (argon2)
        ok &= not (bad and full)
        print(f"{r['Name']:<{width}} {r['Request Count']:>7} {r['Failure Count']:>5} {float(r['Requests/s']):>7.1f} "
              f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6} {float(r['Max Response Time']):>7.0f}  "
              f"p95≤{limit}{'  TOO SLOW' if bad else ''}")
    print(f"\nsustained: {rps:.1f} req/s over {int(total['Request Count'])} requests, {failures} failed; "
          f"all pages p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms")
    if failures:
        ok = False
        with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
            for row in list(csv.DictReader(f))[:10]:
                print(f"  failure: {row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}")
    if full and rps < TARGET_RPS:
        ok = False
        print(f"  {rps:.1f} req/s is below the {TARGET_RPS:.0f} req/s goal")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work on the machine slows it)")
    print(describe())
    print("PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="small scratch registry, 30 s, no req/s goal")
    parser.add_argument("--prepare", action="store_true", help="build/extend the registry first")
    parser.add_argument("--households", type=int, default=1_050_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=2.5, help="logins per second (argon2: keep it gentle)")
    parser.add_argument("--duration", default="360s", help="including the ramp (200 users at 2.5/s: 80 s)")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between pages (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--out", default=str(ROOT / "var" / "load"))
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    accounts = out / ("accounts-smoke.json" if args.smoke else "accounts.json")
    env = {**os.environ, "FANGPIN_MODE": "demo", "FANGPIN_DEBUG": "0", "FANGPIN_REQUIRE_TOTP": "0",
           "FANGPIN_LOAD_ACCOUNTS": str(accounts), "PYTHONUNBUFFERED": "1"}
    admin = env.get("DATABASE_URL") or DEFAULT_DB
    if not admin.startswith("postgres"):
        sys.exit("the load run needs PostgreSQL: set DATABASE_URL=postgres://…")
    if args.smoke:
        env["DATABASE_URL"] = scratch(admin, "_load_smoke")
        args.households = min(args.households, 20_000)
        if args.duration == "360s":
            args.duration = "30s"
        if args.users == 200:
            args.users = 20
        prepare(env, args.households, accounts)
    else:
        env["DATABASE_URL"] = admin
        if args.prepare:
            prepare(env, args.households, accounts)
        fangpin(env, "migrate", "--no-input", "-v0")
        if not accounts.exists():
            sys.exit(f"{accounts} is missing: run with --prepare (fangpin demo_province --accounts {accounts})")

    port = args.port or free_port()
    host = f"http://127.0.0.1:{port}"
    access, errors = open(out / "gunicorn-access.log", "w"), open(out / "gunicorn.log", "w")  # noqa: SIM115
    gunicorn = subprocess.Popen(
        # the production settings (fangpin.gunicorn_conf: gthread, preload, keep-alive 30, the collector's
        # settings), with this run's port, workers and threads, and an access log for the timings
        [str(BIN / "gunicorn"), "-c", "python:fangpin.gunicorn_conf", "fangpin.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning",
         "--access-logfile", "-", "--access-logformat", '%(m)s %(U)s %(s)s %(M)sms'],
        env=env, cwd=ROOT, stdout=access, stderr=errors)
    prefix = out / ("smoke" if args.smoke else "run")
    used = {"app": 0.0, "pg": 0.0}
    try:
        wait_up(host, gunicorn)
        cpu = CpuMeter(gunicorn.pid, env["DATABASE_URL"].rpartition("/")[2])
        print(describe(), flush=True)
        print(f"== locust: {args.users} users, think {args.think} s, {args.duration}; gunicorn "
              f"{args.workers} workers × {args.threads} threads on {env['DATABASE_URL'].rpartition('/')[2]}",
              flush=True)
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--host", host,
                        "--headless", "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
                        "--reset-stats", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
                        "--think", str(args.think), "--stop-timeout", "10"],
                       env=env, cwd=ROOT, check=False)
        used = cpu.used()
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        access.close()
        errors.close()
        if args.smoke:
            scratch(admin, "_load_smoke", drop=True)
    ok = report(prefix, full=not args.smoke)
    access.close()
    with open(out / "gunicorn-access.log", encoding="utf-8", errors="replace") as f:
        served = sum(1 for line in f if line.strip())
    if served:
        per = (used["app"] + used["pg"]) / served
        print(f"server CPU: {used['app']:.0f} s gunicorn + {used['pg']:.0f} s PostgreSQL for {served} requests "
              f"(logins included) = {per * 1000:.0f} ms per request → {os.cpu_count()} idle cores ≈ "
              f"{os.cpu_count() / per:.0f} req/s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
