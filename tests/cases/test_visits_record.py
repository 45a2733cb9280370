"""Visit records (走访排查): rules evaluated on save, leads opened and attached, scope, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, Lead, VisitRecord
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE

NEW = reverse("cases:visit_new")



@pytest.fixture
def village_client(client, users):
    client.force_login(users["village"])
    return client


def visit(hh_no: str, **extra) -> dict:
    data = {"hh_no": hh_no, "visit_date": "2026-01-05", "income_12m": "30000", "medical_oop": "0",
            "schooling_exp": "0", "disaster_loss": "0", "accident_exp": "0", "labour_summary": "户主务工",
            "food_ok": "on", "education_ok": "on", "medical_ok": "on", "housing_ok": "on", "water_ok": "on",
            "consent_data_query": "on", "note": ""}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_findings_open_a_lead_and_a_second_visit_attaches_to_the_same_case(village_client, policy, make_household):
    household = make_household(OWN_VILLAGE)  # two members
    response = village_client.post(NEW, visit(household.hh_no, income_12m="10000", water_ok=None))
    assert response.status_code == 302
    first = VisitRecord.objects.get()
    rules = {f["rule"] for f in first.findings}
    assert rules == {"income_below_line", "water"}, first.findings
    assert first.policy == policy and first.lead is not None and first.lead.channel == "visit"
    page = village_client.get(response["Location"]).content.decode()
    assert "人均纯收入 5,000.00 元 &lt; 监测线 7,300.00 元" in page or "人均纯收入 5,000" in page
    assert first.lead.receipt_no in page
    # a later visit where only the visitor sees a risk: no rule fires, but the lead goes to the same case
    village_client.post(NEW, visit(household.hh_no, risk_flag="on", note="户主突发重病"))
    second = VisitRecord.objects.latest("id")
    assert second.findings == [] and second.lead is not None and second.lead.case == first.lead.case
    assert Case.objects.filter(household=household).count() == 1 and Lead.objects.count() == 2
    assert AuditEvent.objects.filter(action="visit.create").count() == 2
    assert AuditEvent.objects.filter(action="visit.view").count() == 1


def test_rigid_expenditure_and_a_quiet_visit(village_client, policy, make_household):
    household = make_household(OWN_VILLAGE)
    village_client.post(NEW, visit(household.hh_no, income_12m="30000", last_year_income="30000",
                                   medical_oop="45000"))
    rigid = VisitRecord.objects.get()
    assert [f["rule"] for f in rigid.findings] == ["rigid_over_income"]
    assert "因病" in rigid.findings[0]["risk_types"] and rigid.lead.details["category"] == "脱贫不稳定户"
    quiet = make_household(OWN_VILLAGE)
    village_client.post(NEW, visit(quiet.hh_no))
    record = VisitRecord.objects.get(household=quiet)
    assert record.findings == [] and record.lead is None and not Case.objects.filter(household=quiet).exists()


def test_scope_other_villages_cannot_be_visited(village_client, policy, make_household):
    sibling = make_household(SIBLING_VILLAGE)
    body = village_client.post(NEW, visit(sibling.hh_no, income_12m="100")).content.decode()
    assert f"户编号“{sibling.hh_no}”不存在或不在您的管辖范围内" in body
    assert not VisitRecord.objects.exists() and not Case.objects.exists()
    assert village_client.get(NEW + f"?household={sibling.pk}").status_code == 404


def test_bad_input_and_missing_policy_write_nothing(village_client, regions, make_household):
    household = make_household(OWN_VILLAGE)
    body = village_client.post(NEW, visit(household.hh_no, income_12m="-5", visit_date="2999-01-01")).content.decode()
    assert "走访日期不能晚于今天" in body and "确保该值大于或等于0" in body
    assert not VisitRecord.objects.exists()
    body = village_client.post(NEW, visit(household.hh_no, income_12m="100")).content.decode()
    assert "尚未配置监测政策" in body
    assert not VisitRecord.objects.exists() and not Lead.objects.exists()


def test_roles_without_handle_cases_are_refused(client, users, policy, make_household):
    household = make_household(OWN_VILLAGE)
    client.force_login(users["department"])
    assert client.post(NEW, visit(household.hh_no, income_12m="100")).status_code == 403
    assert not VisitRecord.objects.exists()


def test_form_offers_today_and_the_chosen_household(village_client, policy, make_household):
    household = make_household(OWN_VILLAGE)
    body = village_client.get(NEW + f"?household={household.pk}").content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body and f'value="{household.hh_no}"' in body


def test_the_form_suggests_the_users_households_with_head_and_village(village_client, make_household):
    own = make_household(OWN_VILLAGE, members=(("<王>&大", "head"), ("王二", "child")))
    headless = make_household(OWN_VILLAGE, members=(("赵子", "child"),))
    sibling = make_household(SIBLING_VILLAGE, members=(("邻村", "head"),))
    page = village_client.get(NEW).content.decode()
    datalist = page.split('<datalist id="households">')[1].split("</datalist>")[0]
    assert f'<option value="{own.hh_no}">&lt;王&gt;&amp;大 {own.village.name}</option>' in datalist
    assert f'<option value="{headless.hh_no}"> {headless.village.name}</option>' in datalist
    assert sibling.hh_no not in datalist and "邻村" not in page
