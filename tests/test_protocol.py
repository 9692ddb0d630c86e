"""/sparql against a real server process (``sldkg serve`` on a free 127.0.0.1 port).

SPARQLWrapper is the client for every format it supports; N-Triples, N-Quads and TriG, and the
protocol's edge cases, go over raw HTTP (requests). Answers are parsed (as results, as RDF), never
matched as strings.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import socket
import subprocess
import sys

import pytest
import rdflib
import requests
from rdflib.namespace import RDF
from repo_paths import REPO_ROOT
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from sldkg.settings import GRAPH_BASE

SLD = "https://w3id.org/sldkg/ontology#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
PARTICIPANTS = (
    "PREFIX sld: <https://w3id.org/sldkg/ontology#> "
    "SELECT ?land WHERE { <https://w3id.org/sldkg/id/event/blw-2020-11-03> sld:participatingLand ?land } ORDER BY ?land"
)
LAENDER_CONSTRUCT = (
    "PREFIX sld: <https://w3id.org/sldkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "CONSTRUCT { ?land skos:prefLabel ?name } WHERE { ?land a sld:Land ; skos:prefLabel ?name }"
)
THIRTEEN = {
    f"https://w3id.org/sldkg/id/land/DE-{code}" for code in ("BW", "BY", "BB", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH")
}
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def free_port() -> int:
    # (not imported from conftest: tests/browser/conftest.py shadows that module name in a full run)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server.url + "sparql"


def wrapper(endpoint: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(POST)
        if method == POSTDIRECTLY:
            client.setRequestMethod(POSTDIRECTLY)
    return client


def total_quads(endpoint: str) -> int:
    response = requests.get(endpoint, params={"query": COUNT_ALL}, headers={"Accept": "application/sparql-results+json"}, timeout=10)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- every result format through SPARQLWrapper ----------------------------------------------------


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY], ids=["GET", "POST-form", "POST-direct"])
def test_select_json_by_every_method(endpoint, method):
    result = wrapper(endpoint, PARTICIPANTS, JSON, method).query().convert()
    assert {b["land"]["value"] for b in result["results"]["bindings"]} == THIRTEEN


def test_select_xml(endpoint):
    document = wrapper(endpoint, PARTICIPANTS, XML).query().convert()
    uris = {node.firstChild.data for node in document.getElementsByTagName("uri")}
    assert uris == THIRTEEN


def test_select_csv(endpoint):
    body = wrapper(endpoint, PARTICIPANTS, CSV).query().convert()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {r["land"] for r in rows} == THIRTEEN


def test_select_tsv(endpoint):
    body = wrapper(endpoint, PARTICIPANTS, TSV).query().convert().decode("utf-8")
    header, *rows = body.strip().split("\n")
    assert header == "?land"
    assert {r.strip("<>") for r in rows} == THIRTEEN


def test_ask_json_and_xml(endpoint):
    query = (
        "ASK { <https://w3id.org/sldkg/id/event/blw-2020-11-03> <https://w3id.org/sldkg/ontology#participatingLand>"
        " <https://w3id.org/sldkg/id/land/DE-HH> }"
    )
    assert wrapper(endpoint, query, JSON).query().convert()["boolean"] is False
    document = wrapper(endpoint, query.replace("DE-HH", "DE-TH"), XML).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3], ids=["turtle", "n3"])
def test_construct_turtle(endpoint, fmt):
    graph = rdflib.Graph().parse(data=wrapper(endpoint, LAENDER_CONSTRUCT, fmt).query().convert(), format="turtle")
    assert len(set(graph.subjects())) == 16
    assert rdflib.Literal("Thüringen", lang="de") in set(graph.objects())


# SPARQLWrapper's convert() builds an rdflib ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [RDFXML, XML, JSONLD], ids=["rdfxml", "xml", "jsonld"])
def test_construct_rdfxml_and_jsonld_parse_as_rdf(endpoint, fmt):
    graph = wrapper(endpoint, LAENDER_CONSTRUCT, fmt).query().convert()
    assert isinstance(graph, rdflib.Graph)
    assert len(set(graph.subjects())) == 16


def test_describe_returns_rdf_never_results(endpoint):
    graph = rdflib.Graph().parse(
        data=wrapper(endpoint, "DESCRIBE <https://w3id.org/sldkg/id/land/DE-BY>", TURTLE).query().convert(), format="turtle"
    )
    assert (rdflib.URIRef("https://w3id.org/sldkg/id/land/DE-BY"), RDF.type, rdflib.URIRef(SLD + "Land")) in graph
    # a results media type is not acceptable for DESCRIBE: 406, and */* gives Turtle
    refused = requests.get(
        endpoint,
        params={"query": "DESCRIBE <https://w3id.org/sldkg/id/land/DE-BY>"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert refused.status_code == 406
    default = requests.get(
        endpoint, params={"query": "DESCRIBE <https://w3id.org/sldkg/id/land/DE-BY>"}, headers={"Accept": "*/*"}, timeout=10
    )
    assert default.headers["Content-Type"].startswith("text/turtle")


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's own TriG/JSON-LD parsers
@pytest.mark.parametrize(
    "accept, fmt, rdflib_format, dataset",
    [
        ("application/n-triples", None, "nt", False),
        (None, "nt", "nt", False),
        ("application/n-quads", None, "nquads", True),
        (None, "trig", "trig", True),
        ("application/ld+json", None, "json-ld", False),
    ],
)
def test_graph_formats_over_raw_http(endpoint, accept, fmt, rdflib_format, dataset):
    params = {"query": LAENDER_CONSTRUCT, **({"format": fmt} if fmt else {})}
    response = requests.get(endpoint, params=params, headers={"Accept": accept} if accept else {}, timeout=10)
    assert response.status_code == 200
    parsed = (rdflib.Dataset() if dataset else rdflib.Graph()).parse(data=response.content, format=rdflib_format)
    triples = list(parsed.quads((None, None, None, None))) if dataset else list(parsed)
    assert len({t[0] for t in triples}) == 16


# -- negotiation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, fmt, expected",
    [
        (None, None, "application/sparql-results+json"),
        ("*/*", None, "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/*", None, "text/csv"),
        ("application/sparql-results+xml", "tsv", "text/tab-separated-values"),
    ],
)
def test_select_negotiation(endpoint, accept, fmt, expected):
    params = {"query": PARTICIPANTS, **({"format": fmt} if fmt else {})}
    response = requests.get(endpoint, params=params, headers={"Accept": accept} if accept else {}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert {v.strip() for v in response.headers["Vary"].split(",")} >= {"Accept", "Accept-Encoding"}


def test_nothing_acceptable_is_406(endpoint):
    response = requests.get(endpoint, params={"query": PARTICIPANTS}, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["error"]["offered"]
    graph_as_csv = requests.get(endpoint, params={"query": LAENDER_CONSTRUCT, "format": "csv"}, timeout=10)
    assert graph_as_csv.status_code == 406


def test_unknown_format_is_400_naming_the_parameter(endpoint):
    response = requests.get(endpoint, params={"query": PARTICIPANTS, "format": "yaml"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "format"


# -- protocol errors ------------------------------------------------------------------------------


def test_syntax_error_is_400_with_position(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * WHERE {\n  ?s ?p \n"}, timeout=10)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["kind"] == "syntax"
    assert (error["line"], error["column"]) == (3, 1)


def test_syntax_error_as_plain_text(endpoint):
    # the form of "SELEC …" is unknown, so text/plain (N-Triples) is acceptable until the parser refuses it
    response = requests.get(endpoint, params={"query": "SELEC * {}"}, headers={"Accept": "text/plain"}, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "line 1" in response.text and "column 1" in response.text


@pytest.mark.parametrize(
    "send, status",
    [
        (lambda url: requests.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=10), 400),
        (lambda url: requests.post(url, data="ASK {}", headers={"Content-Type": "text/plain"}, timeout=10), 415),
        (lambda url: requests.post(url, data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""}, timeout=10), 415),
        (
            lambda url: requests.post(
                url, data="ASK {}".encode("utf-16"), headers={"Content-Type": "application/sparql-query; charset=UTF-16"}, timeout=10
            ),
            415,
        ),
        (
            lambda url: requests.post(
                url, data="ASK {}".encode("utf-16"), headers={"Content-Type": "application/sparql-query"}, timeout=10
            ),
            400,
        ),
        (lambda url: requests.put(url, data="ASK {}", headers={"Content-Type": "application/sparql-query"}, timeout=10), 405),
        (lambda url: requests.delete(url, timeout=10), 405),
        (lambda url: requests.get(url, params={"query": ""}, timeout=10), 400),
    ],
    ids=["multiple-queries", "wrong-media-type", "missing-form-type", "utf16-charset", "non-utf8-body", "put", "delete", "empty-query"],
)
def test_protocol_violations(endpoint, send, status):
    response = send(endpoint)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if status == 405:
        assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "send",
    [
        lambda url: requests.post(
            url, data="INSERT DATA { <http://a> <http://b> <http://c> }", headers={"Content-Type": "application/sparql-query"}, timeout=10
        ),
        lambda url: requests.post(url, data={"update": "CLEAR ALL"}, timeout=10),
        lambda url: requests.post(url, data="DROP ALL", headers={"Content-Type": "application/sparql-update"}, timeout=10),
        lambda url: requests.get(url, params={"query": "LOAD <http://127.0.0.1:1/x.ttl>"}, timeout=10),
        lambda url: requests.get(url, params={"query": "DELETE WHERE { ?s ?p ?o }"}, timeout=10),
    ],
    ids=["insert-direct", "update-form", "sparql-update-type", "load", "delete"],
)
def test_updates_are_refused_and_nothing_changes(endpoint, send):
    before = total_quads(endpoint)
    response = send(endpoint)
    assert response.status_code == 400
    assert response.json()["error"]["kind"] == "update-not-accepted"
    assert "updates are not accepted" in response.json()["error"]["message"]
    assert total_quads(endpoint) == before > 0


def test_dataset_parameters(endpoint):
    is_land = "ASK { ?x a <https://w3id.org/sldkg/ontology#Land> }"
    laender = GRAPH_BASE + "reference/laender"
    inside = requests.get(endpoint, params={"query": is_land, "default-graph-uri": laender}, timeout=10).json()
    outside = requests.get(endpoint, params={"query": is_land, "default-graph-uri": GRAPH_BASE + "reference/topics"}, timeout=10).json()
    assert (inside["boolean"], outside["boolean"]) == (True, False)
    named = requests.post(
        endpoint,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": [laender, GRAPH_BASE + "reference/topics"]},
        timeout=10,
    ).json()
    assert {b["g"]["value"] for b in named["results"]["bindings"]} == {laender, GRAPH_BASE + "reference/topics"}


def test_from_in_the_query_restricts_the_default_graph(endpoint):
    is_land = "ASK FROM <{}> {{ ?x a <https://w3id.org/sldkg/ontology#Land> }}"
    inside = requests.get(endpoint, params={"query": is_land.format(GRAPH_BASE + "reference/laender")}, timeout=10).json()
    outside = requests.get(endpoint, params={"query": is_land.format(GRAPH_BASE + "reference/topics")}, timeout=10).json()
    assert (inside["boolean"], outside["boolean"]) == (True, False)
    overridden = requests.get(
        endpoint,
        params={"query": is_land.format(GRAPH_BASE + "reference/topics"), "default-graph-uri": GRAPH_BASE + "reference/laender"},
        timeout=10,
    ).json()
    assert overridden["boolean"] is True  # the protocol's dataset overrides the query's


def test_default_graph_is_the_union(endpoint):
    query = (
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a <https://w3id.org/sldkg/ontology#Land> ."
        " ?e <https://w3id.org/sldkg/ontology#participatingLand> ?x }"
    )
    answer = requests.get(endpoint, params={"query": query}, timeout=10).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "13"  # Länder graph joined with the event graph


# -- service description and the HTML form -------------------------------------------------------


def test_service_description(endpoint, live_server):
    response = requests.get(endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    service = rdflib.URIRef(endpoint)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) == 10
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    distinct = requests.get(
        endpoint, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"}, timeout=10
    )
    assert int(graph.value(default_graph, VOID.triples)) == int(distinct.json()["results"]["bindings"][0]["n"]["value"]) > 0
    names = {graph.value(ng, SD.name) for ng in graph.objects(dataset, SD.namedGraph)}
    assert len(names) == requests.get(live_server.url + "healthz", timeout=10).json()["graphs"]
    assert rdflib.URIRef(GRAPH_BASE + "reference/laender") in names
    for ng in graph.objects(dataset, SD.namedGraph):  # each file's count is that of its named graph
        name = graph.value(ng, SD.name)
        count = requests.get(endpoint, params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"}, timeout=10)
        assert int(graph.value(graph.value(ng, SD.graph), VOID.triples)) == int(count.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_service_description_in_jsonld_by_format(endpoint):
    response = requests.get(endpoint, params={"format": "jsonld"}, timeout=10)
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    assert (rdflib.URIRef(endpoint), RDF.type, SD.Service) in graph


def test_browsers_get_an_accessible_query_form(endpoint):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(endpoint, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert '<html lang="' in page and '<label for="query">' in page and 'id="query"' in page and 'name="query"' in page


# -- HTTP: CORS, gzip, caching --------------------------------------------------------------------


def test_cors_is_open_for_reads_without_credentials(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}, timeout=10)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(
        endpoint,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_gzip_for_large_bodies_only(endpoint):
    big = requests.get(endpoint, params={"query": LAENDER_CONSTRUCT}, headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
    assert big.headers["Content-Encoding"] == "gzip"
    raw = big.raw.read()
    rdflib.Graph().parse(data=gzip.decompress(raw), format="turtle")  # the body is the compressed Turtle
    small = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert "Content-Encoding" not in small.headers
    plain = requests.get(endpoint, params={"query": LAENDER_CONSTRUCT}, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers
    assert len(rdflib.Graph().parse(data=plain.content, format="turtle")) > 0


def test_etag_and_last_modified_revalidation(endpoint):
    first = requests.get(endpoint, params={"query": PARTICIPANTS}, timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(endpoint, params={"query": PARTICIPANTS}, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    by_date = requests.get(endpoint, params={"query": PARTICIPANTS}, headers={"If-Modified-Since": modified}, timeout=10)
    assert by_date.status_code == 304
    other_format = requests.get(endpoint, params={"query": PARTICIPANTS, "format": "csv"}, headers={"If-None-Match": etag}, timeout=10)
    assert other_format.status_code == 200 and other_format.headers["ETag"] != etag
    other_query = requests.get(endpoint, params={"query": PARTICIPANTS + " LIMIT 1"}, headers={"If-None-Match": etag}, timeout=10)
    assert other_query.status_code == 200 and len(other_query.json()["results"]["bindings"]) == 1
    stale = requests.get(endpoint, params={"query": PARTICIPANTS}, headers={"If-None-Match": '"stale"'}, timeout=10)
    assert stale.status_code == 200 and len(stale.json()["results"]["bindings"]) == 13


# -- start-up -------------------------------------------------------------------------------------


def test_startup_fails_with_exit_2_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n", encoding="utf-8")
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "sldkg.cli", "serve", "--port", str(port), "--data", str(good), "--data", str(bad)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{bad}:4:1:" in result.stderr  # the statement left open on line 3 ends at line 4, column 1
    assert "serving" not in result.stderr
    with pytest.raises(requests.ConnectionError):  # nothing half-loaded is listening
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_json_error_body_shape(endpoint):
    response = requests.post(endpoint, data="ASK {}", headers={"Content-Type": "text/plain"}, timeout=10)
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert {"status", "kind", "message"} <= set(body["error"])
