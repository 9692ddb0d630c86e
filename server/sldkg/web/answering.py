"""HTTP side of query answers, shared by the /sparql and /queries blueprints (not a blueprint itself).

* :func:`answer_job` runs a job through the backend (or a cache) and turns the :class:`Answer`
  into a response: the negotiated Content-Type, an ``ETag`` derived from the data version, the
  media type and the request, ``Last-Modified`` from the data, and 304 on revalidation
  (``If-None-Match`` first, else ``If-Modified-Since``). When the query form is known beforehand,
  revalidation happens before anything is evaluated.
* :func:`finish` (an ``after_request`` hook of both blueprints): CORS for reads
  (``Access-Control-Allow-Origin: *``, never credentials, OPTIONS preflight), ``Vary: Accept,
  Accept-Encoding`` and gzip for bodies over :data:`GZIP_MIN_BYTES` when the client accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

from flask import Response, request

from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.negotiation import with_charset
from sldkg.web import context
from sldkg.web.errors import ApiError

GZIP_MIN_BYTES = 1024
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Accept, Accept-Encoding, Content-Type, If-None-Match, If-Modified-Since"


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def entity_tag(media_type: str, *request_parts: object) -> str:
    """The ETag of one representation: data version + media type + what was asked (+ gzip variant)."""
    digest = hashlib.sha256()
    for part in (context().backend.version, media_type, *request_parts):
        digest.update(repr(part).encode("utf-8") + b"\0")
    return digest.hexdigest()[:24] + ("-gz" if accepts_gzip() else "")


def _not_modified(tag: str) -> Response | None:
    modified = context().backend.modified
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(tag)
    elif request.if_modified_since is not None:
        fresh = modified <= request.if_modified_since
    else:
        return None
    if not fresh:
        return None
    response = Response(status=304)
    response.set_etag(tag)
    response.last_modified = modified
    return response


def answer_job(
    job: QueryJob,
    predicted_media: str | None,
    request_parts: tuple[object, ...],
    run: Callable[[QueryJob], Answer] | None = None,
) -> Response:
    """Evaluate ``job`` (through ``run``, default: the backend) and answer it, honouring revalidation."""
    if predicted_media is not None:
        early = _not_modified(entity_tag(predicted_media, *request_parts))
        if early is not None:
            return early
    answer = (run or context().backend.run)(job)
    if not answer.ok:
        raise ApiError(answer.status, answer.message or "the query failed", answer.error, **answer.details)
    tag = entity_tag(answer.media_type, *request_parts)
    late = _not_modified(tag)
    if late is not None:
        return late
    response = Response(answer.body, 200, content_type=with_charset(answer.media_type))
    response.set_etag(tag)
    response.last_modified = context().backend.modified
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-SPARQL-Rows"] = str(answer.rows)
    return response


def _add_vary(response: Response, *names: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in (p.lower() for p in present):
            present.append(name)
    response.headers["Vary"] = ", ".join(present)


def finish(response: Response) -> Response:
    """CORS, Vary and gzip for every response of the query blueprints."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Content-Encoding, X-SPARQL-Rows"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    _add_vary(response, "Accept", "Accept-Encoding")
    if response.status_code == 200 and not response.direct_passthrough and "Content-Encoding" not in response.headers and accepts_gzip():
        body = response.get_data()
        if len(body) > GZIP_MIN_BYTES:
            response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
            response.headers["Content-Encoding"] = "gzip"
    return response
