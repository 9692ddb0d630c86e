"""Pages for people: the home page, the SPARQL query UI (YASGUI) and the site's static files.

* ``GET /`` – what the dataset is, which release is served (how to cite it), its figures (triples,
  resources per class) and where to go next.
* ``GET /sparql`` without a query, from a browser (HTML preferred over every SPARQL answer type):
  the YASGUI query UI, served from the project's own static files, with the canned queries as
  ready-made tabs. Everything else on ``/sparql`` stays with the endpoint (``sparql.py``); this
  blueprint only answers *before* it for that one case, so the two never import each other.
* ``GET /queries/<slug>`` from a browser (or with ``?format=html``): the canned query's page — its
  parameters as a form, the results as a table and, where the results have the shape for it, a
  server-side SVG chart (:mod:`sldkg.web.charts`). Machine formats stay with ``queries.py``; this
  blueprint answers before it only for HTML, the same way as for ``/sparql``.
* ``GET /static/...`` – CSS, the page scripts and the vendored YASGUI build.

Every HTML response gets a Content-Security-Policy without inline scripts.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, render_template, request

from sldkg.canned.catalogue import CannedQuery, ParameterError
from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data.iri_map import local_url
from sldkg.linked_data.release import RELEASE_QUERY, version_iri
from sldkg.linked_data.resource_view import compact
from sldkg.settings import RESOURCE_BASE
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT, QueryJob
from sldkg.web import charts, context, public_url_base
from sldkg.web.charts import Cell
from sldkg.web.errors import ApiError

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/static")

#: The policy of every HTML page: scripts and styles only from this server, no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: YASGUI (CodeMirror, its result plugins) sets style attributes from script; it needs inline styles.
CSP_QUERY_UI = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

QUERY_PARAMS = ("query", "update")
CANNED_PAGE = re.compile(r"/queries/([a-z0-9]+(?:-[a-z0-9]+)*)")


def wants_html() -> bool:
    """True when ``format=html``, or without ``format`` when the client prefers HTML to every machine format."""
    fmt = request.args.get("format")
    if fmt is not None:
        return nego.representation_format(fmt) == nego.HTML
    return nego.prefers_html(request.headers.get("Accept"))


def read(query: str) -> list[ox.QuerySolution]:
    try:
        return graph_reads.select(context().backend, query)
    except graph_reads.Refused as exc:
        answer = exc.answer
        raise ApiError(answer.status, answer.message or "the store refused the request", answer.error or None) from None


@bp.get("/")
def home() -> Response:
    triples = read(describe.TRIPLES_QUERY)
    resources = read(describe.RESOURCES_QUERY)
    release = next((row["release"].value for row in read(RELEASE_QUERY)), None)
    counts = [
        {
            "iri": row["class"].value,
            "curie": compact(row["class"].value),
            "n": int(row["n"].value),
            "label": row["label"].value if row["label"] is not None else None,
        }
        for row in read(describe.CLASS_COUNTS_QUERY)
    ]
    html = render_template(
        "home.html",
        triples=int(triples[0]["n"].value) if triples else 0,
        resources=int(resources[0]["n"].value) if resources else 0,
        counts=counts,
        base=public_url_base(),
        resource_base=RESOURCE_BASE,
        release=release,
        release_iri=version_iri(release) if release else None,
    )
    return Response(html, mimetype="text/html")


def query_ui() -> Response:
    html = render_template("yasgui.html", endpoint=public_url_base() + "sparql", examples=canned_examples())
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP_QUERY_UI
    response.headers["Vary"] = "Accept"
    return response


def canned_queries() -> dict[str, CannedQuery]:
    """The canned queries, loaded once by ``create_app``."""
    return context().canned


def canned_examples() -> list[dict[str, str]]:
    """The canned queries as YASGUI tabs: title and SPARQL text (the ``#+`` header stays, as comments)."""
    return [{"slug": q.slug, "title": q.title, "query": q.path.read_text(encoding="utf-8")} for q in canned_queries().values()]


#: Machine twins of a canned-query page (``?format=`` values of ``/queries/<slug>``).
TWINS = {
    SELECT: (
        ("application/sparql-results+json", "json"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/sparql-results+xml", "xml"),
    ),
    ASK: (("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml")),
    CONSTRUCT: (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/n-triples", "nt")),
    DESCRIBE: (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/n-triples", "nt")),
}


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, base_url: str) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell(term.value, href=local_url(term.value, base_url))
    if isinstance(term, ox.Literal):
        return Cell(term.value, lang=term.language, datatype=term.datatype.value if term.datatype else None)
    return Cell(str(term))


def canned_page(slug: str) -> Response:
    q = canned_queries().get(slug)
    if q is None:
        raise ApiError(404, f"no canned query {slug!r}; see /queries for the list", slug=slug)
    given = {name: request.args.getlist(name) for name in request.args if name != "format"}
    values = {name: v[0] for name, v in given.items() if v}
    if not given:
        values = q.example_values()  # a first visit shows the example
    status, error = 200, None
    variables: list[str] = []
    rows: list[dict[str, Cell]] = []
    boolean = None
    chart = None
    try:
        bindings = q.bind(values)
    except ParameterError as exc:
        status, error = 400, str(exc)
    else:
        job = QueryJob(
            q.query,
            results_types=(graph_reads.JSON_RESULTS,),
            graph_types=(graph_reads.NTRIPLES,),
            substitutions=bindings,
            max_rows=context().settings.max_result_rows,
        )
        answer = context().backend.run(job)
        if not answer.ok:
            status, error = answer.status, answer.message or answer.error
        elif q.form in (SELECT, ASK):
            results = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
            if isinstance(results, ox.QueryBoolean):
                boolean = bool(results)
            else:
                variables = [v.value for v in results.variables]
                rows = [{v: cell(s[v], public_url_base()) for v in variables if s[v] is not None} for s in results]
                chart = charts.chart_for(variables, rows, q.title)
        else:
            variables = ["subject", "predicate", "object"]
            triples = sorted(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES), key=str)
            rows = [
                {
                    "subject": cell(t.subject, public_url_base()),
                    "predicate": cell(t.predicate, public_url_base()),
                    "object": cell(t.object, public_url_base()),
                }
                for t in triples
            ]

    def query_string(fmt: str) -> str:
        return urlencode([*((k, v) for k, v in values.items()), ("format", fmt)])

    html = render_template(
        "canned_query.html",
        q=q,
        values=values,
        error=error,
        variables=variables,
        rows=rows,
        boolean=boolean,
        chart=chart,
        alternates=TWINS.get(q.form, ()),
        query_string=query_string,
    )
    response = Response(html, status, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def _site_base() -> dict[str, str]:
        """``site``: the public base URL every page links from (``--base-url`` or the request's root)."""
        return {"site": public_url_base()}

    @app.before_request
    def _query_ui_for_browsers() -> Response | None:
        asks_for_a_query = any(p in request.args for p in QUERY_PARAMS)
        if request.path == "/sparql" and request.method == "GET" and not asks_for_a_query and wants_html():
            return query_ui()
        return None

    @app.before_request
    def _canned_query_pages_for_browsers() -> Response | None:
        match = CANNED_PAGE.fullmatch(request.path)
        if match and request.method == "GET" and wants_html():
            return canned_page(match.group(1))
        return None

    @app.after_request
    def _content_security_policy(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
