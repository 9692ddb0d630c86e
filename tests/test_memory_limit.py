"""The memory of the whole server is bounded (issue 12): a query over its share is stopped with 503 `memory-limit`.

Before issue 12 each executor could map 8 GiB, and three string-building queries took a server's
process tree to 9 GiB. Now the tree has a budget (``memory_limit_bytes``, default a fraction of
the machine's memory) and each executor a share of it. The server here gets 512 MiB for one
worker with two executors (a share of about 150 MiB); the query below builds a string of about
a billion characters with nested ``REPLACE``, and is stopped at its share, never near the machine's memory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from conftest import LiveServer

from sldkg.settings import MIN_EXECUTOR_SHARE_BYTES, WORKER_OVERHEAD_BYTES, Settings

LIMIT = 512 * 1024**2


def string_blowup(levels: int) -> str:
    """A query whose one answer is a string of 10 × 30^levels × 4 characters (issue 12's attack)."""
    inner = "STR(?o)"
    for _ in range(levels):
        inner = f'REPLACE({inner}, "x", "{"x" * 30}")'
    return f'SELECT ?n WHERE {{ VALUES ?o {{ "xxxxxxxxxx" }} BIND(STRLEN(REPLACE({inner}, "x", "xxxx")) AS ?n) }}'


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(
        env={"SLDKG_MEMORY_LIMIT_BYTES": str(LIMIT), "SLDKG_WORKERS": "1", "SLDKG_EXECUTORS": "2", "SLDKG_QUERY_TIMEOUT": "20"}
    )
    yield live
    live.stop()


def ask(server: LiveServer, query: str) -> requests.Response:
    return requests.post(server.url + "sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)


def test_a_query_over_its_memory_share_gets_503_memory_limit_and_the_server_goes_on(server: LiveServer) -> None:
    small = ask(server, string_blowup(2))  # 36 000 characters: well within the share
    assert small.status_code == 200, small.text
    assert small.json()["results"]["bindings"][0]["n"]["value"] == str(10 * 30**2 * 4)

    huge = ask(server, string_blowup(5))  # about 1e9 characters: far over the share
    assert huge.status_code == 503, huge.text
    error = huge.json()["error"]
    assert error["kind"] == "memory-limit"
    assert "memory" in error["message"]
    assert MIN_EXECUTOR_SHARE_BYTES <= error["limit_bytes"] < LIMIT

    # Both executors hit their share in turn, and both are replaced: the server keeps answering.
    assert ask(server, string_blowup(5)).json()["error"]["kind"] == "memory-limit"
    again = ask(server, "ASK { ?s ?p ?o }")
    assert again.status_code == 200 and again.json()["boolean"] is True


def test_the_default_budget_is_a_fraction_of_the_machine_and_each_executor_gets_a_share() -> None:
    settings = Settings.from_env({})
    assert 0 < settings.memory_budget_bytes() < 8 * 1024**3 * settings.workers * settings.executors
    loaded = 100 * 1024**2
    share = settings.executor_share_bytes(loaded)
    executors = settings.workers * settings.executors
    assert share * executors + loaded + settings.workers * WORKER_OVERHEAD_BYTES <= settings.memory_budget_bytes()
    explicit = Settings.from_env({"SLDKG_MEMORY_LIMIT_BYTES": str(LIMIT), "SLDKG_WORKERS": "1", "SLDKG_EXECUTORS": "2"})
    assert explicit.executor_share_bytes(loaded) == (LIMIT - loaded - WORKER_OVERHEAD_BYTES) // 2
    assert explicit.executor_share_bytes(LIMIT) == MIN_EXECUTOR_SHARE_BYTES
