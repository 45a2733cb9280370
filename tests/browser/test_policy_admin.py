"""A county administrator on a phone raises the monitoring line: the new version applies from its date,
the old one stays in the history, and the village sees the county's figure."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangpin.cases.models import PolicyVersion
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FANGPIN_SHOTS")  # a folder: screenshots for the note


def shot(tab, name: str) -> None:
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_county_admin_creates_a_version_and_the_village_sees_it(page, live_server, users):
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2026, 1, 1),
                                 version="13-2026-1", monitoring_line=Decimal("7300"))
    today = timezone.localdate()
    base = live_server.url

    login(page, base, "county")
    page.goto(f"{base}/cases/policy/")
    page.get_by_role("link", name="新建易县政策版本").click()
    page.get_by_label("监测线（元/人·年）").fill("0")
    page.get_by_label("生效日期").fill(today.isoformat())
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_text("监测线：必须大于 0 元")).to_be_visible()
    shot(page, "policy_form_error")

    page.get_by_label("监测线（元/人·年）").fill("7650")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"130633-{today.year}-1")
    expect(page.get_by_text("今天适用")).to_be_visible()

    page.goto(f"{base}/cases/policy/holidays/?start=2026-09-30&days=5")
    expect(page.get_by_text("2026-10-13")).to_be_visible()
    shot(page, "holiday_preview")

    page.context.clear_cookies()
    login(page, base, "village")
    page.goto(f"{base}/cases/policy/")
    expect(page.locator("strong", has_text="7650.00")).to_be_visible()
    expect(page.get_by_role("link", name="13-2026-1")).to_be_visible()  # the province's stays in the history
    expect(page.get_by_role("link", name="新建易县政策版本")).to_have_count(0)
    shot(page, "policy_list_village")
