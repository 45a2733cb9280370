"""Supervision pages through the test client: statistics, form errors, evidence checks, query counts."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangpin.supervision import services
from fangpin.supervision.models import Problem
from tests.conftest import OWN_VILLAGE
from tests.supervision.conftest import TODAY


def test_stats_page_drills_to_villages(client, users, make_household):
    make_household(OWN_VILLAGE, hh_type="jiance")
    client.force_login(users["city"])
    body = client.get("/supervision/?region=130633&level=5").content.decode()
    assert "东关村委会" in body and "西关村委会" in body and "涞水" not in body.split("<tbody>")[1]
    # a city cannot ask for a village table over the whole city: it gets its counties
    body = client.get("/supervision/?region=1306&level=5").content.decode()
    assert "易县" in body and "东关村委会" not in body


def test_rule_form_errors_name_the_field(client, users):
    client.force_login(users["province"])
    response = client.post("/supervision/rules/add/", {"level": "5", "metric": "remaining", "comparator": "gt",
                                                       "value": "abc"}, follow=True)
    assert "阈值：" in response.content.decode()
    response = client.post("/supervision/rules/add/", {"level": "1", "metric": "remaining", "comparator": "gt",
                                                       "value": "1"}, follow=True)
    assert "对象层级" in response.content.decode()


def _problem(users, make_household, make_rule):
    make_household(OWN_VILLAGE, hh_type="jiance")
    rule = make_rule(metric="remaining_households", value=0)
    return services.do_assign(users["province"], rule.pk, OWN_VILLAGE, deadline=TODAY + dt.timedelta(5), today=TODAY)


def test_evidence_must_be_an_image_or_pdf(client, users, make_household, make_rule, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    problem = _problem(users, make_household, make_rule)
    client.force_login(users["village"])
    fake = SimpleUploadedFile("整改.png", b"<html>not an image</html>", content_type="image/png")
    body = client.post(f"/supervision/problems/{problem.pk}/rectify/", {"text": "已整改", "files": fake},
                       follow=True).content.decode()
    assert "佐证材料“整改.png”不是 JPEG、PNG、WebP 图片或 PDF 文件" in body
    assert Problem.objects.get().state == "assigned"
    pdf = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    client.post(f"/supervision/problems/{problem.pk}/rectify/", {"text": "已整改", "files": pdf})
    assert Problem.objects.get().state == "submitted"
    evidence = Problem.objects.get().steps.get(action="submit").evidence.get()
    assert client.get(f"/supervision/evidence/{evidence.pk}/").content == b"%PDF-1.4 demo"
    assert not (tmp_path / "supervision" / evidence.stored_name).read_bytes().startswith(b"%PDF")  # sealed


def test_problem_list_query_count_is_flat(client, users, make_household, make_rule):
    _problem(users, make_household, make_rule)
    client.force_login(users["province"])
    with CaptureQueriesContext(connection) as one:
        client.get("/supervision/problems/?state=all")
    for n in range(3):
        rule = make_rule(metric="remaining_households", value=0, name=f"r{n}")
        services.do_assign(users["province"], rule.pk, OWN_VILLAGE, deadline=TODAY + dt.timedelta(5), today=TODAY)
    with CaptureQueriesContext(connection) as four:
        body = client.get("/supervision/problems/?state=all").content.decode()
    assert body.count('class="card" id="problem-') == 4
    assert len(four) == len(one)


def test_findings_filter_by_region(client, users, make_household, make_rule):
    from tests.conftest import OTHER_TOWNSHIP_VILLAGE

    make_household(OWN_VILLAGE, hh_type="jiance")
    make_household(OTHER_TOWNSHIP_VILLAGE, hh_type="jiance")
    make_rule(metric="remaining_households", value=0)
    client.force_login(users["province"])
    everywhere = client.get("/supervision/findings/").content.decode()
    assert "finding-" in everywhere and OWN_VILLAGE in everywhere and OTHER_TOWNSHIP_VILLAGE in everywhere
    one_town = client.get("/supervision/findings/?region=130633100").content.decode()
    assert OWN_VILLAGE in one_town and OTHER_TOWNSHIP_VILLAGE not in one_town
    assert '<option value="130633100" selected>易州镇</option>' in one_town
    # a region outside the user's is ignored (the whole region is listed)
    client.force_login(users["city"])
    assert OTHER_TOWNSHIP_VILLAGE in client.get("/supervision/findings/?region=1307").content.decode()


def test_bad_region_parameters_fall_back_to_the_users_region(client, users):
    client.force_login(users["province"])
    for query in ("region=13abc", "region=1306331", "region=13&level=x", "region=1306&level=1"):
        assert client.get(f"/supervision/findings/?{query}").status_code == 200
        assert client.get(f"/supervision/?{query}").status_code == 200


def test_monthly_page_rolls_up_to_counties(client, users, make_household, make_rule):
    problem = _problem(users, make_household, make_rule)
    Problem.objects.filter(pk=problem.pk).update(assigned_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
                                                 deadline=dt.date(2026, 3, 5))
    client.force_login(users["province"])
    by_region = client.get("/supervision/monthly/?month=2026-03").content.decode()
    assert "东关村委会" in by_region
    by_county = client.get("/supervision/monthly/?month=2026-03&by=county").content.decode()
    assert "东关村委会" not in by_county and "易县" in by_county and '<option value="county" selected>' in by_county
