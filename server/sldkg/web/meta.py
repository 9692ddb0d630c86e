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
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading

import rdflib
from flask import Blueprint, Flask, Response, current_app, render_template, request

from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data import ontology_docs
from sldkg.linked_data import rdf_formats as rdf_output
from sldkg.linked_data import void_dcat as dataset_description
from sldkg.linked_data.dumps import DumpCache
from sldkg.settings import GRAPH_BASE, ONTOLOGY_IRI
from sldkg.web import context, public_url_base
from sldkg.web.errors import ApiError
from sldkg.web.ld_request import choose_format, refused

bp = Blueprint("meta", __name__)

OFFERS = {"ttl": "text/turtle", "html": "text/html", **{f.name: f.media_type for f in rdf_output.RESOURCE_FORMATS[1:]}}
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
VERSION_QUERY = "SELECT ?v WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; <http://www.w3.org/2002/07/owl#versionIRI> ?v }"
GRAPH_PATH = re.compile(r"[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*")


def finish(response: Response, tag: str) -> Response:
    response.headers["Vary"] = "Accept"
    response.set_etag(f"{context().backend.version}-{tag}-{public_url_base()}")
    return response.make_conditional(request)


def graph_answer(graph: rdflib.Graph, fmt_name: str, title: str) -> Response:
    if fmt_name == "html":
        turtle = graph.serialize(format="turtle")
        alternates = [(f.media_type, f.name, "?format=" + f.name) for f in rdf_output.RESOURCE_FORMATS]
        return Response(render_template("rdf_document.html", title=title, turtle=turtle, alternates=alternates), mimetype="text/html")
    fmt = rdf_output.BY_NAME[fmt_name]
    if fmt.name == "jsonld":
        body = graph.serialize(format="json-ld", context=rdf_output.jsonld_context()["@context"], auto_compact=True)
    else:
        body = graph.serialize(format={"ttl": "turtle", "nt": "nt", "rdf": "xml"}[fmt.name])
    return Response(body, mimetype=fmt.media_type, headers={"Content-Type": fmt.media_type + "; charset=utf-8"})


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
    fmt = choose_format(OFFERS)
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
    if fmt == "html":
        response = graph_answer(rdf_output.to_rdflib(triples), "html", f"Named graph {graph_iri}")
    else:
        record = rdf_output.BY_NAME[fmt]
        response = Response(
            rdf_output.serialize(triples, record),
            mimetype=record.media_type,
            headers={"Content-Type": record.media_type + "; charset=utf-8"},
        )
    return finish(response, "graph-" + fmt)


@bp.get("/shapes")
def shapes() -> Response:
    """The SHACL shapes (``https://w3id.org/sldkg/shapes#Shape``): every file of ``shapes/`` merged.

    Shapes are not data: they are read from the shapes folder, not from the store.
    """
    fmt = choose_format(OFFERS)
    folder = context().settings.shapes_path
    files = tuple(sorted(folder.glob("*.ttl"))) if folder.is_dir() else ()
    if not files:
        raise ApiError(404, "no shapes are installed with this server")
    graph = shapes_graph(files, tuple(f.stat().st_mtime for f in files))
    return finish(graph_answer(graph, fmt, "SHACL shapes"), "shapes-" + fmt)


@functools.lru_cache(maxsize=4)
def shapes_graph(files: tuple, mtimes: tuple) -> rdflib.Graph:
    graph = rdflib.Graph()
    for prefix, namespace in rdf_output.PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for file in files:
        graph.parse(file, format="turtle")
    return graph


@bp.get("/ontology")
def ontology() -> Response:
    fmt = choose_format(OFFERS)
    try:
        triples = graph_reads.construct(context().backend, ALL_TRIPLES, default_graphs=(ONTOLOGY_GRAPH,))
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    if not triples:
        raise ApiError(404, "the ontology graph is not loaded", graph=ONTOLOGY_GRAPH)
    if fmt == "html":
        doc = ontology_docs.build(rdf_output.to_rdflib(triples))
        alternates = [(f.media_type, f.name, "?format=" + f.name) for f in rdf_output.RESOURCE_FORMATS]
        response = Response(render_template("ontology.html", doc=doc, alternates=alternates), mimetype="text/html")
    else:
        fmt_record = rdf_output.BY_NAME[fmt]
        response = Response(
            rdf_output.serialize(triples, fmt_record),
            mimetype=fmt_record.media_type,
            headers={"Content-Type": fmt_record.media_type + "; charset=utf-8"},
        )
    return finish(response, "ontology-" + fmt)


class StatisticsCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version: str | None = None
        self.value: dataset_description.Statistics | None = None

    def get(self, backend) -> dataset_description.Statistics:
        with self._lock:
            if self.value is None or self.version != backend.version:
                self.value = collect_statistics(backend)
                self.version = backend.version
            return self.value


def collect_statistics(backend) -> dataset_description.Statistics:
    queries = dataset_description.STATISTICS_QUERIES
    select = lambda name: graph_reads.select(backend, queries[name])  # noqa: E731
    stats = dataset_description.Statistics()
    stats.triples = int(select("triples")[0]["n"].value)
    stats.entities = int(select("entities")[0]["n"].value)
    stats.classes = [(r["class"].value, int(r["n"].value), r["example"].value) for r in select("classes")]
    stats.properties = [(r["p"].value, int(r["n"].value)) for r in select("properties")]
    stats.links = dataset_description.link_counts([(r["o"].value, 1) for r in select("links")])
    states = [(r["key"].value, r["participating"] is not None and r["participating"].value == "true") for r in select("states")]
    participating = [key for key, took_part in states if took_part]
    stats.state_keys = participating or [key for key, _ in states]
    stats.modified = backend.modified
    stats.release = next((r["release"].value for r in select("release")), None)
    return stats


def description_inputs():
    ctx = context()
    try:
        stats = current_app.extensions["sldkg.statistics"].get(ctx.backend)
        dumps = list(current_app.extensions["sldkg.dumps"].get(ctx.backend).values())
    except graph_reads.Refused as exc:
        raise refused(exc) from None
    return stats, dumps


@bp.get("/.well-known/void")
def void() -> Response:
    fmt = choose_format(OFFERS)
    stats, dumps = description_inputs()
    graph = dataset_description.build_void(stats, dumps, public_url_base())
    return finish(graph_answer(graph, fmt, "VoID description"), "void-" + fmt)


@bp.get("/catalog")
def catalog() -> Response:
    fmt = choose_format(OFFERS)
    stats, dumps = description_inputs()
    graph = dataset_description.build_dcat(stats, dumps, public_url_base())
    return finish(graph_answer(graph, fmt, "DCAT-AP.de catalogue record"), "dcat-" + fmt)


@bp.get("/context.jsonld")
def jsonld_context() -> Response:
    response = Response(rdf_output.context_document(), mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag("context-" + hashlib.sha256(response.get_data()).hexdigest()[:16])
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.extensions.setdefault("sldkg.dumps", DumpCache())
    app.extensions.setdefault("sldkg.statistics", StatisticsCache())
    app.register_blueprint(bp)
