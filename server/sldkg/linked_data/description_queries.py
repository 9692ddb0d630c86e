"""The SPARQL text behind resource descriptions, resource pages and the home page; pure (no Flask).

A resource's *description* is its own triples (and those of blank nodes it points to), the
triples that point to it, and its provenance: the passages it was derived from with their text
selectors. Pages additionally need the labels of everything linked. The resource is bound with a
``VALUES`` block built from an RDF term (validated by pyoxigraph), never by editing query text,
so the same queries run on the embedded store and on a remote SPARQL store.
"""

from __future__ import annotations

import pyoxigraph as ox

from sldkg.settings import RESOURCE_BASE

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

#: Predicates whose values name a resource (shown as link texts).
LABEL_PREDICATES = ("rdfs:label", "skos:prefLabel", "schema:name")


def iri_term(iri: str) -> str:
    """``iri`` as an N-Triples term; raises ``ValueError`` for a string that is not a valid IRI."""
    return str(ox.NamedNode(iri))


def _construct(iri: str, template: str = "", where: str = "") -> str:
    """A CONSTRUCT of ``iri``'s outgoing, blank-node, incoming and provenance triples, plus extras."""
    return (
        PREFIXES
        + f"""CONSTRUCT {{
  ?this ?p ?o . ?b ?bp ?bo .
  ?s ?q ?this .
  ?passage ?pp ?po . ?sel ?sp ?so .{template}
}}
WHERE {{
  VALUES ?this {{ {iri_term(iri)} }}
  {{ ?this ?p ?o }}
  UNION {{ ?this ?bl ?b . FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ ?s ?q ?this }}
  UNION {{ ?this prov:wasDerivedFrom ?passage . ?passage ?pp ?po }}
  UNION {{ ?this prov:wasDerivedFrom/oa:hasSelector ?sel . ?sel ?sp ?so }}{where}
}}"""
    )


def description_query(iri: str) -> str:
    """CONSTRUCT the description of ``iri``: outgoing, incoming and provenance triples."""
    return _construct(iri)


def page_query(iri: str) -> str:
    """CONSTRUCT what the HTML page of ``iri`` shows: its description plus labels of linked terms."""
    labels = " ".join(LABEL_PREDICATES)
    return _construct(
        iri,
        "\n  ?n ?lp ?nl .",
        f"""
  UNION {{ VALUES ?lp {{ {labels} }} ?this ?x ?n . ?n ?lp ?nl }}
  UNION {{ VALUES ?lp {{ {labels} }} ?n ?x ?this . ?n ?lp ?nl }}
  UNION {{ VALUES ?lp {{ {labels} }} {{ ?this ?n ?x }} UNION {{ ?x ?n ?this }} ?n ?lp ?nl }}""",
    )


def sources_query(iri: str, *, incoming_passages: bool = True) -> str:
    """CONSTRUCT the sources of the values of ``iri`` (docs/MODEL.md, per-statement provenance).

    The statements (``rdf:Statement``) whose subject or object is ``iri`` with their passages and
    selectors, and (``incoming_passages``, for the pages' fallback of values without a statement)
    the passages of the resources that point to ``iri`` with the text each lies in. Apart from
    :func:`page_query` and :func:`description_query`: as more UNION branches of them the same
    patterns cost ten times as much on Oxigraph.
    """
    incoming = "\n  UNION { ?is ?iq ?this . ?is prov:wasDerivedFrom ?ipassage . ?ipassage oa:hasSource ?itext }"
    return (
        PREFIXES
        + f"""CONSTRUCT {{
  ?st ?stp ?sto . ?passage ?pp ?po . ?sel ?sp ?so .
  ?is prov:wasDerivedFrom ?ipassage . ?ipassage oa:hasSource ?itext .
}}
WHERE {{
  VALUES ?this {{ {iri_term(iri)} }}
  {{
    {{ ?st rdf:subject ?this }} UNION {{ ?st rdf:object ?this }}
    ?st a rdf:Statement .
    {{ ?st ?stp ?sto }}
    UNION {{ ?st prov:wasDerivedFrom ?passage . ?passage ?pp ?po }}
    UNION {{ ?st prov:wasDerivedFrom/oa:hasSelector ?sel . ?sel ?sp ?so }}
  }}{incoming if incoming_passages else ""}
}}"""
    )


#: Every report with the stored text its passages point into, its label and its dates (its own and
#: that of the event it is about), so that a page can name the report of each value and put the
#: newest report first.
REPORTS_QUERY = (
    PREFIXES
    + """CONSTRUCT {
  ?text dcterms:source ?report . ?report a schema:Report ; rdfs:label ?label ; dcterms:date ?date ; schema:about ?event .
  ?event schema:startDate ?start .
}
WHERE {
  ?report a schema:Report . ?text dcterms:source ?report .
  OPTIONAL { ?report rdfs:label ?label }
  OPTIONAL { ?report dcterms:date ?date }
  OPTIONAL { ?report schema:about ?event . ?event schema:startDate ?start }
}"""
)


def source_texts_query(iri: str) -> str:
    """SELECT the stored texts the passages of ``iri`` point into: their file (``dcterms:identifier``,
    a path relative to the repository) and the named graphs that mention them (fallback: the text
    file lies beside those data files)."""
    return (
        PREFIXES
        + f"""PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?text ?file ?g WHERE {{
  VALUES ?this {{ {iri_term(iri)} }}
  ?this prov:wasDerivedFrom/oa:hasSource ?text .
  OPTIONAL {{ ?text dcterms:identifier ?file }}
  OPTIONAL {{ GRAPH ?g {{ {{ ?text ?tp ?to }} UNION {{ ?passage oa:hasSource ?text }} }} }}
}} ORDER BY ?text ?file ?g"""
    )


def stored_text_query(iri: str) -> str:
    """SELECT the file of ``iri`` when it is a stored plain text (``dcterms:format`` the EU file type TXT)."""
    return f"""PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?file WHERE {{ VALUES ?this {{ {iri_term(iri)} }}
  ?this dcterms:format <http://publications.europa.eu/resource/authority/file-type/TXT> ; dcterms:identifier ?file }}"""


#: Whole-graph figures for the home page.
TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

RESOURCES_QUERY = f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class FILTER(STRSTARTS(STR(?s), "{RESOURCE_BASE}")) }}'

CLASS_COUNTS_QUERY = (
    PREFIXES
    + f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?l) AS ?label) WHERE {{
  ?s a ?class .
  FILTER(STRSTARTS(STR(?s), "{RESOURCE_BASE}"))
  OPTIONAL {{ ?class rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?class ORDER BY DESC(?n) ?class"""
)

#: Every quad of the dataset (dumps): graph, subject, predicate, object.
QUADS_QUERY = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
