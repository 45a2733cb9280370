"""A county officer on a phone tries a higher monitoring line before adopting it: the simulation runs as a
job in its thread, the page follows its progress and then shows today vs the draft; nothing is adopted."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fangpin.alerts.models import Simulation, Warning
from fangpin.cases.models import PolicyVersion
from tests.alerts.test_whatif import year
from tests.browser.conftest import login
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, SIBLING_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FANGPIN_SHOTS")


def test_county_simulates_a_higher_line_from_the_policy_page(page, live_server, users, make_household):
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1),
                                 version="13-2026-1", monitoring_line=Decimal("7300"))
    for village, wage in (("130633100201", "9000"), ("130633100201", "16000"), (SIBLING_VILLAGE, "17000"),
                          (OTHER_TOWNSHIP_VILLAGE, "40000")):
        year(make_household(village), wage)
    base = live_server.url

    login(page, base, "county")
    page.goto(f"{base}/cases/policy/")
    page.get_by_role("link", name="模拟新标准").click()
    page.get_by_label("筛查月份").fill("2026-10")
    page.get_by_label("模拟监测线").fill("九千")
    page.get_by_role("button", name="开始模拟").click()
    expect(page.get_by_text("监测线“九千”不是数字")).to_be_visible()
    page.get_by_label("模拟监测线").fill("9000")
    page.get_by_role("button", name="开始模拟").click()
    # the job runs in its thread; the status polls, then the page reloads with the results
    expect(page.get_by_text("现行标准标记")).to_be_visible(timeout=60_000)
    today, draft = page.locator(".stat", has_text="现行标准标记"), page.locator(".stat", has_text="模拟标准标记")
    expect(today.locator("b")).to_have_text("1 户")  # the 4,500-per-capita household
    expect(today.locator("span")).to_have_text("2 人 · 现行标准标记")
    expect(draft.locator("b")).to_have_text("3 户")  # and the two between the lines
    expect(draft.locator("span")).to_have_text("6 人 · 模拟标准标记")
    expect(page.locator(".bar.draft").first).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/whatif.png", full_page=True)
    page.reload()  # the page survives a reload: everything is on the Simulation row
    expect(page.locator(".stat", has_text="模拟标准标记").locator("b")).to_have_text("3 户")
    assert Simulation.objects.get().status == "done" and Warning.objects.count() == 0
    assert list(PolicyVersion.objects.values_list("monitoring_line", flat=True)) == [Decimal("7300")]
