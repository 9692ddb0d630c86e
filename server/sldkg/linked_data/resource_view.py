"""What a resource page shows, computed from the page graph (:func:`sldkg.linked_data.description_queries.page_query`); pure.

The template gets plain records: labels by language, types, properties with links, incoming links,
external links (Wikidata, GeoNames, DCAT-AP.de) and provenance passages with their selectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from sldkg.linked_data.iri_map import is_local, local_url
from sldkg.linked_data.rdf_formats import PREFIXES

SCHEMA = rdflib.Namespace("https://schema.org/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
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
        if p in SECTIONED:
            continue
        by_predicate.setdefault(p, []).append(o)
    view.properties = [
        (link(graph, p, base, prefer), [_value(graph, o, base, prefer) for o in sorted(objects, key=_sort_key)])
        for p, objects in sorted(by_predicate.items(), key=lambda item: compact(str(item[0])))
    ]
    view.incoming = sorted(
        (
            (link(graph, s, base, prefer), link(graph, p, base, prefer))
            for s, p in graph.subject_predicates(node)
            if isinstance(s, rdflib.URIRef)
        ),
        key=lambda pair: (pair[1].text, pair[0].text),
    )
    for p in EXTERNAL_LINKS:
        for o in sorted(o for o in graph.objects(node, p) if isinstance(o, rdflib.URIRef)):
            if not is_local(str(o)):
                site = next((name for prefix, name in KNOWN_SITES.items() if str(o).startswith(prefix)), "external")
                view.external.append((site, Link(str(o), str(o), str(o))))
    # (the order is settled by the sort below, on start and IRI)
    for passage in sorted(graph.objects(node, PROV.wasDerivedFrom), key=str):
        exact = start = end = None
        for selector in graph.objects(passage, OA.hasSelector):
            exact = exact or (str(graph.value(selector, OA.exact)) if graph.value(selector, OA.exact) is not None else None)
            start = start if start is not None else _int(graph, selector, OA.start)
            end = end if end is not None else _int(graph, selector, OA.end)
        source = graph.value(passage, OA.hasSource)
        view.passages.append(Passage(str(passage), exact, start, end, str(source) if source is not None else None))
    view.passages.sort(key=lambda p: (p.start if p.start is not None else 1 << 30, p.iri))
    return view


def _sort_key(node: rdflib.term.Node) -> tuple[int, str, str]:
    if isinstance(node, rdflib.Literal):
        return (1, node.language or "", str(node))
    return (0, "", str(node))
