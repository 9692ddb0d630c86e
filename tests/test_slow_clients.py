"""Slow clients cannot stop the embedded server (issue 12): half-sent requests and trickled bodies.

Two hundred loopback connections each send part of a request head and then nothing; one more
trickles a POST body a byte at a time. Meanwhile another client must still get ``/healthz`` and an
ASK query answered within a couple of seconds. Under gunicorn gthread (the server before issue 12)
every request thread blocks on a half-read head without a timeout, and the same requests time out.
Bounded: 201 sockets on 127.0.0.1, at most about 15 s.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from conftest import LiveServer

STALLED = 200
PARTIAL_HEADS = (
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",  # stops inside a header
    b"GET /sparql?query=ASK",  # stops inside the request line
    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n",  # before the blank line
    # a complete head, then a body that never comes (more of these than the server has threads)
    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 500\r\n\r\nASK",
)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer()
    yield live
    live.stop()


def _trickle(port: int, stop: threading.Event) -> None:
    """A POST that announces 10 000 bytes and sends one byte every 0.2 s."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 10000\r\n\r\n")
        while not stop.wait(0.2):
            try:
                conn.sendall(b" ")
            except OSError:
                return


def test_stalled_connections_and_a_trickled_body_do_not_stop_other_clients(server: LiveServer) -> None:
    stalled: list[socket.socket] = []
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(server.port, stop), daemon=True)
    try:
        for index in range(STALLED):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            conn.sendall(PARTIAL_HEADS[index % len(PARTIAL_HEADS)])
            stalled.append(conn)
        trickler.start()
        time.sleep(1.0)  # let the server pick them all up (gthread hands each to a thread that then blocks)

        started = time.monotonic()
        health = requests.get(server.url + "healthz", timeout=2.5)
        health_seconds = time.monotonic() - started
        started = time.monotonic()
        ask = requests.get(
            server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}, timeout=2.5
        )
        ask_seconds = time.monotonic() - started
    finally:
        stop.set()
        for conn in stalled:
            conn.close()
        trickler.join(timeout=5)
    assert health.status_code == 200 and health_seconds < 2.0
    assert ask.status_code == 200 and ask.json()["boolean"] is True and ask_seconds < 2.0
    # The stalled connections cost nothing lasting: the server still answers once they are gone.
    assert requests.get(server.url + "healthz", timeout=5).status_code == 200
