"""``/queries`` (the canned queries) and ``/openapi.json``.

``GET /queries`` lists the canned queries (HTML for browsers, JSON otherwise);
``GET /queries/<slug>?param=…`` runs one with the same result formats and negotiation as
``/sparql``. Parameters are bound as typed RDF terms (:mod:`sldkg.canned.catalogue`); answers are cached
per worker in an LRU keyed by data version, slug, bound parameters and media type.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template, request

from sldkg.answer_cache import AnswerCache
from sldkg.canned.catalogue import CannedQuery, ParameterError
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, SELECT, Answer, QueryJob
from sldkg.sparql.protocol import ProtocolError, parse_query_string
from sldkg.web import context, public_url_base
from sldkg.web.answering import answer_job, bad_format, not_acceptable, remembered
from sldkg.web.errors import ApiError
from sldkg.web.openapi import openapi_document

bp = Blueprint("queries", __name__)

#: Answers larger than this are not cached (512 entries of up to 2 MiB bound the cache's memory).
CACHE_MAX_BODY = 2 * 1024 * 1024


def canned_queries() -> dict[str, CannedQuery]:
    """The canned queries, loaded once by ``create_app``."""
    return context().canned


def answer_cache() -> AnswerCache:
    return context().canned_answers


def describe(q: CannedQuery) -> dict[str, object]:
    return {
        "slug": q.slug,
        "url": public_url_base() + "queries/" + q.slug,
        "title": q.title,
        "description": dict(q.description),
        "form": q.form,
        "tags": list(q.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "required": p.required,
                **({"default": p.default} if p.default is not None else {}),
                **({"example": p.example} if p.example is not None else {}),
            }
            for p in q.parameters
        ],
        "query": q.query,
    }


@bp.get("/queries")
def index() -> Response:
    queries = canned_queries()
    if request.args.get("format") in (None, "", "html") and nego.prefers_html(request.headers.get("Accept")):
        response = Response(render_template("sparql/queries.html", queries=queries.values(), base=public_url_base()))
    else:
        response = jsonify({"queries": [describe(q) for q in queries.values()]})
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/queries/<slug>")
def run(slug: str) -> Response:
    q = canned_queries().get(slug)
    if q is None:
        raise ApiError(404, f"no canned query {slug!r}; see /queries for the list", "not-found", slug=slug)
    try:
        pairs = parse_query_string(request.query_string)
    except ProtocolError as exc:
        raise ApiError(exc.status, exc.message, exc.kind, **exc.details) from None
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    try:
        bindings = q.bind(values)
    except ParameterError as exc:
        raise ApiError(400, str(exc), "bad-parameter", parameter=exc.parameter) from None
    format_param = ",".join(v for v in values.get("format", []) if v.strip()) or None
    try:
        results, graph = nego.acceptable_types(request.headers.get("Accept"), format_param)
    except nego.UnknownFormat as exc:
        raise bad_format(exc) from None
    wanted = results if q.form in (SELECT, ASK) else graph
    if not wanted:
        offered = nego.RESULTS_TYPES if q.form in (SELECT, ASK) else nego.GRAPH_TYPES
        raise not_acceptable(offered, f"no acceptable media type for this {q.form} query; offered: {', '.join(offered)}")
    settings = context().settings
    job = QueryJob(
        query=q.query,
        results_types=results,
        graph_types=graph,
        substitutions=bindings,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_response_bytes,
    )
    key = (context().backend.version, q.slug, bindings, wanted[0])
    return answer_job(job, wanted[0], ("queries", q.slug, bindings), run=lambda j: remembered(answer_cache(), key, j, keep=small))


def small(answer: Answer) -> bool:
    """Whether a canned answer is kept: any small one (canned queries name no volatile function, a test checks every ``queries/*.rq``)."""
    return len(answer.body) <= CACHE_MAX_BODY


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(canned_queries().values(), public_url_base()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
