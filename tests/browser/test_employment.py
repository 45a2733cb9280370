"""The employment link on a phone, as each role: the county publishes a job with 点对点 transport; the village
officer finds the monitored household's member first in the candidate list and recommends him (the plan gets
务工就业推荐 and 点对点返岗服务); the officer records the hire; the measures are done and the registry updated."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangpin.employment.models import Demand, Placement
from fangpin.plans.models import Measure
from tests.browser.conftest import login
from tests.cases.conftest import policy  # noqa: F401  (fixture)
from tests.conftest import OWN_VILLAGE
from tests.plans.conftest import make_case  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, base, username):
    page.context.clear_cookies()
    login(page, base, username)


def test_a_job_is_published_recommended_into_the_plan_and_filled(page, live_server, users, make_case,  # noqa: F811
                                                                 make_household):
    base = live_server.url
    case = make_case(OWN_VILLAGE)
    make_household(OWN_VILLAGE, hh_type="yiban")
    head = case.household.members.get(relation="head")
    case.household.members.filter(relation="spouse").update(employment="local_job")  # has a job: not a candidate

    as_user(page, base, "county")
    page.goto(f"{base}/jobs/")
    page.get_by_role("link", name="发布岗位").click()
    page.get_by_label("用工单位").fill("雄安建设项目部")
    page.get_by_label("岗位", exact=True).fill("钢筋工")
    page.get_by_label("工作地点类型").select_option("province")
    page.get_by_label("工作地点", exact=True).fill("雄安新区")
    page.get_by_label("招聘人数").fill("5")
    page.get_by_label("年龄上限").fill("60")
    page.get_by_label("提供点对点接送").check()
    page.get_by_label("有效期至").fill("2099-12-31")
    page.get_by_label("联系电话").fill("13611112222")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("雄安建设项目部 · 钢筋工")
    assert "13611112222" not in page.content()
    demand = Demand.objects.get()

    as_user(page, base, "village")
    page.goto(f"{base}/jobs/")
    page.get_by_role("link", name="雄安建设项目部").click()
    first = page.locator("tr[id^=candidate-]").first
    expect(first).to_have_id(f"candidate-{head.pk}")  # the monitored household first
    expect(first).to_contain_text("监测对象")
    first.get_by_role("button", name="推荐").click()
    expect(page.locator(".messages")).to_contain_text("已记入帮扶计划 2 项就业帮扶措施")
    placement = Placement.objects.get(demand=demand)
    assert sorted(Measure.objects.filter(plan__case=case).values_list("code", flat=True)) == ["job_placement",
                                                                                            "transport"]
    row = page.locator(f"#placement-{placement.pk}")
    row.locator("select[name=hired]").select_option("1")
    row.get_by_role("button", name="登记").click()
    expect(page.locator(f"#placement-{placement.pk}")).to_contain_text("已上岗")
    assert set(Measure.objects.filter(plan__case=case).values_list("status", flat=True)) == {"done"}
    head.refresh_from_db()
    assert head.employment == "province_job"
