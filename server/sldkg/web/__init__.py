"""The web layer: one blueprint per concern, each wiring itself in with ``init_app(app)``.

Owns HTTP and nothing else; may import every other subpackage. One blueprint never imports another:
shared HTTP helpers live in :mod:`.answering` (responses, negotiation, CORS and gzip) and
:mod:`.errors` (the one error body).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from flask import Flask, current_app, request

if TYPE_CHECKING:
    from sldkg.app import AppState

#: Modules that wire themselves in, in registration order: the interface language (``i18n``), the error
#: handlers, the app-wide CORS/gzip hook (``answering``), then the blueprints. Every one must exist: a
#: missing module is a broken installation, and serving without it would quietly drop routes, so
#: start-up fails instead.
BLUEPRINTS = ("i18n", "errors", "answering", "health", "sparql", "queries", "resources", "dumps", "site.pages", "site.explore", "meta")


class MissingBlueprint(RuntimeError):
    """A module named in :data:`BLUEPRINTS` cannot be imported or has no ``init_app``."""


def register_blueprints(app: Flask, names: tuple[str, ...] = BLUEPRINTS) -> None:
    """Import each blueprint module of ``names`` and call its ``init_app(app)``; :class:`MissingBlueprint` when one is absent."""
    for name in names:
        module_name = f"{__name__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                raise MissingBlueprint(f"blueprint module {module_name} is missing; the installation is incomplete") from exc
            raise
        init_app = getattr(module, "init_app", None)
        if not callable(init_app):
            raise MissingBlueprint(f"blueprint module {module_name} has no init_app(app)")
        init_app(app)


def context() -> AppState:
    """The state of the current app (settings, backend, store, canned queries, caches)."""
    from sldkg.app import state_of

    return state_of(current_app)


def public_url_base() -> str:
    """Where links of this response point: ``--base-url`` when set, else this request's root (ends with ``/``)."""
    from sldkg.linked_data.iri_map import public_base

    return public_base(context().settings.base_url, request.url_root)
