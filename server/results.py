"""Evaluating a :class:`QueryJob` on the embedded store and serialising the answer; no Flask.

(First version: native pyoxigraph serialisation; limits and the full media-type table follow.)
"""

from __future__ import annotations

import pyoxigraph as ox

from .execution import ASK, CONSTRUCT, SELECT, Answer, QueryJob
from .store import EmbeddedStore

RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


def execute(store: EmbeddedStore, job: QueryJob) -> Answer:
    try:
        result = store.query(job.query, default_graphs=job.default_graphs, named_graphs=job.named_graphs)
    except SyntaxError as exc:
        return Answer(400, error="syntax", message=str(exc))
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        form = SELECT if isinstance(result, ox.QuerySolutions) else ASK
        media = next((m for m in job.results_types if m in RESULTS_FORMATS), None)
        if media is None:
            return Answer(406, form=form, error="not-acceptable", message="no acceptable media type for " + form)
        return Answer(200, media, result.serialize(format=RESULTS_FORMATS[media]), form)
    media = next((m for m in job.graph_types if m in GRAPH_FORMATS), None)
    if media is None:
        return Answer(406, form=CONSTRUCT, error="not-acceptable", message="no acceptable RDF media type")
    return Answer(200, media, result.serialize(format=GRAPH_FORMATS[media]), CONSTRUCT)
