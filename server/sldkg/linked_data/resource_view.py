"""What a resource page shows, computed from the page graph (:func:`sldkg.linked_data.description_queries.page_query`); pure.

The template gets plain records: labels by language, types, properties with links, incoming links,
external links (Wikidata, GeoNames, DCAT-AP.de) and provenance passages with their selectors.

Each value has its sources (:class:`Source`): the passages of the statement (``rdf:Statement``,
docs/MODEL.md) that supports exactly that triple, stated or inferred (with its note); where the data
has no statement for it, the resource's own passages (``prov:wasDerivedFrom``). A resource whose
values come from more than one report also gets them grouped by report, newest first
(:attr:`ResourceView.by_report`): a Land or an initiative that several workshops talk about.
The page graph is :func:`~sldkg.linked_data.description_queries.page_query` plus
:func:`~sldkg.linked_data.description_queries.sources_query` and
:data:`~sldkg.linked_data.description_queries.REPORTS_QUERY`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from sldkg.linked_data.iri_map import is_local, local_url
from sldkg.linked_data.rdf_formats import PREFIXES
from sldkg.vocabulary import OA, PROV, SCHEMA, SLD

LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name)
EXTERNAL_LINKS = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.sameAs, RDFS.seeAlso)
#: Shown in their own sections, not in the property table.
SECTIONED = {RDF.type, PROV.wasDerivedFrom, *LABELS, *EXTERNAL_LINKS}
KNOWN_SITES = {
    "http://www.wikidata.org/entity/": "Wikidata",
    "https://sws.geonames.org/": "GeoNames",
    "http://dcat-ap.de/def/": "DCAT-AP.de",
}


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    iri: str
    lang: str | None = None


@dataclass(frozen=True)
class Literal:
    text: str
    lang: str | None
    datatype: str | None


@dataclass(frozen=True)
class Passage:
    iri: str
    exact: str | None
    start: int | None
    end: int | None
    source: str | None


@dataclass(frozen=True)
class ReportRef:
    """A report that values come from: its page, label and date (``YYYY-MM-DD`` or shorter; "" unknown)."""

    iri: str
    href: str
    text: str
    date: str


@dataclass(frozen=True)
class Source:
    """Where one value comes from.

    ``kind`` is ``stated`` or ``inferred`` (a statement supports exactly this triple; an inferred one
    says how in ``note``) or ``resource`` (no statement: the resource's passages as a whole).
    ``number`` is the passage's place in :attr:`ResourceView.passages` (its element id is
    ``passage-{number}``); ``None`` for a passage of another resource (an incoming link's).
    """

    passage: str
    kind: str
    number: int | None = None
    note: str | None = None
    report: ReportRef | None = None


@dataclass(frozen=True)
class Fact:
    """One value of the page: ``this predicate value``, or with ``incoming`` ``value predicate this``."""

    predicate: Link
    value: Link | Literal
    sources: tuple[Source, ...]
    incoming: bool = False


@dataclass(frozen=True)
class ReportFacts:
    """The values one report gives (``report`` None: values no report's passage supports, e.g. reference data)."""

    report: ReportRef | None
    facts: tuple[Fact, ...]


@dataclass
class ResourceView:
    iri: str
    title: str
    title_lang: str | None
    labels: list[Literal] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    properties: list[tuple[Link, list[Link | Literal]]] = field(default_factory=list)
    incoming: list[tuple[Link, Link]] = field(default_factory=list)
    external: list[tuple[str, Link]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    #: (predicate IRI, value) -> its sources, for the markers in the value cells
    sources: dict[tuple[str, Link | Literal], tuple[Source, ...]] = field(default_factory=dict)
    #: values grouped by report, newest first; empty unless they come from two reports or more
    by_report: list[ReportFacts] = field(default_factory=list)

    def sources_of(self, predicate: Link, value: Link | Literal) -> tuple[Source, ...]:
        """The sources of ``value`` of ``predicate`` (empty when it has none)."""
        return self.sources.get((predicate.iri, value), ())


def compact(iri: str) -> str:
    """``schema:name`` for ``https://schema.org/name``; the IRI itself when no prefix fits."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")) and prefix != "sldid":
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


def best_label(graph: rdflib.Graph, node: rdflib.term.Node, prefer: tuple[str, ...] = ("de", "en")) -> tuple[str, str | None] | None:
    found = [o for p in LABELS for o in graph.objects(node, p) if isinstance(o, rdflib.Literal)]
    for lang in (*prefer, None):
        for literal in found:
            if literal.language == lang:
                return str(literal), literal.language
    return (str(found[0]), found[0].language) if found else None


def link(graph: rdflib.Graph, node: rdflib.term.Node, base: str, prefer: tuple[str, ...] = ("de", "en")) -> Link:
    label = best_label(graph, node, prefer)
    iri = str(node)
    if label:
        return Link(local_url(iri, base), label[0], iri, label[1])
    return Link(local_url(iri, base), compact(iri), iri)


def _value(graph: rdflib.Graph, node: rdflib.term.Node, base: str, prefer: tuple[str, ...] = ("de", "en")) -> Link | Literal:
    if isinstance(node, rdflib.Literal):
        datatype = compact(str(node.datatype)) if node.datatype else None
        return Literal(str(node), node.language, datatype)
    if isinstance(node, rdflib.BNode):
        parts = [f"{compact(str(p))} {o}" for p, o in sorted(graph.predicate_objects(node))]
        return Literal("; ".join(parts) or "(blank node)", None, None)
    return link(graph, node, base, prefer)


def _int(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> int | None:
    value = graph.value(node, predicate)
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def build(graph: rdflib.Graph, iri: str, base: str, prefer: tuple[str, ...] = ("de", "en")) -> ResourceView:
    """The view of ``iri`` from its page graph; links point below ``base`` where they are ours; labels in ``prefer`` order."""
    node = rdflib.URIRef(iri)
    label = best_label(graph, node, prefer)
    view = ResourceView(iri, label[0] if label else compact(iri), label[1] if label else None)
    view.labels = sorted(
        {Literal(str(o), o.language, None) for p in LABELS for o in graph.objects(node, p) if isinstance(o, rdflib.Literal)},
        key=lambda shown: (shown.lang or "", shown.text),
    )
    view.types = [link(graph, t, base, prefer) for t in sorted(o for o in graph.objects(node, RDF.type) if isinstance(o, rdflib.URIRef))]
    by_predicate: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
    for p, o in graph.predicate_objects(node):
        if p in SECTIONED or not isinstance(p, rdflib.URIRef):
            continue
        by_predicate.setdefault(p, []).append(o)
    view.properties = [
        (link(graph, p, base, prefer), [_value(graph, o, base, prefer) for o in sorted(objects, key=_sort_key)])
        for p, objects in sorted(by_predicate.items(), key=lambda item: compact(str(item[0])))
    ]
    view.incoming = sorted(
        ((link(graph, s, base, prefer), link(graph, p, base, prefer)) for s, p in incoming_links(graph, node)),
        key=lambda pair: (pair[1].text, pair[0].text),
    )
    for p in EXTERNAL_LINKS:
        for o in sorted(graph.objects(node, p), key=str):
            if isinstance(o, rdflib.URIRef) and not is_local(str(o)):
                site = next((name for prefix, name in KNOWN_SITES.items() if str(o).startswith(prefix)), "external")
                view.external.append((site, Link(str(o), str(o), str(o))))
    statements = supporting_statements(graph, node)
    cited = set(graph.objects(node, PROV.wasDerivedFrom))
    cited |= {p for st in statements.values() for p in graph.objects(st, PROV.wasDerivedFrom)}
    for passage in cited:
        exact = start = end = None
        for selector in graph.objects(passage, OA.hasSelector):
            exact = exact or (str(graph.value(selector, OA.exact)) if graph.value(selector, OA.exact) is not None else None)
            start = start if start is not None else _int(graph, selector, OA.start)
            end = end if end is not None else _int(graph, selector, OA.end)
        source = graph.value(passage, OA.hasSource)
        view.passages.append(Passage(str(passage), exact, start, end, str(source) if source is not None else None))
    view.passages.sort(key=lambda p: (p.start if p.start is not None else 1 << 30, p.iri))
    numbers = {p.iri: n for n, p in enumerate(view.passages, start=1)}
    reports: dict[rdflib.term.Node, ReportRef | None] = {}
    facts = _facts(graph, node, base, statements, numbers, reports, prefer)
    view.sources = {(f.predicate.iri, f.value): f.sources for f in facts if not f.incoming}
    view.by_report = group_by_report(facts)
    return view


def incoming_links(graph: rdflib.Graph, node: rdflib.URIRef) -> list[tuple[rdflib.URIRef, rdflib.URIRef]]:
    """``(subject, predicate)`` of the links to ``node``, without the statements that describe its triples."""
    return [
        (s, p)
        for s, p in graph.subject_predicates(node)
        if isinstance(s, rdflib.URIRef)
        and isinstance(p, rdflib.URIRef)
        and not (p in (RDF.subject, RDF.object) and (s, RDF.type, RDF.Statement) in graph)
    ]


Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]


def supporting_statements(graph: rdflib.Graph, node: rdflib.URIRef) -> dict[Triple, rdflib.term.Node]:
    """The statement (``rdf:Statement``) of each triple with ``node`` as subject or object, by triple."""
    found: dict[Triple, rdflib.term.Node] = {}
    for st in graph.subjects(RDF.type, RDF.Statement):
        triple = (graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object))
        if None not in triple and node in (triple[0], triple[2]):
            found[triple] = st  # type: ignore[index]
    return found


def report_of(graph: rdflib.Graph, passage: rdflib.term.Node, base: str) -> ReportRef | None:
    """The report whose stored text ``passage`` lies in (``oa:hasSource`` / ``dcterms:source``)."""
    text = graph.value(passage, OA.hasSource)
    report = graph.value(text, DCTERMS.source) if text is not None else None
    if not isinstance(report, rdflib.URIRef):
        return None
    event = graph.value(report, SCHEMA.about)
    date = graph.value(event, SCHEMA.startDate) if event is not None else None
    date = date if date is not None else graph.value(report, DCTERMS.date)
    label = best_label(graph, report)
    return ReportRef(str(report), local_url(str(report), base), label[0] if label else compact(str(report)), str(date or "")[:10])


def _note(graph: rdflib.Graph, statement: rdflib.term.Node, prefer: tuple[str, ...] = ("de", "en")) -> str | None:
    """How an inferred statement was inferred, in the first language of ``prefer`` the data has."""
    notes = [n for n in graph.objects(statement, SKOS.note) if isinstance(n, rdflib.Literal)]
    for lang in (*prefer, None):
        for note in notes:
            if note.language == lang:
                return str(note)
    return str(notes[0]) if notes else None


def _sources(
    graph: rdflib.Graph,
    statement: rdflib.term.Node | None,
    fallback: Iterable[rdflib.term.Node],
    numbers: dict[str, int],
    base: str,
    reports: dict[rdflib.term.Node, ReportRef | None],
    prefer: tuple[str, ...] = ("de", "en"),
) -> tuple[Source, ...]:
    """The sources of one triple: its statement's passages, else the ``fallback`` passages
    (``reports`` caches the report of each passage)."""
    if statement is not None:
        kind = "inferred" if (statement, SLD.supportKind, SLD.Inferred) in graph else "stated"
        note = _note(graph, statement, prefer) if kind == "inferred" else None
        passages = sorted(graph.objects(statement, PROV.wasDerivedFrom), key=lambda p: numbers.get(str(p), 1 << 30))
    else:
        kind, note, passages = "resource", None, sorted(fallback, key=lambda p: numbers.get(str(p), 1 << 30))
    for p in passages:
        if p not in reports:
            reports[p] = report_of(graph, p, base)
    return tuple(Source(str(p), kind, numbers.get(str(p)), note, reports[p]) for p in passages)


def _facts(
    graph: rdflib.Graph,
    node: rdflib.URIRef,
    base: str,
    statements: dict[Triple, rdflib.term.Node],
    numbers: dict[str, int],
    reports: dict[rdflib.term.Node, ReportRef | None],
    prefer: tuple[str, ...] = ("de", "en"),
) -> list[Fact]:
    """Every value of the page (outgoing, then incoming links) with its sources."""
    own = [p for p in graph.objects(node, PROV.wasDerivedFrom) if (p, OA.hasSource, None) in graph]
    facts = [
        Fact(
            link(graph, p, base, prefer),
            _value(graph, o, base, prefer),
            _sources(graph, statements.get((node, p, o)), own, numbers, base, reports, prefer),
        )
        for p, o in graph.predicate_objects(node)
        if isinstance(p, rdflib.URIRef) and p not in SECTIONED
    ]
    for s, p in incoming_links(graph, node):
        theirs = list(graph.objects(s, PROV.wasDerivedFrom))
        sources = _sources(graph, statements.get((s, p, node)), theirs, numbers, base, reports, prefer)
        facts.append(Fact(link(graph, p, base, prefer), link(graph, s, base, prefer), sources, incoming=True))
    return facts


def group_by_report(facts: list[Fact]) -> list[ReportFacts]:
    """``facts`` by the reports their sources lie in, newest first, the unsupported ones last;
    empty when fewer than two reports are involved (the page's table says it all then)."""
    groups: dict[ReportRef | None, list[Fact]] = {}
    for fact in facts:
        reports = {s.report for s in fact.sources} or {None}
        for report in reports:
            groups.setdefault(report, []).append(fact)
    if len([r for r in groups if r is not None]) < 2:
        return []
    order = sorted((r for r in groups if r is not None), key=lambda r: (r.date, r.iri), reverse=True)
    return [
        ReportFacts(report, tuple(sorted(groups[report], key=lambda f: (f.incoming, f.predicate.text, f.value.text))))
        for report in [*order, *([None] if None in groups else [])]
    ]


def _sort_key(node: rdflib.term.Node) -> tuple[int, str, str]:
    if isinstance(node, rdflib.Literal):
        return (1, node.language or "", str(node))
    return (0, "", str(node))
