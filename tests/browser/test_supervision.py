"""督战 on a phone: the province defines a rule, sees the county over it in the problem list and
assigns it (交办); the county reports the rectification with a photo; the province signs it off."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FANGPIN_SHOTS")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def shot(tab, name: str) -> None:
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_province_rule_to_county_rectification_and_sign_off(page, live_server, users, make_household, settings,
                                                            tmp_path):
    from fangpin.supervision.models import Evidence, Problem

    settings.MEDIA_ROOT = tmp_path
    for village in (OWN_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE):
        make_household(village, hh_type="jiance")
    base = live_server.url

    login(page, base, "province")
    page.locator("label.navbutton").click()  # the phone menu
    page.get_by_role("link", name="督战", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("区域统计")
    page.goto(f"{base}/supervision/rules/")
    page.get_by_label("对象层级").select_option(label="县")
    page.get_by_label("指标").select_option(value="remaining_households")
    page.get_by_label("比较").select_option(value="gt")
    page.get_by_label("阈值").fill("2")
    page.get_by_role("button", name="保存规则").click()
    expect(page.get_by_text("已保存督战规则")).to_be_visible()
    expect(page.get_by_text("生效中")).to_be_visible()

    page.get_by_role("link", name="问题清单").click()
    finding = page.locator("section.finding", has_text="易县")
    expect(finding).to_contain_text("未消除风险监测户（户） 3")
    expect(page.locator("section.finding", has_text="涞水县")).to_have_count(0)  # no monitoring object there
    finding.get_by_label("整改要求").fill("逐户落实帮扶责任人，月底前报送")
    shot(page, "supervision_findings")
    finding.get_by_role("button", name="交办").click()
    expect(page.get_by_text("已交办", exact=True)).to_be_visible()
    problem = Problem.objects.get()
    assert (problem.region_id, problem.owner.username, problem.state) == ("130633", "county", "assigned")

    page.context.clear_cookies()
    login(page, base, "county")
    page.locator("label.navbutton").click()
    page.get_by_role("link", name="督战问题").click()
    page.get_by_role("link", name="易县").click()
    expect(page.locator("#problem-state")).to_have_text("已交办待整改")
    page.get_by_role("button", name="报送整改").click()  # empty: the browser's required check keeps it here
    assert Problem.objects.get().state == "assigned"
    page.get_by_label("整改情况").fill("三户均已制定一户一策并落实帮扶责任人")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "入户照片.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="报送整改").click()
    expect(page.get_by_text("已报送整改情况")).to_be_visible()
    expect(page.locator("#problem-state")).to_have_text("整改待审核")
    assert Evidence.objects.get().name == "入户照片.png"

    page.context.clear_cookies()
    login(page, base, "province")
    page.goto(f"{base}/supervision/problems/{problem.pk}/")
    expect(page.get_by_role("link", name="佐证：入户照片.png")).to_be_visible()
    shot(page, "supervision_review")
    page.get_by_role("button", name="审核销号").click()
    expect(page.get_by_text("已销号", exact=True).first).to_be_visible()
    assert Problem.objects.get().state == "closed"
    page.goto(f"{base}/supervision/monthly/")
    expect(page.locator("table")).to_contain_text("易县")


def test_city_drills_down_and_sees_the_summons_list(page, live_server, users, make_household, settings, tmp_path):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from fangpin.supervision import services
    from fangpin.supervision.models import Problem, Rule

    settings.MEDIA_ROOT = tmp_path
    for _ in range(2):
        make_household(OWN_VILLAGE, hh_type="jiance")
    make_household(SIBLING_VILLAGE)
    today = timezone.localdate()
    for metric in ("remaining", "remaining_households"):
        rule = Rule.objects.create(region_id="13", name=metric, metric=metric, level=5, comparator="gt",
                                   value=Decimal(0), created_by=users["province"])
        p = services.do_assign(users["province"], rule.pk, OWN_VILLAGE, deadline=today + dt.timedelta(days=3),
                               today=today)
        Problem.objects.filter(pk=p.pk).update(deadline=today - dt.timedelta(days=1))  # now overdue
    base = live_server.url

    login(page, base, "city")
    page.goto(f"{base}/supervision/")
    page.get_by_role("link", name="易县").click()
    page.get_by_role("link", name="易州镇").click()
    row = page.locator("tr", has_text="东关村委会")
    expect(row).to_contain_text("2")  # two monitored households
    expect(page.locator("tr", has_text="西关村委会")).to_contain_text("1 / 1")  # a village without monitoring objects
    shot(page, "supervision_villages")
    page.goto(f"{base}/supervision/monthly/")
    page.get_by_label("汇总到").select_option(value="county")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("ol.summons")).to_contain_text("易县")
    expect(page.locator("ol.summons")).to_contain_text("超期未整改 2 个")
    shot(page, "supervision_monthly")
