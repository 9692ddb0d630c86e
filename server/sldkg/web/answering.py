"""HTTP side of answers, shared by the blueprints (not a blueprint itself).

* :func:`answer_job` runs a job through the backend (or a cache) and turns the :class:`Answer`
  into a response: the negotiated Content-Type, an ``ETag`` derived from the data version, the
  media type and the request, ``Last-Modified`` from the data, and 304 on revalidation
  (``If-None-Match`` first, else ``If-Modified-Since``). When the query form is known beforehand,
  revalidation happens before anything is evaluated.
* :func:`choose_format` picks the representation of a resource (``format=`` then Accept; 400/406
  otherwise) with the one Accept parser of :mod:`sldkg.sparql.negotiation`.
* :func:`rdf_response` is the one place that builds a response with an RDF (or results) media type
  and its charset; :func:`conditional` answers revalidation for every cacheable read.
* :func:`finish` (an app-wide ``after_request`` hook, :func:`init_app`): CORS for reads
  (``Access-Control-Allow-Origin: *``, never credentials, OPTIONS preflight), ``Vary: Accept,
  Accept-Encoding`` and gzip for bodies over :data:`GZIP_MIN_BYTES` when the client accepts it,
  on every answer of the server (endpoint, canned queries, ``/id/…``, dumps, VoID, DCAT, pages).
  A gzipped answer's strong ``ETag`` gets a ``-gz`` suffix (it is another representation), and
  digest headers are recomputed over the bytes sent.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime

from flask import Flask, Response, g, request

from sldkg.answer_cache import AnswerCache
from sldkg.graph import reads as graph_reads
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.protocol import parse_query_string
from sldkg.web import context
from sldkg.web.errors import ApiError
from sldkg.wsgi_over_rsgi import REPLAYABLE

#: Bodies smaller than this are sent as they are (gzip saves next to nothing there). The JSON-LD
#: context (about 900 bytes) and SHA256SUMS (about 500) are above it: every read-only answer of any size is compressed.
GZIP_MIN_BYTES = 256
GZIP_SUFFIX = "-gz"
CORS_METHODS = "GET, HEAD, POST, OPTIONS"
CORS_HEADERS = "Accept, Accept-Encoding, Content-Type, If-None-Match, If-Modified-Since"
CORS_EXPOSED = "ETag, Last-Modified, Content-Encoding, Content-Disposition, Digest, Repr-Digest, X-SPARQL-Rows"


def url_parameters() -> list[tuple[str, str]]:
    """This request's URL parameters, strictly UTF-8 (:func:`~sldkg.sparql.protocol.parse_query_string`;
    :class:`~sldkg.sparql.protocol.ProtocolError` otherwise), decoded once per request however many
    hooks and views ask. Callers must not change the list."""
    params: list[tuple[str, str]] | None = g.get("sldkg_url_parameters")
    if params is None:
        params = g.sldkg_url_parameters = parse_query_string(request.query_string)
    return params


def replayable(version: Hashable) -> None:
    """Tell the HTTP layer that this request's answer (if it is a 200) may be sent again for an
    identical request while the data version is ``version`` (:class:`sldkg.wsgi_over_rsgi.ReplayCache`).
    Only for answers that a cache of the app would serve again anyway."""
    request.environ[REPLAYABLE] = version


def remembered(cache: AnswerCache, key: tuple[Hashable, ...], job: QueryJob, keep: Callable[[Answer], bool]) -> Answer:
    """The answer of ``key`` from ``cache`` (the key's first item is the data version), else the backend's.

    A fresh answer is kept when it is a success, ``keep`` accepts it and the data version is still
    the key's; answers served from the cache or kept are marked :func:`replayable`.
    """
    answer = cache.get(key)
    if isinstance(answer, Answer):
        replayable(key[0])
        return answer
    backend = context().backend
    answer = backend.run(job)
    if cache.size > 0 and answer.ok and keep(answer) and backend.version == key[0]:
        cache.put(key, answer)
        replayable(key[0])
    return answer


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


# -- choosing a representation ------------------------------------------------------------------


def choose_format(offered: Sequence[str]) -> str:
    """The media type to send from ``offered``: ``?format=`` first, then the Accept header; 400/406 otherwise."""
    try:
        return nego.choose_representation(request.headers.get("Accept"), request.args.get("format"), offered)
    except nego.UnknownFormat as exc:
        raise bad_format(exc) from None
    except nego.NotAcceptable as exc:
        raise not_acceptable(exc.offered, str(exc)) from None


def bad_format(exc: nego.UnknownFormat) -> ApiError:
    """An unknown ``format`` value: the same 400 everywhere (``/sparql``, ``/queries``, ``/id/…``, descriptions)."""
    return ApiError(400, str(exc), "bad-parameter", parameter="format", known=exc.known)


def not_acceptable(offered: Sequence[str], message: str) -> ApiError:
    """The same 406 everywhere; ``offered`` lists exactly what this URL can send."""
    return ApiError(406, message, "not-acceptable", offered=list(offered))


def refused(exc: graph_reads.Refused) -> ApiError:
    """The store's refusal of a read as the one error body."""
    answer = exc.answer
    return ApiError(answer.status, answer.message or "the store refused the request", answer.error or None, **answer.details)


# -- building responses ---------------------------------------------------------------------------


def rdf_response(body: bytes | str, media_type: str, status: int = 200) -> Response:
    """A response carrying ``body`` as ``media_type`` with its charset (text formats say UTF-8)."""
    return Response(body, status, content_type=nego.with_charset(media_type))


def _matched_tag(tag: str) -> str | None:
    """The variant of ``tag`` (plain or gzipped) the client's ``If-None-Match`` names, if any."""
    for variant in (tag + GZIP_SUFFIX, tag):
        if request.if_none_match.contains_weak(variant):
            return variant
    return None


def _fresh_tag(tag: str, modified: datetime | None) -> str | None:
    """The ETag variant the client's copy has when it is still fresh (``If-None-Match`` first, else
    ``If-Modified-Since`` against ``modified``); ``None`` when the answer must be sent."""
    if request.if_none_match:
        return _matched_tag(tag)
    if request.if_modified_since is not None and modified is not None and modified <= request.if_modified_since:
        return tag
    return None


def _not_modified(tag: str) -> Response | None:
    modified = context().backend.modified
    matched = _fresh_tag(tag, modified)
    if matched is None:
        return None
    response = Response(status=304)
    response.set_etag(matched)
    response.last_modified = modified
    return response


def conditional(response: Response) -> Response:
    """304 when the client's copy (by ``ETag``, either variant, or ``Last-Modified``) is fresh; else ``response``."""
    tag, _ = response.get_etag()
    if response.status_code != 200 or tag is None:
        return response
    matched = _fresh_tag(tag, response.last_modified)
    if matched is None:
        return response
    not_modified = Response(status=304)
    not_modified.set_etag(matched)
    if response.last_modified is not None:
        not_modified.last_modified = response.last_modified
    for name in ("Vary", "Cache-Control"):
        if name in response.headers:
            not_modified.headers[name] = response.headers[name]
    return not_modified


def entity_tag(media_type: str, *request_parts: object) -> str:
    """The ETag of one representation: data version + media type + what was asked."""
    digest = hashlib.sha256()
    for part in (context().backend.version, media_type, *request_parts):
        digest.update(repr(part).encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


def answer_job(
    job: QueryJob,
    predicted_media: str | None,
    request_parts: tuple[object, ...],
    run: Callable[[QueryJob], Answer] | None = None,
) -> Response:
    """Evaluate ``job`` (through ``run``, default: the backend) and answer it, honouring revalidation."""
    predicted_tag = None
    if predicted_media is not None:
        predicted_tag = entity_tag(predicted_media, *request_parts)
        early = _not_modified(predicted_tag)
        if early is not None:
            return early
    answer = (run or context().backend.run)(job)
    if not answer.ok:
        raise ApiError(answer.status, answer.message or "the query failed", answer.error, **answer.details)
    # The prediction is right for every answer of a known form: its tag need not be hashed again.
    if predicted_tag is not None and answer.media_type == predicted_media:
        tag = predicted_tag
    else:
        tag = entity_tag(answer.media_type, *request_parts)
    late = _not_modified(tag)
    if late is not None:
        return late
    response = rdf_response(answer.body, answer.media_type)
    response.set_etag(tag)
    response.last_modified = context().backend.modified
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-SPARQL-Rows"] = str(answer.rows)
    return response


# -- CORS, Vary and gzip on every answer ----------------------------------------------------------


def add_vary(response: Response, *names: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in (p.lower() for p in present):
            present.append(name)
    response.headers["Vary"] = ", ".join(present)


def gzip_in_place(response: Response, body: bytes | None = None) -> None:
    """Send ``response`` gzipped (``body``: its already compressed bytes, when the caller keeps them)."""
    compressed = body if body is not None else gzip.compress(response.get_data(), compresslevel=6, mtime=0)
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"
    tag, weak = response.get_etag()
    if tag is not None and not tag.endswith(GZIP_SUFFIX):
        response.set_etag(tag + GZIP_SUFFIX, weak=bool(weak))
    if "Repr-Digest" in response.headers or "Digest" in response.headers:
        # The digests describe the bytes sent (RFC 9530 §3: the representation includes its content coding).
        digest = base64.b64encode(hashlib.sha256(compressed).digest()).decode("ascii")
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        response.headers["Digest"] = f"sha-256={digest}"


def finish(response: Response) -> Response:
    """CORS, Vary and gzip for every response of the app (all of its routes are reads)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    if response.direct_passthrough:  # static files streamed from disk: left as they are
        return response
    add_vary(response, "Accept", "Accept-Encoding")
    if _worth_compressing(response) and accepts_gzip():
        gzip_in_place(response)
        return conditional(response)
    return response


def _worth_compressing(response: Response) -> bool:
    """A complete 200 body over :data:`GZIP_MIN_BYTES` that is not encoded yet."""
    size = response.content_length
    return response.status_code == 200 and "Content-Encoding" not in response.headers and size is not None and size > GZIP_MIN_BYTES


def init_app(app: Flask) -> None:
    app.after_request(finish)
