"""The ledger: received / resolved / rate by sub-region, type and month, scoped to the user's region; the xlsx
has the title row, the unit line, merged headers and the 填报人/审核人 footer."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangpin.audit.models import AuditEvent
from fangpin.core.grievance import Kind, Outcome, Satisfaction
from fangpin.grievances import services
from tests.conftest import OTHER_COUNTY_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OWN_VILLAGE, SIBLING_VILLAGE

pytestmark = pytest.mark.django_db


def closed(users, make_grievance, satisfaction, village=OWN_VILLAGE, kind=Kind.UNDELIVERED):
    g = make_grievance(village=village, kind=kind)
    services.do_assign(users["county"], g.pk, seen_state="received", owner=users["county"])
    services.do_respond(users["county"], g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="已办理")
    return services.do_visit(users["county"], g.pk, seen_state="responded", satisfaction=satisfaction)


@pytest.fixture
def spread(users, make_grievance):
    """易州镇: 3 received (2 resolved, 1 closed unsatisfied); 梁格庄镇: 1 open; 涞水县: 1 resolved."""
    from fangpin.accounts.models import User

    closed(users, make_grievance, Satisfaction.SATISFIED)
    closed(users, make_grievance, Satisfaction.BASIC, village=SIBLING_VILLAGE, kind=Kind.POLICY)
    closed(users, make_grievance, Satisfaction.UNSATISFIED)
    make_grievance(village=OTHER_TOWNSHIP_VILLAGE, kind=Kind.EXCLUDED)
    laishui = User.objects.create(username="laishui", role="county", region_id="130623")
    g = make_grievance(village=OTHER_COUNTY_VILLAGE, user=laishui)
    services.do_assign(laishui, g.pk, seen_state="received", owner=laishui)
    services.do_respond(laishui, g.pk, seen_state="assigned", outcome=Outcome.SOLVED, response="已办理")
    services.do_visit(laishui, g.pk, seen_state="responded", satisfaction=Satisfaction.SATISFIED)


def table(body: str, tid: str) -> dict[str, list[str]]:
    part = body[body.index(f'id="{tid}"'):]
    part = part[:part.index("</table>")]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", part, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_county_sees_its_townships_and_the_rate(client, users, spread):
    client.force_login(users["county"])
    body = client.get(reverse("grievances:ledger")).content.decode()
    assert re.search(r'id="received">4<', body) and re.search(r'id="resolved">2<', body)
    assert re.search(r'id="rate">50.0%<', body)
    by_region = table(body, "by-region")
    assert by_region["易州镇"][:3] == ["3", "2", "66.7%"] and by_region["梁格庄镇"][:3] == ["1", "0", "0.0%"]
    assert "涞水镇" not in body and "涞水县" not in body
    assert table(body, "by-kind")["政策咨询"][:2] == ["1", "1"]
    assert list(table(body, "by-month").values())[0][0] == "4"


def test_township_sees_its_villages_city_its_counties(client, users, spread):
    client.force_login(users["township"])
    body = client.get(reverse("grievances:ledger")).content.decode()
    assert re.search(r'id="received">3<', body) and set(table(body, "by-region")) == {"东关村委会", "西关村委会"}
    client.force_login(users["city"])
    body = client.get(reverse("grievances:ledger")).content.decode()
    assert re.search(r'id="received">5<', body)
    assert table(body, "by-region")["易县"][:2] == ["4", "2"] and table(body, "by-region")["涞水县"][:2] == ["1", "1"]


def test_village_has_no_ledger(client, users, spread):
    client.force_login(users["village"])
    assert client.get(reverse("grievances:ledger")).status_code == 403


def test_xlsx_title_units_merged_headers_and_footer(client, users, spread):
    client.force_login(users["county"])
    response = client.get(reverse("grievances:ledger_xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    data = response.content
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["按乡镇", "按类型", "按月份"]
    rows = book.get_sheet_by_name("按乡镇").to_python()
    assert rows[0][0] == "易县群众诉求办理情况统计表" and "单位：件、%" in rows[1][0]
    assert rows[2][0] == "乡镇" and rows[2][2] == "化解情况" and rows[3][2] == "已化解（件）"
    body = {r[0]: r[1:4] for r in rows[4:]}
    assert body["易州镇"] == [3, 2, 66.7] and body["合计"] == [4, 2, 50.0]
    footer = [r for r in rows if str(r[0]).startswith("填报人")][0]
    assert footer[0] == f"填报人：{users['county']}" and "审核人：" in footer
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    merged = set(re.findall(r'<mergeCell ref="([A-Z0-9:]+)"', sheet))
    assert {"A1:G1", "A2:G2", "A3:A4", "C3:D3", "E3:F3"} <= merged
    assert AuditEvent.objects.filter(action="grievance.export", user_id=users["county"].pk).count() == 1
