"""Simplify the map of the 16 Länder for the home page (reproducible; run by hand when the source changes).

Source: the npm package ``@svg-maps/germany`` (CC BY 4.0, by Victor Cazanave, based on MapSVG's map
of Germany). Usage, from the repository root::

    cd /tmp && npm pack @svg-maps/germany@2.0.0 && tar xzf svg-maps-germany-2.0.0.tgz
    python server/sldkg/web/geodata/simplify_lander_map.py /tmp/package/germany.svg --version 2.0.0 \
        > server/sldkg/web/geodata/lander.json

Each region's path (relative ``m``/``l`` moves, ``z`` closes) is made absolute, every ring is
simplified with Douglas-Peucker (``--tolerance`` in the map's own units, 586 x 793), rings that
shrink to nothing (small islands) are dropped unless a region would be left empty, and coordinates
are rounded to one decimal. Region ids become ISO 3166-2 codes (``bw`` -> ``DE-BW``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

Point = tuple[float, float]
TOKEN = re.compile(r"[MmLlHhVvZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def rings(d: str) -> list[list[Point]]:
    """The closed rings of an SVG path made of move, line and close commands."""
    out: list[list[Point]] = []
    ring: list[Point] = []
    x = y = 0.0
    command = "M"
    numbers: list[float] = []

    def flush_numbers() -> None:
        nonlocal x, y, ring, command
        while numbers:
            if command in "Hh":
                v = numbers.pop(0)
                x = v + (x if command == "h" else 0)
            elif command in "Vv":
                v = numbers.pop(0)
                y = v + (y if command == "v" else 0)
            else:
                if len(numbers) < 2:
                    raise ValueError(f"odd coordinate count in {d[:40]}")
                dx, dy = numbers.pop(0), numbers.pop(0)
                relative = command.islower()
                x, y = (x + dx, y + dy) if relative else (dx, dy)
                if command in "Mm":
                    if len(ring) > 2:
                        out.append(ring)
                    ring = []
                    command = "l" if relative else "L"  # later pairs after a move are lines
            ring.append((x, y))

    for token in TOKEN.findall(d):
        if token.isalpha():
            flush_numbers()
            if token in "Zz":
                if len(ring) > 2:
                    out.append(ring)
                if ring:
                    x, y = ring[0]
                ring = []
            command = token
        else:
            numbers.append(float(token))
    flush_numbers()
    if len(ring) > 2:
        out.append(ring)
    return out


def distance(p: Point, a: Point, b: Point) -> float:
    if a == b:
        return math.dist(p, a)
    (x, y), (x1, y1), (x2, y2) = p, a, b
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.dist(a, b)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    if len(points) < 3:
        return points
    index, furthest = 0, 0.0
    for i in range(1, len(points) - 1):
        d = distance(points[i], points[0], points[-1])
        if d > furthest:
            index, furthest = i, d
    if furthest <= tolerance:
        return [points[0], points[-1]]
    return douglas_peucker(points[: index + 1], tolerance)[:-1] + douglas_peucker(points[index:], tolerance)


def simplify_ring(ring: list[Point], tolerance: float) -> list[Point]:
    # split the closed ring at its point furthest from the start, so both halves keep their ends
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    first = douglas_peucker(ring[: far + 1], tolerance)
    second = douglas_peucker([*ring[far:], ring[0]], tolerance)
    return first[:-1] + second[:-1]


def area(ring: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def path(regions: list[list[Point]]) -> str:
    def num(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    return " ".join("M" + " ".join(f"{num(x)},{num(y)}" for x, y in r) + "Z" for r in regions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("svg", type=Path)
    parser.add_argument("--version", required=True, help="version of @svg-maps/germany the file comes from")
    parser.add_argument("--tolerance", type=float, default=1.2)
    parser.add_argument("--min-area", type=float, default=6.0, help="drop rings smaller than this (map units squared)")
    args = parser.parse_args(argv)
    text = args.svg.read_text(encoding="utf-8")
    view_box = re.search(r'viewBox="([^"]+)"', text)
    if view_box is None:
        raise SystemExit("no viewBox in the source SVG")
    regions: dict[str, dict[str, str]] = {}
    for element in re.findall(r"<path.*?/>", text, re.S):
        ident = re.search(r'\bid="(\w+)"', element)
        name = re.search(r'aria-label="([^"]*)"', element)
        d = re.search(r'\sd="([^"]*)"', element)
        if ident is None or d is None:
            continue
        simplified = [simplify_ring(r, args.tolerance) for r in rings(d.group(1))]
        kept = [r for r in simplified if len(r) >= 3 and area(r) >= args.min_area]
        if not kept:
            kept = [max(simplified, key=area)]
        code = "DE-" + ident.group(1).upper()
        regions[code] = {"source_name": name.group(1) if name else ident.group(1), "d": path(kept)}
    if len(regions) != 16:
        raise SystemExit(f"expected the 16 Länder, found {len(regions)} regions")
    document = {
        "source": {
            "package": "@svg-maps/germany",
            "version": args.version,
            "licence": "CC-BY-4.0",
            "attribution": "Map of Germany by Victor Cazanave (svg-maps), based on MapSVG; CC BY 4.0; simplified",
        },
        "simplification": {"method": "Douglas-Peucker", "tolerance": args.tolerance, "min_area": args.min_area},
        "viewBox": view_box.group(1),
        "regions": dict(sorted(regions.items())),
    }
    json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
