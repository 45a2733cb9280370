"""Checking an uploaded boundary map (GeoJSON) of a region's sub-regions (standard library only).

No registry ships China's boundaries at township or village level, so an administrator uploads
them per region. A map is accepted when it is a FeatureCollection of Polygon/MultiPolygon
features with sane coordinates, each naming exactly one sub-region of the region (by code or by
name). The stored copy keeps only the geometry and ``name`` = the sub-region's short code (what
the chart joins on), so nothing else an uploaded file carries reaches a page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CODE_KEYS = ("code", "adcode", "区划代码", "CODE", "ADCODE", "gb")
NAME_KEYS = ("name", "名称", "NAME", "Name")
MAX_FEATURES = 2000
MAX_POINTS = 300_000
MAX_ERRORS = 20


class GeoJSONError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class MapCheck:
    geojson: dict[str, Any]  # the normalised FeatureCollection that is stored
    matched: list[str]  # sub-region codes with a feature, in file order
    missing: list[str]  # sub-region codes without one (a warning, not an error)
    points: int


def _feature_code(props: dict[str, Any], children: dict[str, str], by_name: dict[str, str]) -> str | None:
    width = len(next(iter(children))) if children else 0
    for key in CODE_KEYS:
        raw = props.get(key)
        if raw is None or isinstance(raw, bool):
            continue
        text = str(raw).strip()
        if text.isdigit():
            # the published 12-digit form is the short code padded with zeros
            short = text[:width] if len(text) == 12 and set(text[width:]) <= {"0"} else text
            if short in children:
                return short
    for key in NAME_KEYS:
        raw = props.get(key)
        if isinstance(raw, str) and raw.strip() in by_name:
            return by_name[raw.strip()]
    return None


def _count_ring(ring: object, where: str, errors: list[str]) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        errors.append(f"{where}：多边形的环至少需要 4 个坐标点")
        return 0
    for pos in ring:
        if (not isinstance(pos, list) or len(pos) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos[:2])):
            errors.append(f"{where}：坐标必须是 [经度, 纬度] 数字对")
            return 0
        lon, lat = pos[0], pos[1]
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            errors.append(f"{where}：坐标 [{lon}, {lat}] 超出经纬度范围（应为 WGS84/GCJ-02 经纬度，而非投影坐标）")
            return 0
    if ring[0][:2] != ring[-1][:2]:
        errors.append(f"{where}：多边形的环首尾坐标不一致（未闭合）")
        return 0
    return len(ring)


def _count_geometry(geometry: object, where: str, errors: list[str]) -> int:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        errors.append(f"{where}：几何类型须为 Polygon 或 MultiPolygon（实际为 {kind or '空'}）")
        return 0
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        errors.append(f"{where}：缺少坐标")
        return 0
    points = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            errors.append(f"{where}：多边形坐标格式不正确")
            return 0
        for ring in polygon:
            points += _count_ring(ring, where, errors)
    return points


def check_geojson(obj: object, children: dict[str, str], *, max_features: int = MAX_FEATURES,
                  max_points: int = MAX_POINTS) -> MapCheck:
    """``children``: sub-region short code → name. Raises GeoJSONError with every problem found (up to 20)."""
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection":
        raise GeoJSONError(["文件不是 GeoJSON 要素集合（顶层 type 应为 FeatureCollection）"])
    if not children:
        raise GeoJSONError(["该区划没有下级区划，无需上传边界图"])
    features = obj.get("features")
    if not isinstance(features, list) or not features:
        raise GeoJSONError(["要素集合中没有任何要素（features 为空）"])
    if len(features) > max_features:
        raise GeoJSONError([f"要素数 {len(features)} 超过上限 {max_features}"])
    by_name: dict[str, str] = {}
    for child, name in sorted(children.items()):
        by_name.setdefault(name, child)
    errors: list[str] = []
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    points = 0
    for i, feature in enumerate(features, start=1):
        where = f"第 {i} 个要素"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(f"{where}：不是 Feature")
            continue
        raw_props = feature.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        label = next((str(props[k]) for k in (*NAME_KEYS, *CODE_KEYS) if props.get(k) is not None), "")
        where = f"{where}（{label[:30]}）" if label else where
        code = _feature_code(props, children, by_name)
        if code is None:
            errors.append(f"{where}：属性中的代码或名称（code/name）不是本区划的下级区划")
        elif code in seen:
            errors.append(f"{where}：与第 {seen[code]} 个要素是同一下级区划 {children[code]}")
        else:
            seen[code] = i
        geometry = feature.get("geometry")
        n = _count_geometry(geometry, where, errors)
        points += n
        if code is not None and n and isinstance(geometry, dict):
            out.append({"type": "Feature", "properties": {"name": code},
                        "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]}})
        if len(errors) >= MAX_ERRORS:
            break
    if points > max_points:
        errors.append(f"坐标点共 {points:,} 个，超过上限 {max_points:,}：请先简化边界（如 mapshaper 简化到 10%）")
    if errors:
        raise GeoJSONError(errors[:MAX_ERRORS])
    return MapCheck({"type": "FeatureCollection", "features": out}, list(seen),
                    sorted(set(children) - set(seen)), points)
