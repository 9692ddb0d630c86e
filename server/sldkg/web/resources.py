"""Dereferenceable IRIs: ``GET /id/<path>`` describes ``https://w3id.org/sldkg/id/<path>``.

Browsers get an HTML page (labels, types, properties, incoming links, external links, provenance
passages with the quoted span marked in its paragraph of the source text; next to each value a
marker for the passage that supports it, inferred values marked with their note, and for values
from several reports the same grouped by report, newest first); RDF clients get the
description (outgoing + incoming + provenance triples, and the rdf:Statement of each of its
triples with that triple's passages) as Turtle, JSON-LD (compacted with
``/context.jsonld``), N-Triples or RDF/XML. ``?format=html|ttl|jsonld|nt|rdf`` overrides the
Accept header; ``Vary: Accept``; 404 for IRIs the data does not mention; 406 when nothing fits.
A stored text (the ``oa:hasSource`` of the passages) also has ``text/plain`` (``?format=txt``):
the text the selectors' offsets count in.
All reads go through ``context().backend`` (embedded or remote store alike).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, render_template, request

from sldkg.graph import passages
from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data import rdf_formats as rdf_output
from sldkg.linked_data import resource_view
from sldkg.linked_data.iri_map import resource_iri
from sldkg.sparql import negotiation as nego
from sldkg.web import context, public_url_base
from sldkg.web.answering import bad_format, conditional, not_acceptable, rdf_response, refused
from sldkg.web.errors import ApiError
from sldkg.web.i18n import current_language, label_preference
from sldkg.web.site import resource_facts

bp = Blueprint("resources", __name__)

#: Representations of every resource, in the order used for ``*/*`` (Turtle first).
OFFERED = (nego.TURTLE, nego.HTML, *(f.media_type for f in rdf_output.RESOURCE_FORMATS[1:]))
#: A stored text (the ``oa:hasSource`` of the passages) also has itself as ``text/plain``.
OFFERED_BY_TEXTS = (*OFFERED, nego.PLAIN_TEXT)


def finish(response: Response, media_type: str) -> Response:
    """Common headers: ``Vary: Accept``, an ETag from the data version and the representation."""
    response.headers["Vary"] = "Accept"
    fmt = nego.FORMAT_NAMES[media_type]
    language = f"-{current_language()}" if media_type == nego.HTML else ""  # the page is in the interface language
    response.set_etag(f"{context().backend.version}-{fmt}{language}-{public_url_base()}")
    return conditional(response)


@bp.get("/id/<path:path>")
def resource(path: str) -> Response:
    iri = resource_iri(path)
    if iri is None:
        raise ApiError(404, f"/id/{path} is not an IRI of this dataset", iri=None)
    try:
        media = choose_resource_format(iri)
        if media == nego.HTML:
            return finish(resource_page(iri), media)
        if media == nego.PLAIN_TEXT:
            return finish(stored_text(iri), media)
        triples = description(iri)
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    if not triples:
        raise ApiError(404, f"the dataset says nothing about <{iri}>", iri=iri)
    return finish(rdf_response(rdf_output.serialize(triples, rdf_output.BY_MEDIA_TYPE[media]), media), media)


def choose_resource_format(iri: str) -> str:
    """The media type to send for ``iri``; only a stored text offers ``text/plain``, so a 406 lists
    exactly what this resource can send. The store is asked whether ``iri`` is a stored text only when
    that matters (text/plain chosen, or nothing acceptable)."""
    accept, format_param = request.headers.get("Accept"), request.args.get("format")
    try:
        media = nego.choose_representation(accept, format_param, OFFERED_BY_TEXTS)
        if media != nego.PLAIN_TEXT or stored_text_file(iri) is not None:
            return media
        return nego.choose_representation(accept, format_param, OFFERED)
    except nego.UnknownFormat as exc:
        raise bad_format(exc) from None
    except nego.NotAcceptable:
        offered = OFFERED_BY_TEXTS if stored_text_file(iri) is not None else OFFERED
        shown = f"format={format_param}" if format_param is not None else f"Accept: {accept}"
        raise not_acceptable(offered, f"{shown} allows none of the representations of <{iri}>: {', '.join(offered)}") from None


def stored_text_file(iri: str) -> Path | None:
    """The file of a stored text resource (the ``oa:hasSource`` of the passages); ``None`` for every other resource."""
    rows = graph_reads.select(context().backend, describe.stored_text_query(iri))
    identifiers = [v for v in (graph_reads.value(r, "file") for r in rows) if v is not None]
    return passages.source_file(identifiers, [], context().settings.data_paths) if identifiers else None


def stored_text(iri: str) -> Response:
    path = stored_text_file(iri)
    if path is None:  # choose_format offers text/plain only for stored texts
        raise ApiError(404, f"<{iri}> is not a stored text", iri=iri)
    return Response(passages.read_text(path), mimetype=nego.PLAIN_TEXT)


def description(iri: str) -> list[ox.Triple]:
    """The description triples of ``iri``, cached per worker and data version (read-only data).

    Saves the executor round trip on repeated dereferencing (see docs/performance.md); the
    cache holds at most ``canned_cache_size`` descriptions; refusals are not cached.
    """
    backend = context().backend
    cache = context().descriptions
    key = (iri, backend.version)
    cached = cache.get(key)
    if isinstance(cached, list):
        return cached
    triples = graph_reads.construct(backend, describe.description_query(iri))
    if triples:  # and the statements of its triples with their passages, as Wikidata's references
        triples = sorted(set(triples) | set(graph_reads.construct(backend, describe.sources_query(iri, incoming_passages=False))), key=str)
    cache.put(key, triples)
    return triples


def resource_page(iri: str) -> Response:
    """The HTML page of ``iri``, cached per worker like :func:`description` (the data is read-only
    per version; building the page costs several queries and an rdflib graph)."""
    key = (iri, context().backend.version, current_language(), public_url_base())
    cached = context().pages.get(key)
    if not isinstance(cached, str):
        cached = render_resource_page(iri)
        context().pages.put(key, cached)
    return Response(cached, mimetype="text/html")


def render_resource_page(iri: str) -> str:
    backend = context().backend
    triples = graph_reads.construct(backend, describe.page_query(iri))
    if not triples:
        raise ApiError(404, f"the dataset says nothing about <{iri}>", iri=iri)
    # the sources of its values: per-statement provenance and the reports (docs/MODEL.md)
    triples += graph_reads.construct(backend, describe.sources_query(iri))
    triples += graph_reads.construct(backend, describe.REPORTS_QUERY)
    graph = rdf_output.to_rdflib(triples)
    view = resource_view.build(graph, iri, public_url_base(), label_preference())
    excerpts = {}
    if view.passages:
        rows = graph_reads.select(backend, describe.source_texts_query(iri))
        files: dict[str, tuple[list[str], list[str]]] = {}
        for row in rows:
            identifiers, graphs = files.setdefault(row["text"].value, ([], []))
            if row["file"] is not None:
                identifiers.append(row["file"].value)
            if row["g"] is not None:
                graphs.append(row["g"].value)
        settings = context().settings
        for passage in view.passages:
            identifiers, graphs = files.get(passage.source or "", ([], []))
            path = passages.source_file(identifiers, graphs, settings.data_paths)
            if path is not None:
                excerpts[passage.iri] = passages.excerpt(passages.read_text(path), passage.start, passage.end, passage.exact)
    alternates = [(f.media_type, f.name, "?format=" + f.name) for f in rdf_output.RESOURCE_FORMATS]
    return render_template(
        "resource.html",
        view=view,
        facts=resource_facts.facts(view, current_language()),
        excerpts=excerpts,
        alternates=alternates,
        base=public_url_base(),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
