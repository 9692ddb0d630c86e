"""Pages for people: the home page, the SPARQL query UI (YASGUI) and the site's static files.

* ``GET /`` – what the dataset is, which release is served (how to cite it), its figures (triples,
  resources per class) and where to go next.
* ``GET /sparql`` without a query, from a browser (HTML preferred over every SPARQL answer type):
  the YASGUI query UI, served from the project's own static files, with the canned queries as
  ready-made tabs. Everything else on ``/sparql`` stays with the endpoint (``sparql.py``); this
  blueprint only answers *before* it for that one case, so the two never import each other.
* ``GET /queries/<slug>`` from a browser (or with ``?format=html``): the canned query's page — its
  parameters as a form, the results as a table and, where the results have the shape for it, a
  server-side SVG chart (:mod:`sldkg.web.site.charts`). Machine formats stay with ``queries.py``; this
  blueprint answers before it only for HTML, the same way as for ``/sparql``.
* ``GET /static/...`` – CSS, the page scripts and the vendored YASGUI build.

Every HTML response gets a Content-Security-Policy without inline scripts.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import format_date, gettext

from sldkg.canned.catalogue import CannedQuery, ParameterError
from sldkg.graph import reads as graph_reads
from sldkg.linked_data.iri_map import local_url
from sldkg.linked_data.release import RELEASE_QUERY, version_iri
from sldkg.linked_data.resource_view import compact
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT, QueryJob
from sldkg.sparql.protocol import ProtocolError
from sldkg.web import context, public_url_base
from sldkg.web.answering import url_parameters
from sldkg.web.errors import ApiError
from sldkg.web.i18n import label_preference
from sldkg.web.site import charts, lander_map, site_data
from sldkg.web.site.charts import Cell

bp = Blueprint("pages", __name__, static_folder="../static", static_url_path="/static")  # web/static/

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


#: Canned queries the home page offers first (slugs; those missing from the catalogue are left out).
#: "10:15 Uhr – " / "10:15 – " at the start of an agenda item's label.
AGENDA_TIME = re.compile(r"^\d{1,2}:\d{2}(?: Uhr)?\s*[–-]\s*")
HOME_QUERIES = ("laender-participation", "initiatives-by-land", "counts-per-land", "agenda", "speakers", "quotes", "topics")


def land_facts(prefer: tuple[str, ...]) -> list[lander_map.LandFacts]:
    index = site_data.label_index()
    base = public_url_base()
    facts = []
    for row in site_data.lander():
        label = index.label(row.iri, prefer)
        facts.append(
            lander_map.LandFacts(
                row.code, row.iri, label.text if label else row.code, local_url(row.iri, base), row.participated, row.initiatives
            )
        )
    return facts


def agenda_timeline(workshop: site_data.Workshop, prefer: tuple[str, ...]) -> charts.Timeline | None:
    if not workshop.agenda:
        return None
    index = site_data.label_index()
    rows = []
    for item, start in workshop.agenda:
        label = index.label(item, prefer)
        text = AGENDA_TIME.sub("", label.text) if label else compact(item)  # the timeline shows the time already
        rows.append({"title": Cell(text, lang=label.lang if label else None), "start": Cell(start)})
    return charts.timeline(rows, "title", "start", gettext("Agenda"))


def workshop_view(workshop: site_data.Workshop, prefer: tuple[str, ...]) -> dict[str, object]:
    index = site_data.label_index()
    label = index.label(workshop.iri, prefer)
    theme_lang = next((lang for lang in prefer if lang in workshop.themes), next(iter(workshop.themes), None))
    start = datetime.fromisoformat(workshop.start) if "T" in workshop.start else None
    day = date.fromisoformat(workshop.start[:10])
    return {
        "iri": workshop.iri,
        "url": local_url(workshop.iri, public_url_base()),
        "name": label.text if label else compact(workshop.iri),
        "name_lang": label.lang if label else None,
        "date": format_date(day, "long"),
        "iso_date": workshop.start[:10],
        "time": (
            start.strftime("%H:%M")
            + ("–" + datetime.fromisoformat(workshop.end).strftime("%H:%M") if workshop.end and "T" in workshop.end else "")
        )
        if start
        else None,
        "theme": workshop.themes.get(theme_lang) if theme_lang is not None else None,
        "theme_lang": theme_lang or None,
        "online": workshop.online,
        "tentative": workshop.tentative,
        "participants": workshop.participants,
        "number": workshop.number,
    }


@bp.get("/")
def home() -> Response:
    prefer = label_preference()
    release = site_data.cached("release", lambda: next((row["release"].value for row in read(RELEASE_QUERY)), None))
    workshops = site_data.workshops()
    held = [w for w in workshops if w.agenda] or workshops
    catalogue = canned_queries()
    html = render_template(
        "home.html",
        workshops=[workshop_view(w, prefer) for w in workshops],
        lander=lander_map.build(land_facts(prefer)),
        not_participating=lander_map.NOT_PARTICIPATING,
        timeline=agenda_timeline(held[-1], prefer) if held else None,
        canned=[catalogue[slug] for slug in HOME_QUERIES if slug in catalogue],
        base=public_url_base(),
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


def label_column(variable: str, variables: list[str], links: list[str], rows: list[dict[str, Cell]]) -> str | None:
    """The text column that names the resources of column ``variable``, if any: ``landName`` for ``land``,
    or a generic ``name``/``label``/``title`` column whose nearest link column to the left is ``variable``."""
    candidates = [variable + suffix for suffix in ("Name", "Label", "Title", "_name", "_label")]
    for generic in ("name", "label", "title"):
        if generic in variables:
            before = [v for v in variables[: variables.index(generic)] if v in links]
            if before and before[-1] == variable:
                candidates.append(generic)
    for name in candidates:
        if name in variables and all(name not in r or r[name].href is None for r in rows):
            return name
    return None


def labelled_links(variables: list[str], rows: list[dict[str, Cell]]) -> tuple[list[str], list[dict[str, Cell]]]:
    """Result columns of IRIs show the resource's label, linked; a column that only held those labels goes.

    The label is the resource's label in the interface language when the data has one, else the sibling
    column's text (``land`` + ``landName``), else any label; IRIs without a label keep their compact form.
    """
    links = [v for v in variables if any(v in r and r[v].href is not None for r in rows)]
    index = site_data.label_index()
    prefer = label_preference()
    dropped: set[str] = set()
    new_rows = [dict(r) for r in rows]
    for v in links:
        name = label_column(v, variables, links, rows)
        if name is not None:
            dropped.add(name)
        for row in new_rows:
            value = row.get(v)
            if value is None or value.href is None:
                continue
            label = index.label(value.text, prefer)
            if name is not None and name in row and not (label and label.lang == prefer[0]):
                row[v] = Cell(row[name].text, href=value.href, lang=row[name].lang)  # the query's own name for it
            else:
                row[v] = Cell(label.text if label else compact(value.text), href=value.href, lang=label.lang if label else None)
    kept = [v for v in variables if v not in dropped]
    return kept, [{k: c for k, c in r.items() if k in kept} for r in new_rows]


def canned_page(slug: str) -> Response:
    q = canned_queries().get(slug)
    if q is None:
        raise ApiError(404, f"no canned query {slug!r}; see /queries for the list", slug=slug)
    given = {name: request.args.getlist(name) for name in request.args if name not in ("format", "lang")}  # lang: interface language
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
                chart = charts.chart_for(variables, rows, q.title)  # from the columns as selected (labels are text there)
                variables, rows = labelled_links(variables, rows)
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
        if request.path != "/sparql" or request.method != "GET":
            return None
        # The endpoint's own decoding of the URL (done once per request, the view reuses it); a URL it
        # refuses (not UTF-8) is looked at as Werkzeug reads it, and the endpoint answers 400 unless a browser gets the form.
        try:
            names = {name for name, _ in url_parameters()}
        except ProtocolError:
            names = set(request.args)
        if not any(p in names for p in QUERY_PARAMS) and wants_html():
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
