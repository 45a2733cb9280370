"""The standard-library parts: months, tallies, the scale per row, panel shape, GeoJSON checks."""

import datetime as dt
from decimal import Decimal

import pytest

from fangpin.core.dashboard import (
    PanelData,
    Series,
    month_keys,
    percent,
    scale_rows,
    tally_months,
    tally_risk_types,
)
from fangpin.core.geojson import GeoJSONError, check_geojson


def square(x: float, y: float, d: float = 0.1) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def feature(props: dict, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": geometry or {"type": "Polygon", "coordinates": square(115.5, 39.3)}}


CHILDREN = {"130633100": "易州镇", "130633101": "梁格庄镇"}


def test_month_keys_cross_the_year_oldest_first():
    assert month_keys(dt.date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(month_keys(dt.date(2026, 6, 30))) == 12


def test_tally_months_counts_only_the_window():
    keys = ["2026-01", "2026-02"]
    dates = [dt.date(2026, 1, 3), dt.date(2026, 1, 31), dt.date(2026, 2, 1), dt.date(2025, 12, 31), None]
    assert tally_months(dates, keys) == [2, 1]


def test_risk_types_count_each_case_once_per_type_policy_order_first():
    found = tally_risk_types([["因残", "因病"], ["因病", "因病"], [], None, ["新类型"]], ["因病", "因残", "因学"])
    assert found == [("因病", 2), ("因残", 1), ("新类型", 1)]


def test_scale_rows_use_ten_percent_only_for_deep_poverty():
    rows = scale_rows([("a", "甲", 6, 100, False), ("b", "乙", 6, 100, True), ("c", "丙", 0, 0, False)])
    assert [(r.ratio, r.limit, r.over) for r in rows] == [
        (Decimal("6.0"), Decimal("5.00"), True), (Decimal("6.0"), Decimal("10.00"), False),
        (Decimal("0"), Decimal("5.00"), False)]
    assert percent(1, 3) == 33.3 and percent(1, 0) == 0.0


def test_panel_data_refuses_series_and_drill_of_the_wrong_length():
    with pytest.raises(ValueError):
        PanelData("k", "t", "bar", ["a", "b"], [Series("s", [1])], [], [])
    with pytest.raises(ValueError):
        PanelData("k", "t", "bar", ["a"], [Series("s", [1])], [], [], drill=["1", "2"])
    with pytest.raises(ValueError):
        PanelData("k", "t", "radar", [], [], [], [])
    data = PanelData("k", "t", "bar", ["a"], [Series("s", [0])], [], [], marks=[("参考 5%", 5.0)])
    assert data.empty and data.as_json()["marks"] == [{"name": "参考 5%", "value": 5.0}]


def test_geojson_matches_children_by_code_full_code_or_name_and_keeps_only_geometry():
    collection = {"type": "FeatureCollection", "features": [
        feature({"code": "130633100000", "secret": "x"}),
        feature({"name": "梁格庄镇"}, {"type": "MultiPolygon", "coordinates": [square(115.7, 39.3)]}),
    ]}
    checked = check_geojson(collection, CHILDREN)
    assert checked.matched == ["130633100", "130633101"] and checked.missing == [] and checked.points == 10
    assert checked.geojson["features"][0]["properties"] == {"name": "130633100"}


def test_geojson_missing_children_are_a_warning():
    checked = check_geojson({"type": "FeatureCollection", "features": [feature({"code": "130633101"})]}, CHILDREN)
    assert checked.missing == ["130633100"]


@pytest.mark.parametrize(("obj", "message"), [
    ([], "FeatureCollection"),
    ({"type": "FeatureCollection", "features": []}, "没有任何要素"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130623100"})]}, "不是本区划的下级区划"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130633100"}), feature({"name": "易州镇"})]},
     "与第 1 个要素是同一下级区划"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130633100"}, {"type": "Point",
                                                                                "coordinates": [1, 2]})]},
     "Polygon 或 MultiPolygon"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130633100"}, {
        "type": "Polygon", "coordinates": [[[450000, 4300000], [450100, 4300000], [450100, 4300100],
                                            [450000, 4300000]]]})]}, "超出经纬度范围"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130633100"}, {
        "type": "Polygon", "coordinates": [[[115, 39], [115.1, 39], [115.1, 39.1], [115, 39.2]]]})]}, "未闭合"),
    ({"type": "FeatureCollection", "features": [feature({"code": "130633100"}, {
        "type": "Polygon", "coordinates": [[[115, 39], ["a", 39], [115.1, 39.1], [115, 39]]]})]}, "数字对"),
])
def test_geojson_errors_name_the_feature_and_the_problem(obj, message):
    with pytest.raises(GeoJSONError) as err:
        check_geojson(obj, CHILDREN)
    assert message in str(err.value)


def test_geojson_point_limit():
    collection = {"type": "FeatureCollection", "features": [feature({"code": "130633100"})]}
    with pytest.raises(GeoJSONError, match="超过上限 4"):
        check_geojson(collection, CHILDREN, max_points=4)
