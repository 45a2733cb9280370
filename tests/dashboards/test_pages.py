"""The dashboard pages: who sees them, scope (a city never sees another city), drill pages, xlsx."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.regions.models import Region
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db
SHIJIAZHUANG = [("1301", "石家庄市", 2), ("130102", "长安区", 3), ("130102001", "建北街道", 4),
                ("130102001001", "测试外市村", 5)]


@pytest.fixture
def other_city(regions, make_case):
    Region.objects.bulk_create([Region(code=c, name=n, level=lvl, parent_id=c[:{4: 2, 6: 4, 9: 6, 12: 9}[len(c)]])
                                for c, n, lvl in SHIJIAZHUANG])
    return make_case("130102001001", category="突发严重困难户", risk_types=("因灾", "饮水安全"))


def page_data(response) -> dict:
    # what the page's script receives (json_script), as the browser would parse it
    return {p["key"]: p for p in json.loads(json.dumps(response.context["data"]))["panels"]}


def test_county_dashboard_renders_every_panel_with_its_table_and_scripts(client, users, make_case):
    make_case(OWN_VILLAGE, risk_types=("因病",))
    client.force_login(users["county"])
    response = client.get(reverse("dashboards:index"))
    body = response.content.decode()
    assert response.status_code == 200
    for key in ("overview", "scale", "categories", "risk_types", "months", "pipeline", "assistance"):
        assert f'id="panel-{key}"' in body and reverse("dashboards:panel_xlsx", args=["130633", key]) in body
    assert "vendor/echarts/echarts.min.js" in body and "dashboards/dashboards.js" in body
    assert 'id="dashboard-data" type="application/json"' in body and "<script>" not in body  # CSP: no inline code
    assert 'data-geo="treemap"' in body  # no boundary map uploaded
    # the tables drill too (keyboard, screen reader), and an all-zero bar chart is still drawn to drill from
    assert f'<a href="{reverse("dashboards:region", args=["130633101"])}">梁格庄镇</a>' in body
    assert 'data-panel="supervision"' in body and 'data-panel="insurance_fund"' not in body
    data = page_data(response)
    assert data["overview"]["drill"] == ["130633100", "130633101"] and data["overview"]["series"][0]["data"] == [1, 0]


def test_drill_down_to_a_village_with_breadcrumbs(client, users, make_case):
    make_case(OWN_VILLAGE)
    client.force_login(users["county"])
    body = client.get(reverse("dashboards:region", args=["130633100"])).content.decode()
    assert f'href="{reverse("dashboards:region", args=["130633"])}">易县</a>' in body
    response = client.get(reverse("dashboards:region", args=[OWN_VILLAGE]))
    body = response.content.decode()
    assert response.status_code == 200 and "数据看板 · 东关村委会" in body and 'aria-current="page">东关村委会' in body
    assert 'data-geo' not in body  # a village has no sub-regions to map
    assert page_data(response)["overview"]["drill"] == []


def test_city_user_never_sees_another_citys_numbers(client, users, other_city, make_case):
    make_case(OTHER_COUNTY_VILLAGE, risk_types=("因病",))
    client.force_login(users["city"])
    response = client.get(reverse("dashboards:index"))
    data = page_data(response)
    assert "饮水安全" not in data["risk_types"]["categories"] and "因灾" not in data["risk_types"]["categories"]
    assert "突发严重困难户" not in data["categories"]["categories"]
    assert "石家庄市" not in response.content.decode()
    for code in ("1301", "130102", "130102001001"):
        assert client.get(reverse("dashboards:region", args=[code])).status_code == 404
        assert client.get(reverse("dashboards:panel_xlsx", args=[code, "categories"])).status_code == 404
    client.force_login(users["province"])
    data = page_data(client.get(reverse("dashboards:index")))
    assert dict(zip(data["overview"]["categories"], data["overview"]["series"][0]["data"], strict=True)) == {
        **{n: 0 for n in data["overview"]["categories"]}, "石家庄市": 1, "保定市": 1}


def test_village_user_sees_only_its_village_and_admins_none(client, users, make_case):
    client.force_login(users["village"])
    assert client.get(reverse("dashboards:region", args=["130633100"])).status_code == 404
    assert client.get(reverse("dashboards:index")).context["region"].code == OWN_VILLAGE
    for role in ("sysadmin", "department", "insurer", "auditadmin"):
        client.force_login(users[role])
        assert client.get(reverse("dashboards:index")).status_code == 403


def test_nav_link_for_region_offices_only(client, users):
    client.force_login(users["township"])
    assert reverse("dashboards:index") in client.get(reverse("home")).content.decode()
    client.force_login(users["department"])
    assert reverse("dashboards:index") not in client.get(reverse("home")).content.decode()


def test_panel_xlsx_holds_the_table_and_is_audited(client, users, make_case):
    make_case(OWN_VILLAGE, risk_types=("因病", "因残"))
    make_case(OWN_VILLAGE, risk_types=("因病",))
    client.force_login(users["township"])
    response = client.get(reverse("dashboards:panel_xlsx", args=["130633100", "risk_types"]))
    assert response.status_code == 200 and "130633100-risk_types-" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "易州镇 监测对象风险类型" and rows[2][:3] == ["风险类型", "户数", "占监测户（%）"]
    assert rows[3][:3] == ["因病", 2, 100.0] and rows[4][:3] == ["因残", 1, 50.0]
    event = AuditEvent.objects.get(action="dashboard.export")
    assert event.region_code == "130633100" and event.user_id == users["township"].pk
    assert client.get(reverse("dashboards:panel_xlsx", args=["130633100", "nope"])).status_code == 404


def test_dashboard_query_count_is_fixed_whatever_the_data(client, users, make_case):
    """One grouped query per figure: more cases in more villages add no query (26 with every app's panel)."""
    client.force_login(users["county"])
    client.get(reverse("dashboards:index"))  # warm up (session, login policy)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboards:index")).status_code == 200
        return len(queries.captured_queries)

    before = count()
    for village in (OWN_VILLAGE, SIBLING_VILLAGE, OTHER_TOWNSHIP_VILLAGE):
        make_case(village)
        make_case(village, state="verifying", effective_date=None)
    assert count() == before <= 26


def test_figures_cached_per_region_and_day_when_configured(client, users, make_case, settings):
    from django.core.cache import cache

    settings.FANGPIN_FIGURES_CACHE_SECONDS = 300
    cache.clear()
    make_case(OWN_VILLAGE)
    client.force_login(users["county"])
    with CaptureQueriesContext(connection) as first:
        county = page_data(client.get(reverse("dashboards:index")))
    make_case(OTHER_TOWNSHIP_VILLAGE)  # within the cache time the county's figures stay as they were
    with CaptureQueriesContext(connection) as second:
        again = page_data(client.get(reverse("dashboards:index")))
    assert again == county and len(second.captured_queries) < len(first.captured_queries) - 10
    # another region has its own entry: the township's figures are not the county's
    township = page_data(client.get(reverse("dashboards:region", args=["130633100"])))
    assert township["overview"]["categories"] == ["东关村委会", "西关村委会"]
    cache.clear()
