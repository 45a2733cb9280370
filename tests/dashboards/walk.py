"""Access walk of the dashboards (数据看板) and the boundary-map pages."""

from __future__ import annotations

from tests.walk import Case, World


def _village(w: World, v: str):
    return {"code": v}


def _panel(w: World, v: str):
    return {"code": v, "key": "overview"}


def _stored_map(w: World, v: str):
    """A (hand-made) map stored for the village itself, so map.json has something to answer in scope."""
    from fangpin.dashboards.models import RegionMap

    RegionMap.objects.get_or_create(region_id=v, defaults={
        "geojson": {"type": "FeatureCollection", "features": []}, "features": 0, "points": 0,
        "file_name": f"walk-{v}.geojson", "sha256": "0" * 64, "uploaded_by": w.users["sysadmin"],
        "uploaded_at": "2026-01-05T00:00:00Z"})
    return {"code": v}


def _maps(w: World, v: str):
    _stored_map(w, v)
    return {}, "", f"walk-{v}.geojson"


WALK = {
    "dashboards:index": Case("page", lambda w, v: {}, permission="view_dashboard"),
    "dashboards:region": Case("object", _village, permission="view_dashboard"),
    "dashboards:panel_xlsx": Case("object", _panel, permission="view_dashboard"),
    "dashboards:map_json": Case("object", _stored_map, permission="view_dashboard"),
    "dashboards:maps": Case("list", _maps, permission="manage_regions"),
    "dashboards:map_upload": Case("page", lambda w, v: {}, permission="manage_regions",
                                  post=lambda w, v: {"region": v[:9]}),
}
