"""The limits of the public endpoint: a query over the time limit is stopped (its process is gone
and no CPU is burnt afterwards) while other requests go on; result rows, response size, request size
and query length are limited with a clear error."""

from __future__ import annotations

import threading
import time

import psutil
import pytest
import requests
from conftest import LiveServer

from sldkg.app import create_app
from sldkg.backends.embedded import EmbeddedBackend
from sldkg.graph.store import load
from sldkg.settings import Settings
from sldkg.sparql.jobs import QueryJob

#: A cross join of every triple with every other, three times: hours of work on any of the stores here.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"


def tree_cpu_seconds(process: psutil.Process) -> float:
    """CPU seconds used so far by ``process``'s descendants (executors, workers)."""
    total = 0.0
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def cpu_burnt_during(process: psutil.Process, seconds: float) -> float:
    before = tree_cpu_seconds(process)
    time.sleep(seconds)
    return tree_cpu_seconds(process) - before


@pytest.fixture(scope="module")
def small_backend(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    lines = [f"<http://e/s{i}> <http://e/p{i % 7}> <http://e/o{i % 13}> ." for i in range(300)]
    (folder / "g.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    backend = EmbeddedBackend(load([folder]), Settings.from_env({}, executors=1, query_timeout=1.0, executor_wait=10.0))
    backend.start()
    yield backend
    backend.close()


def test_a_query_over_the_limit_is_killed_not_abandoned(small_backend):
    runner = small_backend.runner
    (executor,) = runner.executor_pids
    started = time.monotonic()
    answer = small_backend.run(QueryJob(CROSS_JOIN))
    elapsed = time.monotonic() - started
    assert (answer.status, answer.error) == (503, "timeout")
    assert "1 s" in (answer.message or "") and answer.details["limit_seconds"] == 1.0
    assert 1.0 <= elapsed < 3.0
    # The process that evaluated it is gone (killed and reaped), not left running in the background ...
    assert not psutil.pid_exists(executor)
    # ... nothing below this process keeps computing ...
    assert cpu_burnt_during(psutil.Process(), 1.0) < 0.2
    # ... and a fresh executor took its place and answers.
    (replacement,) = runner.executor_pids
    assert replacement != executor
    assert small_backend.run(QueryJob(CHEAP)).status == 200


def test_a_refused_query_does_not_cost_an_executor(small_backend):
    pids = small_backend.runner.executor_pids
    answer = small_backend.run(QueryJob("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    assert answer.status == 400
    assert small_backend.runner.executor_pids == pids


# -- at HTTP level, on a real server ---------------------------------------------------------------
@pytest.fixture(scope="module")
def short_limit_server():
    """A server with a 2 s query limit (and otherwise the defaults)."""
    server = LiveServer(env={"SLDKG_QUERY_TIMEOUT": "2"})
    yield server
    server.stop()


def test_cheap_queries_are_answered_while_and_after_an_expensive_one_is_stopped(short_limit_server):
    url = short_limit_server.url + "sparql"
    slow: dict[str, object] = {}

    def expensive() -> None:
        started = time.monotonic()
        response = requests.post(url, data={"query": CROSS_JOIN}, headers={"Accept": "application/json"}, timeout=30)
        slow.update(response=response, seconds=time.monotonic() - started)

    thread = threading.Thread(target=expensive)
    thread.start()
    time.sleep(0.3)  # the expensive query is running now
    during = []
    while thread.is_alive() and len(during) < 200:
        started = time.monotonic()
        response = requests.get(url, params={"query": CHEAP}, timeout=10)
        during.append(time.monotonic() - started)
        assert response.status_code == 200 and response.json()["boolean"] is True
    thread.join(timeout=30)
    assert len(during) >= 5, "the cheap queries should have run while the expensive one did"
    assert max(during) < 1.0, f"cheap queries waited up to {max(during):.2f} s while the expensive one ran"

    response = slow["response"]
    assert isinstance(response, requests.Response)
    assert response.status_code in (503, 504)
    error = response.json()["error"]
    assert error["kind"] == "timeout" and "2 s" in error["message"]
    assert 2.0 <= slow["seconds"] < 6.0  # type: ignore[operator]

    # Afterwards: nothing of the server is still computing it, and it answers as before.
    server = psutil.Process(short_limit_server.process.pid)
    assert cpu_burnt_during(server, 1.0) < 0.3
    for _ in range(5):
        started = time.monotonic()
        assert requests.get(url, params={"query": CHEAP}, timeout=10).status_code == 200
        assert time.monotonic() - started < 1.0


def test_request_body_over_the_limit_is_413(short_limit_server):
    body = "query=" + "SELECT * {}" + " " * (Settings().max_request_bytes + 10)
    response = requests.post(
        short_limit_server.url + "sparql",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["error"]["kind"] == "request-too-large"


def test_overlong_request_line_and_headers_are_refused_and_the_server_lives_on(short_limit_server):
    url = short_limit_server.url + "sparql"
    too_long_line = requests.get(url, params={"query": "SELECT * {}" + " " * 9000}, timeout=10)
    assert too_long_line.status_code == 414
    huge_header = requests.get(url, params={"query": CHEAP}, headers={"X-Big": "x" * 9000}, timeout=10)
    assert huge_header.status_code == 431
    many_headers = requests.get(url, params={"query": CHEAP}, headers={f"X-H{i}": "1" for i in range(120)}, timeout=10)
    assert many_headers.status_code == 431
    assert requests.get(url, params={"query": CHEAP}, timeout=10).status_code == 200


# -- result limits, with small limits on the in-process app ----------------------------------------
@pytest.fixture(scope="module")
def limited_client():
    settings = Settings.from_env({}, executors=1, max_result_rows=10, max_response_bytes=4000, max_query_chars=1000)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["sldkg"].backend.close()


def test_more_rows_than_the_limit_are_refused(limited_client):
    response = limited_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 11"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["kind"] == "result-too-large" and error["limit_rows"] == 10
    fine = limited_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10"})
    assert fine.status_code == 200 and len(fine.get_json()["results"]["bindings"]) == 10


def test_more_triples_than_the_limit_are_refused(limited_client):
    response = limited_client.get(
        "/sparql", query_string={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 11"}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 422 and response.get_json()["error"]["kind"] == "result-too-large"


def test_an_answer_larger_than_the_byte_limit_is_refused(limited_client):
    text = "'" + "x" * 450 + "'"
    one = limited_client.get("/sparql", query_string={"query": f"SELECT ?text WHERE {{ BIND({text} AS ?text) }}"})
    assert one.status_code == 200  # one row of 450 characters fits into 4000 bytes ...
    ten = f"SELECT ?text WHERE {{ VALUES ?n {{ 1 2 3 4 5 6 7 8 9 10 }} BIND(CONCAT(STR(?n), {text}) AS ?text) }}"
    response = limited_client.get("/sparql", query_string={"query": ten})  # ... ten such rows do not
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["kind"] == "result-too-large" and error["limit_bytes"] == 4000


def test_a_query_longer_than_the_limit_is_refused_with_the_limit(limited_client):
    response = limited_client.post("/sparql", data={"query": "SELECT * {}" + " " * 1000})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["kind"] == "query-too-long" and "1000" in error["message"]
