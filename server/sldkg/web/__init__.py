"""The web layer: one blueprint per concern, each wiring itself in with ``init_app(app)``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from sldkg.app import Context

#: Blueprint modules in registration order (a module missing here is not served).
BLUEPRINTS = ("i18n", "errors", "health", "sparql", "queries", "resources", "dumps", "pages", "explore", "meta")


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # not built yet
            raise
        module.init_app(app)


def context() -> Context:
    """The loaded state of the current app (settings, backend, embedded store)."""
    return current_app.extensions["sldkg"]


def public_url_base() -> str:
    """Where links of this response point: ``--base-url`` when set, else this request's root (ends with ``/``)."""
    from flask import request

    from sldkg.linked_data.iri_map import public_base

    return public_base(context().settings.base_url, request.url_root)
