"""Dumps of the whole dataset at stable URLs, with checksums.

* ``GET /dumps/`` – the list (HTML for browsers, JSON otherwise): release, file, media type, size, SHA-256.
* ``GET /dumps/sldkg-<release>.{ttl,nt,jsonld,rdf,nq,trig}`` – one dump of the served release
  (``sldkg-2026.1.ttl``); ``ETag`` is its SHA-256 and ``Digest: sha-256=…`` (RFC 3230) and
  ``Repr-Digest: sha-256=:…:`` (RFC 9530) lets clients check what they got; conditional requests get 304.
  Another release's file is 404 (this server holds one release).
* ``GET /dumps/sldkg.{ttl,…}`` – the names without a release (the URLs before releases were
  numbered): 302 to the served release's file, so old links keep working and the client learns
  which release it got.
* ``GET /dumps/SHA256SUMS`` – the sums of all dumps (``sha256sum -c`` format).

The dumps are generated once per data version (all formats together, from one read of every quad
through the backend) and kept on the app; a new data version regenerates them. A client that accepts
gzip gets each dump compressed once (``Content-Encoding: gzip``, ``ETag`` ``<sha256>-gz``, digest
headers over the bytes sent); CORS comes from the app-wide hook of :mod:`sldkg.web.answering`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from sldkg.graph import reads as graph_reads
from sldkg.linked_data import dumps as dump_formats
from sldkg.linked_data.dumps import Dump
from sldkg.linked_data.iri_map import public_base
from sldkg.sparql import negotiation as nego
from sldkg.web import context
from sldkg.web.answering import accepts_gzip, conditional, gzip_in_place, rdf_response, refused
from sldkg.web.errors import ApiError

bp = Blueprint("dumps", __name__, url_prefix="/dumps")


def dumps() -> dict[str, Dump]:
    state = context()
    try:
        return state.dumps.get(state.backend)
    except graph_reads.Refused as exc:
        raise refused(exc) from None


def served_release(found: dict[str, Dump]) -> str | None:
    return next((d.release for d in found.values()), None)


@bp.get("/")
def index() -> Response:
    found = dumps()
    release = served_release(found)
    listing = [
        {
            "file": d.file_name,
            "url": public_base(context().settings.base_url, request.host_url) + "dumps/" + d.file_name,
            "format": d.format.name,
            "media_type": d.format.media_type,
            "named_graphs": d.format.quads,
            "bytes": len(d.body),
            "sha256": d.sha256,
        }
        for d in found.values()
    ]
    if nego.preferred(request.headers.get("Accept"), (nego.JSON, nego.HTML), {nego.XHTML: nego.HTML}) == nego.HTML:
        response = Response(
            render_template("dumps.html", listing=listing, version=context().backend.version, release=release), mimetype="text/html"
        )
    else:
        sums_url = public_base(context().settings.base_url, request.host_url) + "dumps/" + dump_formats.SUMS_FILE
        response = jsonify({"release": release, "version": context().backend.version, "sums": sums_url, "dumps": listing})
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/" + dump_formats.SUMS_FILE)
def sums() -> Response:
    body = dump_formats.sums_file(dumps().values())
    response = rdf_response(body, nego.PLAIN_TEXT)
    response.set_etag(context().backend.version + "-sums")
    return conditional(response)


@bp.get("/<name>")
def dump(name: str) -> BaseResponse:
    served = dumps()
    found = served.get(name)
    if found is None:
        unversioned = dump_formats.BY_UNVERSIONED_NAME.get(name)
        release = served_release(served)
        if unversioned is not None and release is not None:
            return redirect(url_for("dumps.dump", name=unversioned.file_name(release)), code=302)
        raise ApiError(404, f"no dump called {name!r}; dumps of release {release or '(none)'}: {', '.join(served)}", name=name)
    response = rdf_response(found.body, found.format.media_type)
    response.set_etag(found.sha256)
    response.headers["Digest"] = found.digest_header
    response.headers["Repr-Digest"] = found.repr_digest_header
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response.headers["Vary"] = "Accept-Encoding"
    response.last_modified = context().backend.modified
    if accepts_gzip() and len(found.body) > 0:
        gzip_in_place(response, found.gzipped)  # compressed once per dump, not per request
    return conditional(response)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
