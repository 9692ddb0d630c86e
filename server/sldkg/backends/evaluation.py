"""Evaluating a :class:`QueryJob` on the embedded store and serialising the answer; no Flask.

Runs inside the executor processes (:mod:`sldkg.backends.executors`): everything here is a plain function of
the store and the job, and the answer is a small picklable :class:`Answer`.

* Limits: more solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) than ``job.max_rows``, or a
  serialisation larger than ``job.max_bytes``, is refused with **422** ``result-too-large`` (the
  request was understood but the answer is over the limit; adding LIMIT fixes it). The check
  stops reading solutions one past the limit, so an oversized answer is never built.
* Substitutions (``job.substitutions``) are N-Triples terms; they are parsed into pyoxigraph
  terms and bound before evaluation, never spliced into the text.
* A syntax error is 400 ``syntax`` with ``line`` and ``column``.
* Everything is serialised by pyoxigraph's native writers, into the limit-enforcing sink of
  :mod:`sldkg.backends.result_limits` (it stops at the byte limit and counts rows while writing).
"""

from __future__ import annotations

import re
from typing import IO, cast

import pyoxigraph as ox

from sldkg.backends.result_limits import ROW_MARKERS, Counted, LimitedSink, RowMarker, TooLarge
from sldkg.graph.store import EmbeddedStore
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT, Answer, QueryJob, result_too_large
from sldkg.sparql.protocol import ProtocolError, declares_dataset, query_form
from sldkg.vocabulary import prefixes

RESULTS_FORMATS = {
    nego.RESULTS_JSON: ox.QueryResultsFormat.JSON,
    nego.RESULTS_XML: ox.QueryResultsFormat.XML,
    nego.CSV: ox.QueryResultsFormat.CSV,
    nego.TSV: ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    nego.TURTLE: ox.RdfFormat.TURTLE,
    nego.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    nego.JSON_LD: ox.RdfFormat.JSON_LD,
    nego.RDF_XML: ox.RdfFormat.RDF_XML,
    nego.N_QUADS: ox.RdfFormat.N_QUADS,
    nego.TRIG: ox.RdfFormat.TRIG,
}
#: Prefixes written into Turtle/TriG answers (readability only; the triples are the same).
PREFIXES = prefixes("sld", "schema", "skos", "rdfs", "xsd", "org", "prov", "oa", "dcterms")
_LINE_FORMATS = (nego.N_TRIPLES, nego.N_QUADS)
_POSITION = re.compile(r"(?:error )?at (\d+):(\d+)")


class BadSubstitution(ValueError):
    """A substitution that is not one N-Triples term."""


def parse_term(text: str) -> ox.NamedNode | ox.Literal:
    """One IRI or literal in N-Triples syntax (``<http://…>``, ``"x"@de``, ``"1"^^<…#integer>``)."""
    try:
        triples = list(ox.parse(f"<urn:x:s> <urn:x:p> {text} .\n".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise BadSubstitution(f"{text!r} is not an N-Triples IRI or literal: {exc}") from None
    term = triples[0].object if len(triples) == 1 else None
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise BadSubstitution(f"{text!r} is not one N-Triples IRI or literal")
    return term


def syntax_position(message: str) -> dict[str, int]:
    """``{"line": …, "column": …}`` from a pyoxigraph syntax error message (empty when it has none)."""
    match = _POSITION.search(message)
    return {"line": int(match.group(1)), "column": int(match.group(2))} if match else {}


def syntax_message(message: str, limit: int = 300) -> str:
    """A readable syntax error: the position first, and a long list of expected tokens cut short."""
    position = syntax_position(message)
    reason = _POSITION.sub("", message, count=1).lstrip(": ").strip()
    if len(reason) > limit:
        reason = reason[:limit].rsplit(",", 1)[0] + ", …"
    where = f" at line {position['line']}, column {position['column']}" if position else ""
    return f"SPARQL syntax error{where}: {reason}"


def execute(store: EmbeddedStore, job: QueryJob) -> Answer:
    """Evaluate and serialise ``job``; every refusal is an :class:`Answer` with status >= 400."""
    try:
        substitutions = {name: parse_term(term) for name, term in job.substitutions}
    except BadSubstitution as exc:
        return Answer(400, error="bad-parameter", message=str(exc))
    try:
        result = _evaluate(store, job, substitutions)
    except SyntaxError as exc:
        message = str(exc)
        return Answer(400, error="syntax", message=syntax_message(message), details=dict(syntax_position(message)))
    if isinstance(result, ox.QueryBoolean):
        return _boolean(result, job)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, job)
    return _graph(result, job, DESCRIBE if _is_describe(job.query) else CONSTRUCT)


def _evaluate(
    store: EmbeddedStore, job: QueryJob, substitutions: dict[str, ox.NamedNode | ox.Literal]
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Evaluate with the right dataset: the protocol's (``default-graph-uri``/``named-graph-uri``)
    overrides the query's; the query's ``FROM``/``FROM NAMED`` override the union default graph
    (pyoxigraph would ignore them under its union flag); otherwise the default graph is the union."""
    if not job.default_graphs and not job.named_graphs and declares_dataset(job.query):
        return store.oxigraph.query(job.query, substitutions={ox.Variable(k): v for k, v in substitutions.items()} or None)
    return store.query(job.query, default_graphs=job.default_graphs, named_graphs=job.named_graphs, substitutions=substitutions)


def _not_acceptable(form: str, offered: tuple[str, ...]) -> Answer:
    return Answer(
        406,
        form=form,
        error="not-acceptable",
        message=f"none of the acceptable media types can carry a {form} answer; available: {', '.join(offered)}",
        details={"available": list(offered)},
    )


def _boolean(result: ox.QueryBoolean, job: QueryJob) -> Answer:
    media = next((m for m in job.results_types if m in RESULTS_FORMATS), None)
    if media is None:
        return _not_acceptable(ASK, nego.RESULTS_TYPES)
    body = result.serialize(format=RESULTS_FORMATS[media])
    assert body is not None, "without an output file, pyoxigraph returns the bytes"
    return Answer(200, media, body, ASK, rows=1)


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> Answer:
    media = next((m for m in job.results_types if m in RESULTS_FORMATS), None)
    if media is None:
        return _not_acceptable(SELECT, nego.RESULTS_TYPES)
    sink = LimitedSink(job.max_bytes, job.max_rows, ROW_MARKERS[media])
    try:
        result.serialize(_output(sink), format=RESULTS_FORMATS[media])
    except TooLarge as exc:
        return result_too_large(SELECT, exc.what, **exc.limits)
    body = sink.getvalue()
    rows = sink.rows(body)
    if rows > job.max_rows:
        return result_too_large(SELECT, "rows", limit_rows=job.max_rows)
    return Answer(200, media, body, SELECT, rows=rows)


def _graph(result: ox.QueryTriples, job: QueryJob, form: str) -> Answer:
    media = next((m for m in job.graph_types if m in GRAPH_FORMATS), None)
    if media is None:
        return _not_acceptable(form, nego.GRAPH_TYPES)
    try:
        if media in _LINE_FORMATS:  # one triple per line: count lines of the native output (exact)
            sink = LimitedSink(job.max_bytes, job.max_rows, RowMarker(b"\n", 0))
            result.serialize(_output(sink), format=GRAPH_FORMATS[media])
            rows = sink.rows(b"")
        else:  # count the triples on their way into the native writer
            sink = LimitedSink(job.max_bytes)
            triples = Counted(result, job.max_rows)
            items = (ox.Quad(t.subject, t.predicate, t.object) for t in triples) if media == nego.TRIG else triples
            prefixes = PREFIXES if media in (nego.TURTLE, nego.TRIG) else None
            ox.serialize(items, _output(sink), format=GRAPH_FORMATS[media], prefixes=prefixes)
            rows = triples.n
    except TooLarge as exc:
        return result_too_large(form, exc.what, **exc.limits)
    return Answer(200, media, sink.getvalue(), form, rows=rows)


def _output(sink: LimitedSink) -> IO[bytes]:
    """The sink as pyoxigraph's writers take it: they only call ``write`` and ``flush``, which it has."""
    return cast("IO[bytes]", sink)


def _is_describe(query: str) -> bool:
    try:
        return query_form(query) == DESCRIBE
    except ProtocolError:  # an update never gets here: the parser refused it already
        return False
