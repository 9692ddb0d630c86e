"""The served data cannot be changed at run time, and neither loading nor validating it fetches
anything (owl:imports, XML external entities, remote JSON-LD contexts), checked with a listener
on 127.0.0.1 that records every connection."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pyoxigraph as ox
import pytest
import requests
from conftest import LiveServer
from recorder import ConnectionRecorder

from sldkg.backends.evaluation import execute
from sldkg.graph.store import LoadError, discover, load
from sldkg.sparql.jobs import QueryJob

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture()
def recorder():
    recorder = ConnectionRecorder()
    yield recorder
    recorder.close()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- loading and validating fetch nothing ----------------------------------------------------------
def test_owl_imports_are_neither_loaded_nor_followed_by_validation(recorder, tmp_path):
    from sldkg.validation.validator import validate

    data = write(
        tmp_path / "data" / "imports.ttl",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<http://example.org/onto> a owl:Ontology ; owl:imports <{recorder.url}x> , <file:///etc/passwd> .\n",
    )
    shapes = write(
        tmp_path / "shapes" / "label.ttl",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{recorder.url}shapes> owl:imports <{recorder.url}more-shapes> .\n"
        "<http://example.org/LabelShape> a sh:NodeShape ; sh:targetClass owl:Ontology ;\n"
        "  sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .\n",
    )
    store = load([data])
    assert len(store) == 3  # the imported documents were not added
    report = validate(data=[data], ontology=[], shapes=[shapes])
    assert not report.conforms and len(report.violations) == 1  # it did run, on the local triples only
    assert recorder.settle() == []


def test_xml_external_entities_are_an_error_not_a_fetch(recorder, tmp_path):
    rdfxml = write(
        tmp_path / "xxe.rdf",
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE rdf:RDF [\n"
        f' <!ENTITY remote SYSTEM "{recorder.url}entity">\n'
        ' <!ENTITY local SYSTEM "file:///etc/hostname">\n'
        "]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        ' <rdf:Description rdf:about="http://example.org/a"><ex:p>&remote;</ex:p><ex:q>&local;</ex:q></rdf:Description>\n'
        "</rdf:RDF>\n",
    )
    with pytest.raises(LoadError) as info:
        load([rdfxml])
    assert info.value.path == rdfxml and "ENTITY" in info.value.message
    assert recorder.settle() == []


def test_remote_json_ld_contexts_are_never_loaded(recorder, tmp_path):
    document = f'{{"@context": "{recorder.url}context.jsonld", "@id": "http://example.org/a", "name": "x"}}'
    with pytest.raises(SyntaxError, match="remote context"):
        list(ox.parse(document.encode(), format=ox.RdfFormat.JSON_LD))
    with pytest.raises(LoadError, match="not an RDF file"):  # and the loader does not read JSON-LD at all
        discover([write(tmp_path / "a.jsonld", document)])
    assert recorder.settle() == []


# -- the served graph cannot be changed ------------------------------------------------------------
def graph_state(client) -> tuple[str, int, str]:
    health = client.get("/healthz").get_json()
    counted = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    assert counted.status_code == 200
    return health["version"], health["triples"], counted.get_data(as_text=True)


UPDATES = [
    ("POST", {"data": {"update": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}}),
    ("POST", {"data": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}),
    ("POST", {"data": "DROP ALL", "headers": {"Content-Type": "application/sparql-query"}}),
    ("GET", {"query_string": {"query": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}}),
    ("GET", {"query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}}),
    ("GET", {"query_string": {"query": "PREFIX x: <http://e/> SELECT * {} ; DELETE WHERE { ?s ?p ?o }"}}),
    ("POST", {"data": {"query": "WITH <https://w3id.org/sldkg/graph/ontology> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"}}),
]


@pytest.mark.parametrize(("method", "request_args"), UPDATES)
def test_updates_are_refused_and_change_nothing(client, method, request_args):
    before = graph_state(client)
    response = client.open("/sparql", method=method, **request_args)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["message"]
    assert graph_state(client) == before


def test_load_is_refused_without_a_connection(client, recorder):
    before = graph_state(client)
    for query in (f"LOAD <{recorder.url}data.ttl>", f"load silent <{recorder.url}x> into graph <http://e/g>"):
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 400
    assert recorder.settle() == []
    assert graph_state(client) == before


def test_an_executor_cannot_be_made_to_write(app):
    """Even a job that got past every check reaches only the query parser, which knows no updates."""
    store = app.extensions["sldkg"].store
    triples = len(store)
    answer = execute(store, QueryJob("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"))
    assert answer.status == 400 and answer.error == "syntax"
    assert len(store) == triples


# -- no reload while running: SIGHUP keeps serving the loaded graph --------------------------------
def test_sighup_keeps_the_loaded_graph_even_when_the_files_changed(tmp_path):
    data = write(tmp_path / "data" / "g.ttl", "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n")
    server = LiveServer("--data", str(data.parent), "--workers", "1")
    try:
        before = requests.get(server.url + "healthz", timeout=5).json()
        workers = {p.pid for p in psutil.Process(server.process.pid).children() if p.name() != "sldkg-executor"}
        data.write_text("this is no longer Turtle\n", encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 20
        replaced = False
        while time.monotonic() < deadline and not replaced:
            time.sleep(0.2)
            current = {p.pid for p in psutil.Process(server.process.pid).children()}
            replaced = bool(current) and not (workers & current)
        assert replaced, "granian should have replaced its workers after SIGHUP"
        after = requests.get(server.url + "healthz", timeout=5).json()
        assert after["version"] == before["version"] and after["triples"] == before["triples"] == 1
        answer = requests.get(server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        server.stop()
