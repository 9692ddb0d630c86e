"""The application factory: ``create_app(settings) -> Flask``.

Loads the store once (all or nothing), wraps it in a backend, and lets every blueprint wire itself in.
The loaded state lives on the app (``app.extensions["sldkg"]``), never in a module variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response

from sldkg.backends.embedded import Backend, EmbeddedBackend
from sldkg.graph.store import EmbeddedStore, load
from sldkg.settings import Settings


@dataclass
class Context:
    settings: Settings
    backend: Backend
    #: The embedded store, or ``None`` when serving from a remote store.
    store: EmbeddedStore | None


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
    app.extensions["sldkg"] = Context(settings, backend, store)

    from sldkg.web import register_blueprints

    register_blueprints(app)
    app.after_request(_no_sniffing)
    return app


def _no_sniffing(response: Response) -> Response:
    """Every answer (JSON and text errors that echo input, 404s, static files): browsers must not
    guess another type than the one sent. (Answers gunicorn gives before the app runs have no headers of ours.)"""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
