"""Content negotiation: the one Accept parser and the one media-type table; pure (no Flask, no I/O).

Everything that reads an ``Accept`` header or a ``format`` parameter goes through this module:
``/sparql`` and ``/queries`` (answers by query form), ``/id/…`` and the dataset descriptions
(a page or one RDF format), the pages (does a browser ask?) and the error bodies.

The tables are data: for each kind of answer (SPARQL results for SELECT/ASK, RDF for
CONSTRUCT/DESCRIBE, representations of a resource) the media types produced, the aliases clients
send for them, and the names of the ``format`` parameter. One canonical name per media type
(:data:`FORMAT_NAMES`) is used everywhere a format is named: ``format=``, ``sldkg query --format``,
``sldkg export --format`` and the extensions of the dump files. :func:`negotiate` turns an
``Accept`` header into the list of canonical media types the client accepts, most preferred first
(empty: send 406); :func:`choose_representation` picks one representation of a resource.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
N_QUADS = "application/n-quads"
TRIG = "application/trig"
HTML = "text/html"
XHTML = "application/xhtml+xml"
PLAIN_TEXT = "text/plain"
JSON = "application/json"

#: SELECT/ASK answers: canonical media types in the server's order of preference (the first is the default).
RESULTS_TYPES: tuple[str, ...] = (RESULTS_JSON, RESULTS_XML, CSV, TSV)
#: CONSTRUCT/DESCRIBE answers, the first is the default.
GRAPH_TYPES: tuple[str, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)

#: Other names clients send for the same formats (alias -> canonical), per kind of answer.
RESULTS_ALIASES: dict[str, str] = {
    "application/json": RESULTS_JSON,
    "application/xml": RESULTS_XML,
    "text/xml": RESULTS_XML,
    "text/tsv": TSV,
}
GRAPH_ALIASES: dict[str, str] = {
    "application/x-turtle": TURTLE,
    "application/turtle": TURTLE,
    "text/n3": TURTLE,
    "text/rdf+n3": TURTLE,
    "text/plain": N_TRIPLES,
    "application/json": JSON_LD,
    "application/x-json+ld": JSON_LD,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
    "application/x-trig": TRIG,
    "text/x-nquads": N_QUADS,
}

#: Values of the ``format`` parameter (an explicit override of Accept), per kind of answer.
#: "json" and "xml" mean the natural JSON/XML of the query form (as in Fuseki and SPARQLWrapper).
RESULTS_FORMAT_NAMES: dict[str, str] = {
    "json": RESULTS_JSON,
    "srj": RESULTS_JSON,
    "xml": RESULTS_XML,
    "srx": RESULTS_XML,
    "csv": CSV,
    "tsv": TSV,
}
GRAPH_FORMAT_NAMES: dict[str, str] = {
    "ttl": TURTLE,
    "turtle": TURTLE,
    "n3": TURTLE,  # Turtle is N3 without its extensions; SPARQLWrapper asks for "n3"
    "nt": N_TRIPLES,
    "ntriples": N_TRIPLES,
    "n-triples": N_TRIPLES,
    "jsonld": JSON_LD,
    "json-ld": JSON_LD,
    "json": JSON_LD,
    "rdf": RDF_XML,
    "rdfxml": RDF_XML,
    "rdf+xml": RDF_XML,
    "xml": RDF_XML,
    "nq": N_QUADS,
    "nquads": N_QUADS,
    "n-quads": N_QUADS,
    "trig": TRIG,
}

#: The canonical name of each media type: what docs, forms, links and error messages call it. For the
#: RDF formats it is also the file extension (dump names ``sldkg-<release>.<name>``, ``sldkg export --format``).
FORMAT_NAMES: dict[str, str] = {
    RESULTS_JSON: "json",
    RESULTS_XML: "xml",
    CSV: "csv",
    TSV: "tsv",
    TURTLE: "ttl",
    N_TRIPLES: "nt",
    JSON_LD: "jsonld",
    RDF_XML: "rdf",
    N_QUADS: "nq",
    TRIG: "trig",
    HTML: "html",
    PLAIN_TEXT: "txt",
}

#: File extension of each canonical media type (downloads, dump names).
EXTENSIONS: dict[str, str] = {**FORMAT_NAMES, RESULTS_JSON: "srj", RESULTS_XML: "srx"}

#: Representations of a resource (``/id/…``, ``/ontology``, VoID, DCAT …): the RDF formats, a page,
#: and for a stored text the text itself. Their ``format`` names are :data:`GRAPH_FORMAT_NAMES` plus these.
PAGE_FORMAT_NAMES: dict[str, str] = {"html": HTML, "txt": PLAIN_TEXT, "text": PLAIN_TEXT}
#: Accept aliases of a resource's representations (``text/plain`` is the stored text there, never N-Triples).
REPRESENTATION_ALIASES: dict[str, str] = {XHTML: HTML, JSON: JSON_LD}


class UnknownFormat(ValueError):
    """A ``format`` value that names no format the endpoint knows (400 ``bad-parameter``)."""

    def __init__(self, value: str, known: Sequence[str] | None = None):
        self.value = value
        self.known = list(known) if known is not None else sorted(set(RESULTS_FORMAT_NAMES) | set(GRAPH_FORMAT_NAMES))
        super().__init__(f"unknown format {value!r}; known formats: {', '.join(self.known)} (or a media type)")


class NotAcceptable(Exception):
    """Nothing offered is acceptable (406); ``offered`` lists what is, in the server's order."""

    def __init__(self, offered: Sequence[str], asked: str):
        self.offered = list(offered)
        super().__init__(f"{asked} allows none of the offered media types: {', '.join(self.offered)}")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float = 1.0
    params: tuple[tuple[str, str], ...] = field(default=())

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*`` (more specific ranges win)."""
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header (RFC 9110 §12.5.1) into media ranges, best first.

    Missing or empty header: ``*/*``. Malformed elements and bad q-values are skipped (a client's
    typo must not turn a request into an error); q is clamped to [0, 1].
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*")]
    ranges: list[tuple[MediaRange, int]] = []
    for position, element in enumerate(header.split(",")):
        parts = [p.strip() for p in element.split(";")]
        main, slash, sub = parts[0].lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for part in parts[1:]:
            name, eq, value = part.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if not eq:
                continue
            if name == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0 if value == "" else 1.0
            else:
                params.append((name, value))
        ranges.append((MediaRange(main, sub, q, tuple(params)), position))
    ranges.sort(key=lambda item: (-item[0].q, -item[0].specificity, item[1]))
    return [r for r, _ in ranges]


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range (0: not acceptable)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def negotiate(header: str | None, offered: tuple[str, ...], aliases: dict[str, str] | None = None) -> list[str]:
    """Canonical media types from ``offered`` the client accepts, most preferred first.

    A type's quality is the best quality of itself and of its aliases; ties keep the server's order
    (so ``*/*`` yields ``offered[0]`` first). Types with q=0 are left out.
    """
    ranges = parse_accept(header)
    names: dict[str, list[str]] = {t: [t] for t in offered}
    for alias, canonical in (aliases or {}).items():
        if canonical in names:
            names[canonical].append(alias)
    scored = []
    for order, media_type in enumerate(offered):
        q = max(_exact_or_wild(ranges, name, name == media_type) for name in names[media_type])
        if q > 0:
            scored.append((-q, order, media_type))
    return [m for _, _, m in sorted(scored)]


def _exact_or_wild(ranges: list[MediaRange], name: str, canonical: bool) -> float:
    # Aliases only count when named explicitly: "text/*" must not select N-Triples through "text/plain".
    if canonical:
        return quality(ranges, name)
    return max((r.q for r in ranges if r.specificity == 2 and r.matches(name)), default=0.0)


def format_override(value: str, graph: bool) -> str | None:
    """The canonical media type the ``format`` parameter names for a results (``graph=False``) or RDF answer.

    ``value`` may list alternatives separated by commas (SPARQLWrapper sends ``format=tsv`` and
    ``format=text/tab-separated-values`` together); the first that applies wins and unknown
    alternatives are ignored while one is known. ``None`` when the named formats exist but none
    fits this kind of answer (send 406); :class:`UnknownFormat` when nothing is known (send 400).
    """
    known_any = False
    for alternative in (v for v in value.split(",") if v.strip()):
        chosen, known = _one_format(alternative, graph)
        if chosen is not None:
            return chosen
        known_any = known_any or known
    if known_any:
        return None
    raise UnknownFormat(value)


def _one_format(value: str, graph: bool) -> tuple[str | None, bool]:
    name = value.strip().lower()
    names, aliases, offered = (
        (GRAPH_FORMAT_NAMES, GRAPH_ALIASES, GRAPH_TYPES) if graph else (RESULTS_FORMAT_NAMES, RESULTS_ALIASES, RESULTS_TYPES)
    )
    if name in names:
        return names[name], True
    media = name.split(";")[0].strip()
    if media in offered:
        return media, True
    if media in aliases:
        return aliases[media], True
    all_known = set(RESULTS_FORMAT_NAMES) | set(GRAPH_FORMAT_NAMES) | set(RESULTS_TYPES) | set(GRAPH_TYPES)
    all_known |= set(RESULTS_ALIASES) | set(GRAPH_ALIASES)
    return None, name in all_known or media in all_known


def with_charset(media_type: str) -> str:
    """The Content-Type header value (text formats say they are UTF-8)."""
    if media_type.startswith("text/") or media_type in (RESULTS_JSON, RESULTS_XML, JSON_LD, RDF_XML, N_TRIPLES, N_QUADS, TRIG):
        return media_type + "; charset=utf-8"
    return media_type


#: Distinct (Accept, ``format``) pairs remembered by :func:`acceptable_types` and :func:`prefers_html`
#: (per process). Clients send few distinct headers; a flood of made-up ones only evicts older entries.
NEGOTIATION_MEMO = 256


@functools.lru_cache(maxsize=NEGOTIATION_MEMO)
def acceptable_types(accept: str | None, format_param: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(results types, graph types) the client accepts, most preferred first, from Accept or ``format``.

    ``format`` overrides Accept. Raises :class:`UnknownFormat` for a ``format`` naming nothing known.
    Either tuple may be empty: that kind of answer is not acceptable (406). A pure function of two
    strings that every query request calls, so it is memoised (an exception is not remembered).
    """
    if format_param is not None and format_param.strip():
        results = format_override(format_param, graph=False)
        graph = format_override(format_param, graph=True)
        return ((results,) if results else ()), ((graph,) if graph else ())
    return tuple(negotiate(accept, RESULTS_TYPES, RESULTS_ALIASES)), tuple(negotiate(accept, GRAPH_TYPES, GRAPH_ALIASES))


@functools.lru_cache(maxsize=NEGOTIATION_MEMO)
def prefers_html(accept: str | None) -> bool:
    """Whether a browser asks: HTML is named explicitly and preferred over every machine format we offer.

    ``*/*`` alone is not a browser (curl, scripts); XHTML counts as HTML.
    """
    ranges = parse_accept(accept)
    html_q = max((r.q for r in ranges if r.specificity == 2 and (r.matches(HTML) or r.matches(XHTML))), default=0.0)
    if html_q == 0:
        return False
    machine = max(quality(ranges, m) for m in RESULTS_TYPES + GRAPH_TYPES)
    return html_q >= machine


def preferred(accept: str | None, offered: Sequence[str], aliases: Mapping[str, str] | None = None) -> str:
    """The client's favourite of ``offered``, or ``offered[0]`` when it accepts none (for answers that
    must be sent anyway, such as error bodies)."""
    chosen = negotiate(accept, tuple(offered), dict(aliases or {}))
    return chosen[0] if chosen else offered[0]


def representation_format(value: str) -> str | None:
    """The media type a ``format`` value names among the representations of a resource (``None``: unknown).

    Accepts the names of :data:`GRAPH_FORMAT_NAMES` and :data:`PAGE_FORMAT_NAMES` (case-insensitive),
    a media type, or one of its aliases.
    """
    name = value.strip().lower()
    if name in PAGE_FORMAT_NAMES:
        return PAGE_FORMAT_NAMES[name]
    if name in GRAPH_FORMAT_NAMES:
        return GRAPH_FORMAT_NAMES[name]
    media = name.split(";")[0].strip()
    if media in (HTML, PLAIN_TEXT, *GRAPH_TYPES):
        return media
    return REPRESENTATION_ALIASES.get(media) or GRAPH_ALIASES.get(media)


def choose_representation(
    accept: str | None,
    format_param: str | None,
    offered: Sequence[str],
    aliases: Mapping[str, str] = REPRESENTATION_ALIASES,
) -> str:
    """The media type of the representation to send, from ``offered`` (the server's order of preference).

    ``format`` overrides Accept (:class:`UnknownFormat` when it names nothing known,
    :class:`NotAcceptable` when it names a format not offered here); otherwise the client's best
    match by q-value, ties and ``*/*`` (or no Accept) going to ``offered[0]``; nothing acceptable
    raises :class:`NotAcceptable`.
    """
    if format_param is not None:
        media = representation_format(format_param)
        if media is None:
            raise UnknownFormat(format_param, _names_of(offered))
        if media not in offered:
            raise NotAcceptable(offered, f"format={format_param}")
        return media
    chosen = negotiate(accept, tuple(offered), dict(aliases))
    if not chosen:
        raise NotAcceptable(offered, f"Accept: {accept}")
    return chosen[0]


def _names_of(offered: Sequence[str]) -> list[str]:
    return [FORMAT_NAMES[m] for m in offered if m in FORMAT_NAMES]


def graph_format_media_type(name: str) -> str | None:
    """The RDF media type a format name (``ttl``, ``turtle``, ``rdf``, ``rdfxml`` …) or media type names; ``None``: none."""
    try:
        return format_override(name, graph=True)
    except UnknownFormat:
        return None
