"""The employment pages through the client: publish, import, recommend from the candidate list, the outcome."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.employment.models import Demand, Placement
from fangpin.plans.models import Measure
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE
from tests.employment.test_services import GOOD, _sheet

pytestmark = pytest.mark.django_db


def test_publish_form_and_list(client, users):
    client.force_login(users["township"])
    data = {"firm": "保定纺织", "title": "挡车工", "place": "province", "location": "保定市", "slots": "6", "wage": "4500",
            "age_min": "18", "age_max": "45", "sex": "女", "transport": "on", "valid_until": "2099-01-31",
            "contact_name": "赵", "phone": "13700001234", "note": ""}
    response = client.post(reverse("employment:new"), data)
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("employment:detail", args=[demand.pk])
    assert demand.contact_phone_masked == "137****1234"
    page = client.get(reverse("employment:list")).content.decode()
    assert "保定纺织" in page and "13700001234" not in page and "点对点" in page
    bad = client.post(reverse("employment:new"), {**data, "title": "另一个", "age_min": "40", "age_max": "30"})
    assert "年龄上限不能小于下限" in bad.content.decode() and Demand.objects.count() == 1


def test_import_page_lists_problems_and_writes_nothing(client, users):
    client.force_login(users["county"])
    bad = [GOOD[0], ["乙公司", "保洁", "月球", "易县", 2, "", "", "", "", "否", "否", "2099-06-30", "", "", ""]]
    response = client.post(reverse("employment:import"),
                           {"file": SimpleUploadedFile("岗位.xlsx", _sheet(bad))})
    body = response.content.decode()
    assert response.status_code == 200 and "第 3 行" in body and "工作地点类型" in body and "月球" in body
    assert Demand.objects.count() == 0
    ok = client.post(reverse("employment:import"), {"file": SimpleUploadedFile("岗位.xlsx", _sheet(GOOD))})
    assert ok.status_code == 302 and Demand.objects.count() == 2
    template = client.get(reverse("employment:template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_recommend_from_the_candidate_list_then_record_the_outcome(client, users, make_case, make_demand,
                                                                   make_household):
    case = make_case(OWN_VILLAGE)
    sibling = make_household(SIBLING_VILLAGE)
    demand = make_demand()
    client.force_login(users["village"])
    page = client.get(reverse("employment:detail", args=[demand.pk])).content.decode()
    head = case.household.members.get(relation="head")
    assert f'id="candidate-{head.pk}"' in page and "监测对象" in page
    assert sibling.hh_no not in page  # the next village's people are not the village user's
    assert AuditEvent.objects.filter(action="employment.candidates").exists()
    response = client.post(reverse("employment:recommend", args=[demand.pk]), {"member": head.pk})
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert Measure.objects.filter(plan__case=case, code="job_placement").exists()
    listed = client.get(reverse("employment:placements")).content.decode()
    assert f'id="placement-{placement.pk}"' in listed
    client.post(reverse("employment:outcome", args=[placement.pk]), {"hired": "0", "note": ""})
    assert Placement.objects.get().status == "recommended"  # refused: a decline needs its reason
    client.post(reverse("employment:outcome", args=[placement.pk]), {"hired": "0", "note": "不愿外出"})
    assert Placement.objects.get().status == "declined"
