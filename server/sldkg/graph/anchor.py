"""Anchor the provenance passages of a report in its source text.

Every passage of a report (``data/workshops/<report>/passages.ttl``) is an
``oa:SpecificResource`` on the report's stored text (``source.txt`` in the same folder) with two
selectors:

* ``<passage>/quote`` – an ``oa:TextQuoteSelector`` with ``oa:exact`` and, to tell repeated
  quotes apart, ``oa:prefix``/``oa:suffix`` (up to ``CONTEXT`` characters of the surrounding text);
* ``<passage>/position`` – an ``oa:TextPositionSelector`` with ``oa:start``/``oa:end``
  (Unicode code point offsets into ``source.txt``, end exclusive).

Only ``oa:exact`` (plus, for a quote that occurs more than once, enough ``oa:prefix`` or
``oa:suffix`` to single it out) is written by hand. Running ::

    sldkg anchor [passages.ttl ...]

locates every quote, fills in the full prefix/suffix and the offsets and rewrites the file in a
stable layout. ``--check`` changes nothing and reports every passage whose quote is missing,
ambiguous or whose stored offsets or context disagree with the text.

Exit codes: 0 = all passages anchor, 1 = some do not (listed on stderr), 2 = could not run
(missing file, Turtle syntax error).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from sldkg.graph.canonical_turtle import canonicalize_turtle, write_atomically
from sldkg.vocabulary import NAMESPACES

CONTEXT = 32

OA = NAMESPACES["oa"]
RDF_TYPE = NAMESPACES["rdf"] + "type"


class AnchorError(Exception):
    """A quote that cannot be located exactly once in the text."""


# --- pure logic -----------------------------------------------------------------------------


def occurrences(text: str, exact: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``exact`` in ``text``."""
    if not exact:
        raise AnchorError("empty oa:exact")
    found, i = [], text.find(exact)
    while i != -1:
        found.append(i)
        i = text.find(exact, i + 1)
    return found


def locate(text: str, exact: str, prefix: str = "", suffix: str = "") -> tuple[int, int]:
    """The ``(start, end)`` of the one occurrence of ``exact`` that ``prefix``/``suffix`` fit.

    Raises :class:`AnchorError` when the quote does not occur or more than one occurrence fits.
    """
    starts = [s for s in occurrences(text, exact) if text[:s].endswith(prefix) and text[s + len(exact) :].startswith(suffix)]
    if not starts:
        raise AnchorError(f"quote not found: {exact[:60]!r}")
    if len(starts) > 1:
        raise AnchorError(f"quote occurs {len(starts)} times (at {starts}); add oa:prefix or oa:suffix: {exact[:60]!r}")
    return starts[0], starts[0] + len(exact)


def context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    """The up to ``width`` characters before ``start`` and after ``end``."""
    return text[max(0, start - width) : start], text[end : end + width]


# --- Turtle I/O -----------------------------------------------------------------------------


@dataclass
class Passage:
    iri: str
    source: str
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    extra: list[tuple[str, str]]  # (predicate IRI, object in N3) kept as written


def _literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def read_passages(path: Path) -> list[Passage]:
    import rdflib
    from rdflib.namespace import RDF

    oa = rdflib.Namespace(OA)
    g = rdflib.Graph()
    g.parse(path, format="turtle")
    passages = []
    for p in sorted(set(g.subjects(RDF.type, oa.SpecificResource)), key=str):
        quote = pos = None
        for sel in g.objects(p, oa.hasSelector):
            if (sel, RDF.type, oa.TextPositionSelector) in g:
                pos = sel
            else:
                quote = sel
        if quote is None or g.value(quote, oa.exact) is None:
            raise AnchorError(f"{p}: no oa:TextQuoteSelector with oa:exact")
        start = end = None
        if pos is not None:
            start_node, end_node = g.value(pos, oa.start), g.value(pos, oa.end)
            start = None if start_node is None else int(str(start_node))
            end = None if end_node is None else int(str(end_node))
        known = {RDF.type, oa.hasSource, oa.hasSelector, rdflib.RDFS.label}
        extra = sorted((str(pr), o.n3()) for pr, o in g.predicate_objects(p) if pr not in known)
        passages.append(
            Passage(
                iri=str(p),
                source=str(g.value(p, oa.hasSource)),
                exact=str(g.value(quote, oa.exact)),
                prefix=str(g.value(quote, oa.prefix) or ""),
                suffix=str(g.value(quote, oa.suffix) or ""),
                start=start,
                end=end,
                extra=extra,
            )
        )
    return passages


HEADER = """\
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# Passages of the source text that facts are derived from (prov:wasDerivedFrom).
# Written by hand: oa:exact (plus oa:prefix/oa:suffix where a quote repeats);
# everything else is filled in by `sldkg anchor` – never edit offsets by hand.
"""


def short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.replace("*", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def render(passages: list[Passage]) -> str:
    chunks = [HEADER]
    for p in passages:
        name = p.iri.rsplit("/", 1)[-1]
        lines = [
            f"<{p.iri}> a oa:SpecificResource ;",
            f"    rdfs:label {_literal(f'Passage {name}: „{short(p.exact)}“')}@de , {_literal(f'passage {name}')}@en ;",
            f"    oa:hasSource <{p.source}> ;",
            f"    oa:hasSelector <{p.iri}/quote> , <{p.iri}/position>",
        ]
        for pred, obj in p.extra:
            lines[-1] += " ;"
            lines.append(f"    <{pred}> {obj}")
        lines[-1] += " ."
        lines += [
            "",
            f"<{p.iri}/quote> a oa:TextQuoteSelector ;",
            f"    rdfs:label {_literal(f'Zitat-Selektor von {name}')}@de , {_literal(f'quote selector of {name}')}@en ;",
            f"    oa:exact {_literal(p.exact)} ;",
            f"    oa:prefix {_literal(p.prefix)} ;",
            f"    oa:suffix {_literal(p.suffix)} .",
            "",
            f"<{p.iri}/position> a oa:TextPositionSelector ;",
            f"    rdfs:label {_literal(f'Positions-Selektor von {name}')}@de , {_literal(f'position selector of {name}')}@en ;",
            f'    oa:start "{p.start}"^^xsd:nonNegativeInteger ;',
            f'    oa:end "{p.end}"^^xsd:nonNegativeInteger .',
        ]
        chunks.append("\n" + "\n".join(lines) + "\n")
    return "".join(chunks)


# --- commands -------------------------------------------------------------------------------


def check(passages: list[Passage], text: str) -> list[str]:
    """Problems of already anchored passages (empty when all is well)."""
    problems = []
    for p in passages:
        try:
            start, end = locate(text, p.exact, p.prefix, p.suffix)
        except AnchorError as exc:
            problems.append(f"{p.iri}: {exc}")
            continue
        if (p.start, p.end) != (start, end):
            problems.append(f"{p.iri}: stored offsets {p.start}..{p.end}, quote is at {start}..{end}")
        if (p.prefix, p.suffix) != context(text, start, end):
            problems.append(f"{p.iri}: oa:prefix/oa:suffix are not the {CONTEXT} characters around the quote")
    return problems


def anchor(passages: list[Passage], text: str) -> list[Passage]:
    """The passages with offsets and full context computed from the text."""
    for p in passages:
        try:
            p.start, p.end = locate(text, p.exact, p.prefix, p.suffix)
        except AnchorError:
            if not (p.prefix or p.suffix):
                raise
            # the quote was edited and its old context no longer fits: try without it
            p.start, p.end = locate(text, p.exact)
        p.prefix, p.suffix = context(text, p.start, p.end)
    return passages


def default_files(data: Path) -> list[Path]:
    """Every report's ``passages.ttl`` below the data folder ``data``."""
    return sorted((data / "workshops").glob("*/passages.ttl"))


def run(files: list[Path], check_only: bool = False) -> int:
    """Anchor (or with ``check_only`` verify) ``files``; messages go to stdout/stderr; returns the exit code."""
    status = 0
    for path in files:
        source = path.parent / "source.txt"
        try:
            text = source.read_text(encoding="utf-8")
            passages = read_passages(path)
        except (OSError, SyntaxError, ValueError, AnchorError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            return 2
        if check_only:
            problems = check(passages, text)
            for problem in problems:
                print(f"{path}: {problem}", file=sys.stderr)
            if problems:
                status = 1
            else:
                print(f"{path}: {len(passages)} passages anchor in {source.name}")
            continue
        try:
            anchor(passages, text)
        except AnchorError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
            continue
        # Written in the canonical layout right away, so `sldkg fmt --check` stays clean.
        write_atomically(path, canonicalize_turtle(render(passages), path))
        print(f"{path}: anchored {len(passages)} passages")
    return status
