"""防贫保险 in the browser, as the roles the procedure names: the county sets the year's scheme and records the
premiums, reports a monitored household's hospital bill; the insurer (on a phone) records the home check and
the core proposes 9,000 yuan for 18,000 out of pocket; the county approves; the payout is a 防贫保险 measure
(done) on the household's plan and a payout in the fund ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangpin.cases.models import Case
from fangpin.insurance.models import Claim
from fangpin.plans.models import Measure
from tests.browser.conftest import login
from tests.cases.conftest import policy  # noqa: F401  (the shared province policy fixture)
from tests.conftest import OWN_VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, base, username):
    page.context.clear_cookies()
    login(page, base, username)


def test_claim_check_approval_and_measure(page, live_server, users, make_household, policy):  # noqa: F811
    base = live_server.url
    household = make_household(OWN_VILLAGE, members=(("张三", "head"), ("李四", "spouse"), ("张小", "child")))
    now = timezone.now()
    case = Case.objects.create(household=household, state="monitoring", channel="visit", policy=policy,
                               opened_at=now, state_since=now, category="突发严重困难户", risk_types=["因病"],
                               effective_date=dt.date(2026, 1, 5))
    year = timezone.localdate().year

    # the county: this year's scheme (pre-filled with the example bands), then the premiums
    as_user(page, base, "county")
    page.goto(f"{base}/insurance/")
    page.get_by_role("link", name="保险方案").click()
    expect(page.locator("#id_medical_oop_tiers")).to_have_value("0-20000:60%; 20000-50000:70%; 50000-:80%")
    page.locator("#id_insurer_name").fill("示例财险易县支公司")
    page.locator("#id_covered_persons").fill("4000")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("#summary")).to_contain_text("50.00 元/人 × 4000 人 = 200000.00 元")

    page.get_by_role("link", name="资金台账").click()
    page.locator("#id_e_kind").select_option("premium")
    page.locator("#id_e_amount").fill("200000")
    page.locator("#id_e_note").fill(f"{year} 年度保费")
    page.get_by_role("button", name="记账").click()
    expect(page.locator("#fund-balance")).to_have_text("200000.00")

    # the county reports the household's medical spending from the list of eligible cases
    page.get_by_role("link", name="报案").first.click()
    row = page.locator("#cases tr", has_text=household.hh_no)
    row.get_by_role("button", name="报案").click()
    expect(page.locator("#claim-state")).to_have_text("待核查")
    claim = Claim.objects.get(household=household)

    # the insurer, on a phone: the home check
    as_user(page, base, "insurer")
    page.goto(f"{base}/insurance/")
    page.get_by_role("link", name=str(claim.pk), exact=True).click()
    page.locator("#id_k_persons").fill("3")
    page.locator("#id_k_net_income").fill("12000")
    expect(page.locator("#id_k_item_1")).to_have_value("medical_oop")
    page.locator("#id_k_person_1").select_option("张三")
    page.locator("#id_k_amount_1").fill("18000")
    page.locator("#id_k_note").fill("住院发票、医保结算单已核")
    page.get_by_role("button", name="提交核查结果").click()
    expect(page.locator("#claim-state")).to_have_text("待审批")
    expect(page.locator("#proposed-amount")).to_have_text("9000.00 元")
    expect(page.locator("#explanation")).to_contain_text("15,000.00 元 × 60% = 9,000.00 元")
    expect(page.locator("#decide")).to_have_count(0)

    # the county approves
    as_user(page, base, "county")
    page.goto(f"{base}/insurance/claims/{claim.pk}/")
    page.get_by_role("button", name="审批赔付").click()
    expect(page.locator("#claim-state")).to_have_text("已赔付")
    expect(page.locator("#approved-amount")).to_have_text("9000.00 元")

    # the payout is a measure, done, on the household's plan …
    page.get_by_role("link", name="查看帮扶计划").click()
    expect(page.locator("body")).to_contain_text("防贫保险")
    measure = Measure.objects.get(plan__case=case, code="insurance")
    assert (measure.status, str(measure.amount)) == ("done", "9000.00")
    # … and a payout in the fund ledger
    page.goto(f"{base}/insurance/fund/?year={year}")
    expect(page.locator("#fund-balance")).to_have_text("191000.00")
    expect(page.locator("#ledger")).to_contain_text(f"理赔 {claim.pk}")
