"""An applicant who was not registered: the village registers the household, then turns the application into a lead."""

from __future__ import annotations

import re

from django.urls import reverse

from fangpin.cases.models import Lead, PublicApplication
from fangpin.cases.public_services import STATUS_LIMIT
from fangpin.core.idcard import parse_id
from fangpin.registry.models import Household, Member
from fangpin.registry.people import id_columns, phone_columns
from tests.conftest import OWN_VILLAGE, new_id

APPLY = reverse("public:apply")
STATUS = reverse("public:status")



def apply(client, id_number: str, village: str = OWN_VILLAGE) -> PublicApplication:
    data = {"county": village[:6], "name": "孙八", "id_number": id_number, "phone": "13912345678",
            "township": village[:9], "village": village, "risk_type": "因灾", "text": "房屋被洪水冲毁", "consent": "on"}
    body = client.post(APPLY, data).content.decode()
    return PublicApplication.objects.get(receipt_no=re.search(r'class="receipt">(\w+)<', body).group(1))


def register(id_number: str, village: str = OWN_VILLAGE) -> Household:
    household = Household.objects.create(hh_no=f"{village}99999", village_id=village, hh_type="yiban")
    Member.objects.create(household=household, name="孙八", relation="head", **id_columns(parse_id(id_number)),
                          **phone_columns("13912345678"))
    return household


def test_pending_application_is_listed_then_turned_into_a_lead(client, users, policy):
    id_number = new_id("130633")
    app = apply(client, id_number)
    client.force_login(users["village"])
    listing = client.get(reverse("cases:application_list")).content.decode()
    assert app.receipt_no in listing and app.id_masked in listing and id_number not in listing
    match = reverse("cases:application_match", kwargs={"pk": app.pk})
    client.post(match)  # not registered yet: refused with a message naming the masked ID, nothing written
    assert not Lead.objects.exists()
    household = register(id_number)
    client.post(match)
    app.refresh_from_db()
    assert app.status == "registered" and app.case.household == household and app.lead.channel == "self"
    client.logout()
    found = client.post(STATUS, {"id_number": id_number, "phone": "13912345678", "receipt_no": app.receipt_no})
    assert "线索" in found.content.decode() and "待村级登记核实" not in found.content.decode()


def test_other_villages_applications_stay_out_of_reach(client, users, policy):
    app = apply(client, new_id("130633"), village="130633101201")
    client.force_login(users["village"])
    assert app.receipt_no not in client.get(reverse("cases:application_list")).content.decode()
    assert client.post(reverse("cases:application_match", kwargs={"pk": app.pk})).status_code == 404


def test_status_lookups_are_rate_limited(client, policy):
    data = {"id_number": new_id("130633"), "phone": "13900000000"}
    for _ in range(STATUS_LIMIT):
        assert client.post(STATUS, data).status_code == 200
    assert client.post(STATUS, data).status_code == 429
