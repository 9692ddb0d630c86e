"""Fairness (issue 12): heavy ad-hoc SPARQL cannot starve pages, dumps and canned queries, and one
client cannot take every executor.

Twelve concurrent heavy queries used to fill the executor pool, after which ``/id/…`` pages got 503
after 5 s. Now each worker keeps ``reserved_executors`` for everything that is not ad-hoc SPARQL,
and one client address may run at most ``max_queries_per_client`` ad-hoc queries at once (429 with
``Retry-After`` beyond). The heavy queries come from six loopback addresses (127.0.0.2–7, two
each), so that the per-client limit does not refuse them. Bounded: 12 + a few connections, ~20 s.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests
from conftest import LiveServer

#: A cross join that runs until the time limit (4 970³ combinations).
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 6


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(env={"SLDKG_QUERY_TIMEOUT": str(TIMEOUT)})
    yield live
    live.stop()


def from_address(server: LiveServer, source: str, query: str) -> tuple[int, dict[str, str], bytes]:
    """GET /sparql?query=… from the loopback address ``source`` (any 127.x.y.z reaches the server)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT + 20, source_address=(source, 0))
    try:
        conn.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def heavy_load(server: LiveServer, sources: list[str]) -> tuple[list[threading.Thread], list[int]]:
    statuses: list[int] = []

    def one(source: str) -> None:
        statuses.append(from_address(server, source, HEAVY)[0])

    threads = [threading.Thread(target=one, args=(source,), daemon=True) for source in sources]
    for thread in threads:
        thread.start()
    return threads, statuses


def timed_get(url: str, **kwargs: object) -> tuple[int, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=10, **kwargs)  # type: ignore[arg-type]
    return response.status_code, time.monotonic() - started


def test_pages_dumps_and_canned_queries_answer_quickly_while_ad_hoc_sparql_is_saturated(server: LiveServer) -> None:
    canned = server.url + "queries/counts-per-land"
    assert requests.get(canned, timeout=10).status_code == 200  # cached from now on (in the worker that answered)
    dump = requests.get(server.url + "dumps/SHA256SUMS", timeout=30).text.split()[1].lstrip("*")

    sources = [f"127.0.0.{2 + i // 2}" for i in range(12)]
    threads, statuses = heavy_load(server, sources)
    time.sleep(1.5)  # every ad-hoc executor is busy now
    try:
        timings = {
            "page (Turtle)": timed_get(server.url + "id/land/DE-BY", headers={"Accept": "text/turtle"}),
            "page (HTML)": timed_get(server.url + "id/person/blw-2020-11-03/thomas-jarzombek", headers={"Accept": "text/html"}),
            "canned query": timed_get(canned),
            "dump": timed_get(server.url + "dumps/" + dump),
            "home page": timed_get(server.url),
        }
    finally:
        for thread in threads:
            thread.join(timeout=TIMEOUT + 30)
    for what, (status, seconds) in timings.items():
        assert status == 200 and seconds < 2.0, f"{what}: {status} after {seconds:.2f} s"
    # The heavy queries themselves were answered: over the time limit (503) or busy (503), never lost.
    assert len(statuses) == 12 and set(statuses) <= {503}


def test_a_client_over_its_concurrent_query_limit_gets_429_with_retry_after(server: LiveServer) -> None:
    threads, _ = heavy_load(server, ["127.0.0.9", "127.0.0.9"])
    time.sleep(1.0)
    try:
        status, headers, body = from_address(server, "127.0.0.9", "ASK { ?s ?p ?o }")
        other_status, _, _ = from_address(server, "127.0.0.10", "ASK { ?s ?p ?o }")
    finally:
        for thread in threads:
            thread.join(timeout=TIMEOUT + 30)
    assert status == 429
    assert int(headers["retry-after"]) >= 1
    error = json.loads(body)["error"]
    assert error["kind"] == "too-many-queries" and error["limit"] == 2
    assert other_status == 200  # another client is not affected
    # Once its queries are over, the client may query again.
    assert from_address(server, "127.0.0.9", "ASK { ?s ?p ?o }")[0] == 200
