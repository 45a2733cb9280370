"""Login-free endpoints: apply (matched, unmatched, bad input, rate limit) and progress lookup."""

from __future__ import annotations

from django.urls import reverse

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import Lead, PublicApplication
from fangpin.cases.public_services import APPLY_LIMIT, STATUS_LIMIT
from fangpin.registry.models import Member
from tests.api.conftest import Api
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE, new_id

APPLY = reverse("api:public_apply")
STATUS = reverse("api:public_status")


def body(id_number: str, **extra) -> dict:
    data = {"name": "王五", "id_number": id_number, "phone": "13912345678", "village": OWN_VILLAGE,
            "risk_type": "因病", "text": "老伴住院，花了三万多", "consent": True}
    data.update(extra)
    return data


def test_a_registered_applicant_gets_a_receipt_and_a_lead(policy, make_household):
    household = make_household(OWN_VILLAGE)
    id_number = pii.decrypt(household.members.first().id_cipher)
    response = Api().post(APPLY, body(id_number))
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"receipt_no", "matched", "message"} and data["matched"] is True
    lead = Lead.objects.get(receipt_no=data["receipt_no"])
    assert lead.channel == "self" and lead.case.household == household
    assert id_number not in response.content.decode()
    assert AuditEvent.objects.filter(action="public.apply").count() == 1


def test_an_unregistered_applicant_is_kept_for_the_village(policy):
    response = Api().post(APPLY, body(new_id("130633")))
    assert response.status_code == 201 and response.json()["matched"] is False
    assert PublicApplication.objects.get(receipt_no=response.json()["receipt_no"]).status == "pending"


def test_bad_input_names_the_field_in_chinese_and_writes_nothing(policy):
    response = Api().post(APPLY, body("130633197001010000", phone="12345", consent=False))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "身份证号" in detail and "联系电话" in detail and "请勾选承诺" in detail
    missing = Api().post(APPLY, {"name": "王五"})
    assert missing.status_code == 422 and "身份证号：必填" in missing.json()["detail"]
    for village in ("13063310020", "999999999999", OTHER_COUNTY_VILLAGE[:11] + "9"):
        wrong = Api().post(APPLY, body(new_id("130633"), village=village))
        assert wrong.status_code == 422 and wrong.json()["detail"].startswith("村"), wrong.content
    not_json = Api().client.post(APPLY, "{oops", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["detail"] == "请求体不是有效的 JSON"
    assert not PublicApplication.objects.exists()


def test_applications_are_rate_limited_like_the_page(policy):
    for _ in range(APPLY_LIMIT):
        assert Api().post(APPLY, body(new_id("130633"))).status_code == 201
    limited = Api().post(APPLY, body(new_id("130633")))
    assert limited.status_code == 429 and "一小时" in limited.json()["detail"]
    assert PublicApplication.objects.count() == APPLY_LIMIT
    other = Api(client=None)
    other.client.defaults["REMOTE_ADDR"] = "10.9.9.9"
    assert other.post(APPLY, body(new_id("130633"))).status_code == 201


def test_status_tells_only_the_step_and_no_oracle(policy, make_household):
    household = make_household(OWN_VILLAGE, members=(("赵六", "head"), ("钱七", "spouse")))
    id_number = pii.decrypt(Member.objects.get(household=household, name="赵六").id_cipher)
    receipt = Api().post(APPLY, body(id_number)).json()["receipt_no"]
    found = Api().post(STATUS, {"id_number": id_number, "phone": "13912345678", "receipt_no": receipt})
    assert found.status_code == 200, found.content
    data = found.json()
    assert data["found"] is True and data["progress"]["receipt_no"] == receipt
    assert data["progress"]["step_label"] == "线索待核实" and data["progress"]["closed"] is False
    text = found.content.decode()
    assert "赵六" not in text and "钱七" not in text and id_number not in text and "13912345678" not in text
    wrong_phone = Api().post(STATUS, {"id_number": id_number, "phone": "13900000000"})
    stranger = Api().post(STATUS, {"id_number": new_id("130633"), "phone": "13900000000"})
    assert wrong_phone.status_code == stranger.status_code == 200
    assert wrong_phone.content == stranger.content and stranger.json()["found"] is False
    assert AuditEvent.objects.filter(action="public.status").count() == 3


def test_status_lookups_are_rate_limited(policy):
    for _ in range(STATUS_LIMIT):
        assert Api().post(STATUS, {"id_number": new_id("130633"), "phone": "13900000000"}).status_code == 200
    limited = Api().post(STATUS, {"id_number": new_id("130633"), "phone": "13900000000"})
    assert limited.status_code == 429


def test_get_on_a_post_only_route_is_a_json_405():
    response = Api().get(APPLY)
    assert response.status_code == 405 and "POST" in response.json()["detail"] and response["Allow"] == "POST"
