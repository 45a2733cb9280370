"""After a grievance went the whole way (public page with ID number and phone, staff registration, every
step, the status lookup, the ledger and its xlsx), no table and no page holds the ID number or phone in clear."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from fangpin.grievances.models import Grievance
from tests.conftest import OWN_VILLAGE, new_id
from tests.security_data.test_no_clear_id import dump_database

pytestmark = pytest.mark.django_db


def test_no_clear_id_or_phone_anywhere(client, users, make_household):
    id_number, phone, staff_phone = new_id("130633"), "13912345678", "13811112222"
    public = Client()
    pages = [public.post(reverse("grievance_public:submit"), {
        "county": "130633", "kind": "excluded", "name": "王五", "phone": phone, "id_number": id_number,
        "township": "130633100", "village": OWN_VILLAGE, "content": "家里两人住院，申请纳入监测", "consent": "on"},
    ).content.decode()]
    client.force_login(users["village"])
    client.post(reverse("grievances:new"), {"source": "phone", "kind": "policy", "village": OWN_VILLAGE,
                                            "name": "赵六", "phone": staff_phone, "content": "咨询务工交通补助"})
    public_g, staff_g = Grievance.objects.get(source="public"), Grievance.objects.get(source="phone")
    client.force_login(users["county"])
    for g in (public_g, staff_g):
        client.post(reverse("grievances:assign", args=[g.pk]), {"seen_state": "received", "owner": users["county"].pk})
        client.post(reverse("grievances:respond", args=[g.pk]), {"seen_state": "assigned", "outcome": "explained",
                                                                 "response": "已解释政策"})
        client.post(reverse("grievances:visit", args=[g.pk]), {"seen_state": "responded", "satisfaction": "satisfied"})
        pages.append(client.get(reverse("grievances:detail", args=[g.pk])).content.decode())
    assert Grievance.objects.filter(state="closed").count() == 2
    pages.append(client.get(reverse("grievances:list")).content.decode())
    pages.append(client.get(reverse("grievances:ledger")).content.decode())
    with zipfile.ZipFile(io.BytesIO(client.get(reverse("grievances:ledger_xlsx")).content)) as z:
        pages += [z.read(name).decode() for name in z.namelist()]
    pages.append(public.post(reverse("grievance_public:status"), {"no": public_g.no, "phone": phone}).content.decode())

    everything = dump_database() + "\n".join(pages)
    for secret in (id_number, phone, staff_phone):
        assert secret not in everything
    assert public_g.id_masked in pages[1] and "139****5678" in pages[1]  # staff see the masked forms
