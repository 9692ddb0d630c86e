"""``/sparql``: the SPARQL 1.1 Protocol query operation (read-only).

GET ``?query=``, POST form-encoded and POST ``application/sparql-query``, with
``default-graph-uri``/``named-graph-uri``; the protocol rules and their statuses live in
:mod:`sldkg.sparql.protocol`, the media-type tables in :mod:`sldkg.sparql.negotiation`, evaluation in the
backend. GET without a query answers the Service Description (RDF), or an HTML query form for
browsers.

Answers are cached per worker (:func:`sldkg.web.answering.remembered`, ``adhoc_cache_size`` entries) when the store
is embedded: its data is read-only, and the key holds the data version, the query text, the dataset
parameters and the negotiated media types, so a repeated query is answered without the executor
hand-off. Only small, deterministic answers are kept (see :data:`CACHE_MAX_BODY`,
:data:`CACHE_MAX_QUERY_CHARS`, :data:`VOLATILE_FUNCTIONS`); the response is built from the cached
answer exactly as from a fresh one (same ETag, headers and bytes). Such requests are marked
replayable, and under ``sldkg serve`` the HTTP layer sends the same bytes again for an identical
request without calling the app (:class:`sldkg.wsgi_over_rsgi.ReplayCache`).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, render_template, request

from sldkg.backends.evaluation import GRAPH_FORMATS, PREFIXES
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT, Answer, QueryJob
from sldkg.sparql.lexer import tokenize
from sldkg.sparql.protocol import ProtocolError, QueryRequest, parse_request
from sldkg.sparql.service_description import GraphInfo, describe
from sldkg.web import context
from sldkg.web.answering import answer_job, bad_format, entity_tag, not_acceptable, rdf_response, remembered, url_parameters
from sldkg.web.errors import ApiError

bp = Blueprint("sparql", __name__)

#: Largest answer body kept by the ad-hoc answer cache, and longest query text: anyone can send
#: queries, so one worker's cache holds at most ``adhoc_cache_size`` × (64 KiB + 4 Ki characters).
CACHE_MAX_BODY = 64 * 1024
CACHE_MAX_QUERY_CHARS = 4096
#: SPARQL functions whose value differs between evaluations: a query that names one is never cached.
#: Neither is a query with a blank node (``_:b`` or ``[…]``): in a CONSTRUCT template it is a fresh
#: node with a new label at every evaluation.
VOLATILE_FUNCTIONS = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


def endpoint_url() -> str:
    base = context().settings.base_url
    return (base.rstrip("/") + "/" if base else request.url_root) + "sparql"


def negotiated_types(accept: str | None, format_param: str | None, form: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Acceptable (results, graph) types; 400 for an unknown ``format``, 406 when the known form has none."""
    try:
        results, graph = nego.acceptable_types(accept, format_param)
    except nego.UnknownFormat as exc:
        raise bad_format(exc) from None
    wanted = results if form in (SELECT, ASK) else graph if form in (CONSTRUCT, DESCRIBE) else results + graph
    if not wanted:
        offered = nego.RESULTS_TYPES if form in (SELECT, ASK) else nego.GRAPH_TYPES if form in (CONSTRUCT, DESCRIBE) else ()
        offered = offered or nego.RESULTS_TYPES + nego.GRAPH_TYPES
        shown = f"format={format_param}" if format_param else f"Accept: {accept}"
        raise not_acceptable(offered, f"{shown} allows no media type for a {form or 'query'} answer; offered: {', '.join(offered)}")
    return results, graph


def predicted_media(form: str | None, results: tuple[str, ...], graph: tuple[str, ...]) -> str | None:
    if form in (SELECT, ASK):
        return results[0]
    if form in (CONSTRUCT, DESCRIBE):
        return graph[0]
    return None


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    ctx = context()
    try:
        url_params = url_parameters()
        body = request.get_data(cache=False) if request.method == "POST" else b""
        parsed = parse_request(
            request.method, request.headers.get("Content-Type"), url_params, body, max_query_chars=ctx.settings.max_query_chars
        )
    except ProtocolError as exc:
        raise ApiError(exc.status, exc.message, exc.kind, **exc.details) from None
    if parsed is None:
        return service_description(dict(url_params).get("format"))
    return run_query(parsed)


def run_query(parsed: QueryRequest) -> Response:
    settings = context().settings
    results, graph = negotiated_types(request.headers.get("Accept"), parsed.format, parsed.form)
    job = QueryJob(
        query=parsed.query,
        results_types=results,
        graph_types=graph,
        default_graphs=parsed.default_graphs,
        named_graphs=parsed.named_graphs,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_response_bytes,
        # issue 12 (fairness): ad-hoc queries use only the executors not reserved for pages, and
        # count against their client's concurrent-query limit.
        adhoc=True,
        client=request.remote_addr or "",
    )
    parts = ("sparql", parsed.query, parsed.default_graphs, parsed.named_graphs)
    key = (context().backend.version, parsed.query, parsed.default_graphs, parsed.named_graphs, results, graph)
    return answer_job(
        job,
        predicted_media(parsed.form, results, graph),
        parts,
        run=lambda j: remembered(context().adhoc_answers, key, j, keep=lambda a: cacheable(j.query, a)),
    )


def cacheable(query: str, answer: Answer) -> bool:
    """Whether an answer may be served again: small, from a short query without a volatile function or a blank node."""
    if len(answer.body) > CACHE_MAX_BODY or len(query) > CACHE_MAX_QUERY_CHARS:
        return False
    for token in tokenize(query):
        if token.kind == "bnode" or token.text == "[" or (token.kind == "word" and token.text.upper() in VOLATILE_FUNCTIONS):
            return False
    return True


def _default_graph_triples() -> int | None:
    """Distinct triples of the union default graph (computed once per app, through the backend)."""
    state = context()
    if not state.default_graph_counted:
        # DISTINCT: a triple stated in two files is one triple of the union default graph
        count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        answer = state.backend.run(QueryJob(count, results_types=(nego.CSV,)))
        state.default_graph_triples = int(answer.body.decode().split()[1]) if answer.ok else None
        state.default_graph_counted = True
    return state.default_graph_triples


def service_description(format_param: str | None) -> Response:
    accept = request.headers.get("Accept")
    if not format_param and nego.prefers_html(accept):
        response = Response(render_template("sparql/form.html", endpoint=endpoint_url(), formats=_form_formats()))
        response.headers["Vary"] = "Accept"
        return response
    _, graph_types = negotiated_types(accept, format_param, DESCRIBE)
    media = graph_types[0]
    tag = entity_tag(media, "service-description", endpoint_url())
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    store = context().store
    graphs = [GraphInfo(f.graph, f.triples) for f in store.files] if store is not None else []
    triples = describe(endpoint_url(), _default_graph_triples(), graphs)
    items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] if media in (nego.N_QUADS, nego.TRIG) else triples
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#", **PREFIXES}
    body = ox.serialize(items, format=GRAPH_FORMATS[media], prefixes=prefixes if media in (nego.TURTLE, nego.TRIG) else None)
    assert body is not None  # no output file given: pyoxigraph returns the bytes
    response = rdf_response(body, media)
    response.set_etag(tag)
    response.last_modified = context().backend.modified
    return response


def _form_formats() -> list[tuple[str, str]]:
    return [
        ("", "automatic (JSON for SELECT/ASK, Turtle for CONSTRUCT/DESCRIBE)"),
        ("json", "JSON (SPARQL results / JSON-LD)"),
        ("xml", "XML (SPARQL results / RDF/XML)"),
        ("csv", "CSV"),
        ("tsv", "TSV"),
        ("ttl", "Turtle"),
        ("nt", "N-Triples"),
        ("jsonld", "JSON-LD"),
        ("rdf", "RDF/XML"),
        ("nq", "N-Quads"),
        ("trig", "TriG"),
    ]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
