"""Loading the ontology and data files into the embedded store; no Flask.

Every RDF file becomes one named graph (``https://w3id.org/sldkg/graph/<path below its root>``);
queries see the union of all named graphs as their default graph.

The store is pyoxigraph's in-memory store (chosen by the figures in docs/performance.md). The rest of the
code talks rdflib: :attr:`EmbeddedStore.dataset` is an ``rdflib.Dataset`` over the very same
store (through oxrdflib), so nothing is loaded twice. Query evaluation takes the direct path to
pyoxigraph (:meth:`EmbeddedStore.query`) because that is where the time goes.

Loading is all or nothing: :func:`load` either returns a fully loaded store or raises
:class:`LoadError` naming the file and line; a half-loaded store is never handed out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import rdflib

from sldkg.settings import GRAPH_BASE, ONTOLOGY_IRI

#: File endings that are loaded, with their pyoxigraph parser.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


class LoadError(Exception):
    """A data file could not be loaded; ``str()`` reads ``path:line:column: message``."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        where = str(display_path(self.path))
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    """One loaded file and the named graph it became."""

    path: Path
    graph: str
    triples: int


def display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies inside it (for messages)."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def discover(paths: Iterable[Path | str]) -> list[tuple[Path, Path]]:
    """The RDF files below ``paths`` as ``(file, root)`` pairs in a stable order.

    A folder contributes every RDF file below it; a file stands for itself (its root is its folder).
    Raises :class:`LoadError` for a path that does not exist or a file of an unknown kind.
    """
    found: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise LoadError(path, "no such file or folder")
        if path.is_dir():
            found.extend((f, path) for f in sorted(path.rglob("*")) if f.suffix in RDF_FORMATS and f.is_file())
        elif path.suffix in RDF_FORMATS:
            found.append((path, path.parent))
        else:
            raise LoadError(path, f"not an RDF file (known endings: {', '.join(sorted(RDF_FORMATS))})")
    return found


def graph_iri(file: Path, root: Path) -> str:
    """The named graph of ``file``: the ontology file gets ``graph/ontology``; a data file its path below ``root``.

    A root folder called ``ontology`` holds ontology files (``ontology/sldkg.ttl`` is ``graph/ontology``).
    """
    relative = file.resolve().relative_to(root.resolve()).with_suffix("")
    if root.resolve().name == "ontology":
        return GRAPH_BASE + "ontology" + ("" if relative.as_posix() == "sldkg" else "/" + relative.as_posix())
    return GRAPH_BASE + relative.as_posix()


def parse_into(store: ox.Store, file: Path, graph: str, *, count: bool = True) -> int | None:
    """Parse one file into ``graph`` of ``store``; returns the number of triples; :class:`LoadError` on bad syntax.

    ``count=False`` skips the count (``None``): ``len()`` of a pyoxigraph store walks every quad,
    so counting after each of many files made loading quadratic (see docs/performance.md).
    """
    fmt = RDF_FORMATS[file.suffix]
    before = len(store) if count else 0
    try:
        data = file.read_bytes()
        # No base IRI: a relative IRI in a data file is an error, not a file: URL of this machine.
        store.load(data, format=fmt, to_graph=ox.NamedNode(graph))
    except SyntaxError as exc:
        raise LoadError(file, _syntax_message(exc), exc.lineno, exc.offset) from None
    except OSError as exc:
        raise LoadError(file, exc.strerror or str(exc)) from None
    return len(store) - before if count else None


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, counted in one pass inside pyoxigraph."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in rows}


def _syntax_message(exc: SyntaxError) -> str:
    message = exc.msg or str(exc)
    # pyoxigraph says "Parser error between line 3 column 11 and line 4 column 1: <reason>"
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message


class EmbeddedStore:
    """The fully loaded, read-only dataset of one server process."""

    kind = "embedded"

    def __init__(self, oxstore: ox.Store, files: Sequence[SourceFile], version: str, modified: datetime):
        self._ox = oxstore
        self.files = tuple(files)
        #: Content hash of everything loaded: the data version (ETag).
        self.version = version
        #: Newest modification time of the loaded files (Last-Modified).
        self.modified = modified
        self._dataset: rdflib.Dataset | None = None

    @property
    def oxigraph(self) -> ox.Store:
        return self._ox

    @property
    def dataset(self) -> rdflib.Dataset:
        """An rdflib view of the same data (named graphs, default graph = union)."""
        if self._dataset is None:
            # imported here: oxrdflib brings rdflib's SPARQL engine, a fifth of a second that `sldkg validate` does not need
            from oxrdflib import OxigraphStore

            self._dataset = rdflib.Dataset(store=OxigraphStore(store=self._ox), default_union=True)
        return self._dataset

    def __len__(self) -> int:
        return len(self._ox)

    @property
    def graphs(self) -> tuple[str, ...]:
        return tuple(f.graph for f in self.files)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate ``sparql`` (lazily); the default graph is the union unless ``default_graphs`` is given.

        ``substitutions`` binds variables to RDF terms before evaluation (never by editing the text).
        Raises ``SyntaxError`` with the position for a malformed query.
        """
        return self._ox.query(
            sparql,
            use_default_graph_as_union=not default_graphs,
            default_graph=[ox.NamedNode(g) for g in default_graphs] if default_graphs else None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs else None,
            substitutions={ox.Variable(k): v for k, v in substitutions.items()} if substitutions else None,
        )


def load(paths: Iterable[Path | str]) -> EmbeddedStore:
    """Load every RDF file below ``paths`` into a new store (all or nothing)."""
    oxstore = ox.Store()
    digest = hashlib.sha256()
    newest = 0.0
    loaded: list[tuple[Path, str]] = []
    for file, root in discover(paths):
        graph = graph_iri(file, root)
        parse_into(oxstore, file, graph, count=False)
        loaded.append((file, graph))
        digest.update(graph.encode() + b"\0" + file.read_bytes() + b"\0")
        newest = max(newest, file.stat().st_mtime)
    if not loaded:
        raise LoadError(", ".join(str(p) for p in paths) or "(none)", "no RDF files found")
    sizes = graph_sizes(oxstore)
    files = [SourceFile(file, graph, sizes.get(graph, 0)) for file, graph in loaded]
    modified = datetime.fromtimestamp(int(newest), tz=UTC)
    return EmbeddedStore(oxstore, files, digest.hexdigest()[:16], modified)


__all__ = ["ONTOLOGY_IRI", "EmbeddedStore", "LoadError", "SourceFile", "discover", "graph_iri", "load"]
