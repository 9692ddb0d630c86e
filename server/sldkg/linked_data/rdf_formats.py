"""The RDF formats of resource descriptions, the prefixes and the JSON-LD context; pure (no Flask).

Descriptions travel from the backend as N-Triples and are re-serialised here with the project's
prefixes, so the answers read well (Turtle with ``@prefix`` lines, compacted JSON-LD).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from sldkg.settings import BASE_IRI, RESOURCE_BASE
from sldkg.vocabulary import prefixes

#: Prefixes used in Turtle answers, compact IRIs in pages and the JSON-LD context.
PREFIXES: dict[str, str] = {
    **prefixes("sld"),
    "sldid": RESOURCE_BASE,
    **prefixes("schema", "org", "m8g", "skos", "prov", "oa", "dcterms", "dcat"),
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    **prefixes("void", "locn", "foaf", "vann", "rdf", "rdfs", "owl", "xsd"),
}


@dataclass(frozen=True)
class RdfFormat:
    name: str  # the value of ?format=
    media_type: str
    extension: str
    oxigraph: ox.RdfFormat | None  # None: serialised by rdflib (JSON-LD, compacted)


#: Formats of a resource description, in the order used when the client accepts anything.
RESOURCE_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "text/turtle", "ttl", ox.RdfFormat.TURTLE),
    RdfFormat("jsonld", "application/ld+json", "jsonld", None),
    RdfFormat("nt", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES),
    RdfFormat("rdf", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML),
)
BY_NAME = {f.name: f for f in RESOURCE_FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in RESOURCE_FORMATS}


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context served at ``/context.jsonld`` and used to compact JSON-LD answers.

    Prefix definitions only (compact IRIs such as ``schema:name``), so that compaction never
    changes the meaning of a term; ``id``/``type`` are aliases of ``@id``/``@type``.
    """
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update(PREFIXES)
    return {"@context": context}


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


def serialize(triples: list[ox.Triple], fmt: RdfFormat) -> bytes:
    """``triples`` in ``fmt``; Turtle with the project's prefixes, JSON-LD compacted with :func:`jsonld_context`."""
    if fmt.oxigraph is not None:
        prefixes = None
        if fmt.oxigraph in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
            # Not "sldid:": resource IRIs have slashes that Turtle would escape in every local name
            # (sldid:event\/blw6) and XML names cannot hold at all; full IRIs read better.
            prefixes = {k: v for k, v in PREFIXES.items() if k != "sldid"}
        body = ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
        assert body is not None  # no output file given: pyoxigraph returns the bytes
        return body
    return serialize_rdflib_graph(to_rdflib(triples), fmt)


#: rdflib's serialiser name of each format (for graphs built with rdflib: VoID, DCAT, shapes).
RDFLIB_FORMATS: dict[str, str] = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


def serialize_rdflib_graph(graph: rdflib.Graph, fmt: RdfFormat) -> bytes:
    """An rdflib ``graph`` in ``fmt`` (its bound prefixes in Turtle, JSON-LD compacted with :func:`jsonld_context`).

    Blank nodes are relabelled from their content first (:func:`with_stable_blank_nodes`), so the same
    graph gives the same bytes in every request and every worker, as its strong ``ETag`` promises.
    """
    graph = with_stable_blank_nodes(graph)
    if fmt.name == "jsonld":
        text = graph.serialize(format="json-ld", context=jsonld_context()["@context"], auto_compact=True)
        return text.encode("utf-8")
    return graph.serialize(format=RDFLIB_FORMATS[fmt.name], encoding="utf-8")


def with_stable_blank_nodes(graph: rdflib.Graph, rounds: int = 3) -> rdflib.Graph:
    """``graph`` with every blank node labelled by a hash of what surrounds it (a few rounds of refinement).

    Cheap where full canonicalisation (``rdflib.compare``) takes seconds: descriptions such as VoID
    and DCAT have shallow, distinguishable blank nodes (partitions, checksums). Blank nodes that stay
    indistinguishable are numbered in the order of their labels' hashes, so they never merge.
    """
    blanks: set[rdflib.term.Node] = {n for t in graph for n in (t[0], t[2]) if isinstance(n, rdflib.BNode)}
    if not blanks:
        return graph
    colour = dict.fromkeys(blanks, "")
    for _ in range(rounds):
        colour = _refine(graph, blanks, colour)
    labels: dict[rdflib.term.Node, rdflib.BNode] = {}
    seen: dict[str, int] = {}
    for b in sorted(blanks, key=lambda node: colour[node]):
        n = seen[colour[b]] = seen.get(colour[b], -1) + 1
        labels[b] = rdflib.BNode(f"b{colour[b]}{n or ''}")
    stable = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        stable.bind(prefix, namespace, override=True, replace=True)
    relabelled = sorted(((labels.get(s, s), p, labels.get(o, o)) for s, p, o in graph), key=lambda t: tuple(n.n3() for n in t))
    stable.addN((s, p, o, stable) for s, p, o in relabelled)  # in a fixed order: N-Triples and JSON-LD follow insertion order
    return stable


def _refine(graph: rdflib.Graph, blanks: set[rdflib.term.Node], colour: dict[rdflib.term.Node, str]) -> dict[rdflib.term.Node, str]:
    """One round: a blank node's new label hashes its triples, its blank neighbours shown by their old labels."""

    def show(node: rdflib.term.Node) -> str:
        return "_:" + colour[node] if isinstance(node, rdflib.BNode) else node.n3()

    signatures: dict[rdflib.term.Node, list[str]] = {b: [] for b in blanks}
    for s, p, o in graph:
        if isinstance(s, rdflib.BNode):
            signatures[s].append(f"> {p.n3()} {show(o)}")
        if isinstance(o, rdflib.BNode):
            signatures[o].append(f"< {show(s)} {p.n3()}")
    return {b: hashlib.sha256("\n".join(sorted(sig)).encode("utf-8")).hexdigest()[:20] for b, sig in signatures.items()}


def to_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    """An rdflib graph of ``triples`` (for pages and JSON-LD), term by term (lexical forms kept as they are)."""
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in triples)
    return graph


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
    """The rdflib term of a pyoxigraph term (plain strings stay plain, as an N-Triples parser makes them)."""
    if isinstance(node, ox.NamedNode):
        return rdflib.URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return rdflib.BNode(node.value)
    if isinstance(node, ox.Triple):
        raise ValueError(f"RDF-star triple terms cannot be written here: {node}")
    if node.language:
        return rdflib.Literal(node.value, lang=node.language, normalize=False)
    datatype = node.datatype.value
    return rdflib.Literal(node.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype), normalize=False)


def context_document() -> bytes:
    return json.dumps(jsonld_context(), indent=2).encode("utf-8")


__all__ = ["BASE_IRI", "BY_MEDIA_TYPE", "BY_NAME", "PREFIXES", "RESOURCE_FORMATS", "RdfFormat", "serialize", "serialize_rdflib_graph"]
