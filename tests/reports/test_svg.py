"""The print charts: valid SVG, every category and series drawn, names escaped, reference marks shown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fangpin.reports import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314  (our own output, not untrusted input)


def test_bar_draws_one_rect_per_value_and_the_marks():
    series = [svg.ChartSeries("监测户", [3, 0, 7]), svg.ChartSeries("脱贫户", [1, 2, 3])]
    root = parse(svg.bar(["东关<村>", "西关", "北关"], series, marks=[("5%", 8)], title="按村"))
    rects = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert len(rects) == 6
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "东关<村>" in texts and "按村" in texts and "5%" in texts  # escaped in the source, intact when parsed
    heights = {r.find(f"{NS}title").text: float(r.get("height")) for r in rects}
    assert heights["监测户 北关: 7"] > heights["监测户 东关<村>: 3"] > heights["监测户 西关: 0"] == 0


def test_stacked_bars_share_a_column():
    series = [svg.ChartSeries("a", [2, 4], stack="s"), svg.ChartSeries("b", [3, 1], stack="s")]
    root = parse(svg.bar(["x", "y"], series))
    rects = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    xs = {r.find(f"{NS}title").text.split(":")[0]: float(r.get("x")) for r in rects}
    assert xs["a x"] == xs["b x"] and xs["a y"] == xs["b y"]


def test_hbar_line_and_pie():
    many = [f"村{i}" for i in range(20)]
    root = parse(svg.chart("bar", many, [svg.ChartSeries("户", list(range(20)))]))  # many categories → rows
    assert len([t for t in root.iter(f"{NS}text") if t.text and t.text.startswith("村")]) == 20
    line = parse(svg.line(["1月", "2月", "3月"], [svg.ChartSeries("新纳入", [1, 5, 2])]))
    assert len(list(line.iter(f"{NS}circle"))) == 3
    pie = parse(svg.pie(["因病", "因学"], [3, 1]))
    labels = [t.text for t in pie.iter(f"{NS}text")]
    assert "因病  3（75.0%）" in labels and "因学  1（25.0%）" in labels
    assert parse(svg.pie(["无"], [0])) is not None  # nothing to draw is still a valid picture
