"""The RDF formats of resource descriptions, the prefixes and the JSON-LD context; pure (no Flask).

Descriptions travel from the backend as N-Triples and are re-serialised here with the project's
prefixes, so the answers read well (Turtle with ``@prefix`` lines, compacted JSON-LD).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from sldkg.settings import BASE_IRI, ONTOLOGY_IRI, RESOURCE_BASE

#: Prefixes used in Turtle answers, compact IRIs in pages and the JSON-LD context.
PREFIXES: dict[str, str] = {
    "sld": ONTOLOGY_IRI + "#",
    "sldid": RESOURCE_BASE,
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "m8g": "http://data.europa.eu/m8g/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "void": "http://rdfs.org/ns/void#",
    "locn": "http://www.w3.org/ns/locn#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
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
    """An rdflib ``graph`` in ``fmt`` (its bound prefixes in Turtle, JSON-LD compacted with :func:`jsonld_context`)."""
    if fmt.name == "jsonld":
        text = graph.serialize(format="json-ld", context=jsonld_context()["@context"], auto_compact=True)
        return text.encode("utf-8")
    return graph.serialize(format=RDFLIB_FORMATS[fmt.name], encoding="utf-8")


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
