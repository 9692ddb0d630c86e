"""The query check (server/safety.py): what is refused before evaluation, what still runs, and that a
refused query never makes the process connect anywhere (a recording listener on 127.0.0.1)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from recorder import ConnectionRecorder
from repo_paths import REPO_ROOT

from sldkg.backends.embedded import EmbeddedBackend
from sldkg.graph.store import load
from sldkg.settings import GRAPH_BASE, Settings
from sldkg.sparql.jobs import QueryJob
from sldkg.sparql.safety import Deadline, SafetyPolicy, check, inspect, inspect_query, tokenize

GRAPH_A, GRAPH_B = GRAPH_BASE + "a", GRAPH_BASE + "sub/b"
POLICY = SafetyPolicy(frozenset({GRAPH_A, GRAPH_B}), max_query_chars=2000, max_query_nesting=20)
EVIL = "http://127.0.0.1:9/"


@pytest.fixture()
def recorder():
    recorder = ConnectionRecorder()
    yield recorder
    recorder.close()


def refusal_kind(query: str, policy: SafetyPolicy = POLICY) -> str | None:
    refusal = inspect_query(query, policy)
    return None if refusal is None else refusal.kind


# -- what is refused, and the tricks that must not get past the check ------------------------------
REFUSED = {
    "service": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "service-refused"),
    "service lower case": ("select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "service-refused"),
    "service silent": ("SELECT * WHERE { SeRvIcE SILENT <http://x/> { ?s ?p ?o } }", "service-refused"),
    "service on a variable": ("SELECT * WHERE { BIND(<http://x/> AS ?u) SERVICE ?u { ?s ?p ?o } }", "service-refused"),
    "service without spaces": ("SELECT*{SERVICE<http://x/>{?s?p?o}}", "service-refused"),
    "service after a comment": ("SELECT * WHERE { # a comment\nSERVICE <http://x/> {} }", "service-refused"),
    "service after a string with quotes": (
        "SELECT * WHERE { ?s ?p 'it\\'s' . SERVICE <http://x/> {} }",
        "service-refused",
    ),
    "service after a long string": (
        'SELECT * WHERE { ?s ?p """a "quoted" ""word""" . SERVICE <http://x/> {} }',
        "service-refused",
    ),
    "service glued to a declared prefix": (
        "PREFIX s: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEs:x { ?a ?b ?c } }",
        "service-refused",
    ),
    "service glued to the empty prefix": (
        "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:{ ?a ?b ?c } }",
        "service-refused",
    ),
    "service as a unicode escape": ("SELECT * WHERE { \\u0053ERVICE <http://x/> {} }", "service-refused"),
    "service behind an apostrophe that the parser reads as a string": (
        "SELECT * WHERE { ?s ?p ?o FILTER(?o <'> 1) . ') SERVICE <http://x/> { ?a ?b ?c } } #'",
        "service-refused",
    ),
    "service after an escaped hash in a prefixed name": (
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\# ?o . SERVICE <http://x/> {} }",
        "service-refused",
    ),
    "from outside the dataset": ("SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "graph-refused"),
    "from named outside the dataset": ("SELECT * FROM NAMED <http://x/g> WHERE { ?s ?p ?o }", "graph-refused"),
    "from lower case": ("select * from <file:///etc/passwd> where { ?s ?p ?o }", "graph-refused"),
    "from a prefixed name": ("PREFIX x: <http://evil/> SELECT * FROM x:y WHERE { ?s ?p ?o }", "graph-refused"),
    "from a prefixed name with escapes": (
        "PREFIX x: <http://evil/> SELECT * FROM x:a\\/b WHERE { ?s ?p ?o }",
        "graph-refused",
    ),
    "from glued to a prefixed name": ("PREFIX x: <http://evil/> SELECT * FROMx:y WHERE { ?s ?p ?o }", "graph-refused"),
    "from a relative IRI resolved against BASE": (
        "BASE <http://evil/> SELECT * FROM <graph> WHERE { ?s ?p ?o }",
        "graph-refused",
    ),
    "from a relative IRI escaping the graph base": (
        f"BASE <{GRAPH_BASE}> SELECT * FROM <../../evil> WHERE {{ ?s ?p ?o }}",
        "graph-refused",
    ),
    "from a sibling of a dataset graph": (f"SELECT * FROM <{GRAPH_BASE}c> WHERE {{ ?s ?p ?o }}", "graph-refused"),
    "construct with from": (
        "CONSTRUCT { ?s ?p ?o } FROM <http://x/> WHERE { ?s ?p ?o }",
        "graph-refused",
    ),
    "load": ("LOAD <http://127.0.0.1:9/data.ttl>", "update-refused"),
    "load silent into a graph": ("load silent <file:///etc/passwd> into graph <http://g/>", "update-refused"),
    "insert data": ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", "update-refused"),
    "delete where": ("PREFIX ex: <http://e/> DELETE WHERE { ?s ex:p ?o }", "update-refused"),
    "clear all": ("CLEAR ALL", "update-refused"),
    "drop": ("DROP GRAPH <https://w3id.org/sldkg/graph/a>", "update-refused"),
    "with … delete … insert": ("WITH <http://g/> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "update-refused"),
    "update after a query": ("SELECT * {} ; INSERT DATA { <http://a/> <http://b/> 1 }", "update-refused"),
    "vendor pragma": ("DEFINE input:grab-all 'yes' SELECT * WHERE { ?s ?p ?o }", "syntax"),
    "undeclared vendor prefix": ("SELECT (bif:file_to_string('/etc/passwd') AS ?x) {}", "syntax"),
    "deep nesting": ("SELECT * WHERE " + "{" * 30 + "}" * 30, "too-deeply-nested"),
    "deep nesting of expressions": ("SELECT * WHERE { FILTER(" + "(" * 30 + "1" + ")" * 30 + ") }", "too-deeply-nested"),
}

ALLOWED = {
    "plain": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    "keywords in strings": "SELECT * WHERE { ?s ?p 'SERVICE <http://x/> {}' . ?s ?p \"LOAD FROM INSERT\" }",
    "keywords in a long string": 'SELECT * WHERE { ?s ?p """multi\nline " SERVICE <http://x/> {} """ }',
    "keywords in comments": "# SERVICE <http://x/> {}\nSELECT * WHERE { ?s ?p ?o } # FROM <http://x/>",
    "keywords as variables": "SELECT ?service ?from ?load WHERE { ?service ?from ?load }",
    "keywords as local names": "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:service ex:from . ?s ex:load ex:insert }",
    "prefixes that begin with keywords": (
        "PREFIX service: <http://e/s#> PREFIX fromage: <http://e/f#> PREFIX address: <http://e/a#> "
        "SELECT * WHERE { ?s service:x fromage:y ; address:street ?o }"
    ),
    "hash and apostrophe in IRIs": "SELECT * WHERE { ?s <http://e/#it's> <http://e/#frag> }",
    "escaped characters in prefixed names": "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\#b ex:c\\'d }",
    "from a dataset graph": f"SELECT * FROM <{GRAPH_A}> FROM NAMED <{GRAPH_B}> WHERE {{ ?s ?p ?o }}",
    "from a dataset graph by prefix": f"PREFIX g: <{GRAPH_BASE}> SELECT * FROM g:a FROM NAMED g:sub\\/b WHERE {{ ?s ?p ?o }}",
    "from a dataset graph relative to BASE": f"BASE <{GRAPH_BASE}> SELECT * FROM <a> WHERE {{ ?s ?p ?o }}",
    "comparisons without spaces": "SELECT * WHERE { ?s ?p ?o FILTER(?o<3&&?o>=1||?o<=?p) }",
    "escaped quote as a unicode escape": "SELECT * WHERE { ?s ?p ?o FILTER(?o = \"\\u0022\" || ?o = 'caf\\u00e9') }",
    "language tags that look like keywords": "SELECT * WHERE { ?s ?p 'x'@service , 'y'@from-load }",
    "typed literals and numbers": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT * { ?s ?p 1.5e3, -2, .5, '1'^^xsd:int }",
    "blank nodes and collections": "SELECT * WHERE { _:b ?p ( 1 2 [ ?q ?r ] ) }",
    "every aggregate and builtin": (
        "SELECT (COUNT(DISTINCT ?s) AS ?n) (GROUP_CONCAT(STR(?o); SEPARATOR=', ') AS ?all) (SAMPLE(?o) AS ?one) "
        "WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o) && REGEX(STR(?o), '^a', 'i') && NOT EXISTS { ?o ?p ?s }) "
        "BIND(COALESCE(LANG(?o), '') AS ?l) OPTIONAL { ?s ?p ?x } MINUS { ?s a ?t } } GROUP BY ?p HAVING (COUNT(?s) > 1) "
        "ORDER BY DESC(?n) LIMIT 5 OFFSET 1"
    ),
    "describe, ask and values": "DESCRIBE ?s WHERE { VALUES ?s { <http://e/a> UNDEF } } ",
    "nesting at the limit": "SELECT * WHERE " + "{" * 20 + "}" * 20,
}


@pytest.mark.parametrize(("query", "kind"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_queries_name_the_reason(query, kind):
    refusal = inspect(QueryJob(query), POLICY)
    assert refusal is not None, "should have been refused"
    assert (refusal.status, refusal.kind) == (400, kind)
    assert refusal.message


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_ordinary_queries_pass(query):
    assert inspect(QueryJob(query), POLICY) is None


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_every_allowed_example_is_valid_sparql_for_the_store(query):
    """The allowed examples are real queries (so the table does not pass by being nonsense)."""
    ox.Store().query(query)


def test_refusal_says_where():
    refusal = inspect_query("SELECT *\nWHERE {\n  SERVICE <http://x/> {} }", POLICY)
    assert refusal is not None and "line 3, column 3" in refusal.message
    assert dict(refusal.details) == {"position": "line 3, column 3"}


def test_graph_refusal_names_the_graph():
    refusal = inspect_query("SELECT * FROM <http://evil/g> {}", POLICY)
    assert refusal is not None and "<http://evil/g>" in refusal.message and dict(refusal.details)["graph"] == "http://evil/g"


def test_protocol_graph_parameters_must_name_dataset_graphs():
    assert inspect(QueryJob("SELECT * {}", default_graphs=(GRAPH_A,), named_graphs=(GRAPH_B,)), POLICY) is None
    refusal = inspect(QueryJob("SELECT * {}", default_graphs=("http://127.0.0.1:9/x",)), POLICY)
    assert refusal is not None and refusal.kind == "graph-refused" and "default-graph-uri" in refusal.message
    refusal = inspect(QueryJob("SELECT * {}", named_graphs=("file:///etc/passwd",)), POLICY)
    assert refusal is not None and refusal.kind == "graph-refused" and "named-graph-uri" in refusal.message


def test_query_length_limit_is_413():
    refusal = inspect(QueryJob("SELECT * {}" + " " * 2000), POLICY)
    assert refusal is not None and (refusal.status, refusal.kind) == (413, "query-too-long")
    assert dict(refusal.details)["limit"] == 2000
    assert inspect(QueryJob("SELECT * {}".ljust(2000)), POLICY) is None


def test_remote_policy_allows_graphs_under_the_graph_base_only():
    remote = SafetyPolicy(None)
    assert remote.allows_graph(GRAPH_BASE + "anything/below")
    assert not remote.allows_graph("http://evil/" + GRAPH_BASE)
    assert not remote.allows_graph(GRAPH_BASE + "../id/x")


def test_too_many_ambiguous_apostrophes_are_refused_not_explored():
    query = "SELECT * WHERE { " + " ".join(f"?s <http://e/{i}'> ?o ." for i in range(8)) + " }"
    assert refusal_kind(query) == "ambiguous"
    assert refusal_kind(query.replace("'", "%27")) is None


def test_tokenizer_skips_strings_iris_and_comments():
    tokens = [(t.kind, t.text) for t in tokenize("SELECT 'a#b' <x#y> # c\n?v")]
    assert tokens == [("word", "SELECT"), ("string", "'a#b'"), ("iri", "<x#y>"), ("var", "?v")]


# -- refused means never evaluated: nothing connects ---------------------------------------------
@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    (folder / "a.ttl").write_text("<http://e/s> <http://e/p> <http://e/o> .\n", encoding="utf-8")
    backend = EmbeddedBackend(load([folder]), Settings.from_env({}, executors=1, query_timeout=5.0))
    yield backend
    backend.close()


def attacks(url: str) -> dict[str, QueryJob]:
    return {
        "service": QueryJob(f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{url}sparql> {{ ?a ?b ?c }} }}"),
        "service glued": QueryJob(f"PREFIX s: <{url}> SELECT * WHERE {{ ?s ?p ?o SERVICEs:sparql {{ ?a ?b ?c }} }}"),
        "service silent": QueryJob(f"SELECT * WHERE {{ ?s ?p ?o SERVICE SILENT <{url}sparql> {{ ?a ?b ?c }} }}"),
        "from": QueryJob(f"SELECT * FROM <{url}x> WHERE {{ ?s ?p ?o }}"),
        "from named": QueryJob(f"SELECT * FROM NAMED <{url}x> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        "load": QueryJob(f"LOAD <{url}data.ttl>"),
        "default-graph-uri": QueryJob("SELECT * WHERE { ?s ?p ?o }", default_graphs=(url + "x",)),
        "named-graph-uri": QueryJob("SELECT * WHERE { ?s ?p ?o }", named_graphs=(url + "x",)),
    }


def test_the_recorder_sees_what_the_store_would_fetch(recorder, backend):
    """Control: pyoxigraph does connect for SERVICE when the check is bypassed, so the recorder works."""
    job = attacks(recorder.url)["service"]
    with pytest.raises(OSError):
        list(backend.store.query(job.query))
    assert recorder.settle(), "the unguarded store should have connected to the recorder"


@pytest.mark.parametrize("name", list(attacks(EVIL)))
def test_backend_refuses_before_evaluation_and_nothing_connects(recorder, backend, name):
    job = attacks(recorder.url)[name]
    killed = backend.runner.killed
    answer = backend.run(job)
    assert answer.status == 400, answer
    assert answer.error in ("service-refused", "graph-refused", "update-refused")
    assert answer.message
    assert recorder.settle() == []
    assert backend.runner.killed == killed


def test_backend_still_answers_allowed_queries(backend):
    answer = backend.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert answer.status == 200 and b'"1"' in answer.body


@pytest.mark.parametrize("name", list(attacks(EVIL)))
def test_remote_backend_refuses_before_sending_anything_to_the_store(recorder, name):
    """The remote store is the recorder itself: a refused job must not even reach the store."""
    from sldkg.backends.remote import RemoteBackend

    backend = RemoteBackend(recorder.url + "query", Settings.from_env({}, query_timeout=2.0))
    try:
        answer = backend.run(attacks(EVIL)[name])
    finally:
        backend.close()
    assert answer.status == 400 and answer.error in ("service-refused", "graph-refused", "update-refused")
    assert recorder.settle() == []


def test_remote_backend_sends_allowed_queries(recorder):
    """Control for the test above: an allowed job does reach the (recording) store."""
    from sldkg.backends.remote import RemoteBackend

    backend = RemoteBackend(recorder.url + "query", Settings.from_env({}, query_timeout=2.0))
    try:
        answer = backend.run(QueryJob("SELECT * WHERE { ?s ?p ?o }"))
    finally:
        backend.close()
    assert answer.status >= 500
    assert recorder.settle()


# -- no false refusals of the server's own queries -----------------------------------------------
def test_every_canned_query_passes_the_check(app):
    policy = app.extensions["sldkg"].backend.policy
    files = sorted((REPO_ROOT / "queries").glob("*.rq"))
    assert files
    for file in files:
        assert inspect_query(file.read_text(encoding="utf-8"), policy) is None, file.name


def test_the_check_refuses_none_of_the_queries_behind_the_pages(app, monkeypatch):
    """Every page, dump, canned query (with its example parameters) and description runs its
    queries through the backend; the check must let all of them through."""
    import sldkg.backends.embedded

    refused: list[tuple[str, str]] = []
    checked: list[str] = []

    def recording_check(job, policy):
        checked.append(job.query)
        answer = check(job, policy)
        if answer is not None:
            refused.append((answer.error or "", job.query[:200]))
        return answer

    monkeypatch.setattr(sldkg.backends.embedded, "check", recording_check)
    client = app.test_client()
    paths = [
        "/",
        "/sparql",
        "/queries",
        "/openapi.json",
        "/ontology",
        "/.well-known/void",
        "/catalog",
        "/dumps/",
        "/id/event/blw-2020-11-03",
        "/id/report/blw-2020-11-03",
        "/id/land/DE-BY",
        "/id/topic",
    ]
    spec = client.get("/openapi.json").get_json()
    for path, item in spec["paths"].items():
        if path.startswith("/queries/"):
            params = {p["name"]: str(p["example"]) for p in item["get"].get("parameters", []) if "example" in p}
            paths.append(path + "?" + urlencode(params))
    statuses = {}
    for path in paths:
        for accept in ("text/html", "application/json", "text/turtle"):
            statuses[path, accept] = client.get(path, headers={"Accept": accept}).status_code
    assert refused == []
    assert len(set(checked)) > 20, "the pages should have sent their queries through the check"
    assert all(status < 500 for status in statuses.values()), {k: v for k, v in statuses.items() if v >= 500}


# -- the second layer: an executor cannot open anything ------------------------------------------
def test_an_executor_cannot_connect_even_when_the_check_is_bypassed(recorder, backend, monkeypatch):
    import sldkg.backends.embedded

    monkeypatch.setattr(sldkg.backends.embedded, "check", lambda job, policy: None)
    backend.start()
    pids = backend.runner.executor_pids
    answer = backend.run(attacks(recorder.url)["service"])
    assert (answer.status, answer.error) == (400, "access-refused")
    assert recorder.settle() == []
    assert backend.runner.executor_pids == pids  # the executor lives on
    assert backend.run(QueryJob("ASK { ?s ?p ?o }")).status == 200  # and it still answers queries


def test_confine_makes_opening_files_and_sockets_fail(tmp_path):
    """In a forked child (never in the test process itself)."""
    import os
    import socket
    import stat

    from sldkg.backends.sandbox import confine

    listener = socket.create_server(("127.0.0.1", 0))
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only if nothing could be opened
        code = 1
        try:
            confine()
            try:  # the inherited TCP socket must be closed (its number is free or reused by /dev/null)
                still_a_socket = stat.S_ISSOCK(os.fstat(listener.fileno()).st_mode)
            except OSError:
                still_a_socket = False
            if still_a_socket:
                os._exit(2)
            # each attempt must be refused; a file it opens anyway ends with this child process
            for attempt in (lambda: open(tmp_path / "x", "w"), lambda: socket.socket(), lambda: open(os.devnull)):  # noqa: SIM115
                try:
                    attempt()
                    break
                except OSError:
                    continue
            else:
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    listener.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (tmp_path / "x").exists()


# -- the check itself cannot be made slow: linear in the query length ----------------------------
PATHOLOGICAL = {
    "escaped quotes, no closing quote": '"' + '\\"' * 50_000,
    "long-string opener, no closer": '"""' + '\\"' * 50_000,
    "escaped apostrophes": "'" + "\\'" * 50_000,
    "words and dots": "a." * 50_000,
    "IRI openers": "<a" * 50_000,
    "prefixed name with dots": "a:" + "a." * 50_000,
    "ambiguous apostrophe IRIs": "<'>" * 33_000,
    "unicode escapes": "\\u0053" * 16_000,
    "brackets": "{" * 100_000,
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("query", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_the_check_stays_linear_on_pathological_input(query):
    """At the maximum query length; a quadratic scan (as with the first tokenizer) would run for minutes."""
    policy = SafetyPolicy(frozenset(), max_query_chars=100_000)
    started = time.perf_counter()
    inspect_query(query[:100_000], policy, Deadline(60))  # the scan itself, without the budget that would cut it short
    print(f"{len(query[:100_000])} characters in {time.perf_counter() - started:.3f} s")


def test_an_unterminated_string_is_a_syntax_error_or_hides_only_what_the_parser_cannot_read(recorder):
    """The rest of a line after a quote that starts no string is skipped (linear scan). With one
    reading of the query that is certainly a syntax error, refused at once; where `<…'…>` allows
    other readings the parser fails on that line too, so nothing there can run."""
    hidden = f'SELECT * WHERE {{ ?s ?p "no closing quote }} SERVICE <{recorder.url}> {{ ?a ?b ?c }} }}'
    refusal = inspect_query(hidden, POLICY)
    assert refusal is not None and refusal.kind == "syntax" and "not closed" in refusal.message
    ambiguous = hidden.replace("?s ?p", "?s <http://e/it's> ?o . ?s ?p")
    assert inspect_query(ambiguous, POLICY) is None
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    with pytest.raises(SyntaxError):
        store.query(ambiguous)
    assert recorder.settle() == []
    next_line = "SELECT * WHERE { ?s <http://e/it's> ?o \"no closing quote\n SERVICE <http://x/> { ?a ?b ?c } }"
    assert refusal_kind(next_line) == "service-refused"
