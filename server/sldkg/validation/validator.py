"""SHACL validation of the data with one of the engines (pySHACL, the reference, by default) into a :class:`ValidationReport`; pure.

Two kinds of shapes (see ``shapes/``):

* data shapes (every file not starting with ``ontology-``) are applied to the data together with
  the ontology, so that ``rdfs:subClassOf`` statements make ``sh:targetClass``/``sh:class`` see
  subclass instances without any inference run;
* ontology lint shapes (``shapes/ontology-*.ttl``) are applied to the ontology graph alone.

Files are read from local paths only and ``owl:imports`` are never followed, so validation makes
no network access. Every violation knows the file (and, where it can be found, the line) in which
its focus node is described, for human output and for CI annotations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from sldkg.graph.store import RDF_FORMATS, LoadError, discover, display_path
from sldkg.locations import default_path
from sldkg.validation.engines import DEFAULT_ENGINE, EngineFailed, engine, merge_results, restrict_targets
from sldkg.validation.literal_terms import rdflib_term, store_term, wrapped_ntriples, wrapped_quads
from sldkg.validation.parallelism import BackgroundLoads, default_jobs

#: Shape files with this name prefix lint the ontology instead of constraining the data.
LINT_PREFIX = "ontology-"


@dataclass(frozen=True)
class Location:
    """Where a node is described: the file and, when found, the 1-based line of its subject."""

    path: Path
    line: int | None = None

    def __str__(self) -> str:
        shown = str(display_path(self.path))
        return f"{shown}:{self.line}" if self.line else shown


@dataclass(frozen=True)
class Violation:
    """One ``sh:ValidationResult``."""

    focus_node: rdflib.term.Node
    source_shape: rdflib.term.Node
    constraint: URIRef
    severity: URIRef
    path: rdflib.term.Node | None = None
    value: rdflib.term.Node | None = None
    messages: tuple[Literal, ...] = ()
    location: Location | None = None
    #: The ``sh:ValidationResult`` node in the report graph.
    node: rdflib.term.Node | None = field(default=None, compare=False, repr=False)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, else one without a language tag, else any, else the constraint."""
        for wanted in (lang, None):
            for m in self.messages:
                if m.language == wanted:
                    return str(m)
        if self.messages:
            return str(self.messages[0])
        return f"violates {local_name(self.constraint)}"


@dataclass
class ValidationReport:
    """What a validation run found; ``graph`` is the W3C SHACL validation report."""

    conforms: bool
    violations: tuple[Violation, ...]
    graph: Graph
    data_files: tuple[Path, ...]
    shape_files: tuple[Path, ...]
    triples: int
    seconds: float
    namespaces: dict[str, str] = field(default_factory=dict)
    #: The stores the files were validated in. They live as long as the report: freeing a store of
    #: 1e6 triples takes about a second, which a program that exits next can skip (``sldkg validate`` does).
    stores: tuple[ox.Store, ...] = field(default=(), repr=False, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity name (``Violation``, ``Warning``, ``Info``)."""
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[local_name(v.severity)] = counts.get(local_name(v.severity), 0) + 1
        return counts

    def short(self, node: rdflib.term.Node | None) -> str:
        """``node`` in Turtle notation with the data's prefixes (for messages)."""
        if node is None:
            return ""
        if isinstance(node, URIRef):
            for prefix, ns in sorted(self.namespaces.items(), key=lambda kv: -len(kv[1])):
                if str(node).startswith(ns) and re.fullmatch(r"[\w.-]*", str(node)[len(ns) :]):
                    local = str(node)[len(ns) :]
                    if local and not local.endswith("."):
                        return f"{prefix}:{local}"
        return node.n3()


class ShapesError(Exception):
    """The shapes themselves are broken (pySHACL cannot load a shape or constraint)."""


def local_name(iri: rdflib.term.Node) -> str:
    text = str(iri)
    return re.split(r"[#/]", text)[-1] or text


# -- loading -----------------------------------------------------------------------------------


@dataclass
class LoadedFiles:
    """Files parsed one by one into an Oxigraph store, each file in its own named graph.

    The store keeps every literal as written (:mod:`sldkg.validation.literal_terms`). The rdflib
    graph of the same triples (for pySHACL and rudof) is built only when asked for: the ``oxigraph``
    engine never needs it. Where a node is described is asked of the store, for the few nodes of
    a report.
    """

    dataset: ox.Store = field(default_factory=ox.Store)
    files: list[Path] = field(default_factory=list)
    prefixes: dict[Path, dict[str, str]] = field(default_factory=dict)
    #: The file behind each named graph.
    graph_files: dict[ox.NamedNode, Path] = field(default_factory=dict)
    triples: int = 0
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The triples of every file (and of the default graph) as an rdflib graph, built on first use."""
        if self._graph is None:
            graph = Graph()
            named: dict[ox.NamedNode, rdflib.term.Node] = {}  # one URIRef per IRI: most IRIs recur

            def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> rdflib.term.Node:
                if isinstance(t, ox.NamedNode):
                    found = named.get(t)
                    if found is None:
                        found = named[t] = rdflib_term(t)
                    return found
                return rdflib_term(t)

            for quad in self.dataset:
                graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
            self._graph = graph
        return self._graph

    def store(self) -> ox.Store:
        """The Oxigraph store (query it with ``use_default_graph_as_union=True``)."""
        return self.dataset

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add ``quads`` (they keep their graph, e.g. the default graph for axioms taken from elsewhere)."""
        self.dataset.extend(quads)
        self._graph = None

    def described_in(self, node: rdflib.term.Node) -> Path | None:
        """The first file in which ``node`` is the subject of a triple."""
        if isinstance(node, Literal):
            return None
        subject = store_term(node)
        assert not isinstance(subject, ox.Literal)
        found = set()
        for quad in self.dataset.quads_for_pattern(subject, None, None, None):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name in self.graph_files:
                found.add(self.graph_files[quad.graph_name])
        order = {path: number for number, path in enumerate(self.files)}
        return min(found, key=lambda path: order.get(path, len(order))) if found else None

    def held_by(self, node: BNode) -> rdflib.term.Node | None:
        """A subject that points to the blank ``node`` (its block in the file)."""
        for quad in self.dataset.quads_for_pattern(None, None, store_term(node), None):
            return rdflib_term(quad.subject)
        return None


def syntax_message(exc: SyntaxError) -> str:
    """pyoxigraph's message without its "Parser error between line … and line …:" lead (the location is kept apart)."""
    message = exc.msg or str(exc)
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message


def parse_file(path: Path, loaded: LoadedFiles, loads: BackgroundLoads | None = None) -> None:
    """Parse one local file into ``loaded``, in a named graph of its own (pyoxigraph's parser and store, no rdflib).

    The file is parsed to N-Triples (blank nodes get labels unique to the file when loaded), its
    XSD datatypes are renamed so that Oxigraph keeps the literals as written, and the text is
    loaded: by ``loads`` if given (in its thread, while the next file is parsed), else at once.
    A syntax error becomes :class:`LoadError` with line and column.
    """
    if path.suffix not in RDF_FORMATS:
        raise LoadError(path, f"not an RDF file (known endings: {', '.join(sorted(RDF_FORMATS))})")
    graph = ox.NamedNode(path.as_uri())
    try:
        parser = ox.parse(path=str(path), format=RDF_FORMATS[path.suffix])
        text = ox.serialize(parser, format=ox.RdfFormat.N_TRIPLES)
        assert text is not None
        prefixes = dict(parser.prefixes)
    except SyntaxError as exc:
        raise LoadError(path, syntax_message(exc), exc.lineno, exc.offset) from None
    except OSError as exc:
        raise LoadError(path, exc.strerror or str(exc)) from None
    store = loaded.dataset
    wrapped = wrapped_ntriples(text)

    def load() -> None:
        try:
            if wrapped is not None:
                # lenient: no second check of IRIs that Oxigraph's own parser has just read and written (2 s at 1e6 triples)
                store.load(wrapped, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
            else:  # an escaped quote before a datatype IRI inside a string: literal by literal
                triples = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
                store.extend(relabelled(wrapped_quads(triples, graph), {}))
        except (SyntaxError, OSError) as exc:  # in text Oxigraph has just written: not expected
            raise LoadError(path, f"cannot be stored: {exc}") from None

    if loads is None:
        load()
    else:
        loads.submit(load)
    loaded.files.append(path)
    loaded.graph_files[graph] = path
    loaded.prefixes[path] = prefixes
    loaded.triples += text.count(b"\n")
    loaded._graph = None


def relabelled(quads: Iterable[ox.Quad], fresh: dict[str, ox.BlankNode]) -> Iterable[ox.Quad]:
    """``quads`` with blank nodes given fresh labels (as :meth:`pyoxigraph.Store.load` does per file)."""

    def label(term: ox.BlankNode) -> ox.BlankNode:
        return fresh.setdefault(term.value, ox.BlankNode())

    for quad in quads:
        subject, obj = quad.subject, quad.object
        if isinstance(subject, ox.BlankNode):
            subject = label(subject)
        if isinstance(obj, ox.BlankNode):
            obj = label(obj)
        assert not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple)
        yield ox.Quad(subject, quad.predicate, obj, quad.graph_name)


def load_files(paths: Iterable[Path | str], *, start: LoadedFiles | None = None, skip: Iterable[Path] = (), jobs: int = 1) -> LoadedFiles:
    """Every RDF file below ``paths`` (see :func:`sldkg.graph.store.discover`) parsed into one store.

    ``start``: triples to begin with (copied, not its files); ``skip``: files not to load (already
    loaded elsewhere); ``jobs`` above 1: a second thread loads each file into the store while the
    next one is parsed (:class:`~sldkg.validation.parallelism.BackgroundLoads`).
    """
    loaded = LoadedFiles()
    if start is not None:
        loaded.add(start.dataset)
        loaded.graph_files.update(start.graph_files)
    skipped = set(skip)
    with BackgroundLoads(parallel=jobs > 1) as loads:
        for found, _root in discover(paths):
            file = found.resolve()
            if file in loaded.prefixes or file in skipped:
                continue
            parse_file(file, loaded, loads)
    return loaded


# -- validation --------------------------------------------------------------------------------


def split_shapes(files: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """``(data shapes, ontology lint shapes)`` by file name."""
    lint = [f for f in files if f.name.startswith(LINT_PREFIX)]
    return [f for f in files if f not in lint], lint


def validate(
    data: Iterable[Path | str] | None = None,
    ontology: Iterable[Path | str] | None = None,
    shapes: Iterable[Path | str] | None = None,
    *,
    only: Sequence[str] | None = None,
    engine_name: str = DEFAULT_ENGINE,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate ``data`` (with ``ontology``) against ``shapes``; raises :class:`LoadError` when it cannot run.

    ``only`` restricts validation to the named shapes (IRIs of node shapes), e.g. for shape fixtures.
    ``engine_name``: ``pyshacl`` (the reference), ``rudof`` (see :mod:`sldkg.validation.engines`) or
    ``oxigraph`` (see :mod:`sldkg.validation.oxigraph_engine`). ``jobs``: threads that work at
    once (default: the cores available, see :mod:`sldkg.validation.parallelism`); the results do
    not depend on it.
    """
    if jobs is None:
        jobs = default_jobs()
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    run_engine = engine(engine_name, jobs=jobs)
    started = time.perf_counter()
    # defaults: the working directory's folders, else the bundled ones (sldkg.locations)
    data = list(data) if data is not None else [default_path("data")]
    ontology = list(ontology) if ontology is not None else [default_path("ontology")]
    shapes = list(shapes) if shapes is not None else [default_path("shapes")]
    shape_paths = [f.resolve() for f, _root in discover(shapes)]
    if not shape_paths:
        raise LoadError(", ".join(str(p) for p in shapes) or "(none)", "no shape files found")
    data_shape_paths, lint_shape_paths = split_shapes(shape_paths)
    ontology_files = load_files(ontology, jobs=jobs)
    # the data graph: the ontology (for rdfs:subClassOf), the data, and the subclass axioms of
    # external vocabularies stated in the shape files (explicit subclass closure, no inference run)
    data_files = load_files(data, start=ontology_files, skip=ontology_files.files, jobs=jobs)
    data_shapes = load_files(data_shape_paths, jobs=jobs)
    lint_shapes = load_files(lint_shape_paths, jobs=jobs)
    # in the default graph: they describe nothing in the data files
    subclass_of = ox.NamedNode(str(RDFS.subClassOf))
    data_files.add(ox.Quad(q.subject, q.predicate, q.object) for q in data_shapes.dataset.quads_for_pattern(None, subclass_of, None, None))

    runs: list[tuple[LoadedFiles, Graph]] = []
    if data_shapes.files:
        runs.append((data_files, data_shapes.graph))
    if lint_shapes.files and ontology_files.files:
        runs.append((ontology_files, lint_shapes.graph))

    report = Graph()
    report.bind("sh", SH)
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    conforms = True
    for loaded, all_shapes in runs:
        shapes_graph = all_shapes if only is None else only_shapes(all_shapes, [URIRef(s) for s in only])
        if shapes_graph is None:
            continue
        try:
            ok, results = run_engine(loaded, shapes_graph)
        except EngineFailed as exc:
            first_line = (str(exc).strip().splitlines() or ["(no message)"])[0]
            raise ShapesError(
                f"the shapes in {', '.join(str(display_path(Path(p))) for p in shapes)} cannot be used: {first_line}"
            ) from None
        conforms = conforms and bool(ok)
        merge_results(results, report, report_node)
    report.add((report_node, SH.conforms, Literal(conforms)))

    sources = SourceIndex([ontology_files, data_files])
    violations = sorted(
        (read_result(report, r, sources) for r in report.objects(report_node, SH.result)),
        key=violation_order,
    )
    namespaces: dict[str, str] = {}
    for loaded in (data_shapes, lint_shapes, ontology_files, data_files):
        for prefixes in loaded.prefixes.values():
            namespaces.update(prefixes)
    for prefix, ns in namespaces.items():
        report.bind(prefix, ns, override=False)
    return ValidationReport(
        conforms=conforms,
        violations=tuple(violations),
        graph=report,
        data_files=tuple(ontology_files.files + data_files.files),
        shape_files=tuple(data_shapes.files + lint_shapes.files),
        triples=ontology_files.triples + data_files.triples,
        seconds=time.perf_counter() - started,
        namespaces=namespaces,
        stores=tuple(loaded.dataset for loaded in (ontology_files, data_files, data_shapes, lint_shapes)),
    )


def only_shapes(shapes_graph: Graph, keep: Sequence[URIRef]) -> Graph | None:
    """A copy of ``shapes_graph`` in which only the shapes ``keep`` have targets (``None``: none of them is in it).

    Removing the other targets (instead of pySHACL's ``use_shapes``) keeps every shape that the kept
    ones refer to (property shapes, ``sh:node``, ``sh:or`` members) intact.
    """
    if not any((shape, None, None) in shapes_graph for shape in keep):
        return None
    return restrict_targets(shapes_graph, keep)


def read_result(report: Graph, result: rdflib.term.Node, sources: Locator) -> Violation:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    constraint = report.value(result, SH.sourceConstraintComponent)
    severity = report.value(result, SH.resultSeverity) or SH.Violation
    if focus is None or shape is None or not isinstance(constraint, URIRef) or not isinstance(severity, URIRef):
        raise ValueError(f"incomplete validation result {result}: focus {focus}, shape {shape}, component {constraint}")
    messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    return Violation(
        focus_node=focus,
        source_shape=shape,
        constraint=constraint,
        severity=severity,
        path=report.value(result, SH.resultPath),
        value=report.value(result, SH.value),
        messages=tuple(sorted(messages, key=lambda m: (m.language or "", str(m)))),
        location=sources.locate(focus),
        node=result,
    )


def violation_order(v: Violation) -> tuple[str | int, ...]:
    where = (str(v.location.path), v.location.line or 0) if v.location else ("~", 0)
    return (*where, str(v.focus_node), str(v.path or ""), str(v.source_shape), str(v.constraint), str(v.value or ""))


# -- where a focus node is described -------------------------------------------------------------


class Locator(Protocol):
    def locate(self, node: rdflib.term.Node | None) -> Location | None: ...


class SourceIndex:
    """Finds the file (and line) in which a node is described as a subject."""

    def __init__(self, loaded: Sequence[LoadedFiles]):
        self._loaded = loaded
        self._texts: dict[Path, list[str]] = {}

    def locate(self, node: rdflib.term.Node | None, _seen: frozenset[rdflib.term.Node] = frozenset()) -> Location | None:
        if node is None:
            return None
        for loaded in self._loaded:
            path = loaded.described_in(node)
            if path is None:
                continue
            if isinstance(node, BNode):
                # a blank node is described inside the block of the subject that points to it
                parent = loaded.held_by(node)
                if parent is not None and parent not in _seen:
                    found = self.locate(parent, _seen | {node})
                    if found is not None:
                        return found
                return Location(path)
            return Location(path, self.line_of(path, loaded.prefixes[path], node))
        return None

    def line_of(self, path: Path, prefixes: dict[str, str], node: rdflib.term.Node) -> int | None:
        """The first line that starts with ``node`` written in full or with one of the file's prefixes."""
        if not isinstance(node, URIRef):
            return None
        forms = [f"<{node}>"]
        for prefix, ns in prefixes.items():
            if str(node).startswith(ns) and len(str(node)) > len(ns):
                forms.append(f"{prefix}:{str(node)[len(ns) :]}")
        if path not in self._texts:
            self._texts[path] = path.read_text(encoding="utf-8").splitlines()
        pattern = re.compile("^(?:" + "|".join(re.escape(f) for f in forms) + r")(?=[\s;,]|$)")
        for number, text in enumerate(self._texts[path], start=1):
            if pattern.match(text):
                return number
        return None


__all__ = ["LINT_PREFIX", "Location", "ShapesError", "ValidationReport", "Violation", "load_files", "parse_file", "validate"]
