"""Charts for printed reports as plain SVG (standard library only).

The dashboards draw with ECharts in the browser; a PDF made on the server has no JavaScript, so the monthly
report draws the same panel data (``core.dashboard.PanelData``: categories × series, reference marks) here.
Kinds: ``bar`` (grouped or stacked columns), ``hbar`` (horizontal bars, for long region names), ``line``
and ``pie``. All text is escaped; sizes are in CSS pixels and the SVG scales to the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = ("#2f6fb3", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#1abc9c")
FONT = "Noto Sans CJK SC, sans-serif"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str
    data: Sequence[float]
    stack: str = ""


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10^k)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "middle", fill: str = "#333",
          rotate: float | None = None) -> str:
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
            f' font-family="{FONT}"{transform}>{escape(content)}</text>')


def _legend(series: Sequence[ChartSeries], width: float, y: float) -> list[str]:
    if len(series) < 2:
        return []
    out, x = [], 10.0
    for i, s in enumerate(series):
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(_text(x + 14, y, s.name, anchor="start", size=10))
        x += 24 + 11 * len(s.name)
        if x > width - 60:
            break
    return out


def _stack_totals(categories: Sequence[str], series: Sequence[ChartSeries]) -> list[float]:
    """The tallest column per category (stacks summed, grouped bars side by side)."""
    tops = []
    for i in range(len(categories)):
        stacks: dict[str, float] = {}
        single = 0.0
        for s in series:
            v = float(s.data[i] or 0)
            if s.stack:
                stacks[s.stack] = stacks.get(s.stack, 0.0) + max(v, 0)
            else:
                single = max(single, v)
        tops.append(max([single, *stacks.values()]))
    return tops


def bar(categories: Sequence[str], series: Sequence[ChartSeries], *, title: str = "", unit: str = "",
        marks: Sequence[tuple[str, float]] = (), width: int = 640, height: int = 260) -> str:
    """Vertical columns: one group per category; series with the same ``stack`` are stacked."""
    left, right, top, bottom = 48, 12, 28 if title else 14, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*_stack_totals(categories, series), *(v for _, v in marks), 0.0])
    axis_max = _nice_max(peak)
    out = [_svg_open(width, height)]
    if title:
        out.append(_text(width / 2, 16, title, size=13))
    for k in range(5):  # grid and axis labels
        value = axis_max * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(_text(left - 4, y + 4, _fmt(value), anchor="end", size=9, fill="#777"))
    if unit:
        out.append(_text(4, top - 6, unit, anchor="start", size=9, fill="#777"))
    n = max(len(categories), 1)
    slot = plot_w / n
    groups: list[list[int]] = []  # series index lists drawn side by side; a stack is one column
    seen: dict[str, int] = {}
    for i, s in enumerate(series):
        if s.stack and s.stack in seen:
            groups[seen[s.stack]].append(i)
        else:
            if s.stack:
                seen[s.stack] = len(groups)
            groups.append([i])
    col_w = max(min(slot * 0.8 / max(len(groups), 1), 40), 2)
    for c, name in enumerate(categories):
        x0 = left + slot * c + (slot - col_w * len(groups)) / 2
        for g, members in enumerate(groups):
            base = 0.0
            for i in members:
                v = max(float(series[i].data[c] or 0), 0)
                h = plot_h * v / axis_max
                y = top + plot_h - plot_h * base / axis_max - h
                out.append(f'<rect x="{x0 + g * col_w:.1f}" y="{y:.1f}" width="{col_w - 1:.1f}" height="{h:.1f}" '
                           f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(series[i].name)} {escape(name)}: '
                           f'{_fmt(v)}</title></rect>')
                base += v
        label = name if len(name) <= 6 else name[:5] + "…"
        cx = left + slot * c + slot / 2
        if n > 8:
            out.append(_text(cx, top + plot_h + 12, label, size=9, anchor="end", rotate=-40))
        else:
            out.append(_text(cx, top + plot_h + 14, label, size=10))
    for label, value in marks:
        y = top + plot_h - plot_h * value / axis_max
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#c0392b" '
                   f'stroke-dasharray="5 3"/>')
        out.append(_text(width - right, y - 3, label, anchor="end", size=9, fill="#c0392b"))
    out += _legend(series, width, height - 6)
    out.append("</svg>")
    return "".join(out)


def hbar(categories: Sequence[str], series: Sequence[ChartSeries], *, title: str = "", unit: str = "",
         marks: Sequence[tuple[str, float]] = (), width: int = 640) -> str:
    """Horizontal bars (long names, many rows): one row per category, series stacked when they share a stack."""
    row_h = 18
    left, right, top = 110, 40, 28 if title else 10
    height = top + row_h * max(len(categories), 1) + 30
    plot_w = width - left - right
    peak = max([*_stack_totals(categories, series), *(v for _, v in marks), 0.0])
    axis_max = _nice_max(peak)
    out = [_svg_open(width, height)]
    if title:
        out.append(_text(width / 2, 16, title, size=13))
    for c, name in enumerate(categories):
        y = top + row_h * c
        out.append(_text(left - 6, y + 13, name if len(name) <= 9 else name[:8] + "…", anchor="end", size=10))
        base, stacked = 0.0, {}
        for i, s in enumerate(series):
            v = max(float(s.data[c] or 0), 0)
            start = stacked.get(s.stack, 0.0) if s.stack else 0.0
            w = plot_w * v / axis_max
            offset = len([t for t in series[:i] if not t.stack]) if not s.stack else 0
            bar_h = (row_h - 4) / (1 if s.stack else max(len([t for t in series if not t.stack]), 1))
            y0 = y + 2 + offset * bar_h
            out.append(f'<rect x="{left + plot_w * start / axis_max:.1f}" y="{y0:.1f}" width="{w:.1f}" '
                       f'height="{bar_h:.1f}" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(s.name)} '
                       f'{escape(name)}: {_fmt(v)}</title></rect>')
            if s.stack:
                stacked[s.stack] = start + v
            base = max(base, start + v)
        out.append(_text(left + plot_w * base / axis_max + 3, y + 13, _fmt(base), anchor="start", size=9,
                         fill="#555"))
    for label, value in marks:
        x = left + plot_w * value / axis_max
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 26}" stroke="#c0392b" '
                   f'stroke-dasharray="5 3"/>')
        out.append(_text(x, height - 16, label, size=9, fill="#c0392b"))
    if unit:
        out.append(_text(width - 4, height - 16, unit, anchor="end", size=9, fill="#777"))
    out += _legend(series, width, height - 2)
    out.append("</svg>")
    return "".join(out)


def line(categories: Sequence[str], series: Sequence[ChartSeries], *, title: str = "", unit: str = "",
         width: int = 640, height: int = 240) -> str:
    left, right, top, bottom = 48, 12, 28 if title else 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    axis_max = _nice_max(max([float(v or 0) for s in series for v in s.data] or [0]))
    out = [_svg_open(width, height)]
    if title:
        out.append(_text(width / 2, 16, title, size=13))
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        out.append(_text(left - 4, y + 4, _fmt(axis_max * k / 4), anchor="end", size=9, fill="#777"))
    n = len(categories)
    step = plot_w / max(n - 1, 1)
    for c, name in enumerate(categories):
        if n <= 12 or c % 2 == 0:
            out.append(_text(left + step * c, top + plot_h + 14, name, size=9))
    for i, s in enumerate(series):
        points = " ".join(f"{left + step * c:.1f},{top + plot_h - plot_h * float(v or 0) / axis_max:.1f}"
                          for c, v in enumerate(s.data))
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for c, v in enumerate(s.data):
            out.append(f'<circle cx="{left + step * c:.1f}" cy="{top + plot_h - plot_h * float(v or 0) / axis_max:.1f}"'
                       f' r="2.5" fill="{color}"><title>{escape(s.name)} {escape(categories[c])}: '
                       f'{_fmt(float(v or 0))}</title></circle>')
    if unit:
        out.append(_text(4, top - 6, unit, anchor="start", size=9, fill="#777"))
    out += _legend(series, width, height - 4)
    out.append("</svg>")
    return "".join(out)


def pie(categories: Sequence[str], values: Sequence[float], *, title: str = "", width: int = 640,
        height: int = 240) -> str:
    import math

    total = sum(max(float(v or 0), 0) for v in values)
    cx, cy, r = 130, (height + (20 if title else 0)) / 2, min(95, height / 2 - 20)
    out = [_svg_open(width, height)]
    if title:
        out.append(_text(width / 2, 16, title, size=13))
    angle = -math.pi / 2
    for i, (name, v) in enumerate(zip(categories, values, strict=True)):
        share = max(float(v or 0), 0) / total if total else 0
        color = PALETTE[i % len(PALETTE)]
        if share >= 0.9999:
            out.append(f'<circle cx="{cx}" cy="{cy:.1f}" r="{r}" fill="{color}"/>')
        elif share > 0:
            end = angle + 2 * math.pi * share
            large = 1 if share > 0.5 else 0
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
            out.append(f'<path d="M{cx},{cy:.1f} L{x1:.1f},{y1:.1f} A{r},{r} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
                       f'fill="{color}"><title>{escape(name)}: {_fmt(float(v or 0))}</title></path>')
            angle = end
        ly = 30 + 18 * i
        if ly < height - 8:
            out.append(f'<rect x="260" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
            pct = f"{100 * share:.1f}%" if total else "—"
            out.append(_text(276, ly, f"{name}  {_fmt(float(v or 0))}（{pct}）", anchor="start", size=10))
    out.append("</svg>")
    return "".join(out)


def _svg_open(width: float, height: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="100%" '
            f'role="img">')


def chart(kind: str, categories: Sequence[str], series: Sequence[ChartSeries], *, title: str = "", unit: str = "",
          marks: Sequence[tuple[str, float]] = ()) -> str:
    """One chart of a panel's kind; a pie takes the first series."""
    if kind == "pie":
        return pie(categories, series[0].data if series else [], title=title)
    if kind == "line":
        return line(categories, series, title=title, unit=unit)
    if kind == "hbar" or len(categories) > 16:
        return hbar(categories, series, title=title, unit=unit, marks=marks)
    return bar(categories, series, title=title, unit=unit, marks=marks)
