"""The application factory: ``create_app(settings) -> Flask``.

Loads the store once (all or nothing), wraps it in a backend, loads the canned queries once, and
lets every blueprint wire itself in. All application state lives on one :class:`AppState` object at
``app.extensions["sldkg"]``, never in a module variable and never in other ``app.extensions`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, Response

from sldkg.answer_cache import AnswerCache
from sldkg.backends.base import Backend
from sldkg.backends.embedded import EmbeddedBackend
from sldkg.canned.catalogue import CannedQuery, load_queries
from sldkg.graph.store import EmbeddedStore, load
from sldkg.linked_data.dumps import DumpCache
from sldkg.linked_data.statistics import StatisticsCache
from sldkg.settings import Settings

#: The key of :class:`AppState` in ``app.extensions``.
STATE_KEY = "sldkg"


@dataclass
class AppState:
    """Everything a request may read: settings, the backend, the canned queries and the per-worker caches."""

    settings: Settings
    backend: Backend
    #: The embedded store, or ``None`` when serving from a remote store.
    store: EmbeddedStore | None
    #: The canned queries (``queries/*.rq``) by slug, loaded once at start-up.
    canned: dict[str, CannedQuery]
    #: Answers of canned queries, keyed by data version, slug, bindings and media type.
    canned_answers: AnswerCache
    #: Answers of ad-hoc ``/sparql`` queries, keyed by data version, query, dataset and negotiated types.
    adhoc_answers: AnswerCache
    #: Resource descriptions (``/id/…``), keyed by IRI and data version.
    descriptions: AnswerCache
    #: Resource pages (HTML of ``/id/…``), keyed by IRI, data version, language and public base.
    pages: AnswerCache
    #: The dumps of the current data version (``/dumps/``, VoID, DCAT).
    dumps: DumpCache = field(default_factory=DumpCache)
    #: The VoID/DCAT statistics of the current data version.
    statistics: StatisticsCache = field(default_factory=StatisticsCache)
    #: Distinct triples of the union default graph (the service description), counted once.
    default_graph_triples: int | None = None
    default_graph_counted: bool = False
    #: What the pages show of the whole dataset (Länder, workshops, label index), by name and data version.
    site_data: dict[tuple[str, object], object] = field(default_factory=dict)


def create_app(settings: Settings | None = None, *, backend: Backend | None = None) -> Flask:
    settings = settings or Settings.from_env()
    store: EmbeddedStore | None = None
    if backend is None:
        if settings.store_url:
            from sldkg.backends.remote import RemoteBackend

            backend = RemoteBackend(settings.store_url, settings)
        else:
            store = load(settings.data_paths)
            backend = EmbeddedBackend(store, settings)
    app = Flask(__name__, static_folder=None, template_folder="web/templates")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[STATE_KEY] = AppState(
        settings=settings,
        backend=backend,
        store=store,
        canned=load_queries(settings.queries_path),
        canned_answers=AnswerCache(settings.canned_cache_size),
        # the data of a remote store may change without its version showing it: ad-hoc answers are kept only for the embedded store
        adhoc_answers=AnswerCache(settings.adhoc_cache_size if isinstance(backend, EmbeddedBackend) else 0),
        descriptions=AnswerCache(settings.canned_cache_size),
        pages=AnswerCache(settings.canned_cache_size),
    )

    from sldkg.web import register_blueprints

    register_blueprints(app)
    app.after_request(_no_sniffing)
    return app


def state_of(app: Flask) -> AppState:
    """The :class:`AppState` of ``app`` (for the CLI, the server hooks and tests)."""
    state = app.extensions[STATE_KEY]
    assert isinstance(state, AppState)
    return state


def _no_sniffing(response: Response) -> Response:
    """Every answer (JSON and text errors that echo input, 404s, static files): browsers must not
    guess another type than the one sent. (Answers granian gives before the app runs have no headers of ours.)"""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
