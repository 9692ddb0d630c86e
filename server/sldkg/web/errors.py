"""One error body shape everywhere.

Every refusal and every failure is answered with::

    {"error": {"status": 400, "kind": "syntax", "message": "what was wrong", ...details}}

as JSON, or the same facts as plain text / a small HTML page when the client prefers those
(chosen by the one Accept parser, :mod:`sldkg.sparql.negotiation`). The kinds are the values of
:data:`KINDS` (the status's default kind) and the specific kinds views name (``syntax``,
``bad-parameter``, ``timeout`` …; the table in ``docs/endpoint.md``). An unknown ``format`` is
``bad-parameter`` and a 406 lists in ``offered`` exactly what the URL can send, on every route.
Server bugs stay 500s (they are never turned into 4xx).
"""

from __future__ import annotations

import html
import logging

from flask import Flask, Response, json, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from sldkg.sparql import negotiation as nego
from sldkg.web.i18n import current_language

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raise anywhere in a view to answer with the error body."""

    def __init__(self, status: int, message: str, kind: str | None = None, **details: object):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind or KINDS.get(status, "error")
        self.details = details


#: The kind of an error that names none of its own, by status.
KINDS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "request-too-large",
    414: "uri-too-long",
    415: "unsupported-media-type",
    429: "too-many-queries",
    431: "headers-too-large",
    500: "internal-error",
    503: "unavailable",
    504: "timeout",
}


def error_page(status: int, message: str, body: dict[str, object]) -> str:
    """The small HTML page of an error: a heading and a link home in the interface language; the
    message and the details stay in English (they are the API's words, the same as in JSON)."""
    language = current_language()
    heading = html.escape(gettext("Error %(status)s", status=status))
    home = html.escape(gettext("Home page"))
    rows = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>" for k, v in body.items())
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{heading}: {html.escape(str(body["kind"]))}'
        f'</title></head><body><main><h1>{heading}</h1><p lang="en">{html.escape(message)}</p><dl lang="en">{rows}</dl>'
        f'<p><a href="{html.escape(request.script_root)}/">{home}</a></p></main></body></html>'
    )


def error_response(status: int, message: str, kind: str | None = None, **details: object) -> Response:
    body: dict[str, object] = {"status": status, "kind": kind or KINDS.get(status, "error"), "message": message, **details}
    # JSON unless the client prefers text or HTML to it (ties and "nothing acceptable" go to JSON).
    best = nego.preferred(request.headers.get("Accept"), (nego.JSON, nego.PLAIN_TEXT, nego.HTML), {nego.XHTML: nego.HTML})
    if best == nego.HTML:
        response = Response(error_page(status, message, body), status, mimetype="text/html")
        response.headers["Content-Language"] = current_language()
    elif best == nego.PLAIN_TEXT:
        extra = "".join(f"\n{k}: {v}" for k, v in details.items())
        response = Response(f"{status} {body['kind']}: {message}{extra}\n", status, mimetype="text/plain")
    else:
        response = Response(json.dumps({"error": body}), status, mimetype="application/json")
    response.headers["Vary"] = "Accept"
    retry_after = details.get("retry_after")
    if isinstance(retry_after, int) and status in (429, 503):  # issue 12: 429 too-many-queries, 503 busy
        response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.message, exc.kind, **exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal server error; the administrators can find the details in the log")
