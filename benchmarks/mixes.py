"""The request mixes of the benchmark, as SPARQL text (the same text goes to every system).

* ``adhoc``: lookups, joins, aggregates, OPTIONAL/FILTER, property paths and label search over the
  vocabulary of docs/MODEL.md (they stay valid when a kind of resource is still missing: then they
  answer few rows, which is a figure too).
* ``canned``: every ``queries/*.rq`` with its example parameters (see :mod:`benchmarks.canned`).
* ``deref``: resource IRIs picked from the data; the project's server is asked ``GET /id/…``,
  the others the equivalent ``DESCRIBE``.
"""

from __future__ import annotations

PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX sld: <https://w3id.org/sldkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

#: name -> SPARQL (every one a SELECT or ASK; each has LIMIT or an aggregate so answers stay small).
ADHOC: dict[str, str] = {
    "lookup-land": PREFIXES
    + """SELECT ?label ?code WHERE {
  <https://w3id.org/sldkg/id/land/DE-BY> skos:prefLabel ?label ; sld:isoCode ?code . }""",
    "types-count": PREFIXES + """SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type""",
    "events-agenda": PREFIXES
    + """SELECT ?event ?item ?position ?name WHERE {
  ?item schema:superEvent ?event ; schema:position ?position .
  OPTIONAL { ?item schema:name ?name } } ORDER BY ?event ?position ?item ?name LIMIT 200""",
    "people-affiliation": PREFIXES
    + """SELECT ?person ?name ?orgLabel WHERE {
  ?person a schema:Person ; schema:name ?name .
  OPTIONAL { ?person schema:affiliation ?org . ?org skos:prefLabel ?orgLabel FILTER(lang(?orgLabel) = "de") } }
ORDER BY ?name ?person ?orgLabel LIMIT 200""",
    "initiatives-by-land": PREFIXES
    + """SELECT ?land (COUNT(DISTINCT ?i) AS ?n) WHERE {
  ?i sld:land ?land } GROUP BY ?land ORDER BY DESC(?n) ?land""",
    "passages-join": PREFIXES
    + """SELECT ?thing ?start ?end WHERE {
  ?thing prov:wasDerivedFrom ?passage . ?passage oa:hasSelector ?sel .
  ?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end } ORDER BY ?start ?end ?thing LIMIT 100""",
    "selector-range": PREFIXES
    + """SELECT ?passage ?exact WHERE {
  ?passage oa:hasSelector ?pos , ?quote . ?pos oa:start ?start . ?quote oa:exact ?exact
  FILTER(?start >= 1000 && ?start < 5000) } ORDER BY ?passage ?exact LIMIT 50""",
    "label-search": PREFIXES
    + """SELECT DISTINCT ?s ?label WHERE {
  ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "digital")) } ORDER BY ?s ?label LIMIT 50""",
    "label-regex": PREFIXES
    + """SELECT ?s ?label WHERE {
  ?s skos:prefLabel ?label FILTER(REGEX(?label, "^(Bay|Sach|Nord)", "i")) } ORDER BY ?s ?label LIMIT 50""",
    "subclass-path": PREFIXES
    + """SELECT ?s ?type WHERE {
  ?s a/rdfs:subClassOf* <https://schema.org/State> . ?s a ?type } ORDER BY ?s ?type LIMIT 100""",
    "org-path": PREFIXES + """SELECT ?unit ?top WHERE { ?unit (org:unitOf|org:subOrganizationOf)+ ?top } ORDER BY ?unit ?top LIMIT 100""",
    "optional-missing": PREFIXES
    + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label OPTIONAL { ?s skos:prefLabel ?pref } FILTER(!BOUND(?pref)) } ORDER BY ?s ?label LIMIT 100""",
    "graph-sizes": PREFIXES + """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g LIMIT 100""",
    "ask-participant": PREFIXES + """ASK { ?event sld:participatingLand <https://w3id.org/sldkg/id/land/DE-NW> }""",
    "topic-usage": PREFIXES
    + """SELECT ?topic (COUNT(?s) AS ?n) WHERE { ?s dcterms:subject ?topic } GROUP BY ?topic ORDER BY DESC(?n) ?topic LIMIT 50""",
}

#: Finds resources to dereference (subjects in the resource namespace, spread over the kinds).
DEREF_CANDIDATES = """SELECT DISTINCT ?s WHERE {
  ?s a ?type FILTER(STRSTARTS(STR(?s), "https://w3id.org/sldkg/id/")) } ORDER BY ?s"""


def describe_query(iri: str) -> str:
    """The competitors' equivalent of dereferencing ``iri``."""
    return f"DESCRIBE <{iri}>"
