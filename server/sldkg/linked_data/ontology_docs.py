"""The ontology documentation page, computed from the ontology graph itself; pure (no Flask).

Each local term (``https://w3id.org/sldkg/ontology#Term``) gets an entry with the anchor ``Term``,
so that the term IRI, dereferenced by a browser, lands on its documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from sldkg.linked_data.resource_view import compact
from sldkg.settings import ONTOLOGY_IRI

NAMESPACE = ONTOLOGY_IRI + "#"
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")


@dataclass(frozen=True)
class TermRef:
    iri: str
    text: str
    #: The in-page anchor when the term is one of ours, else ``None`` (link to the IRI itself).
    anchor: str | None


@dataclass
class Term:
    iri: str
    name: str
    kind: str
    labels: dict[str, str]
    definitions: dict[str, str]
    parents: list[TermRef] = field(default_factory=list)
    domains: list[TermRef] = field(default_factory=list)
    ranges: list[TermRef] = field(default_factory=list)
    types: list[TermRef] = field(default_factory=list)
    subterms: list[TermRef] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    version: str | None
    version_iri: str | None
    license: str | None
    creators: list[str]
    prefix: str | None
    namespace: str
    classes: list[Term]
    properties: list[Term]
    individuals: list[Term]


def _by_language(graph: rdflib.Graph, node: rdflib.URIRef, predicate: rdflib.URIRef) -> dict[str, str]:
    values: dict[str, str] = {}
    for o in graph.objects(node, predicate):
        if isinstance(o, rdflib.Literal):
            values.setdefault(o.language or "", str(o))
    return dict(sorted(values.items(), key=lambda item: (item[0] != "en", item[0] != "de", item[0])))


def _ref(node: rdflib.term.Node) -> TermRef:
    iri = str(node)
    if iri.startswith(NAMESPACE):
        name = iri[len(NAMESPACE) :]
        return TermRef(iri, "sld:" + name, name)
    return TermRef(iri, compact(iri), None)


def _refs(graph: rdflib.Graph, node: rdflib.URIRef, predicate: rdflib.URIRef) -> list[TermRef]:
    return sorted((_ref(o) for o in graph.objects(node, predicate) if isinstance(o, rdflib.URIRef)), key=lambda r: r.text)


PROPERTY_KINDS = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDF.Property: "property",
}


def build(graph: rdflib.Graph) -> OntologyDoc:
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    classes, properties, individuals = [], [], []
    subjects = sorted({s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(NAMESPACE)})
    for node in subjects:
        types = set(graph.objects(node, RDF.type))
        labels = _by_language(graph, node, RDFS.label) or _by_language(graph, node, SKOS.prefLabel)
        definitions = _by_language(graph, node, SKOS.definition) or _by_language(graph, node, RDFS.comment)
        name = str(node)[len(NAMESPACE) :]
        if OWL.Class in types or RDFS.Class in types:
            term = Term(str(node), name, "class", labels, definitions, parents=_refs(graph, node, RDFS.subClassOf))
            term.subterms = sorted(
                (_ref(s) for s in graph.subjects(RDFS.subClassOf, node) if isinstance(s, rdflib.URIRef)), key=lambda r: r.text
            )
            classes.append(term)
        elif types & set(PROPERTY_KINDS):
            kind = next(PROPERTY_KINDS[t] for t in PROPERTY_KINDS if t in types)
            term = Term(str(node), name, kind, labels, definitions, parents=_refs(graph, node, RDFS.subPropertyOf))
            term.domains = _refs(graph, node, RDFS.domain)
            term.ranges = _refs(graph, node, RDFS.range)
            properties.append(term)
        else:
            term = Term(str(node), name, "individual", labels, definitions)
            term.types = sorted((_ref(t) for t in types if isinstance(t, rdflib.URIRef)), key=lambda r: r.text)
            individuals.append(term)

    def value(predicate: rdflib.URIRef) -> str | None:
        found = graph.value(ontology, predicate)
        return str(found) if found is not None else None

    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        titles=_by_language(graph, ontology, DCTERMS.title) or _by_language(graph, ontology, RDFS.label),
        descriptions=_by_language(graph, ontology, DCTERMS.description),
        version=value(OWL.versionInfo),
        version_iri=value(OWL.versionIRI),
        license=value(DCTERMS.license),
        creators=sorted(str(o) for o in graph.objects(ontology, DCTERMS.creator)),
        prefix=value(VANN.preferredNamespacePrefix),
        namespace=NAMESPACE,
        classes=classes,
        properties=properties,
        individuals=individuals,
    )
