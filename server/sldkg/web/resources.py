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

from flask import Blueprint, Flask, Response, current_app, render_template, request

from sldkg.canned.catalogue import AnswerCache
from sldkg.graph import passages
from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data import rdf_formats as rdf_output
from sldkg.linked_data import resource_view
from sldkg.linked_data.iri_map import resource_iri
from sldkg.web import context, public_url_base
from sldkg.web.errors import ApiError
from sldkg.web.ld_request import choose_format, refused

bp = Blueprint("resources", __name__)
#: app.extensions key of the per-worker cache of resource descriptions.
DESCRIPTIONS = "sldkg.descriptions"

#: Representations of a resource: ?format= name -> media type, in the order used for */*.
OFFERS = {"ttl": "text/turtle", "html": "text/html", **{f.name: f.media_type for f in rdf_output.RESOURCE_FORMATS[1:]}, "txt": "text/plain"}


def finish(response: Response, fmt: str) -> Response:
    """Common headers: ``Vary: Accept``, an ETag from the data version and the representation."""
    response.headers["Vary"] = "Accept"
    response.set_etag(f"{context().backend.version}-{fmt}-{public_url_base()}")
    return response.make_conditional(request)


def rdf_response(triples, fmt_name: str) -> Response:
    fmt = rdf_output.BY_NAME[fmt_name]
    body = rdf_output.serialize(triples, fmt)
    return Response(body, mimetype=fmt.media_type, headers={"Content-Type": fmt.media_type + "; charset=utf-8"})


@bp.get("/id/<path:path>")
def resource(path: str) -> Response:
    iri = resource_iri(path)
    if iri is None:
        raise ApiError(404, f"/id/{path} is not an IRI of this dataset", iri=None)
    fmt = choose_format(OFFERS)
    try:
        if fmt == "html":
            return finish(resource_page(iri), fmt)
        if fmt == "txt":
            return finish(stored_text(iri), fmt)
        triples = description(iri)
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    if not triples:
        raise ApiError(404, f"the dataset says nothing about <{iri}>", iri=iri)
    return finish(rdf_response(triples, fmt), fmt)


def stored_text(iri: str) -> Response:
    """The text itself, for a stored text resource (the ``oa:hasSource`` of the passages); 406 for others."""
    rows = graph_reads.select(context().backend, describe.stored_text_query(iri))
    settings = context().settings
    path = passages.source_file([r["file"].value for r in rows], [], settings.data_paths) if rows else None
    if path is None:
        offered = [media for name, media in OFFERS.items() if name != "txt"]
        raise ApiError(406, f"<{iri}> is not a stored text; it has no text/plain representation", offered=offered)
    return Response(passages.read_text(path), mimetype="text/plain")


def description(iri: str) -> list:
    """The description triples of ``iri``, cached per worker and data version (read-only data).

    Saves the executor round trip on repeated dereferencing (see README, "Performance"); the
    cache holds at most ``canned_cache_size`` descriptions; refusals are not cached.
    """
    backend = context().backend
    cache = current_app.extensions[DESCRIPTIONS]
    key = (iri, backend.version)
    triples = cache.get(key)
    if triples is None:
        triples = graph_reads.construct(backend, describe.description_query(iri))
        if triples:  # and the statements of its triples with their passages, as Wikidata's references
            triples = sorted(
                set(triples) | set(graph_reads.construct(backend, describe.sources_query(iri, incoming_passages=False))), key=str
            )
        cache.put(key, triples)
    return triples


def resource_page(iri: str) -> Response:
    backend = context().backend
    triples = graph_reads.construct(backend, describe.page_query(iri))
    if not triples:
        raise ApiError(404, f"the dataset says nothing about <{iri}>", iri=iri)
    # the sources of its values: per-statement provenance and the reports (docs/MODEL.md)
    triples += graph_reads.construct(backend, describe.sources_query(iri))
    triples += graph_reads.construct(backend, describe.REPORTS_QUERY)
    graph = rdf_output.to_rdflib(triples)
    view = resource_view.build(graph, iri, public_url_base())
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
    html = render_template("resource.html", view=view, excerpts=excerpts, alternates=alternates, base=public_url_base())
    return Response(html, mimetype="text/html")


def init_app(app: Flask) -> None:
    app.extensions[DESCRIPTIONS] = AnswerCache(app.extensions["sldkg"].settings.canned_cache_size)
    app.register_blueprint(bp)
