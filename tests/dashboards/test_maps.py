"""Boundary maps: the system administrator uploads GeoJSON per region; the dashboard then shows a map."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangpin.audit.models import AuditEvent
from fangpin.dashboards.models import RegionMap

pytestmark = pytest.mark.django_db


def square(x: float, y: float, d: float = 0.05) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def county_map(**extra) -> dict:
    """易县's two townships as squares: a tiny hand-made map."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "130633100", "name": "易州镇", **extra},
         "geometry": {"type": "Polygon", "coordinates": square(115.45, 39.32)}},
        {"type": "Feature", "properties": {"name": "梁格庄镇"},
         "geometry": {"type": "Polygon", "coordinates": square(115.30, 39.38)}},
    ]}


def upload(client, region: str, content: bytes, name: str = "yixian.geojson"):
    return client.post(reverse("dashboards:map_upload"),
                       {"region": region, "file": SimpleUploadedFile(name, content, "application/geo+json")})


def test_sysadmin_uploads_a_map_and_the_county_dashboard_shows_it(client, users):
    client.force_login(users["sysadmin"])
    response = upload(client, "130633", json.dumps(county_map(note="不保存")).encode())
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:maps")
    stored = RegionMap.objects.get(region_id="130633")
    assert stored.features == 2 and stored.missing == [] and stored.uploaded_by == users["sysadmin"]
    assert [f["properties"] for f in stored.geojson["features"]] == [{"name": "130633100"}, {"name": "130633101"}]
    event = AuditEvent.objects.get(action="dashboard.map_upload")
    assert event.region_code == "130633" and event.detail["features"] == 2
    assert "易县" in client.get(reverse("dashboards:maps")).content.decode()

    client.force_login(users["county"])
    body = client.get(reverse("dashboards:index")).content.decode()
    assert 'data-geo="map"' in body and reverse("dashboards:map_json", args=["130633"]) in body
    got = client.get(reverse("dashboards:map_json", args=["130633"])).json()
    assert got["names"]["130633101"] == "梁格庄镇" and len(got["geojson"]["features"]) == 2
    assert client.get(reverse("dashboards:map_json", args=["130633100"])).status_code == 404  # none uploaded

    client.force_login(users["sysadmin"])  # a new upload replaces the old one
    one = county_map()
    one["features"] = one["features"][:1]
    assert upload(client, "130633", json.dumps(one).encode()).status_code == 302
    stored.refresh_from_db()
    assert stored.features == 1 and stored.missing == ["130633101"]


@pytest.mark.parametrize(("region", "content", "name", "message"), [
    ("130633", b"{not json", "m.geojson", "不是有效的 JSON（第 1 行第 2 列"),
    ("130633", b"", "m.geojson", "空文件"),
    ("130633", b"\x00\x01binary", "m.geojson", "二进制"),
    ("130633", json.dumps(county_map()).encode(), "m.shp", "只接受 .geojson 或 .json 文件"),
    ("130633", json.dumps({"type": "Feature"}).encode(), "m.json", "FeatureCollection"),
    ("130633100", json.dumps(county_map()).encode(), "m.json", "不是本区划的下级区划"),
    ("130623", json.dumps(county_map()).encode(), "m.json", "不在您的管辖范围内"),
    ("130633100201", json.dumps(county_map()).encode(), "m.json", "村级单位没有下级区划"),
    ("abc", json.dumps(county_map()).encode(), "m.json", "区划代码应为"),
    ("130633", ("[" * 100_000).encode(), "m.json", "GeoJSON"),
])
def test_bad_uploads_are_refused_with_a_clear_message(client, users, region, content, name, message):
    client.force_login(users["sysadmin"])
    response = upload(client, region, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RegionMap.objects.exists()


def test_size_limit(client, users, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(users["sysadmin"])
    content = json.dumps(county_map(padding="x" * 2000)).encode()
    response = upload(client, "130633", content)
    assert "文件过大" in response.content.decode() and not RegionMap.objects.exists()


def test_only_the_system_administrator_uploads(client, users):
    for role in ("county", "province", "secadmin"):
        client.force_login(users[role])
        assert upload(client, "130633", json.dumps(county_map()).encode()).status_code == 403
    assert not RegionMap.objects.exists()
