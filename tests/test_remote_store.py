"""The remote-store mode against a real Oxigraph server started here (127.0.0.1 only).

The dataset is uploaded with ``sldkg load --into`` (Graph Store Protocol), then every query of the
benchmark's ad-hoc mix, every canned query and resource descriptions are answered by the
embedded and the remote backend and compared; substitutions, graph selection, limits, time-outs
and a store that goes down and comes back are checked on the remote backend itself.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from repo_paths import REPO_ROOT

from benchmarks.canned import canned_queries
from benchmarks.mixes import ADHOC, DEREF_CANDIDATES, describe_query
from benchmarks.systems import OxigraphServer
from sldkg.backends.remote import RemoteBackend, accept_header, bind_substitutions, query_form, values_clause
from sldkg.cli import main
from sldkg.graph.store import load
from sldkg.settings import GRAPH_BASE, Settings
from sldkg.sparql.jobs import QueryJob

ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, runner_module):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db", timeout_s=5)
    result = runner_module.invoke(main, ["load", "--into", server.store_url])
    assert result.exit_code == 0, result.output
    yield server
    server.stop()


@pytest.fixture(scope="module")
def runner_module():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="module")
def remote(oxigraph):
    backend = RemoteBackend(oxigraph.query_url, Settings.from_env({}, query_timeout=5.0))
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def embedded_store():
    return load(Settings.from_env({}).data_paths)


@pytest.fixture()
def embedded(app):
    return app.extensions["sldkg"].backend


def solutions(answer) -> list[str]:
    """SPARQL JSON results as a sorted list of canonical rows (order-free comparison), or the boolean."""
    document = json.loads(answer.body)
    if "boolean" in document:
        return [str(document["boolean"])]
    return sorted(json.dumps(row, sort_keys=True) for row in document["results"]["bindings"])


def graph(answer) -> rdflib.Graph:
    return rdflib.Graph().parse(data=answer.body, format="nt")


# -- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, form",
    [
        ("SELECT * {}", "SELECT"),
        ("  # a comment with SELECT\nPREFIX ex: <http://e/#x>\nBASE <http://b/>\nask {}", "ASK"),
        ("PREFIX : <http://e/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("prefix ex:<http://e/>describe ex:a", "DESCRIBE"),
        ("INSERT DATA {}", None),
        ("", None),
    ],
)
def test_query_form_is_read_after_the_prologue(query, form):
    assert query_form(query) == form


def test_substitutions_become_a_values_block_first_in_the_where_group():
    query = "SELECT ?label WHERE { ?land <http://www.w3.org/2004/02/skos/core#prefLabel> ?label FILTER(?n > 1) } # a comment"
    bound = bind_substitutions(
        query, [("land", "<https://w3id.org/sldkg/id/land/DE-BY>"), ("n", '"4"^^<http://www.w3.org/2001/XMLSchema#integer>')]
    )
    assert bound == query.replace(
        "WHERE { ",
        'WHERE { VALUES (?land ?n) { (<https://w3id.org/sldkg/id/land/DE-BY> "4"^^<http://www.w3.org/2001/XMLSchema#integer>) }  ',
    )
    assert bind_substitutions(query, []) == query


@pytest.mark.parametrize(
    "query, expected",
    [
        # braces in strings, IRIs-like text, comments and EXISTS in the projection are not the WHERE group
        ('SELECT (EXISTS { ?a ?b "{" } AS ?e) # {\nWHERE { ?s ?p ?o }', 'WHERE { VALUES (?x) { ("v") }  ?s ?p ?o }'),
        ('PREFIX where: <http://e/#x> SELECT ?where { ?s where:p "}" }', '{ VALUES (?x) { ("v") }  ?s where:p'),
        ("CONSTRUCT { ?s ?p ?x } WHERE { ?s ?p ?o }", 'WHERE { VALUES (?x) { ("v") }  ?s ?p ?o }'),
        ("ASK {}", 'ASK { VALUES (?x) { ("v") } }'),
        # no WHERE group (or the short CONSTRUCT form that takes triples only): a trailing VALUES clause
        ("DESCRIBE ?x", 'DESCRIBE ?x\nVALUES (?x) { ("v") }\n'),
        ("CONSTRUCT WHERE { ?x ?p ?o }", 'CONSTRUCT WHERE { ?x ?p ?o }\nVALUES (?x) { ("v") }\n'),
    ],
)
def test_the_values_block_goes_where_a_filter_in_the_where_group_sees_it(query, expected):
    bound = bind_substitutions(query, [("x", '"v"')])
    assert expected in bound
    ox.Store().query(bound)  # still valid SPARQL


@pytest.mark.parametrize(
    "name, term",
    [
        ("x", '"a" } ; DROP ALL ; SELECT * { "'),  # not one N-Triples term
        ("x", "_:blank"),  # blank nodes cannot be bound by VALUES
        ("x", "<http://a> <http://b>"),
        ("x } DROP ALL", "<http://a>"),  # not a variable name
        ("x", "?y"),
    ],
)
def test_values_clause_refuses_anything_but_one_iri_or_literal(name, term):
    with pytest.raises(ValueError):
        values_clause([(name, term)])


def test_a_literal_with_quotes_and_braces_is_reserialised_escaped():
    clause = values_clause([("x", '"a \\" } b"@de')])
    assert clause == 'VALUES (?x) { ("a \\" } b"@de) }'


def test_accept_header_keeps_the_negotiated_order():
    assert accept_header(["text/csv", "application/sparql-results+json"]) == "text/csv, application/sparql-results+json;q=0.9"


# -- loading ------------------------------------------------------------------------------------


def test_load_puts_every_file_into_its_named_graph(remote, embedded_store):
    answer = remote.run(QueryJob("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    assert answer.status == 200
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in json.loads(answer.body)["results"]["bindings"]}
    assert counts == {f.graph: f.triples for f in embedded_store.files}


def test_load_of_a_broken_file_names_file_and_line_and_uploads_nothing(tmp_path, oxigraph, runner):
    good = tmp_path / "good.ttl"
    good.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n")
    bad = tmp_path / "zz-bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/p> .\n")
    result = runner.invoke(main, ["load", "--into", oxigraph.store_url, "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "zz-bad.ttl:1" in result.output
    backend = RemoteBackend(oxigraph.query_url, Settings.from_env({}))
    answer = backend.run(QueryJob(f"ASK {{ GRAPH <{GRAPH_BASE}good> {{ ?s ?p ?o }} }}"))
    assert json.loads(answer.body)["boolean"] is False


def test_load_into_an_unreachable_store_exits_2_naming_it(runner):
    from benchmarks.systems import free_port

    url = f"http://127.0.0.1:{free_port()}/store"
    result = runner.invoke(main, ["load", "--into", url])
    assert result.exit_code == 2
    assert url in result.output and "not reachable" in result.output


# -- the same answers as the embedded store -------------------------------------------------------


def _compared_queries() -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(id, query, substitutions): the ad-hoc mix, then every canned query with its example parameters."""
    cases = [(f"adhoc:{name}", text, ()) for name, text in ADHOC.items()]
    for canned in canned_queries(REPO_ROOT / "queries"):
        cases.append((f"canned:{canned.slug}", canned.query, canned.substitutions()))
    return cases


def comparable(answer, query: str) -> list[str] | rdflib.Graph:
    """An answer in an order-free form: sorted rows, with GROUP_CONCAT parts sorted too (stores may
    concatenate in any order); graphs as rdflib graphs (compared by isomorphism)."""
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        return rdflib.Graph().parse(data=answer.body, format=answer.media_type)
    separators = re.findall(r'SEPARATOR\s*=\s*"([^"]+)"', query, re.IGNORECASE)
    document = json.loads(answer.body)
    if "boolean" in document:
        return [str(document["boolean"])]
    rows = []
    for row in document["results"]["bindings"]:
        for term in row.values():
            for separator in separators:
                if separator in term["value"]:
                    term["value"] = separator.join(sorted(term["value"].split(separator)))
        rows.append(json.dumps(row, sort_keys=True))
    return sorted(rows)


@pytest.mark.parametrize("query, substitutions", [c[1:] for c in _compared_queries()], ids=[c[0] for c in _compared_queries()])
def test_remote_and_embedded_give_the_same_answers(query, substitutions, remote, embedded):
    job = QueryJob(query, substitutions=substitutions)
    mine, theirs = embedded.run(job), remote.run(job)
    assert mine.status == 200, mine.message
    assert (theirs.status, theirs.media_type, theirs.form) == (mine.status, mine.media_type, mine.form), theirs.message
    if mine.form in ("CONSTRUCT", "DESCRIBE"):
        assert isomorphic(comparable(theirs, query), comparable(mine, query))
    else:
        assert comparable(theirs, query) == comparable(mine, query)


def test_a_filter_on_a_parameter_sees_its_value_on_the_remote_store(remote):
    """label-search filters on ?text: a trailing VALUES clause would leave it unbound there and answer nothing."""
    query = "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STR(?l) = ?text) }"
    answer = remote.run(QueryJob(query, substitutions=(("text", '"Bayern"'),)))
    assert answer.status == 200
    assert [row["s"]["value"] for row in json.loads(answer.body)["results"]["bindings"]] == ["https://w3id.org/sldkg/id/land/DE-BY"]


def test_remote_and_embedded_describe_every_resource_alike(remote, embedded, embedded_store):
    iris = [row["s"].value for row in embedded_store.query(DEREF_CANDIDATES)][:40]
    assert iris, "the data has resources to describe"
    for iri in iris:
        job = QueryJob(describe_query(iri), graph_types=("application/n-triples",))
        mine, theirs = embedded.run(job), remote.run(job)
        assert theirs.status == mine.status == 200, theirs.message
        assert theirs.media_type == "application/n-triples"
        assert isomorphic(graph(theirs), graph(mine)), iri
        assert theirs.rows == len(graph(theirs))


def test_the_default_graph_is_the_union_and_graphs_can_be_chosen(remote, embedded_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = json.loads(remote.run(QueryJob(count)).body)["results"]["bindings"][0]["n"]["value"]
    assert int(whole) == len(embedded_store)  # the files are disjoint, so the union has every triple
    only = remote.run(QueryJob(count, default_graphs=(ONTOLOGY_GRAPH,)))
    ontology_triples = next(f.triples for f in embedded_store.files if f.graph == ONTOLOGY_GRAPH)
    assert int(json.loads(only.body)["results"]["bindings"][0]["n"]["value"]) == ontology_triples
    named = remote.run(QueryJob("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=(ONTOLOGY_GRAPH,)))
    assert solutions(named) == [json.dumps({"g": {"type": "uri", "value": ONTOLOGY_GRAPH}})]


def test_substitutions_bind_like_the_inlined_term(remote):
    land = "https://w3id.org/sldkg/id/land/DE-BY"
    inlined = remote.run(QueryJob(f"SELECT ?label WHERE {{ <{land}> <{SKOS}prefLabel> ?label }}"))
    bound = remote.run(QueryJob(f"SELECT ?label WHERE {{ ?land <{SKOS}prefLabel> ?label }}", substitutions=(("land", f"<{land}>"),)))
    assert bound.status == 200
    assert solutions(bound) == solutions(inlined) and solutions(bound)


def test_an_injection_attempt_in_a_substitution_is_refused(remote):
    answer = remote.run(QueryJob("SELECT ?x WHERE { ?x ?p ?o }", substitutions=(("x", "<http://a> } SELECT * { ?s ?p ?o"),)))
    assert (answer.status, answer.error) == (400, "bad-parameter")


def test_media_types_follow_the_job_and_graph_answers_are_counted(remote):
    csv = remote.run(QueryJob("SELECT ?s WHERE { ?s a ?t } LIMIT 3", results_types=("text/csv",)))
    assert (csv.status, csv.media_type, csv.rows, csv.form) == (200, "text/csv", 3, "SELECT")
    assert csv.body.splitlines()[0].strip() == b"s"
    turtle = remote.run(QueryJob("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 5", graph_types=("text/turtle",)))
    assert (turtle.status, turtle.media_type, turtle.form, turtle.rows) == (200, "text/turtle", "CONSTRUCT", 5)
    assert len(list(ox.parse(turtle.body, format=ox.RdfFormat.TURTLE))) == 5
    ask = remote.run(QueryJob("ASK { ?s ?p ?o }"))
    assert (ask.form, json.loads(ask.body)["boolean"]) == ("ASK", True)
    refused = remote.run(QueryJob("SELECT * {}", results_types=()))
    assert (refused.status, refused.error) == (406, "not-acceptable")


def test_limits_and_syntax_errors_are_refusals(remote):
    rows = remote.run(QueryJob("SELECT * WHERE { ?s ?p ?o }", max_rows=10))
    assert (rows.status, rows.error, rows.details) == (422, "result-too-large", {"max_rows": 10})
    size = remote.run(QueryJob("SELECT * WHERE { ?s ?p ?o }", max_bytes=1000))
    assert (size.status, size.error) == (422, "result-too-large")
    syntax = remote.run(QueryJob("SELECT ?x WHERE { ?x ?p }"))
    assert (syntax.status, syntax.error) == (400, "syntax")
    assert "1:" in syntax.message  # the store's position of the error is passed on


def test_the_time_limit_is_an_http_timeout(oxigraph):
    backend = RemoteBackend(oxigraph.query_url, Settings.from_env({}, query_timeout=0.5))
    answer = backend.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"))
    assert (answer.status, answer.error, answer.details) == (503, "timeout", {"limit_seconds": 0.5})
    backend.close()


def test_version_is_stable_and_names_the_content(remote, oxigraph):
    assert remote.version == remote.version and len(remote.version) == 16
    other = RemoteBackend(oxigraph.url + "query?x=1", Settings.from_env({}))
    assert other.version != remote.version  # the URL is part of the hash


# -- a store that goes down and comes back ------------------------------------------------------


def test_a_store_that_is_down_answers_503_naming_it_and_recovery_follows(tmp_path, runner):
    location = tmp_path / "db"
    first = OxigraphServer(location)
    try:
        assert runner.invoke(main, ["load", "--into", first.store_url, "--data", str(REPO_ROOT / "ontology")]).exit_code == 0
        backend = RemoteBackend(first.query_url, Settings.from_env({}, query_timeout=5.0))
        job = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        up = backend.run(job)
        assert up.status == 200
        version = backend.version
    finally:
        first.stop()
    down = backend.run(job)
    assert (down.status, down.error) == (503, "store-unavailable")
    assert first.query_url in down.message
    assert backend.version == version  # the last known version while the store is down
    second = OxigraphServer(location, port=first.port)
    try:
        again = backend.run(job)
        assert again.status == 200
        assert solutions(again) == solutions(up)
    finally:
        second.stop()
        backend.close()


def test_store_url_must_be_http():
    with pytest.raises(ValueError, match="--store"):
        RemoteBackend("file:///tmp/x", Settings.from_env({}))


# -- the whole web layer on the remote store ---------------------------------------------------------


@pytest.fixture(scope="module")
def remote_client(oxigraph):
    from sldkg.app import create_app

    app = create_app(Settings.from_env({}, store_url=oxigraph.query_url, query_timeout=5.0))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["sldkg"].backend.close()


def _urls() -> list[tuple[str, str]]:
    """(URL, Accept) served from the store: the endpoint, every canned query, resources, a dump."""
    from urllib.parse import urlencode

    urls = [("/sparql?" + urlencode({"query": ADHOC["types-count"]}), "application/sparql-results+json")]
    for canned in canned_queries(REPO_ROOT / "queries"):
        accept = "text/turtle" if canned.form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        urls.append((f"/queries/{canned.slug}?" + urlencode(canned.example_args), accept))
    urls += [("/id/event/blw-2020-11-03", "text/turtle"), ("/id/land/DE-BY", "application/n-triples"), ("/dumps/sldkg.nq", "*/*")]
    return urls


@pytest.mark.parametrize("url, accept", _urls(), ids=[u for u, _ in _urls()])
def test_every_page_served_from_the_remote_store_matches_the_embedded_one(url, accept, remote_client, client):
    mine = client.get(url, headers={"Accept": accept}, follow_redirects=True)  # /dumps/sldkg.nq: 302 to the release's file
    theirs = remote_client.get(url, headers={"Accept": accept}, follow_redirects=True)
    assert mine.status_code == 200, mine.get_data(as_text=True)[:500]
    assert theirs.status_code == 200, theirs.get_data(as_text=True)[:500]
    assert theirs.mimetype == mine.mimetype
    if mine.mimetype == "application/sparql-results+json":
        query = url  # GROUP_CONCAT separators are read from the query text, which the URL holds encoded
        from urllib.parse import unquote_plus

        from sldkg.sparql.jobs import Answer

        as_answer = lambda r: Answer(200, r.mimetype, r.get_data(), "SELECT")  # noqa: E731
        canned = next((c for c in canned_queries(REPO_ROOT / "queries") if url.startswith(f"/queries/{c.slug}?")), None)
        query = canned.query if canned else unquote_plus(url)
        assert comparable(as_answer(theirs), query) == comparable(as_answer(mine), query)
    else:
        quads = lambda r: {str(q) for q in ox.parse(r.get_data(), format=ox.RdfFormat.from_media_type(r.mimetype))}  # noqa: E731
        if any("_:" in q for q in quads(mine)):
            graph_of = lambda r: rdflib.Graph().parse(data=r.get_data(), format=r.mimetype)  # noqa: E731
            assert isomorphic(graph_of(theirs), graph_of(mine))
        else:
            assert quads(theirs) == quads(mine)


def test_the_html_page_of_a_resource_is_served_from_the_remote_store(remote_client):
    page = remote_client.get("/id/land/DE-BY", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Bayern" in page.get_data(as_text=True)


def test_over_http_a_store_that_is_down_is_a_503_naming_it_and_it_recovers(tmp_path, runner):
    from sldkg.app import create_app

    location = tmp_path / "db"
    first = OxigraphServer(location)
    second = None
    try:
        assert runner.invoke(main, ["load", "--into", first.store_url]).exit_code == 0
        app = create_app(Settings.from_env({}, store_url=first.query_url, query_timeout=5.0))
        client = app.test_client()
        url = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
        assert client.get(url).status_code == 200
        first.stop()
        down = client.get(url, headers={"Accept": "application/json"})
        assert down.status_code == 503
        error = down.get_json()["error"]
        assert first.query_url in error["message"] and error["kind"] == "store-unavailable"
        assert client.get("/id/land/DE-BY", headers={"Accept": "text/turtle"}).status_code == 503
        second = OxigraphServer(location, port=first.port)
        again = client.get(url, headers={"Accept": "application/sparql-results+json"})
        assert again.status_code == 200 and again.get_json()["boolean"] is True
    finally:
        first.stop()
        if second:
            second.stop()


def test_serve_refuses_to_start_on_a_store_that_is_down_or_not_http(runner):
    from benchmarks.systems import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    down = runner.invoke(main, ["serve", "--store", url, "--port", "1"])
    assert down.exit_code == 2
    assert url in down.output and "not reachable" in down.output
    bad = runner.invoke(main, ["serve", "--store", "ftp://example.org/sparql", "--port", "1"])
    assert bad.exit_code == 2 and "--store must be an http(s) URL" in bad.output


def test_sldkg_serve_store_serves_a_real_oxigraph_server(oxigraph):
    from benchmarks.systems import SldkgServer

    server = SldkgServer(args=["--store", oxigraph.query_url])
    try:
        import urllib.request

        with urllib.request.urlopen(server.url + "healthz", timeout=10) as response:
            assert json.loads(response.read())["store"] == "remote"
        request = urllib.request.Request(
            server.url + "sparql?query=SELECT%20%28COUNT%28*%29%20AS%20%3Fn%29%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            count = int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])
        assert count == len(load(Settings.from_env({}).data_paths))
    finally:
        server.stop()
