"""``GET /healthz``: liveness and what is loaded (used by tests and deployments to wait for start-up)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from sldkg.web import context

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    ctx = context()
    body: dict[str, str | int] = {"status": "ok", "store": ctx.backend.kind, "version": ctx.backend.version}
    if ctx.store is not None:
        body["triples"] = len(ctx.store)
        body["graphs"] = len(ctx.store.files)
    return jsonify(body)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
