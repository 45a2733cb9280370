"""Load test: simulated office staff of every level on a province-size registry (docs/load.md).

    .venv/bin/locust -f bench/load/locustfile.py --host http://127.0.0.1:8000 --headless -u 60 -r 5 -t 5m

Each simulated user logs in once (the published demo password; TOTP off, as in demo mode) with one of
the load accounts ``fangpin demo_province --accounts FILE`` wrote (``FANGPIN_LOAD_ACCOUNTS``, default
var/load/accounts.json; without it the standard demo logins), then works like its role with think
time between pages: village staff open their queue, households and cases and record visits (POST);
township and county staff the queue, the pipeline, the screening queue, case pages and quick
approvals (POST); city and province staff the pipeline and exports; the department its referrals.

Request names group pages by kind (``GET case detail``, ``POST visit``), so the CSV has one row per
page; the ones whose name starts with POST are the writes (the run script holds them to 2 s, reads to 1 s).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from pathlib import Path

from locust import FastHttpUser, events, task

PASSWORD = "Fangpin@2026"  # noqa: S105 - the published demo password (refused in production)
ACCOUNTS = Path(os.environ.get("FANGPIN_LOAD_ACCOUNTS", "var/load/accounts.json"))
DEMO = {"village": ["village", "village2"], "township": ["township"], "county": ["county"], "city": ["city"],
        "province": ["province"], "department": ["department"], "insurer": ["insurer"]}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE = re.compile(r'href="/cases/(\d+)/"')
HOUSEHOLD = re.compile(r'href="/households/(\d+)/"')
HH_NO = re.compile(r'<option value="(\d{16})"')
QUICK = re.compile(r'action="/cases/(\d+)/act/">.*?name="action" value="([^"]+)".*?name="seen_state" value="([^"]+)"',
                   re.S)
REFERRAL = re.compile(r'action="/plans/referrals/(\d+)/accept/"')


def accounts() -> dict[str, list[str]]:
    if ACCOUNTS.exists():
        return json.loads(ACCOUNTS.read_text(encoding="utf-8"))
    return DEMO


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--think", type=float, default=float(os.environ.get("FANGPIN_LOAD_THINK", "2")),
                        help="mean think time between pages, seconds")


class Staff(FastHttpUser):
    # geventhttpclient: a third of requests' CPU per request, and locust shares the server's two cores.
    # It does not report the URL a redirect ended on, so redirects are not followed: a page that
    # answers 302 (to the login page, say) fails, and a form's redirect is fetched as its own request.
    abstract = True
    role = ""
    think = 2.0

    def wait_time(self) -> float:
        """Think time between pages: uniform around --think (default 2 s)."""
        return random.uniform(self.think / 2, self.think * 1.5)

    def on_start(self) -> None:
        if self.environment.parsed_options:
            self.think = self.environment.parsed_options.think
        names = accounts().get(self.role) or DEMO[self.role]
        self.username = random.choice(names)
        self.cases: list[str] = []
        self.households: list[str] = []
        page = self.client.get("/accounts/login/", name="GET login")
        token = CSRF.search(page.text or "")
        with self.client.post("/accounts/login/", name="POST login", catch_response=True, allow_redirects=False,
                              data={"username": self.username, "password": PASSWORD,
                                    "csrfmiddlewaretoken": token.group(1) if token else ""}) as resp:
            if resp.status_code != 302 or "/accounts/login/" in (resp.headers.get("Location") or ""):
                resp.failure(f"login failed for {self.username} ({resp.status_code})")

    # --- helpers ---------------------------------------------------------------------------------
    def get(self, url: str, name: str, expect: int = 200):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as resp:
            if resp.status_code != expect:
                where = resp.headers.get("Location") or ""
                resp.failure(f"{resp.status_code} for {url}" + (f" → {where}" if where else ""))
            return resp

    def post(self, url: str, data: dict, name: str, page_text: str):
        """Submit a form shown on a page just fetched (its CSRF token, the page as Referer)."""
        token = CSRF.search(page_text)
        with self.client.post(url, data={**data, "csrfmiddlewaretoken": token.group(1) if token else ""}, name=name,
                              catch_response=True, allow_redirects=False, headers={"Referer": self.host + url}) as resp:
            if resp.status_code >= 400:
                resp.failure(f"{resp.status_code} for POST {url}")
        self.follow(resp, name)
        return resp

    def follow(self, resp, name: str) -> None:
        """The page a form's redirect leads to, as a browser would load it."""
        where = resp.headers.get("Location") if resp.status_code in (301, 302, 303) else None
        if where:
            self.get(where.removeprefix(self.host), name.replace("POST", "GET after", 1))

    def queue(self) -> str:
        resp = self.get("/cases/", "GET case queue")
        text = resp.text or ""
        self.cases = CASE.findall(text)[:30] or self.cases
        return text

    def case_detail(self) -> None:
        if not self.cases:
            self.queue()
        if self.cases:
            self.get(f"/cases/{random.choice(self.cases)}/", "GET case detail")

    def household_list(self, query: str = "") -> None:
        page = random.randint(1, 5)
        resp = self.get(f"/households/?page={page}{query}", "GET household list")
        self.households = HOUSEHOLD.findall(resp.text or "") or self.households

    def household_detail(self) -> None:
        if not self.households:
            self.household_list()
        if self.households:
            self.get(f"/households/{random.choice(self.households)}/", "GET household detail")

    def quick_action(self, text: str) -> None:
        found = QUICK.findall(text)
        if found:
            pk, action, state = random.choice(found)
            self.post(f"/cases/{pk}/act/", {"action": action, "seen_state": state, "next": "queue"},
                      "POST case quick action", text)


class Village(Staff):
    role = "village"
    weight = 10

    @task(3)
    def my_queue(self):
        self.queue()

    @task(3)
    def households(self):
        self.household_list()

    @task(4)
    def household(self):
        self.household_detail()

    @task(3)
    def case(self):
        self.case_detail()

    @task(1)
    def home(self):
        self.get("/", "GET home")

    @task(1)
    def followups(self):
        self.get("/plans/followups/", "GET followups due")

    @task(2)
    def visit(self):
        form = self.get("/cases/visits/new/", "GET visit form")
        text = form.text or ""
        numbers = HH_NO.findall(text)
        token = CSRF.search(text)
        if not numbers or not token:
            return
        income = random.choice([3000, 5200, 9800, 15000, 24000])
        data = {"hh_no": random.choice(numbers), "visit_date": dt.date.today().isoformat(),
                "income_12m": income, "last_year_income": income + random.choice([0, 500, 6000]),
                "medical_oop": random.choice([0, 0, 0, 12000]), "schooling_exp": 0, "disaster_loss": 0,
                "accident_exp": 0, "labour_summary": "有劳动力 2 人", "food_ok": "on", "education_ok": "on",
                "medical_ok": "on", "housing_ok": "on", "water_ok": "on", "consent_data_query": "on",
                "note": "压测走访", "csrfmiddlewaretoken": token.group(1)}
        with self.client.post("/cases/visits/new/", data=data, name="POST visit", catch_response=True,
                              allow_redirects=False, headers={"Referer": self.host + "/cases/visits/new/"}) as resp:
            where = resp.headers.get("Location") or ""
            if resp.status_code != 302 or "/cases/visits/" not in where or where.endswith("/new/"):
                resp.failure(f"visit not saved ({resp.status_code} {where})")
        self.follow(resp, "POST visit")


class Township(Staff):
    role = "township"
    weight = 4

    @task(3)
    def my_queue(self):
        text = self.queue()
        if random.random() < 0.3:
            self.quick_action(text)

    @task(2)
    def pipeline(self):
        self.get("/cases/pipeline/", "GET pipeline")

    @task(3)
    def case(self):
        self.case_detail()

    @task(1)
    def followups(self):
        self.get("/plans/followups/", "GET followups due")

    @task(2)
    def households(self):
        self.household_list()

    @task(2)
    def household(self):
        self.household_detail()


class County(Staff):
    role = "county"
    weight = 3

    @task(3)
    def pipeline(self):
        self.get("/cases/pipeline/", "GET pipeline")

    @task(3)
    def approvals(self):
        text = self.queue()
        if random.random() < 0.3:
            self.quick_action(text)

    @task(2)
    def screening(self):
        self.get("/alerts/", "GET screening queue")

    @task(2)
    def case(self):
        self.case_detail()

    @task(2)
    def households(self):
        self.household_list("&hh_type=jiance")

    @task(1)
    def household(self):
        self.household_detail()

    @task(1)
    def home(self):
        self.get("/", "GET home")


class Upper(Staff):
    """City and province: overviews and exports."""

    abstract = True

    @task(4)
    def pipeline(self):
        self.get("/cases/pipeline/", "GET pipeline")

    @task(2)
    def households(self):
        self.household_list("&hh_type=jiance")

    @task(1)
    def household(self):
        self.household_detail()

    @task(1)
    def home(self):
        self.get("/", "GET home")

    @task(1)
    def national_export(self):
        county = random.choice(COUNTIES) if COUNTIES else "130633"
        self.get(f"/cases/national/{county}/?fmt=csv", "GET national export (county)")

    @task(1)
    def ledger_export(self):
        township = random.choice(TOWNSHIPS) if TOWNSHIPS else "130633100"
        self.get(f"/ledger/export/{township}.xlsx?type=jiance", "GET ledger export (township)")


class City(Upper):
    role = "city"
    weight = 1


class Province(Upper):
    role = "province"
    weight = 1


class Department(Staff):
    role = "department"
    weight = 1

    @task(4)
    def referrals(self):
        resp = self.get("/plans/referrals/", "GET referrals")
        pending = REFERRAL.findall(resp.text or "")
        if pending and random.random() < 0.5:
            self.post(f"/plans/referrals/{random.choice(pending)}/accept/", {}, "POST referral accept", resp.text)

    @task(1)
    def home(self):
        self.get("/", "GET home")


def _codes() -> tuple[list[str], list[str]]:
    """Counties and townships the export tasks ask for: those of the load accounts."""
    names = accounts()
    counties = sorted({n[2:] for n in names.get("county", []) if n.startswith("lc")})
    townships = sorted({n[2:] for n in names.get("township", []) if n.startswith("lt")})
    return counties, townships


COUNTIES, TOWNSHIPS = _codes()
