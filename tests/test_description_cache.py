"""Resource descriptions are cached per worker and data version (a benchmark-driven optimisation)."""

from __future__ import annotations

import pytest

from sldkg.app import create_app
from sldkg.backends.embedded import EmbeddedBackend
from sldkg.graph.store import load
from sldkg.settings import Settings
from sldkg.sparql.jobs import Answer


class CountingBackend(EmbeddedBackend):
    """The embedded backend, counting the jobs it evaluates; ``refuse`` makes every job a 503."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobs = 0
        self.refuse = False

    def run(self, job):
        self.jobs += 1
        if self.refuse:
            return Answer(503, error="busy", message="refused for the test")
        return super().run(job)


@pytest.fixture()
def counting():
    settings = Settings.from_env({}, executors=1)
    backend = CountingBackend(load(settings.data_paths), settings)
    app = create_app(settings, backend=backend)
    yield backend, app.test_client()
    backend.close()


def test_a_repeated_description_is_answered_from_the_cache(counting):
    backend, client = counting
    first = client.get("/id/land/DE-BY", headers={"Accept": "application/n-triples"})
    assert first.status_code == 200
    jobs = backend.jobs
    again = client.get("/id/land/DE-BY", headers={"Accept": "text/turtle"})
    assert again.status_code == 200 and backend.jobs == jobs  # no new evaluation, another format
    assert b"Bayern" in again.data
    client.get("/id/land/DE-BE", headers={"Accept": "text/turtle"})
    assert backend.jobs > jobs  # another resource is evaluated


def test_refusals_are_not_cached(counting):
    backend, client = counting
    backend.refuse = True
    assert client.get("/id/land/DE-HH", headers={"Accept": "text/turtle"}).status_code == 503
    backend.refuse = False
    assert client.get("/id/land/DE-HH", headers={"Accept": "text/turtle"}).status_code == 200


def test_a_repeated_resource_page_is_answered_from_the_cache_per_language(counting):
    backend, client = counting
    english = client.get("/id/land/DE-BY?lang=en", headers={"Accept": "text/html"})
    assert english.status_code == 200 and "Bavaria" in english.get_data(as_text=True)
    jobs = backend.jobs
    assert client.get("/id/land/DE-BY?lang=en", headers={"Accept": "text/html"}).get_data() == english.get_data()
    assert backend.jobs == jobs  # no new evaluation
    german = client.get("/id/land/DE-BY?lang=de", headers={"Accept": "text/html"})
    assert german.status_code == 200 and '<html lang="de"' in german.get_data(as_text=True)
    assert backend.jobs > jobs  # the other language is a page of its own


def test_a_missing_resource_page_is_not_cached(counting):
    backend, client = counting
    assert client.get("/id/land/DE-XX", headers={"Accept": "text/html"}).status_code == 404
    jobs = backend.jobs
    assert client.get("/id/land/DE-XX", headers={"Accept": "text/html"}).status_code == 404
    assert backend.jobs > jobs
