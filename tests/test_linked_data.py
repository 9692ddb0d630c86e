"""Dereferenceable IRIs, resource pages, the ontology, canned-query pages and the query UI (HTTP level).

RDF answers are parsed with rdflib, never matched as strings. A second app runs on a *spy*
backend (no embedded store on the app at all) to prove that every page reads only through
``backend.run``.
"""

from __future__ import annotations

import json
import re
import warnings
from html.parser import HTMLParser

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS
from repo_paths import REPO_ROOT

from sldkg.app import create_app
from sldkg.backends.evaluation import execute
from sldkg.graph.store import load
from sldkg.linked_data.release import RELEASE_QUERY
from sldkg.settings import Settings

ID = "https://w3id.org/sldkg/id/"
BY = rdflib.URIRef(ID + "land/DE-BY")
JARZOMBEK = rdflib.URIRef(ID + "person/blw-2020-11-03/thomas-jarzombek")
SLD = rdflib.Namespace("https://w3id.org/sldkg/ontology#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
FORMAT_PARAMS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples", "rdf": "application/rdf+xml"}
SOURCE = (REPO_ROOT / "data/workshops/blw6-2020-11-03/source.txt").read_text(encoding="utf-8")


def parse(response) -> rdflib.Graph:
    media = response.mimetype
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser calls its own deprecated ConjunctiveGraph API internally
        warnings.simplefilter("ignore", DeprecationWarning)
        return rdflib.Graph().parse(data=response.get_data(as_text=True), format=RDF_TYPES[media])


# ---------------------------------------------------------------------------------- RDF answers


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "text/*"])
def test_rdf_clients_get_turtle_by_default(client, accept):
    response = client.get("/id/land/DE-BY", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.headers["Vary"]
    graph = parse(response)
    assert (BY, SKOS.prefLabel, rdflib.Literal("Bayern", lang="de")) in graph


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_every_rdf_format_by_accept_header_describes_the_same_graph(client, media):
    turtle = parse(client.get("/id/land/DE-BY", headers={"Accept": "text/turtle"}))
    response = client.get("/id/land/DE-BY", headers={"Accept": media})
    assert response.status_code == 200 and response.mimetype == media
    assert isomorphic(parse(response), turtle)


@pytest.mark.parametrize("name, media", list(FORMAT_PARAMS.items()))
def test_format_parameter_overrides_the_accept_header(client, name, media):
    response = client.get(f"/id/land/DE-BY?format={name}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == media
    assert (BY, RDF.type, SLD.Land) in parse(response)


def test_description_holds_outgoing_incoming_and_provenance_triples(client):
    graph = parse(client.get("/id/person/blw-2020-11-03/thomas-jarzombek", headers={"Accept": "text/turtle"}))
    # outgoing
    assert (JARZOMBEK, RDF.type, rdflib.URIRef("https://schema.org/Person")) in graph
    # incoming: something in the data points at him (e.g. his agenda item or quote)
    assert any(s != JARZOMBEK for s, p in graph.subject_predicates(JARZOMBEK))
    # provenance: every passage with its selectors and their offsets
    passages = list(graph.objects(JARZOMBEK, PROV.wasDerivedFrom))
    assert passages
    for passage in passages:
        selectors = list(graph.objects(passage, OA.hasSelector))
        assert {graph.value(s, RDF.type) for s in selectors} == {OA.TextQuoteSelector, OA.TextPositionSelector}
        exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None)
        start = next(int(graph.value(s, OA.start)) for s in selectors if graph.value(s, OA.start) is not None)
        end = next(int(graph.value(s, OA.end)) for s in selectors if graph.value(s, OA.end) is not None)
        assert SOURCE[start:end] == str(exact)


def test_jsonld_is_compacted_with_the_local_context(client):
    response = client.get("/id/land/DE-BY", headers={"Accept": "application/ld+json"})
    document = json.loads(response.get_data(as_text=True))
    served_context = json.loads(client.get("/context.jsonld").get_data(as_text=True))
    assert document["@context"] == served_context["@context"]
    keys = json.dumps(document)
    assert '"skos:prefLabel"' in keys and "http://www.w3.org/2004/02/skos/core#prefLabel" not in keys
    # parses without fetching anything: the context is inline
    assert (BY, rdflib.URIRef("https://schema.org/sameAs"), rdflib.URIRef("http://www.wikidata.org/entity/Q980")) in parse(response)


def test_context_document_is_json_ld_with_the_vocabulary_prefixes(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    context = response.get_json()["@context"]
    for prefix in ("schema", "skos", "org", "prov", "oa", "dcterms", "sld"):
        assert context[prefix].startswith("http")


def test_the_stored_text_resolves_to_the_text_the_offsets_count_in(client):
    response = client.get("/id/report/blw-2020-11-03/text", headers={"Accept": "text/plain"})
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == SOURCE
    assert client.get("/id/report/blw-2020-11-03/text?format=txt").get_data(as_text=True) == SOURCE
    # still RDF for RDF clients and for */*
    assert parse(client.get("/id/report/blw-2020-11-03/text", headers={"Accept": "*/*"}))
    # other resources have no plain-text twin
    assert client.get("/id/land/DE-BY", headers={"Accept": "text/plain"}).status_code == 406


def minted_iris(app) -> list[str]:
    store = app.extensions["sldkg"].store
    found = set()
    for quad in store.oxigraph:
        for term in (quad.subject, quad.object):
            if type(term).__name__ == "NamedNode" and term.value.startswith(ID):
                found.add(term.value)
    return sorted(found)


def typed_graph(app) -> rdflib.Graph:
    graph = rdflib.Graph()
    for row in app.extensions["sldkg"].store.query("SELECT DISTINCT ?s ?c WHERE { ?s a ?c }"):
        if type(row["s"]).__name__ == "NamedNode":
            graph.add((rdflib.URIRef(row["s"].value), RDF.type, rdflib.URIRef(row["c"].value)))
    return graph


def test_every_minted_iri_resolves(app, client):
    iris = minted_iris(app)
    assert len(iris) > 300
    failures = [iri for iri in iris if client.get("/id/" + iri[len(ID) :], headers={"Accept": "text/turtle"}).status_code != 200]
    assert failures == []


def test_one_resource_of_every_kind_has_a_page(app, client):
    by_kind = {}
    for iri in minted_iris(app):
        by_kind.setdefault(iri[len(ID) :].split("/")[0], iri)
    assert {"land", "person", "org", "event", "report", "topic"} <= set(by_kind)
    for iri in by_kind.values():
        response = client.get("/id/" + iri[len(ID) :], headers={"Accept": BROWSER})
        assert response.status_code == 200, iri
        assert f"<code>{iri}</code>" in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("path", ["/id/land/DE-XX", "/id/person/nobody-at-all", "/id/land/DE-BY/nothing"])
def test_unknown_iris_are_404(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.get_json()["error"]["kind"] == "not-found"


def test_unknown_iris_are_404_for_browsers_too(client):
    response = client.get("/id/land/DE-XX", headers={"Accept": BROWSER})
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/id/land/DE BY", "/id/land/%3Cscript%3E", "/id/../../etc/passwd", "/id/land/DE-BY%3E%20%3Cx"])
def test_paths_that_cannot_be_our_iris_are_404_without_querying(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_nothing_acceptable_is_406(client):
    response = client.get("/id/land/DE-BY", headers={"Accept": "image/png"})
    assert response.status_code == 406
    body = response.get_json()["error"]
    assert body["kind"] == "not-acceptable" and "text/turtle" in body["offered"]
    assert "Accept" in {v.strip() for v in response.headers["Vary"].split(",")}


def test_unknown_format_parameter_is_400_naming_it(client):
    response = client.get("/id/land/DE-BY?format=yaml")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "format"


def test_etag_revalidation(client):
    first = client.get("/id/land/DE-BY", headers={"Accept": "text/turtle"})
    again = client.get("/id/land/DE-BY", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# ---------------------------------------------------------------------------------- HTML pages


class Page(HTMLParser):
    """Collects what the tests look at: <link rel=alternate>, <a href>, <mark> texts, lang and ids."""

    def __init__(self, html: str):
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.links: list[str] = []
        self.marks: list[str] = []
        self.ids: set[str] = set()
        self.html_lang = None
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a["type"]] = a["href"]
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "mark":
            self._in_mark = True
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1] += data


def test_browsers_get_a_page_with_labels_types_links_and_twins(client):
    response = client.get("/id/land/DE-BY", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    # the page is in the interface language, so it varies by language too
    assert {"Accept", "Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.html_lang == "en"
    assert set(page.alternates) == set(RDF_TYPES)
    assert 'lang="de">Bayern<' in html and 'lang="en">Bavaria<' in html
    assert "http://www.wikidata.org/entity/Q980" in page.links
    assert "https://sws.geonames.org/2951839/" in page.links
    # the ontology class links to the ontology documentation on this server
    assert "http://localhost/ontology#Land" in page.links
    # "referenced by": the workshop lists Bayern among the participating Länder
    assert "http://localhost/id/event/blw-2020-11-03" in page.links
    # every page forbids inline scripts
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_resource_page_marks_the_quoted_span_of_each_source_passage(client):
    turtle = parse(client.get("/id/person/blw-2020-11-03/thomas-jarzombek?format=ttl"))
    exacts = {str(o) for o in turtle.objects(None, OA.exact)}
    html = client.get("/id/person/blw-2020-11-03/thomas-jarzombek", headers={"Accept": BROWSER}).get_data(as_text=True)
    page = Page(html)
    assert set(page.marks) == exacts
    # the mark sits inside its paragraph of the source text
    paragraph = re.search(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", html, re.S).group(1)
    assert "<mark>" in paragraph and len(re.sub(r"</?mark>", "", paragraph)) > len(page.marks[0])


def test_format_html_overrides_an_rdf_accept_header(client):
    response = client.get("/id/land/DE-BY?format=html", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/html"


def test_dataset_page_has_figures_and_links_everywhere(client):
    home = Page(client.get("/", headers={"Accept": BROWSER}).get_data(as_text=True))
    for target in ("sparql", "queries", "dumps/", "ontology", "dataset", "search", "initiatives"):
        assert "http://localhost/" + target in home.links, target
    response = client.get("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)
    for target in ("sparql", "queries", "dumps/", "ontology", ".well-known/void", "catalog", "context.jsonld"):
        assert "http://localhost/" + target in page.links, target
    assert "http://dcat-ap.de/def/licenses/cc-by/4.0" in page.links
    triples = int(re.search(r'class="triples">(\d+)<', html).group(1))
    assert triples == client.get("/healthz").get_json()["triples"]
    assert re.search(r"German federal state \(Land\)</a></td><td><code>sld:Land</code></td><td class=\"n\">16<", html)
    resources = int(re.search(r'class="resources">(\d+)<', html).group(1))
    typed = typed_graph(client.application)
    assert resources == len({iri for iri in minted_iris(client.application) if (rdflib.URIRef(iri), RDF.type, None) in typed})


def test_ontology_iri_gives_documentation_to_browsers_and_rdf_otherwise(client):
    html = client.get("/ontology", headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = Page(html.get_data(as_text=True))
    assert {"Land", "AgendaItem", "Statement", "participatingLand"} <= page.ids
    rdf = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = parse(rdf)
    assert (SLD.Land, RDF.type, OWL.Class) in graph
    assert (rdflib.URIRef("https://w3id.org/sldkg/ontology"), RDF.type, OWL.Ontology) in graph
    # only the ontology graph, not the data
    assert (BY, RDF.type, SLD.Land) not in graph


def test_named_graphs_and_the_ontology_version_dereference(app, client):
    store = app.extensions["sldkg"].store
    for source in store.files:
        path = source.graph[len("https://w3id.org/sldkg/") :]
        response = client.get("/" + path, headers={"Accept": "text/turtle"})
        assert response.status_code == 200, path
        assert len(parse(response)) == source.triples
    assert client.get("/graph/reference/laender", headers={"Accept": BROWSER}).mimetype == "text/html"
    for missing in ("/graph/nope", "/graph/reference", "/graph/..%2Fdata"):
        assert client.get(missing, headers={"Accept": "text/turtle"}).status_code == 404, missing
    release = app.extensions["sldkg"].store.query(RELEASE_QUERY)
    version = parse(client.get(f"/ontology/{next(release)['release'].value}", headers={"Accept": "text/turtle"}))
    assert (SLD.Land, RDF.type, OWL.Class) in version
    assert client.get("/ontology/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404


def test_shapes_namespace_dereferences_to_the_shapes(client):
    graph = parse(client.get("/shapes", headers={"Accept": "text/turtle"}))
    shacl = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shapes = set(graph.subjects(RDF.type, shacl.NodeShape))
    assert rdflib.URIRef("https://w3id.org/sldkg/shapes#DcatDatasetShape") in shapes
    assert len(shapes) > 10


def test_canned_query_page_has_form_table_and_bar_chart(client):
    response = client.get("/queries/counts-per-land", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.count('<rect class="bar"') == 16  # one bar per Land
    assert re.search(r"<caption[^>]*>16 results</caption>", html)
    # its machine twins stay with the endpoint
    assert (
        client.get("/queries/counts-per-land", headers={"Accept": "application/sparql-results+json"}).mimetype
        == "application/sparql-results+json"
    )


def test_agenda_page_has_a_timeline(client):
    html = client.get("/queries/agenda", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'class="chart timeline"' in html
    assert html.count('<g class="event">') == len(re.findall(r"<tbody>.*?</tbody>", html, re.S)[0].split("<tr>")) - 1
    assert ">10:00 " in html


def test_canned_query_page_form_labels_every_parameter_and_reports_bad_values(client):
    response = client.get("/queries/land-report?land=not-an-iri&format=html")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "land" in html
    for name in re.findall(r'<input id="param-([^"]+)"', html):
        assert f'<label for="param-{name}">' in html


def test_query_ui_for_browsers_and_service_description_for_machines(client):
    ui = client.get("/sparql", headers={"Accept": BROWSER})
    assert ui.status_code == 200 and ui.mimetype == "text/html"
    html = ui.get_data(as_text=True)
    assert "/static/yasgui/yasgui.min.js" in html and "<script>" not in html
    examples = json.loads(re.search(r'<script type="application/json" id="canned-queries">(.*?)</script>', html, re.S).group(1))
    assert {e["slug"] for e in examples} >= {"agenda", "counts-per-land"}
    machine = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert machine.mimetype != "text/html"
    asked = client.get("/sparql?query=ASK%20%7B%7D", headers={"Accept": BROWSER})
    assert asked.mimetype != "text/html"


def test_query_ui_decision_on_urls_the_endpoint_refuses(client):
    # Not UTF-8 outside the query parameter: a browser still gets the form (as before the URL was decoded
    # once per request), a machine the endpoint's 400; inside it, both the 400 (a browser as an error page).
    ui = client.get("/sparql?x=%FF", headers={"Accept": BROWSER})
    assert ui.status_code == 200 and ui.mimetype == "text/html"
    assert client.get("/sparql?x=%FF", headers={"Accept": "text/turtle"}).status_code == 400
    for accept in (BROWSER, "application/sparql-results+json"):
        assert client.get("/sparql?query=%FF", headers={"Accept": accept}).status_code == 400


def test_a_query_url_is_decoded_once_per_request(client, monkeypatch):
    from sldkg.web import answering

    calls = []
    real = answering.parse_query_string
    monkeypatch.setattr(answering, "parse_query_string", lambda raw: calls.append(raw) or real(raw))
    response = client.get("/sparql?query=ASK%20%7B%7D", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype != "text/html"
    assert calls == [b"query=ASK%20%7B%7D"]


def test_vendored_yasgui_and_its_licence_are_served_locally(client):
    with client.get("/static/yasgui/yasgui.min.js") as js:
        assert js.status_code == 200 and len(js.data) > 100_000
    with client.get("/static/yasgui/LICENSE") as licence:
        assert "MIT License" in licence.get_data(as_text=True)


# ---------------------------------------------------------------------------------- base URL and backend-only access


class SpyBackend:
    """Evaluates jobs directly on a store (no executors) and records them; the app gets no store."""

    kind = "spy"

    def __init__(self, store):
        self.store = store
        self.version = store.version
        self.modified = store.modified
        self.jobs = []

    def run(self, job):
        self.jobs.append(job)
        return execute(self.store, job)

    def start(self):
        pass

    def close(self):
        pass


@pytest.fixture(scope="module")
def spy_app():
    backend = SpyBackend(load(Settings().data_paths))
    app = create_app(Settings.from_env({}, base_url="https://data.example.org/sldkg/"), backend=backend)
    assert app.extensions["sldkg"].store is None
    return app


@pytest.mark.parametrize("path", ["/", "/id/land/DE-BY", "/id/person/blw-2020-11-03/thomas-jarzombek", "/ontology", "/queries/agenda"])
def test_pages_read_only_through_the_backend(spy_app, path):
    backend = spy_app.extensions["sldkg"].backend
    before = len(backend.jobs)
    response = spy_app.test_client().get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert len(backend.jobs) > before


def test_base_url_moves_every_link_of_a_page(spy_app):
    html = spy_app.test_client().get("/id/land/DE-BY", headers={"Accept": BROWSER}).get_data(as_text=True)
    links = Page(html).links
    assert "https://data.example.org/sldkg/id/event/blw-2020-11-03" in links
    assert "https://data.example.org/sldkg/ontology#Land" in links
    assert "https://data.example.org/sldkg/sparql" in links  # the navigation too
    assert not any(link.startswith("http://localhost") for link in links)
    # the data itself keeps its persistent IRIs
    graph = parse(spy_app.test_client().get("/id/land/DE-BY?format=ttl"))
    assert (BY, RDF.type, SLD.Land) in graph


def test_serve_base_url_option_reaches_the_pages():
    from conftest import LiveServer

    server = LiveServer("--base-url", "https://example.org/sldkg/", env={"SLDKG_EXECUTORS": "1"})
    try:
        import requests

        response = requests.get(server.url + "id/land/DE-BY", headers={"Accept": BROWSER}, timeout=10)
        assert response.status_code == 200
        links = Page(response.text).links
        assert "https://example.org/sldkg/id/event/blw-2020-11-03" in links
        turtle = requests.get(server.url + "id/land/DE-BY", headers={"Accept": "text/turtle"}, timeout=10)
        assert (BY, RDF.type, SLD.Land) in rdflib.Graph().parse(data=turtle.text, format="turtle")
    finally:
        server.stop()


# ---------------------------------------------------------------------------------- pure parts


def test_excerpt_marks_the_span_in_its_paragraph_and_falls_back_to_the_quote():
    from sldkg.graph.passages import excerpt

    text = "First paragraph.\n\nSecond one has the quote in it.\nStill second.\n\nThird."
    start = text.index("the quote")
    good = excerpt(text, start, start + len("the quote"), "the quote")
    assert (good.before, good.marked, good.after) == ("Second one has ", "the quote", " in it.\nStill second.")
    assert good.offsets_agree
    moved = excerpt(text, 0, 9, "the quote")  # stored offsets disagree with oa:exact: located by search
    assert moved.marked == "the quote" and not moved.offsets_agree
    assert excerpt(text, 0, 5, "not in the text") is None
    assert excerpt(text, None, None, None) is None


def test_source_file_is_found_only_inside_the_data_roots(tmp_path):
    from sldkg.graph.passages import source_file

    root = tmp_path / "data"
    (root / "workshops" / "w").mkdir(parents=True)
    text = root / "workshops" / "w" / "source.txt"
    text.write_text("x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    assert source_file(["data/workshops/w/source.txt"], [], [root]) == text.resolve()
    assert source_file([], ["https://w3id.org/sldkg/graph/workshops/w/passages"], [root]) == text.resolve()
    assert source_file(["secret.txt", "data/../secret.txt", str(tmp_path / "secret.txt")], [], [root]) is None
    assert source_file([], ["https://w3id.org/sldkg/graph/../../secret/x"], [root]) is None


def test_charts_follow_the_shape_of_the_results():
    from sldkg.web.site.charts import XSD, Cell, chart_for

    counts = [
        {"name": Cell("Bayern", lang="de"), "n": Cell("3", datatype=XSD + "integer")},
        {"name": Cell("Hessen", lang="de"), "n": Cell("1", datatype=XSD + "integer")},
    ]
    bars = chart_for(["name", "n"], counts, "per Land")
    assert bars.kind == "bar" and [b.label for b in bars.bars] == ["Bayern", "Hessen"]
    assert bars.bars[0].width > bars.bars[1].width * 2.9
    times = [
        {
            "pos": Cell(str(i), datatype=XSD + "integer"),
            "start": Cell(f"2020-11-03T{h}:00:00+01:00", datatype=XSD + "dateTime"),
            "title": Cell(t),
        }
        for i, (h, t) in enumerate([("10", "Begrüßung"), ("11", "Pause"), ("13", "Ende")])
    ]
    line = chart_for(["pos", "start", "title"], times, "agenda")
    assert line.kind == "timeline" and [e.time for e in line.events] == ["10:00", "11:00", "13:00"]
    assert [t.label for t in line.ticks] == ["10:00", "11:00", "12:00", "13:00"]
    assert line.events[0].x < line.events[1].x < line.events[2].x
    links = [{"a": Cell("x", href="http://example.org/x")}, {"a": Cell("y", href="http://example.org/y")}]
    assert chart_for(["a"], links, "links") is None
    assert chart_for(["name", "n"], counts[:1], "one row") is None


# ---------------------------------------------------------------------------------- the same pages from a remote store


@pytest.fixture(scope="module")
def remote_app(tmp_path_factory):
    """The app served from an Oxigraph server (started here on 127.0.0.1, loaded with `sldkg load`)."""
    from click.testing import CliRunner

    from benchmarks.systems import OxigraphServer
    from sldkg.cli import main

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", timeout_s=5)
    try:
        loaded = CliRunner().invoke(main, ["load", "--into", server.store_url])
        assert loaded.exit_code == 0, loaded.output
        app = create_app(Settings.from_env({}, store_url=server.query_url))
        assert app.extensions["sldkg"].store is None
        yield app
        app.extensions["sldkg"].backend.close()
    finally:
        server.stop()


def test_a_remote_store_serves_the_same_descriptions_pages_and_dumps(remote_app, client):
    remote = remote_app.test_client()
    for path in ("/id/land/DE-BY", "/id/person/blw-2020-11-03/thomas-jarzombek", "/ontology"):
        mine = parse(client.get(path, headers={"Accept": "text/turtle"}))
        theirs = parse(remote.get(path, headers={"Accept": "text/turtle"}))
        assert isomorphic(mine, theirs), path
    page = Page(remote.get("/id/person/blw-2020-11-03/thomas-jarzombek", headers={"Accept": BROWSER}).get_data(as_text=True))
    assert page.marks and all(mark in SOURCE for mark in page.marks)
    assert remote.get("/", headers={"Accept": BROWSER}).status_code == 200
    assert remote.get("/queries/counts-per-land", headers={"Accept": BROWSER}).get_data(as_text=True).count('<rect class="bar"') == 16
    local_nq = sorted(client.get("/dumps/sldkg.nq", follow_redirects=True).get_data(as_text=True).splitlines())
    remote_nq = sorted(remote.get("/dumps/sldkg.nq", follow_redirects=True).get_data(as_text=True).splitlines())
    assert local_nq
    assert len(local_nq) == len(remote_nq)
    assert [line for line in local_nq if "_:" not in line] == [line for line in remote_nq if "_:" not in line]
    assert remote.get("/catalog", headers={"Accept": "text/turtle"}).status_code == 200


def test_negotiation_through_the_production_server(live_server):
    import requests

    url = live_server.url + "id/land/DE-BY"
    turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle.headers["Vary"]
    assert (BY, RDF.type, SLD.Land) in rdflib.Graph().parse(data=turtle.text, format="turtle")
    html = requests.get(url, headers={"Accept": BROWSER}, timeout=10)
    assert html.headers["Content-Type"].startswith("text/html") and "Content-Security-Policy" in html.headers
    assert requests.get(url, headers={"Accept": "image/png"}, timeout=10).status_code == 406
    assert requests.get(live_server.url + "id/land/DE-XX", headers={"Accept": "text/turtle"}, timeout=10).status_code == 404
    ntriples = requests.get(url + "?format=nt", headers={"Accept": "text/html"}, timeout=10)
    assert ntriples.headers["Content-Type"].startswith("application/n-triples")
