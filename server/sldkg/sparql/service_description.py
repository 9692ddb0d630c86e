"""The SPARQL 1.1 Service Description of the endpoint, as RDF triples; pure.

Describes the endpoint (``sd:Service``), the language (SPARQL 1.1 Query only: read-only), the
result formats (W3C ``formats:`` IRIs) and the default dataset: the default graph is the union of
all named graphs, each named graph is one loaded file, with their ``void:triples`` counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from sldkg.sparql import negotiation as nego

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: W3C format IRI of every media type the endpoint can answer with.
FORMAT_IRIS = {
    nego.RESULTS_JSON: FORMATS + "SPARQL_Results_JSON",
    nego.RESULTS_XML: FORMATS + "SPARQL_Results_XML",
    nego.CSV: FORMATS + "SPARQL_Results_CSV",
    nego.TSV: FORMATS + "SPARQL_Results_TSV",
    nego.TURTLE: FORMATS + "Turtle",
    nego.N_TRIPLES: FORMATS + "N-Triples",
    nego.JSON_LD: FORMATS + "JSON-LD",
    nego.RDF_XML: FORMATS + "RDF_XML",
    nego.N_QUADS: FORMATS + "N-Quads",
    nego.TRIG: FORMATS + "TriG",
}


@dataclass(frozen=True)
class GraphInfo:
    name: str
    triples: int


def _sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def describe(endpoint: str, default_graph_triples: int | None, graphs: Sequence[GraphInfo]) -> list[ox.Triple]:
    """The triples of the service description of ``endpoint`` (its absolute URL)."""
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
    ]
    triples += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri)) for iri in FORMAT_IRIS.values()]
    if default_graph_triples is not None:
        triples.append(
            ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(default_graph_triples), datatype=XSD_INTEGER))
        )
    for index, graph in enumerate(graphs):
        named, description = ox.BlankNode(f"ng{index}"), ox.BlankNode(f"g{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph.name)),
            ox.Triple(named, _sd("graph"), description),
            ox.Triple(description, RDF_TYPE, _sd("Graph")),
            ox.Triple(description, ox.NamedNode(VOID + "triples"), ox.Literal(str(graph.triples), datatype=XSD_INTEGER)),
        ]
    return triples
