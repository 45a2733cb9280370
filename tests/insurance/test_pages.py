"""防贫保险 pages through the test client: the scheme form, the insurer's check form, the county's decision,
the fund ledger and its xlsx."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from fangpin.insurance.models import Claim, LedgerEntry, Scheme
from fangpin.plans.models import Measure

SCHEME_POST = {
    "year": "2027", "insurer_name": "示例财险", "premium_per_person": "50", "line": "7300",
    "coverage": "population_share", "coverage_multiple": "1.5", "coverage_share": "10", "rural_population": "285345",
    "covered_persons": "", "method": "tiers", "gap_multiple": "1", "per_person_cap": "50000",
    "per_household_cap": "100000", "check_days": "5", "note": "",
    "medical_oop_on": "on", "medical_oop_line": "5000", "medical_oop_deductible": "3000",
    "medical_oop_tiers": "0-20000:60%; 20000-50000:70%; 50000-:80%",
}


def today() -> str:
    return timezone.localdate().isoformat()


def test_county_sets_a_scheme_and_the_premium_base_follows_the_share(client, users):
    client.force_login(users["county"])
    page = client.get(reverse("insurance:scheme") + "?year=2027")
    assert page.status_code == 200 and "0-20000:60%; 20000-50000:70%; 50000-:80%" in page.content.decode()
    response = client.post(reverse("insurance:scheme"), SCHEME_POST)
    assert response.status_code == 302
    scheme = Scheme.objects.get(region_id="130633", year=2027)
    assert scheme.covered_persons == 28534  # 10 % of 285,345 (the form rounds down to whole persons)
    assert set(scheme.items) == {"medical_oop"}
    assert scheme.premium_due == Decimal("1426700.00")


def test_bad_tiers_are_named_on_the_form(client, users):
    client.force_login(users["county"])
    response = client.post(reverse("insurance:scheme"), {**SCHEME_POST, "medical_oop_tiers": "0-2000:60%; 3000-:70%"})
    body = response.content.decode()
    assert response.status_code == 200 and "医疗自付赔付分段" in body and "下限须等于上一段上限" in body
    assert not Scheme.objects.exists()


def test_insurer_reads_the_scheme_but_cannot_change_it(client, users, scheme):
    client.force_login(users["insurer"])
    page = client.get(reverse("insurance:scheme") + "?year=2026").content.decode()
    assert "示例财险易县支公司" in page and "保存方案" not in page
    client.post(reverse("insurance:scheme"), {**SCHEME_POST, "year": "2026", "premium_per_person": "1"})
    scheme.refresh_from_db()
    assert scheme.premium_per_person == Decimal(50)


def test_check_form_then_approval(client, users, funded, case):
    from fangpin.insurance.services import do_open_claim_from_case

    claim = do_open_claim_from_case(users["county"], case.pk, item="medical_oop")
    client.force_login(users["insurer"])
    page = client.get(reverse("insurance:claim", args=[claim.pk])).content.decode()
    assert "入户核查（保险公司）" in page and "id=\"decide\"" not in page
    bad = client.post(reverse("insurance:claim_check", args=[claim.pk]), {
        "check_date": today(), "persons": "3", "net_income": "12000", "item_1": "medical_oop"}, follow=True)
    assert "支出明细第 1 行：请填写金额" in bad.content.decode()
    client.post(reverse("insurance:claim_check", args=[claim.pk]), {
        "check_date": today(), "persons": "3", "net_income": "12000", "item_1": "medical_oop",
        "person_1": "张三", "amount_1": "18000", "note": "住院发票已核"})
    claim.refresh_from_db()
    assert (claim.state, claim.proposed_amount) == ("proposed", Decimal("9000.00"))

    client.force_login(users["county"])
    page = client.get(reverse("insurance:claim", args=[claim.pk])).content.decode()
    assert "15,000.00 元 × 60% = 9,000.00 元" in page and "审批赔付" in page
    refused = client.post(reverse("insurance:claim_decide", args=[claim.pk]), {"action": "send_back"}, follow=True)
    assert "退回重核须填写理由" in refused.content.decode()
    client.post(reverse("insurance:claim_decide", args=[claim.pk]), {"action": "approve"})
    claim.refresh_from_db()
    assert claim.state == "approved"
    assert Measure.objects.get(pk=claim.measure_id).amount == Decimal("9000.00")
    fund = client.get(reverse("insurance:fund") + "?year=2026").content.decode()
    assert "191000.00" in fund and "收支核对平衡" in fund


def test_fund_entry_and_the_xlsx(client, users, funded):
    client.force_login(users["county"])
    client.post(reverse("insurance:fund_entry"), {"year": "2026", "kind": "topup", "amount": "5000",
                                                  "date": "2026-03-01", "note": "=县财政追加"})
    assert LedgerEntry.objects.filter(kind="topup", amount=Decimal(5000)).exists()
    response = client.get(reverse("insurance:fund_export") + "?year=2026")
    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(response.content))
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "易县 2026 年度防贫保险资金台账" in strings and "单位：元" in strings
    assert "填报人：county" in strings and "审核人：" in strings and "=县财政追加" in strings
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # nothing a spreadsheet would evaluate
    assert "<v>205000</v>" in sheet  # the running balance after the top-up


def test_claims_list_shows_states(client, users, scheme, case):
    Claim.objects.create(scheme=scheme, household=case.household, case=case, source="case", item="medical_oop",
                         summary="x", opened_at=case.opened_at)
    client.force_login(users["insurer"])
    page = client.get(reverse("insurance:claims") + "?state=open").content.decode()
    assert case.household.hh_no in page and "待核查 1" in page
    assert case.household.hh_no not in client.get(reverse("insurance:claims") + "?state=approved").content.decode()
    assert "超期" not in page
    Claim.objects.update(check_due=timezone.localdate() - dt.timedelta(days=1))
    assert "超期" in client.get(reverse("insurance:claims")).content.decode()


def test_claims_list_queries_do_not_grow_with_the_claims(client, users, scheme, make_household):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            household = make_household()
            Claim.objects.create(scheme=scheme, household=household, source="case", item="medical_oop", summary="x",
                                 opened_at=timezone.now())

    client.force_login(users["county"])
    add(2)
    client.get(reverse("insurance:claims"))  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("insurance:claims"))
    add(10)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("insurance:claims"))
    assert page.content.decode().count("/insurance/claims/") >= 12
    assert len(many) == len(few)
