"""Uploading the dataset to an external store with the SPARQL 1.1 Graph Store Protocol; no Flask.

``sldkg load --into URL`` takes the store's Graph Store endpoint (Oxigraph server:
``http://host:7878/store``; Fuseki: ``http://host:3030/<dataset>/data``) and replaces each named
graph with the content of its file: ``PUT URL?graph=<graph IRI>`` with the file's own media type.
The graph IRIs are the embedded store's (:func:`sldkg.graph.store.graph_iri`), so both backends answer
the same queries the same way.

Every file is parsed locally first (:func:`sldkg.graph.store.load`): a syntax error stops the upload
before anything is sent, naming file and line. A store that refuses a graph stops the upload
with :class:`UploadError` naming the graph; graphs uploaded before it stay replaced (the Graph
Store Protocol has no transactions across requests).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError

from sldkg.graph.store import discover, display_path, graph_iri, load

#: Media type sent for each file ending.
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
}


class UploadError(Exception):
    """The store could not be reached or refused a graph."""


@dataclass(frozen=True)
class Uploaded:
    path: Path
    graph: str
    triples: int
    status: int
    seconds: float


def graph_url(endpoint: str, graph: str) -> str:
    """``endpoint?graph=<graph>`` (indirect graph identification of the Graph Store Protocol)."""
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode({"graph": graph})


def upload(
    paths: Iterable[Path | str],
    endpoint: str,
    *,
    timeout: float = 120.0,
    progress: Callable[[Uploaded], None] | None = None,
) -> list[Uploaded]:
    """PUT every RDF file below ``paths`` into its named graph at ``endpoint``; the uploads in order."""
    paths = list(paths)
    checked = load(paths)  # all files parse, or LoadError (file:line) before anything is sent
    counts = {f.graph: f.triples for f in checked.files}
    pool = urllib3.PoolManager(retries=False)
    done: list[Uploaded] = []
    for file, root in discover(paths):
        graph = graph_iri(file, root)
        started = time.perf_counter()
        try:
            response = pool.request(
                "PUT",
                graph_url(endpoint, graph),
                body=file.read_bytes(),
                headers={"Content-Type": MEDIA_TYPES[file.suffix]},
                timeout=urllib3.Timeout(connect=5.0, read=timeout),
            )
        except HTTPError as exc:
            reason = getattr(exc, "reason", None) or exc
            raise UploadError(f"the store at {endpoint} is not reachable: {reason}") from None
        if response.status >= 300:
            text = response.data.decode("utf-8", "replace").strip()[:500]
            raise UploadError(f"{display_path(file)}: the store at {endpoint} refused graph <{graph}> with {response.status}: {text}")
        item = Uploaded(file, graph, counts[graph], response.status, time.perf_counter() - started)
        done.append(item)
        if progress:
            progress(item)
    return done
