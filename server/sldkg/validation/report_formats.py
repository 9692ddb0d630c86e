"""Formatters of a :class:`~sldkg.validation.validator.ValidationReport`; pure (strings in, strings out).

``text`` (for people, the default), ``json``, ``turtle`` (the W3C SHACL validation report),
``junit`` (JUnit XML for CI systems) and ``github`` (GitHub Actions workflow commands).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

from rdflib.term import Node

from sldkg.validation.validator import ValidationReport, Violation, local_name

FORMATS = ("text", "json", "turtle", "junit", "github")


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (as CI systems expect), else absolute."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(Path(path).resolve())


def summary(report: ValidationReport) -> str:
    counts = report.counts
    found = ", ".join(f"{n} {kind.lower()}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items())) or "no results"
    verdict = "conforms" if report.conforms else "does not conform"
    return (
        f"{verdict}: {found} – {report.triples} triples in {len(report.data_files)} files, "
        f"{len(report.shape_files)} shape files, validated in {report.seconds:.2f} s"
    )


def _where(v: Violation) -> str:
    if v.location is None:
        return "(not described in any file)"
    return shown_path(v.location.path) + (f":{v.location.line}" if v.location.line else "")


def format_text(report: ValidationReport, lang: str = "en") -> str:
    """Results grouped by focus node, each group headed by the file (and line) that describes it."""
    lines: list[str] = []
    for _key, group in groupby(report.violations, key=lambda v: (_where(v), v.focus_node)):
        items = list(group)
        lines.append(f"{_where(items[0])}: {report.short(items[0].focus_node)}")
        for v in items:
            detail = [report.short(v.path)] if v.path is not None else []
            if v.value is not None:
                detail.append(f"value {report.short(v.value)}")
            detail.append(f"{report.short(v.source_shape)}, {local_name(v.constraint)}")
            lines.append(f"  {local_name(v.severity)}: {v.message(lang)}")
            lines.append(f"    ({'; '.join(detail)})")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _term(report: ValidationReport, node: Node | None) -> str | None:
    return None if node is None else report.short(node)


def format_json(report: ValidationReport, lang: str = "en") -> str:
    results = []
    for v in report.violations:
        results.append(
            {
                "severity": local_name(v.severity),
                "focusNode": _term(report, v.focus_node),
                "path": _term(report, v.path),
                "value": _term(report, v.value),
                "sourceShape": _term(report, v.source_shape),
                "sourceConstraintComponent": _term(report, v.constraint),
                "message": v.message(lang),
                "messages": {m.language or "": str(m) for m in v.messages},
                "file": shown_path(v.location.path) if v.location else None,
                "line": v.location.line if v.location else None,
            }
        )
    body = {
        "conforms": report.conforms,
        "counts": report.counts,
        "triples": report.triples,
        "seconds": round(report.seconds, 3),
        "dataFiles": [shown_path(p) for p in report.data_files],
        "shapeFiles": [shown_path(p) for p in report.shape_files],
        "results": results,
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def report_as_turtle(report: ValidationReport, lang: str = "en") -> str:
    """The W3C SHACL validation report (``sh:ValidationReport``) as Turtle."""
    return report.graph.serialize(format="turtle")


def format_junit(report: ValidationReport, lang: str = "en") -> str:
    """One test case per validated file; a file with violations fails with all of them listed."""
    by_file: dict[str, list[Violation]] = {shown_path(p): [] for p in report.data_files}
    unplaced: list[Violation] = []
    for v in report.violations:
        (by_file.setdefault(shown_path(v.location.path), []) if v.location else unplaced).append(v)
    if unplaced:
        by_file["(not described in any file)"] = unplaced
    failures = sum(1 for items in by_file.values() if any(_is_failure(v) for v in items))
    suites = ET.Element("testsuites", name="sldkg validate", tests=str(len(by_file)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="SHACL validation",
        tests=str(len(by_file)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{report.seconds:.3f}",
    )
    for file, items in by_file.items():
        case = ET.SubElement(suite, "testcase", classname="sldkg.validate", name=file, file=file)
        failing = [v for v in items if _is_failure(v)]
        if failing:
            failure = ET.SubElement(
                case, "failure", message=f"{len(failing)} violation{'s' if len(failing) != 1 else ''}", type="sh:Violation"
            )
            failure.text = "\n".join(_line(report, v, lang) for v in failing)
        others = [v for v in items if not _is_failure(v)]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_line(report, v, lang) for v in others)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _is_failure(v: Violation) -> bool:
    return local_name(v.severity) == "Violation"


def _line(report: ValidationReport, v: Violation, lang: str) -> str:
    path = f" {report.short(v.path)}" if v.path is not None else ""
    return (
        f"{_where(v)}: {report.short(v.focus_node)}{path}: {v.message(lang)} ({report.short(v.source_shape)}, {local_name(v.constraint)})"
    )


_GITHUB_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: ValidationReport, lang: str = "en") -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,title=…::message`` per result."""
    lines = []
    for v in report.violations:
        props = []
        if v.location is not None:
            props.append(f"file={_escape_property(shown_path(v.location.path))}")
            if v.location.line:
                props.append(f"line={v.location.line}")
        props.append(f"title={_escape_property(report.short(v.source_shape))}")
        level = _GITHUB_LEVEL.get(local_name(v.severity), "error")
        message = f"{report.short(v.focus_node)}: {v.message(lang)} ({local_name(v.constraint)})"
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[[ValidationReport, str], str]] = {
    "text": format_text,
    "json": format_json,
    "turtle": report_as_turtle,
    "junit": format_junit,
    "github": format_github,
}


def render(report: ValidationReport, fmt: str = "text", lang: str = "en") -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATTERS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return FORMATTERS[fmt](report, lang)


__all__ = ["FORMATS", "format_github", "format_json", "format_junit", "format_text", "render", "report_as_turtle"]
