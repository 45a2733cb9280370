"""A household on a phone: picks township → village (htmx), applies, gets a receipt, checks progress."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from fangpin import pii
from fangpin.cases.models import Lead, PolicyVersion
from tests.conftest import OWN_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_household_applies_on_a_phone_and_checks_progress(page, live_server, regions, make_household):
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1), version="13-2026-1",
                                 monitoring_line=Decimal("7300"))
    household = make_household(OWN_VILLAGE, members=(("周九", "head"),))
    id_number = pii.decrypt(household.members.get().id_cipher)
    base = live_server.url

    page.goto(f"{base}/apply/?county=130633")
    page.get_by_label("申请人姓名").fill("周九")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("联系电话").fill("13912345678")
    page.locator("select[name=township]").select_option("130633100")
    expect(page.locator("#id_village option", has_text="东关村委会")).to_have_count(1)  # htmx swapped the villages
    page.locator("select[name=village]").select_option(OWN_VILLAGE)
    page.locator("select[name=risk_type]").select_option("因病")
    page.get_by_label("困难情况").fill("突发重病住院")
    page.get_by_label(re.compile("本人承诺")).check()
    page.get_by_role("button", name="提交申报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申报已受理")
    receipt = page.locator(".receipt").inner_text()
    assert Lead.objects.get(receipt_no=receipt).case.household == household
    assert id_number not in page.content()

    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("申请时填写的联系电话").fill("13912345678")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#result")).to_contain_text("线索")
    assert "周九" not in page.locator("#result").inner_text() and id_number not in page.content()
