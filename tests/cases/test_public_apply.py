"""The login-free household page: matched and unmatched applications, rate limit, progress lookup."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.urls import reverse

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Case, Lead, PublicApplication
from fangpin.cases.public_services import APPLY_LIMIT
from fangpin.core.idcard import parse_id
from fangpin.registry.models import Member
from tests.conftest import OWN_VILLAGE, new_id

APPLY = reverse("public:apply")
STATUS = reverse("public:status")



def form(id_number: str, phone: str = "13912345678", **extra) -> dict:
    data = {"county": "130633", "name": "王五", "id_number": id_number, "phone": phone, "township": "130633100",
            "village": OWN_VILLAGE, "risk_type": "因病", "text": "老伴住院，花了三万多", "consent": "on"}
    data.update(extra)
    return data


def receipt_of(response) -> str:
    return re.search(r'class="receipt">(\w+)<', response.content.decode()).group(1)


def test_form_lists_townships_and_the_policy_risk_types(client, policy):
    body = client.get(APPLY + "?county=130633").content.decode()
    assert "易州镇" in body and "梁格庄镇" in body and "涞水镇" not in body
    assert "因病" in body
    options = client.get(reverse("public:villages") + "?county=130633&township=130633100").content.decode()
    assert "东关村委会" in options and "梁格庄村委会" not in options
    # a township of another county is not offered through this county's page
    assert "北关村委会" not in client.get(reverse("public:villages") + "?county=130633&township=130623100").content.decode()


def test_registered_applicant_attaches_a_lead_to_the_household_case(client, policy, make_household):
    household = make_household(OWN_VILLAGE)
    member = household.members.first()
    id_number = pii.decrypt(member.id_cipher)
    response = client.post(APPLY, form(id_number))
    assert response.status_code == 200, response.content.decode()[:2000]
    receipt = receipt_of(response)
    lead = Lead.objects.get(receipt_no=receipt)
    assert lead.channel == "self" and lead.case.household == household
    assert lead.details["id_masked"] == member.id_masked and id_number not in str(lead.details)
    assert lead.details["name_matches_registry"] is False  # applied as 王五, registered as 张三
    app = PublicApplication.objects.get(receipt_no=receipt)
    assert app.status == "matched" and app.case == lead.case
    # a second application attaches to the same open case
    receipt2 = receipt_of(client.post(APPLY, form(id_number)))
    assert Lead.objects.get(receipt_no=receipt2).case == lead.case
    assert Case.objects.filter(household=household).count() == 1


def test_unregistered_applicant_is_stored_encrypted(client, policy):
    id_number = new_id("130633")
    response = client.post(APPLY, form(id_number, phone="139 1234 5678"))
    app = PublicApplication.objects.get(receipt_no=receipt_of(response))
    assert app.status == "pending" and app.case is None and not Case.objects.exists()
    assert pii.decrypt(app.id_cipher) == id_number and pii.decrypt(app.phone_cipher) == "13912345678"
    assert app.id_masked == parse_id(id_number).masked
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM cases_publicapplication")
        row = " ".join(str(v) for v in cur.fetchone())
    assert id_number not in row and "13912345678" not in row
    audit = " ".join(str([e.summary, e.detail]) for e in AuditEvent.objects.all())
    assert "public.apply" in set(AuditEvent.objects.values_list("action", flat=True))
    assert id_number not in audit and "13912345678" not in audit


def test_bad_input_names_the_field_and_writes_nothing(client, policy):
    bad = form("130633197001010000", phone="12345", consent="")
    body = client.post(APPLY, bad).content.decode()
    assert "身份证号" in body and "联系电话" in body and "请勾选承诺" in body
    assert not PublicApplication.objects.exists()
    wrong_village = form(new_id("130633"), township="130633101")
    assert "所选村不属于所选乡镇" in client.post(APPLY, wrong_village).content.decode() or \
        "选择一个有效的选项" in client.post(APPLY, wrong_village).content.decode()
    assert not PublicApplication.objects.exists()


def test_applications_are_rate_limited_per_address(client, policy):
    for _ in range(APPLY_LIMIT):
        assert client.post(APPLY, form(new_id("130633"))).status_code == 200
    response = client.post(APPLY, form(new_id("130633")))
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()
    assert PublicApplication.objects.count() == APPLY_LIMIT
    other = client.post(APPLY, form(new_id("130633")), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def _result(response) -> str:
    return re.search(r'<div class="card" id="result">(.*?)</div>\s*{?', response.content.decode(), re.S).group(1)


def _without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_csrf_is_enforced(policy):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(APPLY, form(new_id("130633"))).status_code == 403
    assert strict.post(STATUS, {"id_number": new_id("130633"), "phone": "13900000000"}).status_code == 403
    assert not PublicApplication.objects.exists()


def test_status_shows_only_the_step_and_no_oracle(client, policy, make_household):
    household = make_household(OWN_VILLAGE, members=(("赵六", "head"), ("钱七", "spouse")))
    member = Member.objects.get(household=household, name="赵六")
    id_number = pii.decrypt(member.id_cipher)
    receipt = receipt_of(client.post(APPLY, form(id_number, phone="13912345678")))
    found = client.post(STATUS, {"id_number": id_number, "phone": "13912345678", "receipt_no": receipt})
    body = found.content.decode()
    assert "线索" in _result(found) and receipt in body
    assert "赵六" not in body and "钱七" not in body and id_number not in body
    wrong_phone = client.post(STATUS, {"id_number": id_number, "phone": "13900000000"})
    stranger = client.post(STATUS, {"id_number": new_id("130633"), "phone": "13900000000"})
    assert wrong_phone.status_code == stranger.status_code == 200
    assert _result(wrong_phone) == _result(stranger) and "未查到" in _result(stranger)
    assert _without_token(wrong_phone) == _without_token(stranger)  # the whole page, not only the result
    lookups = AuditEvent.objects.filter(action="public.status")
    assert lookups.count() == 3 and id_number not in str([(e.summary, e.detail) for e in lookups])
