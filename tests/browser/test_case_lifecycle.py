"""One household from its own application to 监测帮扶中, a plan, and risk elimination — every step in
the browser, on a phone, as the role the procedure names (village, township, county, department).

Time passes in two places the way it does in an office: a notice period ends (its end date is
moved to yesterday) and months of follow-ups go by (visits dated back to the monitoring date).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangpin import pii
from fangpin.cases.models import Case, CaseStep, Lead, PolicyVersion
from fangpin.plans.models import Measure
from fangpin.registry.models import HouseholdYear
from tests.browser.conftest import login
from tests.conftest import OWN_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZERO = Decimal("0")


def as_user(page, base, username):
    page.context.clear_cookies()
    login(page, base, username)


def action_form(page, heading: str):
    """The case page's form for one action (each has its own heading and button)."""
    return page.locator("form.card", has=page.get_by_role("heading", name=heading, exact=True))


def submit(page, heading: str = "提交"):
    form = action_form(page, heading)
    form.get_by_role("button", name=heading, exact=True).click()


def expect_state(page, label: str):
    expect(page.locator("h1 .badge").first).to_have_text(label)


def review(page, prefix: str = "submit"):
    form = action_form(page, "提交")
    form.locator(f"#id_{prefix}_date").fill(timezone.localdate().isoformat())
    form.locator(f"#id_{prefix}_attendance").fill("35")
    form.locator(f"#id_{prefix}_votes_for").fill("33")
    form.locator(f"#id_{prefix}_votes_against").fill("0")
    form.locator(f"#id_{prefix}_minutes").fill("村民代表会议评议同意")
    submit(page)


def end_notice(case_id: int) -> None:
    Case.objects.filter(pk=case_id).update(notice_ends=timezone.localdate() - dt.timedelta(days=1))


def test_self_application_to_monitoring_plan_and_elimination(page, live_server, users, make_household):
    PolicyVersion.objects.create(region_id="13", year=2026, effective_from=dt.date(2020, 1, 1), version="13-2026-1",
                                 monitoring_line=Decimal("7300"))
    household = make_household(OWN_VILLAGE, members=(("周九", "head"),), hh_type="yiban")
    HouseholdYear.objects.create(household=household, year=2026, wage=Decimal("4200"), business=ZERO,
                                 property_income=ZERO, transfer=ZERO, production_cost=ZERO,
                                 medical_oop=Decimal("15000"), schooling_exp=ZERO, disaster_loss=ZERO,
                                 accident_exp=ZERO)
    id_number = pii.decrypt(household.members.get().id_cipher)
    base = live_server.url
    today = timezone.localdate()
    effective = today - dt.timedelta(days=200)

    # 1. the household applies on the public page
    page.goto(f"{base}/apply/?county=130633")
    page.get_by_label("申请人姓名").fill("周九")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("联系电话").fill("13800138000")
    page.locator("select[name=township]").select_option("130633100")
    expect(page.locator("#id_village option", has_text="东关村委会")).to_have_count(1)
    page.locator("select[name=village]").select_option(OWN_VILLAGE)
    page.locator("select[name=risk_type]").select_option("因病")
    page.get_by_label("困难情况").fill("突发重病住院，自付费用高")
    page.get_by_label(re.compile("本人承诺")).check()
    page.get_by_role("button", name="提交申报").click()
    receipt = page.locator(".receipt").inner_text()
    case_id = Lead.objects.get(receipt_no=receipt).case_id
    case_url = f"{base}/cases/{case_id}/"

    # 2. village: start verification from the to-do queue, then verify, review and publish the notice
    as_user(page, base, "village")
    page.goto(f"{base}/cases/")
    page.get_by_role("row", name=re.compile(household.hh_no)).get_by_role("button", name="开始核实").click()
    page.goto(case_url)
    expect_state(page, "入户核实")
    submit(page)
    expect_state(page, "村级民主评议")
    review(page)
    expect_state(page, "村内公示")
    page.get_by_role("link", name=re.compile("查看本村公示")).click()
    expect(page.get_by_text("周九").first).to_be_visible()
    assert id_number not in page.content()
    end_notice(case_id)  # five days later
    page.goto(case_url)
    submit(page)
    expect_state(page, "乡镇审核")

    # 3. township reviews, 4. county decides category, risk types and the effective date
    as_user(page, base, "township")
    page.goto(case_url)
    submit(page)
    as_user(page, base, "county")
    page.goto(case_url)
    decision = action_form(page, "提交")
    expect(decision.locator("#id_submit_category")).to_have_value("突发严重困难户")  # the core's suggestion
    decision.locator("#id_submit_effective_date").fill(effective.isoformat())
    submit(page)
    expect_state(page, "监测帮扶中")
    case = Case.objects.get(pk=case_id)
    assert case.category == "突发严重困难户" and "因病" in case.risk_types and case.findings

    # 5. village: a plan — helper, an adopted suggestion referred to the medical-insurance bureau
    as_user(page, base, "village")
    page.goto(case_url)
    page.get_by_role("link", name=re.compile("帮扶计划")).click()
    page.get_by_label("帮扶责任人姓名").fill("李建国")
    page.get_by_label("单位职务").fill("县乡村振兴局驻村工作队")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("李建国").first).to_be_visible()
    page.locator("#suggestions li", has_text="医疗救助").get_by_role("link", name="采纳").click()
    page.locator("#add-measure").get_by_role("button", name="新增措施").click()
    measure = Measure.objects.get(plan__case_id=case_id, code="medical_aid")
    refer = page.locator(f"form[action$='/plans/measure/{measure.pk}/refer/']")
    refer.locator("select").select_option("medical_insurance")
    refer.get_by_role("button", name="转办").click()
    expect(page.get_by_text("已转办").first).to_be_visible()

    # 6. the department accepts the referral and records what was done
    as_user(page, base, "department")
    page.goto(f"{base}/plans/referrals/")
    page.get_by_role("button", name="接收").click()
    page.get_by_label("落实情况").fill("已按政策给予医疗救助 3,000 元")
    page.get_by_label("落实日期").fill(today.isoformat())
    page.get_by_role("button", name="落实完成").click()
    measure.refresh_from_db()
    assert measure.status == "done" and measure.accepted_by == users["department"]

    # 7. village: follow-ups over six months show a stable income above the line
    as_user(page, base, "village")
    for day in (effective + dt.timedelta(days=5), today - dt.timedelta(days=1)):
        page.goto(f"{base}/plans/case/{case_id}/")
        page.get_by_label("回访日期").fill(day.isoformat())
        page.get_by_label(re.compile("近12个月家庭纯收入")).fill("15000")
        page.get_by_label("家庭人口").fill("1")
        page.get_by_role("button", name="记录回访").click()
        expect(page.get_by_text(day.isoformat()).first).to_be_visible()

    # 8. elimination: start, verify, review, notice (village); county approves
    page.goto(case_url)
    expect(page.get_by_text("符合风险消除条件").first).to_be_visible()
    submit(page, "启动风险消除")
    expect_state(page, "消除风险核实")
    submit(page)
    review(page)
    expect_state(page, "消除风险公示")
    end_notice(case_id)
    page.goto(case_url)
    submit(page)
    as_user(page, base, "county")
    page.goto(case_url)
    submit(page)
    expect_state(page, "风险已消除")

    steps = list(CaseStep.objects.filter(case_id=case_id).order_by("id").values_list("to_state", "actor__username"))
    assert steps == [
        ("verifying", "village"), ("village_review", "village"), ("notice", "village"),
        ("township_review", "village"), ("county_decision", "township"), ("monitoring", "county"),
        ("elim_verifying", "village"), ("elim_review", "village"), ("elim_notice", "village"),
        ("elim_decision", "village"), ("eliminated", "county"),
    ]
    assert Case.objects.get(pk=case_id).closed_at is not None
