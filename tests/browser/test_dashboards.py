"""In chromium on a phone-sized screen: the dashboard draws its charts (canvas, no CSP violation — the
``page`` fixture fails on any) and a click on a bar or a map area drills down to the village."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE
from tests.dashboards.conftest import make_case  # noqa: F401  (the hand-built case factory)
from tests.dashboards.test_maps import county_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rendered(page, selector: str) -> None:
    page.locator(f"{selector}[data-rendered='1'] canvas").first.wait_for()


def click_bar(page, panel: str, index: int) -> None:
    """Click the middle of bar ``index`` of ``panel``'s first series (its column when the bar is empty),
    where a person would tap it."""
    chart = page.locator(f"[data-panel='{panel}']")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([key, index]) => {
             const el = document.querySelector(`[data-panel='${key}']`);
             const chart = echarts.getInstanceByDom(el);
             const value = chart.getOption().series[0].data[index];
             const [x, y] = chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
             const base = chart.convertToPixel({seriesIndex: 0}, [index, 0])[1];
             const box = el.getBoundingClientRect();
             return [box.left + x, box.top + Math.min(y, base - 8)];  // an empty bar: just above the axis
           }""", [panel, index])
    page.mouse.click(x, y)


def test_charts_render_and_bars_drill_down_to_a_village(page, live_server, users, make_case):  # noqa: F811
    make_case(OWN_VILLAGE, risk_types=("因病", "因残"))
    make_case(OWN_VILLAGE, state="verifying", effective_date=None)
    make_case(OTHER_TOWNSHIP_VILLAGE, category="脱贫不稳定户", risk_types=("因学",))
    login(page, live_server.url, "county")
    page.locator("label.navbutton").click()  # the phone's menu
    page.get_by_role("link", name="数据看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 易县")
    for key in ("overview", "scale", "categories", "risk_types", "months", "pipeline"):
        rendered(page, f"[data-panel='{key}']")
    rendered(page, "[data-geo='treemap']")
    assert page.locator(".dash-chart canvas").count() >= 7
    assert page.evaluate("typeof eval === 'function' && typeof echarts.init") == "function"
    expect(page.locator("#panel-risk_types table")).to_contain_text("因残")

    click_bar(page, "overview", 0)  # 易州镇
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 易州镇")
    expect(page.locator("nav.crumbs")).to_contain_text("易县 / 易州镇")
    rendered(page, "[data-panel='overview']")
    click_bar(page, "overview", 0)  # 东关村委会
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 东关村委会")
    rendered(page, "[data-panel='pipeline']")
    page.locator("nav.crumbs").get_by_role("link", name="易县").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 易县")

    # no boundary map uploaded: the treemap's cells drill as well
    rendered(page, "[data-geo='treemap']")
    page.locator("[data-geo='treemap']").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => {
        const el = document.querySelector("[data-geo='treemap']");
        const data = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData();
        const i = [...Array(data.count()).keys()].find(k => data.getName(k) === "梁格庄镇");
        const cell = data.getItemLayout(i);
        const box = el.getBoundingClientRect();
        return [box.left + cell.x + cell.width / 2, box.top + cell.y + cell.height / 2];
      }""")
    page.mouse.click(x, y)
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 梁格庄镇")


def test_an_uploaded_boundary_map_is_drawn_and_drills(page, live_server, users, make_case):  # noqa: F811
    from django.utils import timezone

    from fangpin.core.geojson import check_geojson
    from fangpin.dashboards.models import RegionMap

    make_case(OTHER_TOWNSHIP_VILLAGE)
    checked = check_geojson(county_map(), {"130633100": "易州镇", "130633101": "梁格庄镇"})
    RegionMap.objects.create(region_id="130633", geojson=checked.geojson, features=2, points=checked.points,
                             file_name="yixian.geojson", sha256="0" * 64, uploaded_by=users["sysadmin"],
                             uploaded_at=timezone.now())
    login(page, live_server.url, "county")
    page.goto(f"{live_server.url}/dashboards/")
    rendered(page, "[data-geo='map']")
    page.locator("[data-geo='map']").scroll_into_view_if_needed()
    # the centre of 梁格庄镇's square (115.30–115.35 E, 39.38–39.43 N) as the map draws it
    x, y = page.evaluate("""() => {
        const el = document.querySelector("[data-geo='map']");
        const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [115.325, 39.405]);
        const box = el.getBoundingClientRect();
        return [box.left + x, box.top + y];
      }""")
    page.mouse.click(x, y)
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 梁格庄镇")


@pytest.fixture
def demo_county(db):
    """The demo county at 5 % (易县 with its real villages, Hebei's cities above it), its logins and casework,
    and the insurance, grievance and 督战 demos: made by the same commands as `make demo`."""
    import io

    from django.core.management import call_command

    from fangpin.regions.services import BUNDLED_HEBEI, load_regions, read_region_files

    load_regions([r for r in read_region_files([BUNDLED_HEBEI]).rows
                  if len(r.code) <= 4 or r.code.startswith("130633")], retire_missing=False)
    out = io.StringIO()
    call_command("seed_policy", "--province", "13", "--year", "2026", "--line", "7300", stdout=out)
    call_command("demo_data", county="130633", seed=1, scale=0.05, stdout=out)
    call_command("demo_users", county="130633", stdout=out)
    call_command("demo_cases", county="130633", seed=1, stdout=out)
    for command in ("demo_insurance", "demo_grievances", "demo_supervision"):
        call_command(command, county="130633", stdout=out)


def click_category(page, panel: str, name: str) -> None:
    index = page.evaluate(
        """([key, name]) => echarts.getInstanceByDom(document.querySelector(`[data-panel='${key}']`))
             .getOption().xAxis[0].data.indexOf(name)""", [panel, name])
    assert index >= 0, f"{name} not among the bars of {panel}"
    click_bar(page, panel, index)


def test_province_drills_the_demo_county_down_to_the_demo_village(page, live_server, demo_county):
    from fangpin.demo.services import DEMO_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("province")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("数据看板 · 河北省")
    for key in ("overview", "categories", "insurance_fund", "grievances"):
        rendered(page, f"[data-panel='{key}']")
    for name, heading in (("保定市", "保定市"), ("易县", "易县"), ("易州镇", "易州镇"),
                          ("中亢各庄村民委员会", "中亢各庄村民委员会")):
        rendered(page, "[data-panel='overview']")
        click_category(page, "overview", name)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"数据看板 · {heading}")
    rendered(page, "[data-panel='pipeline']")
    expect(page.locator("#panel-pipeline table")).to_contain_text("中亢各庄村民委员会")
    expect(page.locator("nav.crumbs")).to_contain_text("河北省 / 保定市 / 易县 / 易州镇 / 中亢各庄村民委员会")
