"""Ad-hoc ``/sparql`` answers are cached per worker, keyed by data version, query, dataset and negotiated types (issue 12)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from sldkg.app import create_app
from sldkg.backends.embedded import EmbeddedBackend
from sldkg.graph.store import load
from sldkg.settings import Settings
from sldkg.web import sparql as endpoint

LOOKUP = "SELECT ?label WHERE { <https://w3id.org/sldkg/id/land/DE-BY> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
#: An answer over the size from which it is sent gzipped (when the client accepts that).
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s ?label LIMIT 20"
JSON = {"Accept": "application/sparql-results+json"}


class CountingBackend(EmbeddedBackend):
    """The embedded backend, counting the jobs it evaluates (a test may change its ``version``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobs = 0
        self.loaded_version = self.version

    def run(self, job):
        self.jobs += 1
        return super().run(job)


def counting_app(size: int = 512):
    settings = Settings.from_env({}, executors=1, adhoc_cache_size=size)
    backend = CountingBackend(load(settings.data_paths), settings)
    app = create_app(settings, backend=backend)
    return backend, app


@pytest.fixture()
def counting():
    backend, app = counting_app()
    yield backend, app.test_client()
    backend.close()


def ask(client, query: str = LOOKUP, headers: dict[str, str] | None = None, **params: str):
    return client.get("/sparql?" + urlencode({"query": query, **params}), headers=JSON if headers is None else headers)


def test_a_repeated_query_is_answered_from_the_cache_byte_for_byte(counting):
    backend, client = counting
    first = ask(client, LABELS)
    assert first.status_code == 200 and backend.jobs == 1
    again = ask(client, LABELS)
    assert backend.jobs == 1  # no evaluation
    assert again.data == first.data and list(again.headers) == list(first.headers)
    gzipped = ask(client, LABELS, headers={**JSON, "Accept-Encoding": "gzip"})
    assert backend.jobs == 1 and gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.headers["ETag"] == first.headers["ETag"][:-1] + '-gz"'
    revalidated = ask(client, LABELS, headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"Accept": "text/csv"}, {}),  # another media type
        (JSON, {"format": "xml"}),  # another format parameter
        (JSON, {"default-graph-uri": "https://w3id.org/sldkg/graph/ontology"}),  # another dataset
        (JSON, {"named-graph-uri": "https://w3id.org/sldkg/graph/ontology"}),
    ],
)
def test_another_representation_or_dataset_is_evaluated(counting, headers, params):
    backend, client = counting
    plain = ask(client)
    other = ask(client, headers=headers, **params)
    assert other.status_code == 200 and backend.jobs == 2
    assert other.headers["ETag"] != plain.headers["ETag"]
    assert ask(client, headers=headers, **params).data == other.data and backend.jobs == 2  # that one is cached too


def test_another_query_text_is_evaluated(counting):
    backend, client = counting
    ask(client)
    ask(client, LOOKUP + " LIMIT 1")
    assert backend.jobs == 2


def test_a_cached_answer_is_never_served_for_another_data_version(counting):
    backend, client = counting
    first = ask(client)
    backend.version = "another-version"
    second = ask(client)
    assert backend.jobs == 2 and second.headers["ETag"] != first.headers["ETag"]
    ask(client)
    assert backend.jobs == 2  # cached under the new version
    backend.version = backend.loaded_version
    assert ask(client).headers["ETag"] == first.headers["ETag"] and backend.jobs == 2


def test_an_answer_of_an_older_version_is_not_kept_under_it(counting, monkeypatch):
    backend, client = counting
    real_run = EmbeddedBackend.run

    def run_while_the_data_changes(self, job):
        answer = real_run(self, job)
        self.version = "changed-meanwhile"
        return answer

    monkeypatch.setattr(EmbeddedBackend, "run", run_while_the_data_changes)
    ask(client)
    backend.version = backend.loaded_version
    ask(client)
    assert backend.jobs == 2


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?now) WHERE {}",
        "SELECT (rand() AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "CONSTRUCT { _:b <http://example.org/p> ?o } WHERE { ?s a ?o } LIMIT 1",
        "CONSTRUCT { [] <http://example.org/p> ?o } WHERE { ?s a ?o } LIMIT 1",
    ],
)
def test_volatile_answers_are_evaluated_every_time(counting, query):
    backend, client = counting
    accept = {"Accept": "text/turtle, application/sparql-results+json"}
    assert ask(client, query, headers=accept).status_code == 200
    assert ask(client, query, headers=accept).status_code == 200
    assert backend.jobs == 2


def test_refusals_and_large_answers_are_not_kept(counting):
    backend, client = counting
    assert ask(client, "SELECT ?x WHERE { ?x").status_code == 400
    assert ask(client, "SELECT ?x WHERE { ?x").status_code == 400
    assert backend.jobs == 2
    large = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert len(ask(client, large).data) > endpoint.CACHE_MAX_BODY
    ask(client, large)
    assert backend.jobs == 4


def test_the_cache_is_bounded_and_can_be_turned_off():
    backend, app = counting_app(size=2)
    client = app.test_client()
    try:
        for limit in (1, 2, 3, 1):  # the first was evicted by the third
            ask(client, f"{LOOKUP} LIMIT {limit}")
        assert backend.jobs == 4 and len(app.extensions["sldkg"].adhoc_answers) == 2
    finally:
        backend.close()
    backend, app = counting_app(size=0)
    client = app.test_client()
    try:
        ask(client)
        ask(client)
        assert backend.jobs == 2
    finally:
        backend.close()
