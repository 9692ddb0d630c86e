"""Descriptions of the dataset and its vocabulary.

* ``GET /ontology`` – the ontology (the IRI of every ``sld:`` term without its fragment): HTML
  documentation for browsers (one anchor per term), the ontology graph as RDF otherwise.
* ``GET /ontology/<version>`` – the ``owl:versionIRI`` of the loaded ontology (404 for other versions).
* ``GET /graph/<path>`` – one named graph (one data file, ``https://w3id.org/sldkg/graph/<path>``) as RDF.
* ``GET /shapes`` – the SHACL shapes (``https://w3id.org/sldkg/shapes#…``), read from ``shapes/``.
* ``GET /.well-known/void`` – the VoID description (RDF; HTML shows its Turtle).
* ``GET /catalog`` – the DCAT-AP.de catalogue record (RDF; HTML shows its Turtle).
* ``GET /context.jsonld`` – the JSON-LD context the JSON-LD answers are compacted with.

Negotiation as for resources: ``?format=html|ttl|jsonld|nt|rdf`` overrides Accept; ``Vary: Accept``.
CORS and gzip come from the app-wide hook of :mod:`sldkg.web.answering`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import rdflib
from flask import Blueprint, Flask, Response, render_template

from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data import ontology_docs
from sldkg.linked_data import rdf_formats as rdf_output
from sldkg.linked_data import void_dcat as dataset_description
from sldkg.linked_data.dumps import Dump
from sldkg.settings import GRAPH_BASE, ONTOLOGY_IRI
from sldkg.sparql import negotiation as nego
from sldkg.web import context, public_url_base
from sldkg.web.answering import choose_format, conditional, rdf_response, refused
from sldkg.web.errors import ApiError

bp = Blueprint("meta", __name__)

#: Representations of the descriptions, in the order used for ``*/*`` (Turtle first).
OFFERED = (nego.TURTLE, nego.HTML, *(f.media_type for f in rdf_output.RESOURCE_FORMATS[1:]))
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
VERSION_QUERY = "SELECT ?v WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; <http://www.w3.org/2002/07/owl#versionIRI> ?v }"
GRAPH_PATH = re.compile(r"[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*")


def finish(response: Response, tag: str, media_type: str) -> Response:
    response.headers["Vary"] = "Accept"
    response.set_etag(f"{context().backend.version}-{tag}-{nego.FORMAT_NAMES[media_type]}-{public_url_base()}")
    return conditional(response)


def alternates() -> list[tuple[str, str, str]]:
    """The machine twins a page links: (media type, format name, link)."""
    return [(f.media_type, f.name, "?format=" + f.name) for f in rdf_output.RESOURCE_FORMATS]


def graph_answer(graph: rdflib.Graph, media_type: str, title: str) -> Response:
    if media_type == nego.HTML:
        turtle = graph.serialize(format="turtle")
        page = render_template("rdf_document.html", title=title, turtle=turtle, alternates=alternates())
        return Response(page, mimetype=nego.HTML)
    return rdf_response(rdf_output.serialize_rdflib_graph(graph, rdf_output.BY_MEDIA_TYPE[media_type]), media_type)


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """The ontology's ``owl:versionIRI``: served while it is the loaded version, 404 for any other."""
    try:
        rows = graph_reads.select(context().backend, VERSION_QUERY, default_graphs=(ONTOLOGY_GRAPH,))
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    current = {row["v"].value for row in rows}
    if ONTOLOGY_IRI + "/" + version not in current:
        raise ApiError(404, f"version {version!r} of the ontology is not served here; current: {', '.join(sorted(current)) or 'none'}")
    return ontology()


@bp.get("/graph/<path:path>")
def named_graph(path: str) -> Response:
    """A named graph (one data file) as RDF: ``https://w3id.org/sldkg/graph/<path>``."""
    media = choose_format(OFFERED)
    if not GRAPH_PATH.fullmatch(path):
        raise ApiError(404, f"/graph/{path} is not a graph of this dataset")
    graph_iri = GRAPH_BASE + path
    try:
        exists = graph_reads.ask(context().backend, f"ASK {{ GRAPH {describe.iri_term(graph_iri)} {{ ?s ?p ?o }} }}")
        triples = graph_reads.construct(context().backend, ALL_TRIPLES, default_graphs=(graph_iri,)) if exists else []
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    if not triples:
        raise ApiError(404, f"no named graph <{graph_iri}> in this dataset", graph=graph_iri)
    if media == nego.HTML:
        response = graph_answer(rdf_output.to_rdflib(triples), media, f"Named graph {graph_iri}")
    else:
        response = rdf_response(rdf_output.serialize(triples, rdf_output.BY_MEDIA_TYPE[media]), media)
    return finish(response, "graph-" + path, media)


@bp.get("/shapes")
def shapes() -> Response:
    """The SHACL shapes (``https://w3id.org/sldkg/shapes#Shape``): every file of ``shapes/`` merged.

    Shapes are not data: they are read from the shapes folder, not from the store.
    """
    media = choose_format(OFFERED)
    folder = context().settings.shapes_path
    files = tuple(sorted(folder.glob("*.ttl"))) if folder.is_dir() else ()
    if not files:
        raise ApiError(404, "no shapes are installed with this server")
    graph = shapes_graph(files, tuple(f.stat().st_mtime for f in files))
    return finish(graph_answer(graph, media, "SHACL shapes"), "shapes", media)


@functools.lru_cache(maxsize=4)
def shapes_graph(files: tuple[Path, ...], mtimes: tuple[float, ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for prefix, namespace in rdf_output.PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for file in files:
        graph.parse(file, format="turtle")
    return graph


@bp.get("/ontology")
def ontology() -> Response:
    media = choose_format(OFFERED)
    try:
        triples = graph_reads.construct(context().backend, ALL_TRIPLES, default_graphs=(ONTOLOGY_GRAPH,))
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    if not triples:
        raise ApiError(404, "the ontology graph is not loaded", graph=ONTOLOGY_GRAPH)
    if media == nego.HTML:
        doc = ontology_docs.build(rdf_output.to_rdflib(triples))
        response = Response(render_template("ontology.html", doc=doc, alternates=alternates()), mimetype=nego.HTML)
    else:
        response = rdf_response(rdf_output.serialize(triples, rdf_output.BY_MEDIA_TYPE[media]), media)
    return finish(response, "ontology", media)


def description_inputs() -> tuple[dataset_description.Statistics, list[Dump]]:
    state = context()
    try:
        stats = state.statistics.get(state.backend)
        dumps = list(state.dumps.get(state.backend).values())
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    return stats, dumps


@bp.get("/.well-known/void")
def void() -> Response:
    media = choose_format(OFFERED)
    stats, dumps = description_inputs()
    graph = dataset_description.build_void(stats, dumps, public_url_base())
    return finish(graph_answer(graph, media, "VoID description"), "void", media)


@bp.get("/catalog")
def catalog() -> Response:
    media = choose_format(OFFERED)
    stats, dumps = description_inputs()
    graph = dataset_description.build_dcat(stats, dumps, public_url_base())
    return finish(graph_answer(graph, media, "DCAT-AP.de catalogue record"), "dcat", media)


@bp.get("/context.jsonld")
def jsonld_context() -> Response:
    body = rdf_output.context_document()
    response = rdf_response(body, nego.JSON_LD)
    response.set_etag("context-" + hashlib.sha256(body).hexdigest()[:16])
    return conditional(response)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
