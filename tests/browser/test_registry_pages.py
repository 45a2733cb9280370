"""In chromium on a phone-sized screen: the township → village cascade (htmx) and the unmask button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangpin import pii
from fangpin.audit.models import AuditEvent
from tests.browser.conftest import login
from tests.conftest import OTHER_TOWNSHIP_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_select_loads_its_villages_and_filters(page, live_server, users, make_household):
    own = make_household()
    other = make_household(OTHER_TOWNSHIP_VILLAGE)
    login(page, live_server.url, "county")
    page.goto(f"{live_server.url}/households/")
    village = page.locator("select[name=village]")
    expect(village.locator("option")).to_have_count(1)  # only "全部村" until a township is chosen
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"
    page.locator("select[name=township]").select_option(label="梁格庄镇")
    expect(village.locator("option")).to_have_count(2)
    expect(village).to_contain_text("梁格庄村委会")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("link", name=other.hh_no)).to_be_visible()
    expect(page.get_by_text(own.hh_no)).to_have_count(0)


def test_unmask_button_shows_the_number_in_place_and_records_it(page, live_server, users, make_household):
    household = make_household(members=(("王秀英", "head"),))
    head = household.members.get()
    login(page, live_server.url, "village")
    page.goto(f"{live_server.url}/households/{household.pk}/")
    cell = page.locator(f"#id-{head.pk}")
    assert page.evaluate("typeof htmx") == "object", "htmx did not load"
    expect(cell).to_have_text(head.id_masked)
    page.get_by_role("button", name="显示").click()
    expect(cell).to_contain_text(pii.decrypt(head.id_cipher))
    expect(page.get_by_role("heading", level=1)).to_contain_text(household.hh_no)  # swapped in place
    assert AuditEvent.objects.filter(action="member.unmask", object_id=str(head.pk)).count() == 1
