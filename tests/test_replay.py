"""The HTTP layer replays the app's replayable answers for identical requests (``sldkg.wsgi_over_rsgi.ReplayCache``, issue 12).

Driven through :class:`~sldkg.wsgi_over_rsgi.WsgiOverRsgi` with stand-ins for granian's RSGI scope and
protocol objects, over the real app on the real data.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
from repo_paths import REPO_ROOT
from test_adhoc_cache import LABELS, LOOKUP, counting_app

from sldkg.wsgi_over_rsgi import REPLAY_MAX_BODY, REPLAY_MAX_REQUEST_CHARS, ReplayCache, WsgiOverRsgi


class Headers:
    """granian's request headers: ``items()`` and ``get()``."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def items(self):
        return list(self.pairs)

    def get(self, name, default=None):
        return next((v for k, v in self.pairs if k == name), default)


class Scope:
    proto = "http"
    scheme = "http"
    http_version = "1.1"
    server = "127.0.0.1:8000"
    client = "127.0.0.1:50000"

    def __init__(self, method: str, path: str, query_string: str, headers: list[tuple[str, str]]):
        self.method, self.path, self.query_string, self.headers = method, path, query_string, Headers(headers)


class Protocol:
    """One request's connection: an empty or given body, and what was sent back."""

    def __init__(self, body: bytes = b""):
        self.body = body
        self.sent: list[tuple[int, list[tuple[str, str]], bytes]] = []

    def __aiter__(self):
        return self._chunks()

    async def _chunks(self):
        if self.body:
            yield self.body

    def response_bytes(self, status, headers, body):
        self.sent.append((status, headers, body))


class Replaying:
    """The app behind the bridge with a replay cache, counting the calls that reach the app."""

    def __init__(self, size: int = 8):
        self.backend, self.app = counting_app()
        self.calls = 0
        self.cache = ReplayCache(size, lambda: self.backend.version)

        def app(environ, start_response):
            self.calls += 1
            return self.app(environ, start_response)

        self.bridge = WsgiOverRsgi(app, threads=2, adhoc_threads=2, max_body_bytes=1 << 20, replay=self.cache)

    def send(self, query: str = LABELS, headers=None, method: str = "GET", path: str = "/sparql", body: bytes = b"", **params):
        headers = [("host", "127.0.0.1:8000"), ("accept", "application/sparql-results+json")] if headers is None else headers
        if body:
            headers = [*headers, ("content-length", str(len(body)))]
        proto = Protocol(body)
        query_string = urlencode({"query": query, **params} if query else params)
        asyncio.run(self.bridge(Scope(method, path, query_string, headers), proto))
        (sent,) = proto.sent
        return sent

    def close(self):
        self.bridge.__rsgi_del__()
        self.backend.close()


@pytest.fixture()
def replaying():
    r = Replaying()
    yield r
    r.close()


def test_an_identical_request_gets_the_same_bytes_without_the_app(replaying):
    first = replaying.send()
    assert first[0] == 200 and replaying.calls == 1
    assert replaying.send() == first
    assert replaying.calls == 1 and replaying.cache.hits == 1
    gzip = [("host", "127.0.0.1:8000"), ("accept", "application/sparql-results+json"), ("accept-encoding", "gzip")]
    zipped = replaying.send(headers=gzip)
    assert replaying.calls == 2 and dict(zipped[1])["Content-Encoding"] == "gzip"  # another header: the app answers
    assert replaying.send(headers=gzip) == zipped and replaying.calls == 2


@pytest.mark.parametrize(
    "change",
    [
        {"headers": [("host", "127.0.0.1:8000"), ("accept", "text/csv")]},
        {"headers": [("host", "127.0.0.1:8000"), ("accept", "application/sparql-results+json"), ("if-none-match", '"x"')]},
        {"query": LOOKUP},
        {"format": "xml"},
        {"method": "HEAD"},
    ],
)
def test_anything_else_in_the_request_reaches_the_app(replaying, change):
    replaying.send()
    replaying.send(**change)
    assert replaying.calls == 2


def test_another_data_version_reaches_the_app(replaying):
    first = replaying.send()
    replaying.backend.version = "another-version"
    second = replaying.send()
    assert replaying.calls == 2 and dict(second[1])["ETag"] != dict(first[1])["ETag"]
    replaying.backend.version = replaying.backend.loaded_version
    assert replaying.send() == first and replaying.calls == 2


def test_only_answers_the_app_marks_are_replayed(replaying):
    for query in ("SELECT ?x WHERE { ?x", "SELECT (NOW() AS ?now) WHERE {}"):  # a refusal; a volatile answer
        replaying.send(query)
        replaying.send(query)
    for path in ("/queries", "/healthz", "/id/land/DE-BY"):  # neither the endpoint nor a canned query
        replaying.send(path=path, query="")
        replaying.send(path=path, query="")
    assert replaying.calls == 10 and len(replaying.cache) == 0


def test_canned_query_answers_are_replayed(replaying):
    first = replaying.send(path="/queries/counts-per-land", query="")
    assert first[0] == 200
    assert replaying.send(path="/queries/counts-per-land", query="") == first
    assert replaying.calls == 1
    html = [("host", "127.0.0.1:8000"), ("accept", "text/html")]
    page = replaying.send(path="/queries/counts-per-land", query="", headers=html)
    assert page[0] == 200 and dict(page[1])["Content-Type"].startswith("text/html")
    replaying.send(path="/queries/counts-per-land", query="", headers=html)
    assert replaying.calls == 3  # the page for people is built every time


def test_canned_queries_name_no_volatile_function():
    from sldkg.sparql.lexer import tokenize
    from sldkg.web.sparql import VOLATILE_FUNCTIONS

    for query in (REPO_ROOT / "queries").glob("*.rq"):
        words = {t.text.upper() for t in tokenize(query.read_text(encoding="utf-8")) if t.kind == "word"}
        assert not words & VOLATILE_FUNCTIONS, query.name


def test_large_answers_are_not_kept_for_replay():
    cache = ReplayCache(4, lambda: "v")
    cache.put("small", (200, [], b"x" * REPLAY_MAX_BODY))
    cache.put("large", (200, [], b"x" * (REPLAY_MAX_BODY + 1)))
    assert cache.get("small") is not None and cache.get("large") is None


def test_requests_with_a_body_or_a_long_head_are_not_replayed(replaying):
    form = [("host", "x"), ("accept", "application/sparql-results+json"), ("content-type", "application/x-www-form-urlencoded")]
    body = urlencode({"query": LABELS}).encode()
    assert replaying.send(method="POST", headers=form, body=body, query="")[0] == 200
    replaying.send(method="POST", headers=form, body=body, query="")
    long = [("host", "x"), ("accept", "application/sparql-results+json"), ("x-padding", "p" * REPLAY_MAX_REQUEST_CHARS)]
    replaying.send(headers=long)
    replaying.send(headers=long)
    assert replaying.calls == 4 and len(replaying.cache) == 0


def test_the_replay_cache_is_bounded():
    r = Replaying(size=2)
    try:
        for limit in (1, 2, 3, 1):
            r.send(f"{LABELS} OFFSET {limit}")
        assert len(r.cache) == 2 and r.cache.hits == 0
    finally:
        r.close()
