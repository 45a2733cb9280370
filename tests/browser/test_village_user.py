"""A village user on a phone: logs in, finds a household by name, opens it, and cannot reach
another village's household even by typing its address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import SIBLING_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_user_searches_opens_and_is_kept_in_their_village(page, live_server, users, make_household):
    own = make_household(members=(("王秀英", "head"), ("刘建国", "spouse")))
    other = make_household(SIBLING_VILLAGE, members=(("王秀兰", "head"),))
    base = live_server.url

    login(page, base, "village")
    page.goto(f"{base}/households/")
    page.get_by_label("搜索").fill("wxy")  # pinyin initials of 王秀英
    page.get_by_label("搜索").press("Enter")
    row_link = page.get_by_role("link", name=own.hh_no)
    expect(row_link).to_be_visible()
    expect(page.get_by_text(other.hh_no)).to_have_count(0)

    row_link.click()
    expect(page).to_have_url(re.compile(rf"/households/{own.pk}/$"))
    expect(page.get_by_text("王秀英").first).to_be_visible()
    masked = own.members.get(name="王秀英").id_masked
    expect(page.get_by_text(masked).first).to_be_visible()
    body = page.content()
    assert not re.search(r"\d{17}[\dX]", body), "a clear ID number was rendered"

    response = page.goto(f"{base}/households/{other.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("王秀兰")).to_have_count(0)
