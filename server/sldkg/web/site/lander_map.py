"""The map of the 16 Länder on the home page: server-rendered SVG geometry and colours; pure (no Flask).

The geometry is ``geodata/lander.json`` (simplified from the npm package ``@svg-maps/germany``,
CC BY 4.0; see ``geodata/README.md``). A Land's fill says whether it took part in a workshop of the
series and how many initiatives it reported: grey for not taking part, then four steps of blue by
the number of initiatives. Colour is never the only carrier: every region has an accessible name
and a ``<title>`` tooltip with both facts, and the page lists them in a table as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

#: "Did not take part" is a warm beige, a hue apart from the blue steps of "took part" (light to
#: dark: more initiatives), so it stays distinct from the lightest step for colour-blind readers too.
NOT_PARTICIPATING = "#f0dfb8"
STEPS = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")


@dataclass(frozen=True)
class Legend:
    fill: str
    low: int
    high: int


@dataclass(frozen=True)
class LanderMap:
    view_box: str
    regions: tuple[Region, ...]
    legend: tuple[Legend, ...]
    attribution: str
    source: dict[str, str]


@dataclass(frozen=True)
class LandFacts:
    """What the data says about one Land, for the map."""

    code: str
    iri: str
    name: str
    href: str
    participated: bool
    initiatives: int


@dataclass(frozen=True)
class Region(LandFacts):
    """A Land on the map: its facts, its colour and its outline (SVG path data)."""

    fill: str
    d: str


@cache
def geometry() -> dict[str, Any]:
    """The vendored, simplified geometry (read once per process)."""
    text = (files("sldkg.web") / "geodata" / "lander.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def steps(maximum: int) -> tuple[Legend, ...]:
    """Legend bins for 0..maximum initiatives, one per colour step (fewer when the maximum is small)."""
    count = max(1, min(len(STEPS), maximum + 1))
    bounds = [round(i * (maximum + 1) / count) for i in range(count + 1)]
    return tuple(Legend(STEPS[len(STEPS) - count + i], bounds[i], bounds[i + 1] - 1) for i in range(count) if bounds[i + 1] > bounds[i])


def fill(facts: LandFacts, legend: tuple[Legend, ...]) -> str:
    if not facts.participated:
        return NOT_PARTICIPATING
    return next((step.fill for step in legend if step.low <= facts.initiatives <= step.high), legend[-1].fill)


def build(facts: list[LandFacts]) -> LanderMap:
    """The map for these facts; a Land the geometry has but the data lacks is an error of the data."""
    data = geometry()
    shapes: dict[str, dict[str, str]] = data["regions"]
    by_code = {f.code: f for f in facts}
    missing = sorted(set(shapes) - set(by_code))
    if missing:
        raise ValueError(f"the data has no Land for {', '.join(missing)}")
    legend = steps(max((f.initiatives for f in facts), default=0))
    regions = tuple(
        Region(code, f.iri, f.name, f.href, f.participated, f.initiatives, fill(f, legend), shapes[code]["d"])
        for code, f in sorted(by_code.items(), key=lambda item: item[1].name)
        if code in shapes
    )
    return LanderMap(data["viewBox"], regions, legend, data["source"]["attribution"], data["source"])
