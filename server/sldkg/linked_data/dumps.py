"""Whole-dataset dumps: their formats, file names, serialisation and checksums; pure (no Flask).

The same code writes ``sldkg export`` files and the server's ``/dumps/`` answers. Quad formats
(N-Quads, TriG) keep every file's named graph; triple formats hold the union of all graphs
(each triple once). File names carry the release the graph states (``sldkg-2026.1.ttl``, see
:mod:`sldkg.linked_data.release`), so a downloaded file says which release it is; a graph without a
release gives ``sldkg.ttl``.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from sldkg.backends.base import Backend
from sldkg.graph import reads as graph_reads
from sldkg.linked_data import description_queries as describe
from sldkg.linked_data.rdf_formats import PREFIXES
from sldkg.linked_data.release import release_of
from sldkg.sparql import negotiation as nego

DUMP_STEM = "sldkg"


@dataclass(frozen=True)
class DumpFormat:
    #: The canonical format name (``sldkg export --format``, ``format=`` everywhere): the file extension.
    name: str
    extension: str
    media_type: str
    oxigraph: ox.RdfFormat
    quads: bool

    @property
    def unversioned_name(self) -> str:
        """``sldkg.<ext>``: the name without a release (the server redirects it to the current release's file)."""
        return f"{DUMP_STEM}.{self.extension}"

    def file_name(self, release: str | None) -> str:
        """``sldkg-<release>.<ext>``, or ``sldkg.<ext>`` when the graph states no release."""
        return f"{DUMP_STEM}-{release}.{self.extension}" if release else self.unversioned_name


FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("ttl", "ttl", "text/turtle", ox.RdfFormat.TURTLE, False),
    DumpFormat("nt", "nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, False),
    DumpFormat("jsonld", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, False),
    DumpFormat("rdf", "rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, False),
    DumpFormat("nq", "nq", "application/n-quads", ox.RdfFormat.N_QUADS, True),
    DumpFormat("trig", "trig", "application/trig", ox.RdfFormat.TRIG, True),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}
BY_UNVERSIONED_NAME = {f.unversioned_name: f for f in FORMATS}
SUMS_FILE = "SHA256SUMS"


def formats_named(names: Iterable[str]) -> tuple[DumpFormat, ...]:
    """The dump formats ``names`` name (``all``, a format name of ``format=``: ``ttl``, ``turtle``,
    ``rdf``, ``rdfxml`` …, or a media type), each once, in the order given; ``ValueError`` names an unknown one."""
    chosen: dict[str, DumpFormat] = {}
    for name in names:
        if name.strip().lower() == "all":
            chosen.update((f.name, f) for f in FORMATS)
            continue
        media = nego.graph_format_media_type(name)
        if media is None or media not in BY_MEDIA_TYPE:
            known = ", ".join(["all", *BY_NAME])
            raise ValueError(f"unknown dump format {name!r}; known: {known} (and the other names format= accepts)")
        chosen.setdefault(BY_MEDIA_TYPE[media].name, BY_MEDIA_TYPE[media])
    return tuple(chosen.values())


@dataclass(frozen=True)
class Dump:
    format: DumpFormat
    body: bytes
    #: The release the dumped graph states (``None``: it states none).
    release: str | None = None

    @property
    def file_name(self) -> str:
        return self.format.file_name(self.release)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @functools.cached_property
    def gzipped(self) -> bytes:
        """The body gzipped once (served to clients that accept gzip; ``mtime=0`` keeps it reproducible)."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)

    @property
    def repr_digest_header(self) -> str:
        """RFC 9530 ``Repr-Digest`` value: ``sha-256=:<base64>:``."""
        return "sha-256=:" + base64.b64encode(hashlib.sha256(self.body).digest()).decode("ascii") + ":"

    @property
    def digest_header(self) -> str:
        """RFC 3230 ``Digest`` value: ``sha-256=<base64>``."""
        return "sha-256=" + base64.b64encode(hashlib.sha256(self.body).digest()).decode("ascii")


def quads_from_solutions(solutions: Iterable[ox.QuerySolution]) -> list[ox.Quad]:
    """Quads from the solutions of :data:`sldkg.linked_data.description_queries.QUADS_QUERY` (?g ?s ?p ?o), sorted for stable dumps."""
    quads = {ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in solutions}
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def serialize(quads: list[ox.Quad], fmt: DumpFormat) -> bytes:
    """``quads`` in ``fmt`` (triple formats: the union of the graphs, duplicates dropped)."""
    prefixes = {k: v for k, v in PREFIXES.items() if k != "sldid"}
    if fmt.quads:
        body = ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes if fmt.oxigraph is ox.RdfFormat.TRIG else None)
    else:
        triples = sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        usable = prefixes if fmt.oxigraph in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        body = ox.serialize(triples, format=fmt.oxigraph, prefixes=usable)
    assert body is not None, "without an output file, pyoxigraph returns the bytes"
    return body


def write_dumps(quads: list[ox.Quad], formats: Iterable[DumpFormat], folder: Path) -> list[Path]:
    """Write one dump per format and their ``SHA256SUMS`` into ``folder`` (created when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    release = release_of(quads)
    dumps = [Dump(fmt, serialize(quads, fmt), release) for fmt in formats]
    written: list[Path] = []
    for dump in dumps:
        path = folder / dump.file_name
        path.write_bytes(dump.body)
        written.append(path)
    (folder / SUMS_FILE).write_bytes(sums_file(dumps))
    return [*written, folder / SUMS_FILE]


def sums_file(dumps: Iterable[Dump]) -> bytes:
    """The ``SHA256SUMS`` file (``sha256sum -c`` format)."""
    return "".join(f"{d.sha256}  {d.file_name}\n" for d in dumps).encode("ascii")


#: A dump read is allowed this many quads (well above the row limit of ad-hoc queries).
MAX_QUADS = 50_000_000


class DumpCache:
    """The dumps of one data version, built on first use from one read of every quad through the
    backend (``graph_reads.Refused`` when the store refuses), then served from memory; keyed by
    file name (``sldkg-<release>.<ext>``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version: str | None = None
        self.dumps: dict[str, Dump] = {}

    def get(self, backend: Backend) -> dict[str, Dump]:
        with self._lock:
            if self.version != backend.version or not self.dumps:
                solutions = graph_reads.select(backend, describe.QUADS_QUERY, max_rows=MAX_QUADS)
                quads = quads_from_solutions(solutions)
                release = release_of(quads)
                dumps = (Dump(f, serialize(quads, f), release) for f in FORMATS)
                self.dumps = {d.file_name: d for d in dumps}
                self.version = backend.version
            return self.dumps
