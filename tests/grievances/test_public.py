"""The login-free grievance page: no login, Chinese errors naming the field, nothing written on bad input,
honeypot and rate limit, a tracking number that with the phone shows the status and nothing personal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fangpin import pii
from fangpin.audit.models import AuditEvent
from fangpin.core.grievance import Outcome, Satisfaction
from fangpin.grievances import services
from fangpin.grievances.models import Grievance, GrievanceEvent
from tests.conftest import OWN_VILLAGE, new_id

pytestmark = pytest.mark.django_db
SUBMIT = reverse("grievance_public:submit")
STATUS = reverse("grievance_public:status")
PHONE = "13912345678"


def form(**extra) -> dict:
    data = {"county": "130633", "kind": "undelivered", "name": "王五", "phone": PHONE, "id_number": "",
            "township": "130633100", "village": OWN_VILLAGE, "content": "危房改造补助至今未到位", "consent": "on"}
    data.update(extra)
    return data


def tracking_of(response) -> str:
    return re.search(r'class="tracking">(\w+)<', response.content.decode()).group(1)


def test_the_page_needs_no_login_and_lists_the_countys_townships(client, regions):
    body = client.get(SUBMIT + "?county=130633").content.decode()
    assert "易州镇" in body and "梁格庄镇" in body and "涞水镇" not in body
    assert "应纳未纳" in body and 'class="hp"' in body
    assert "易县" in client.get(SUBMIT).content.decode()  # without a county: the list of counties


def test_a_submission_gets_a_tracking_number_and_stores_the_phone_only_encrypted(client, regions):
    response = client.post(SUBMIT, form())
    assert response.status_code == 200
    g = Grievance.objects.get(no=tracking_of(response))
    assert re.fullmatch(r"SU\d{14}", g.no) and g.no[2:8] == f"{timezone.localtime(g.received_at):%y%m%d}"
    assert (g.source, g.state, g.kind, g.village_id) == ("public", "received", "undelivered", OWN_VILLAGE)
    assert g.phone_masked == "139****5678" and pii.decrypt(g.phone_cipher) == PHONE
    assert PHONE not in response.content.decode()
    assert g.household is None and g.id_masked == ""
    event = AuditEvent.objects.get(action="grievance.submit")
    assert event.user_id is None and PHONE not in event.summary + str(event.detail)
    assert GrievanceEvent.objects.get(grievance=g).action == "submit"


def test_a_registered_id_number_links_the_household(client, make_household):
    household = make_household(OWN_VILLAGE)
    id_number = pii.decrypt(household.members.first().id_cipher)
    g = Grievance.objects.get(no=tracking_of(client.post(SUBMIT, form(id_number=id_number, kind="excluded"))))
    assert g.household == household and g.id_masked == household.members.first().id_masked
    assert id_number not in str(GrievanceEvent.objects.get(grievance=g).data)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "1391234", "联系电话：手机号应为"),
    ("phone", "", "请填写联系电话"),
    ("id_number", "130633199001011234", "身份证号："),
    ("kind", "", "请选择诉求类型"),
    ("name", "", "请填写反映人姓名"),
    ("content", "没", "诉求内容：请写明"),
    ("village", "", "请选择村"),
    ("village", "130633101201", "请选择村"),  # a village of another township: not a choice here
    ("consent", "", "请勾选承诺"),
])
def test_bad_input_is_named_in_chinese_and_nothing_is_written(client, regions, field, value, message):
    before = AuditEvent.objects.count()
    data = form(**{field: value})
    if not value:
        data.pop(field)
    response = client.post(SUBMIT, data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert Grievance.objects.count() == 0 and AuditEvent.objects.count() == before


def test_a_filled_honeypot_stores_nothing(client, regions):
    response = client.post(SUBMIT, form(website="http://spam.example"))
    assert response.status_code == 429 and Grievance.objects.count() == 0


def test_submissions_are_rate_limited_per_address(client, regions):
    for _ in range(services.SUBMIT_LIMIT):
        assert client.post(SUBMIT, form()).status_code == 200
    response = client.post(SUBMIT, form())
    assert response.status_code == 429 and "稍后再试" in response.content.decode()
    assert Grievance.objects.count() == services.SUBMIT_LIMIT


def test_status_with_the_phone_shows_progress_and_nothing_personal(client, users, regions):
    no = tracking_of(client.post(SUBMIT, form(id_number=new_id("130633"))))
    g = Grievance.objects.get(no=no)
    services.do_assign(users["county"], g.pk, seen_state="received", owner=users["township"])
    services.do_respond(users["township"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED,
                        response="补助已于本周发放到户")
    body = client.post(STATUS, {"no": no, "phone": PHONE}).content.decode()
    result = body[body.index('id="result"'):]
    assert "待回访" in result and "补助已于本周发放到户" in result and "问题已解决" in result
    assert "王五" not in result and "139****5678" not in result and g.id_masked not in body
    services.do_visit(users["county"], g.pk, seen_state="responded", satisfaction=Satisfaction.SATISFIED)
    assert "满意" in client.post(STATUS, {"no": no, "phone": PHONE}).content.decode()


def test_a_wrong_phone_or_number_is_just_not_found(client, regions):
    no = tracking_of(client.post(SUBMIT, form()))
    for data in ({"no": no, "phone": "13900000000"}, {"no": "SU000000000000", "phone": PHONE}):
        body = client.post(STATUS, data).content.decode()
        assert "未查到" in body and "待交办" not in body
    lookups = AuditEvent.objects.filter(action="grievance.status")
    assert [e.detail["found"] for e in lookups] == [False, False]
