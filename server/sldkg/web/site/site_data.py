"""What the people's pages read from the graph: the label index, the Länder, the workshops, the
initiatives. Each read goes through ``context().backend`` and is cached per app and data version
(the data are read-only while the server runs). No routes here; ``pages`` and ``explore`` use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from sldkg.graph import reads as graph_reads
from sldkg.web import context
from sldkg.web.site.facets import Record
from sldkg.web.site.search import Index, Label

T = TypeVar("T")

SERIES = "https://w3id.org/sldkg/id/series/bundeslaenderworkshop"

LABELS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT ?s ?p ?label WHERE {
  VALUES ?p { skos:prefLabel rdfs:label schema:name skos:altLabel skos:hiddenLabel }
  ?s ?p ?label .
  FILTER(isIRI(?s) && isLiteral(?label) && STRSTARTS(STR(?s), "https://w3id.org/sldkg/"))
}"""
TYPES_QUERY = """
SELECT DISTINCT ?s ?t WHERE { ?s a ?t . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/sldkg/id/")) }"""
KINDS = {
    "http://www.w3.org/2004/02/skos/core#prefLabel": "prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "https://schema.org/name": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel": "hiddenLabel",
}

LANDER_QUERY = """
PREFIX sld: <https://w3id.org/sldkg/ontology#>
SELECT ?land ?iso (SAMPLE(?took) AS ?participated) (COUNT(DISTINCT ?initiative) AS ?initiatives) WHERE {
  ?land a sld:Land ; sld:isoCode ?iso .
  BIND(EXISTS { ?event sld:participatingLand ?land } AS ?took)
  OPTIONAL { ?initiative sld:land ?land ; sld:reportedAt ?at }
} GROUP BY ?land ?iso ORDER BY ?iso"""

WORKSHOPS_QUERY = f"""
PREFIX schema: <https://schema.org/>
PREFIX sld: <https://w3id.org/sldkg/ontology#>
SELECT ?event ?start ?end ?mode ?tentative ?participants ?number WHERE {{
  ?event schema:superEvent <{SERIES}> ; schema:startDate ?start .
  OPTIONAL {{ ?event schema:endDate ?end }}
  OPTIONAL {{ ?event schema:eventAttendanceMode ?mode }}
  OPTIONAL {{ ?event sld:tentative ?tentative }}
  OPTIONAL {{ ?event sld:participantCount ?participants }}
  OPTIONAL {{ ?event sld:seriesNumber ?number }}
}} ORDER BY ?start"""
THEMES_QUERY = f"""
PREFIX schema: <https://schema.org/>
SELECT ?event ?theme WHERE {{ ?event schema:superEvent <{SERIES}> ; schema:alternateName ?theme }}"""

AGENDA_QUERY = """
PREFIX schema: <https://schema.org/>
PREFIX sld: <https://w3id.org/sldkg/ontology#>
SELECT ?event ?item ?position ?start WHERE {
  ?item a sld:AgendaItem ; schema:superEvent ?event ; schema:position ?position ; schema:startDate ?start .
} ORDER BY ?event ?position"""

INITIATIVES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX sld: <https://w3id.org/sldkg/ontology#>
SELECT ?initiative ?kind ?land ?status ?start ?report WHERE {
  ?initiative sld:reportedAt ?event ; a ?kind .
  ?kind rdfs:subClassOf+ sld:Initiative .
  FILTER NOT EXISTS { ?initiative a ?narrower . ?narrower rdfs:subClassOf+ ?kind . ?narrower rdfs:subClassOf+ sld:Initiative }
  OPTIONAL { ?initiative sld:land ?land }
  OPTIONAL { ?initiative sld:status ?status }
  OPTIONAL { ?initiative schema:startDate ?start }
  OPTIONAL { ?report schema:about ?event }
}"""


def cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per app, name and data version."""
    store = context().site_data
    version = context().backend.version
    key = (name, version)
    if key not in store:
        for old in [k for k in store if k[1] != version]:  # another data version: never asked for again
            del store[old]
        store[key] = compute()
    value: T = store[key]  # type: ignore[assignment]
    return value


def rows(query: str) -> list[ox.QuerySolution]:
    return graph_reads.select(context().backend, query)


def text(solution: ox.QuerySolution, name: str) -> str | None:
    term = solution[name]
    return term.value if term is not None else None


def label_index() -> Index:
    def build() -> Index:
        labels = []
        for row in rows(LABELS_QUERY):
            literal = row["label"]
            lang = literal.language if isinstance(literal, ox.Literal) else None
            labels.append(Label(row["s"].value, literal.value, lang, KINDS[row["p"].value]))
        types = [(row["s"].value, row["t"].value) for row in rows(TYPES_QUERY)]
        return Index(labels, types)

    return cached("labels", build)


@dataclass(frozen=True)
class LandRow:
    iri: str
    code: str
    participated: bool
    initiatives: int


def lander() -> list[LandRow]:
    def build() -> list[LandRow]:
        return [
            LandRow(
                r["land"].value,
                r["iso"].value,
                r["participated"] is not None and r["participated"].value == "true",
                int(r["initiatives"].value),
            )
            for r in rows(LANDER_QUERY)
        ]

    return cached("lander", build)


@dataclass(frozen=True)
class Workshop:
    iri: str
    start: str
    end: str | None
    online: bool | None
    tentative: bool
    participants: int | None
    number: int | None
    themes: dict[str, str]
    agenda: tuple[tuple[str, str], ...]  # (item IRI, start) in agenda order


def workshops() -> list[Workshop]:
    def build() -> list[Workshop]:
        themes: dict[str, dict[str, str]] = {}
        for r in rows(THEMES_QUERY):
            literal = r["theme"]
            themes.setdefault(r["event"].value, {})[literal.language if isinstance(literal, ox.Literal) and literal.language else ""] = (
                literal.value
            )
        agenda: dict[str, list[tuple[str, str]]] = {}
        for r in rows(AGENDA_QUERY):
            agenda.setdefault(r["event"].value, []).append((r["item"].value, r["start"].value))
        out: dict[str, Workshop] = {}
        for r in rows(WORKSHOPS_QUERY):
            iri = r["event"].value
            if iri in out:
                continue
            mode = text(r, "mode")
            participants, number = text(r, "participants"), text(r, "number")
            out[iri] = Workshop(
                iri,
                r["start"].value,
                text(r, "end"),
                None if mode is None else mode.endswith("OnlineEventAttendanceMode"),
                text(r, "tentative") == "true",
                int(participants) if participants else None,
                int(number) if number else None,
                themes.get(iri, {}),
                tuple(agenda.get(iri, ())),
            )
        return list(out.values())

    return cached("workshops", build)


def initiatives() -> list[Record]:
    """Every reported initiative as a facet record (values are IRIs, except years)."""

    def build() -> list[Record]:
        records: dict[str, Record] = {}
        for r in rows(INITIATIVES_QUERY):
            record = records.setdefault(r["initiative"].value, Record(r["initiative"].value))
            for facet, var in (("kind", "kind"), ("land", "land"), ("status", "status"), ("report", "report")):
                value = text(r, var)
                if value:
                    record.values[facet].add(value)
            start = text(r, "start")
            if start:
                record.values["year"].add(start[:4])
        return sorted(records.values(), key=lambda rec: rec.iri)

    return cached("initiatives", build)
