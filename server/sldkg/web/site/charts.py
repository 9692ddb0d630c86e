"""Server-side charts for canned-query pages (inline SVG, no JavaScript); pure (no Flask).

The kind of chart follows from the shape of the results, not from a per-query switch:

* a column of ``xsd:dateTime`` values next to a text column → a **timeline** (e.g. the agenda);
* otherwise, one numeric column next to a text column → a horizontal **bar chart** (e.g. initiatives per Land).

Functions return geometry records; the template draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")}
DATETIME = XSD + "dateTime"


@dataclass(frozen=True)
class Cell:
    """One value of a result table: its text, the link (for IRIs), language and datatype."""

    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    y: float
    width: float
    lang: str | None


@dataclass(frozen=True)
class BarChart:
    title: str
    value_name: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int
    max_value: float
    kind: str = "bar"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Event:
    label: str
    time: str
    x: float
    y: float
    lang: str | None


@dataclass(frozen=True)
class Timeline:
    title: str
    events: tuple[Event, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    axis_y: float
    left: int
    right: int
    kind: str = "timeline"


def _text_column(variables: list[str], rows: list[dict[str, Cell]], exclude: str) -> str | None:
    """The first column that holds plain text (no IRI, not numeric, not a date) in every row it is bound."""
    for name in variables:
        if name == exclude:
            continue
        cells = [row[name] for row in rows if name in row]
        if cells and all(c.href is None and c.datatype not in NUMERIC and c.datatype != DATETIME for c in cells):
            return name
    return None


def chart_for(variables: list[str], rows: list[dict[str, Cell]], title: str) -> BarChart | Timeline | None:
    """The chart that fits these results, or ``None`` when a table says it all."""
    if len(rows) < 2:
        return None
    times = [v for v in variables if all(v in r and r[v].datatype == DATETIME for r in rows)]
    if times:
        label = _text_column(variables, rows, times[0])
        if label:
            return timeline(rows, label, times[0], title)
    numeric = [v for v in variables if rows and all(v in r and r[v].datatype in NUMERIC for r in rows)]
    if len(numeric) == 1:
        label = _text_column(variables, rows, numeric[0])
        if label:
            return bar_chart(rows, label, numeric[0], title)
    return None


def bar_chart(rows: list[dict[str, Cell]], label: str, value: str, title: str, width: int = 640, bar_height: int = 22) -> BarChart:
    label_width = min(320, max(80, int(7.5 * max(len(r[label].text) for r in rows)) + 16))
    values = [float(r[value].text) for r in rows]
    max_value = max(values) or 1.0
    usable = width - label_width - 50
    bars = tuple(
        Bar(r[label].text, v, f"{v:g}", 10 + i * (bar_height + 6), round(usable * v / max_value, 1), r[label].lang)
        for i, (r, v) in enumerate(zip(rows, values, strict=True))
    )
    height = 20 + len(bars) * (bar_height + 6)
    return BarChart(title, value, bars, width, height, label_width, bar_height, max_value)


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def timeline(rows: list[dict[str, Cell]], label: str, time: str, title: str, width: int = 760) -> Timeline:
    points = sorted(((_parse_time(r[time].text), r) for r in rows), key=lambda p: p[0])
    first, last = points[0][0], points[-1][0]
    span = (last - first).total_seconds() or 1.0
    left, right = 40, width - 40
    row_height = 22
    events = []
    for i, (moment, row) in enumerate(points):
        x = left + (right - left) * (moment - first).total_seconds() / span
        events.append(Event(row[label].text, moment.strftime("%H:%M"), round(x, 1), 30 + i * row_height, row[label].lang))
    axis_y = 30 + len(events) * row_height + 10
    ticks = []
    hour = first.replace(minute=0, second=0, microsecond=0)
    while hour <= last:
        if hour >= first:
            ticks.append(Tick(round(left + (right - left) * (hour - first).total_seconds() / span, 1), hour.strftime("%H:%M")))
        hour += timedelta(hours=1)
    return Timeline(title, tuple(events), tuple(ticks), width, int(axis_y + 30), axis_y, left, right)
