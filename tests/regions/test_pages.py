"""The system administrator's regions page: browse, retire/revive, upload a newer list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.regions.models import Region
from tests.conftest import OTHER_COUNTY_VILLAGE, OWN_VILLAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["sysadmin"])  # 系统管理员 of 易县 (130633)
    return client


def test_root_page_lists_the_admins_townships_with_counts(admin_client, make_household):
    make_household(OWN_VILLAGE)
    make_household(OTHER_COUNTY_VILLAGE)
    response = admin_client.get(reverse("regions:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "易州镇" in html and "梁格庄镇" in html
    assert "涞水镇" not in html
    rows = {r["region"].code: r for r in response.context["rows"]}
    assert rows["130633100"]["subunits"] == 2
    assert rows["130633100"]["households"] == 1
    assert rows["130633101"]["households"] == 0


def test_breadcrumbs_start_at_the_admins_region(admin_client):
    response = admin_client.get(reverse("regions:detail", args=["130633100"]))
    assert [c.code for c in response.context["crumbs"]] == ["130633", "130633100"]
    assert "东关村委会" in response.content.decode()


def test_regions_outside_the_scope_are_not_found(admin_client):
    assert admin_client.get(reverse("regions:detail", args=["130623"])).status_code == 404
    assert admin_client.get(reverse("regions:detail", args=["1306"])).status_code == 404
    assert admin_client.post(reverse("regions:retire", args=["130623100"])).status_code == 404
    assert Region.objects.get(code="130623100").retired is False


@pytest.mark.parametrize("role", ["county", "village", "auditadmin", "secadmin"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("regions:list")).status_code == 403
    assert client.post(reverse("regions:retire", args=[OWN_VILLAGE])).status_code == 403


def test_retiring_a_township_retires_its_villages_and_is_audited(admin_client, make_household):
    household = make_household(OWN_VILLAGE)
    confirm = admin_client.get(reverse("regions:retire", args=["130633100"]))
    assert "确认撤销" in confirm.content.decode()
    response = admin_client.post(reverse("regions:retire", args=["130633100"]), {"action": "retire"})
    assert response.status_code == 302
    assert set(Region.objects.filter(retired=True).values_list("code", flat=True)) == {
        "130633100", "130633100201", "130633100202"}
    event = AuditEvent.objects.get(action="region.retire")
    assert (event.object_id, event.region_code, event.detail["changed"]) == ("130633100", "130633100", 3)
    page = admin_client.get(reverse("regions:detail", args=["130633100"])).content.decode()
    assert page.count("已撤销") >= 3  # the township and both villages
    household.refresh_from_db()
    assert household.village.label.endswith("（已撤销）")


def test_reviving_restores_only_the_unit(admin_client):
    admin_client.post(reverse("regions:retire", args=["130633100"]), {"action": "retire"})
    admin_client.post(reverse("regions:retire", args=["130633100"]), {"action": "revive"})
    assert Region.objects.get(code="130633100").retired is False
    assert Region.objects.get(code=OWN_VILLAGE).retired is True
    assert AuditEvent.objects.filter(action="region.revive").count() == 1


def test_the_admins_own_region_cannot_be_retired(admin_client):
    admin_client.post(reverse("regions:retire", args=["130633"]), {"action": "retire"})
    assert not Region.objects.filter(retired=True).exists()


def _upload(client, text: str, retire=False, name="new.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}
    if retire:
        data["retire_missing"] = "on"
    return client.post(reverse("regions:upload"), data)


def test_upload_renames_and_adds_inside_the_scope(admin_client):
    text = "code,name,level\n130633100201,东关社区,5\n130633100203,新村委会,5\n"
    response = _upload(admin_client, text)
    assert response.status_code == 302
    assert Region.objects.get(code=OWN_VILLAGE).name == "东关社区"
    assert Region.objects.get(code="130633100203").parent_id == "130633100"
    event = AuditEvent.objects.get(action="region.load")
    assert (event.result, event.detail["added"], event.detail["renamed"]) == ("ok", 1, 1)


def test_upload_as_full_list_retires_missing_units_of_the_scope_only(admin_client):
    text = "code,name\n130633,易县\n130633100,易州镇\n130633100201,东关村委会\n"
    _upload(admin_client, text, retire=True)
    retired = set(Region.objects.filter(retired=True).values_list("code", flat=True))
    assert retired == {"130633100202", "130633101", "130633101201"}  # nothing of 涞水县


def test_upload_rejects_rows_outside_the_scope_naming_the_line(admin_client):
    text = "code,name,level\n130633100201,东关社区,5\n130623100201,北关改名,5\n"
    response = _upload(admin_client, text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "new.csv 第 3 行" in html and "不在您的管辖范围" in html
    assert Region.objects.get(code=OWN_VILLAGE).name == "东关村委会"  # nothing half-written
    assert AuditEvent.objects.get(action="region.load").result == "failed"


def test_upload_with_a_bad_code_shows_the_error(admin_client):
    response = _upload(admin_client, "code,name\n1306331,坏代码\n")
    assert "第 2 行" in response.content.decode()
    assert "长度应为" in response.content.decode()


def test_upload_refuses_other_file_types(admin_client):
    response = _upload(admin_client, "x", name="list.xlsx")
    assert "只接受" in response.content.decode()
    assert not AuditEvent.objects.filter(action="region.load").exists()


def test_browse_query_count_does_not_grow_with_children(admin_client, django_assert_max_num_queries):
    Region.objects.bulk_create([Region(code=f"130633100{n:03d}", name=f"新村{n}", level=5, parent_id="130633100")
                                for n in range(300, 340)])
    with django_assert_max_num_queries(10):
        admin_client.get(reverse("regions:detail", args=["130633100"]))
