"""Incremental validation: each report folder is validated on its own and its results are cached.

The data is split into *parts*: every folder ``…/workshops/<report>/`` is one part, and everything
else (``reference/``, loose files) is the shared part. A report part is validated together with the
shared part and the ontology (so ``sh:class`` sees the Länder, topics and organisations it points
to); the shared part is validated alone. The results of a part are stored in the cache under a key
that covers every byte the run depends on: the part's files, the shared files, the ontology, the
shapes, the engine and its version, and the validator's own code. A later run validates only the
parts whose key changed and reads the rest from the cache; results that several parts report (a
shared node, the ontology lint) are counted once.

The results equal those of a whole-graph run as long as report folders do not constrain each other:
no report adds statements about another report's resources, and no shape counts statements that
several reports add to one shared resource. The repository's data and the synthetic series of
``benchmarks/synthetic.py`` are of that kind; ``tests/test_incremental_validation.py`` and
``python -m benchmarks.validation`` compare the two.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypedDict, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from sldkg.graph.store import RDF_FORMATS, LoadError, discover
from sldkg.locations import default_path
from sldkg.validation.engines import DEFAULT_ENGINE, neighbourhood, rdflib_term, result_key
from sldkg.validation.validator import Location, ValidationReport, read_result, validate, violation_order

#: Bumped when the layout of a cache entry changes.
CACHE_FORMAT = 2
#: The folder whose sub-folders are independent reports.
REPORTS_FOLDER = "workshops"
SHARED = "(shared)"


@dataclass(frozen=True)
class Part:
    """A set of data files validated together: one report folder, or the shared data."""

    name: str
    files: tuple[Path, ...]


class CachedResult(TypedDict):
    nt: str  # the result node and its path's blank nodes, N-Triples
    node: str  # the blank node id of the result in ``nt``
    path: str | None  # where the focus node is described
    line: int | None


class CacheEntry(TypedDict):
    key: str
    part: str
    results: list[CachedResult]
    triples: int  # of the part's own files (the shared part: with the ontology)
    cited: bool  # the shared data mentions a resource this part describes
    data_files: list[str]
    shape_files: list[str]
    namespaces: dict[str, str]


@dataclass(frozen=True)
class IncrementalRun:
    """A validation report plus what the cache did."""

    report: ValidationReport
    parts: int
    validated: tuple[str, ...]


def split_parts(paths: Iterable[Path | str]) -> tuple[Part, list[Part]]:
    """``(shared part, report parts)`` of the RDF files below ``paths``."""
    shared: list[Path] = []
    reports: dict[str, list[Path]] = {}
    for file, root in discover(paths):
        relative = file.resolve().relative_to(root.resolve()).parts
        if REPORTS_FOLDER in relative[:-1]:
            at = relative.index(REPORTS_FOLDER)
            folder = Path(root.resolve(), *relative[: at + 2])
            reports.setdefault(str(folder), []).append(file.resolve())
        else:
            shared.append(file.resolve())
    return Part(SHARED, tuple(shared)), [Part(name, tuple(files)) for name, files in sorted(reports.items())]


def digest(files: Iterable[Path], into: hashlib._Hash | None = None) -> hashlib._Hash:
    """sha256 over the names and contents of ``files``."""
    hashed = into or hashlib.sha256()
    for file in files:
        hashed.update(str(file).encode() + b"\0")
        hashed.update(file.read_bytes())
        hashed.update(b"\0")
    return hashed


def engine_version(engine_name: str) -> str:
    distribution = {"pyshacl": "pyshacl", "rudof": "pyrudof"}.get(engine_name, engine_name)
    try:
        return f"{engine_name} {version(distribution)}"
    except PackageNotFoundError:
        return engine_name


def common_key(ontology: Sequence[Path], shapes: Sequence[Path], shared: Part, engine_name: str) -> hashlib._Hash:
    """The part of every cache key that all parts share."""
    hashed = hashlib.sha256(f"sldkg-validation-cache {CACHE_FORMAT} {engine_version(engine_name)}\0".encode())
    digest(sorted(Path(__file__).parent.glob("*.py")), hashed)  # the validator's own code
    for group in (ontology, shapes, shared.files):
        digest(group, hashed)
        hashed.update(b"\1")
    return hashed


def result_text(report: Graph, result: Node) -> str:
    """One result (and the blank nodes of its path) as N-Triples."""
    return neighbourhood(report, [result], depth=10).serialize(format="nt")


def described_and_mentioned(files: Iterable[Path]) -> tuple[int, set[str], set[str]]:
    """(triples, IRIs that are subjects, IRIs that are objects) of ``files``, read with pyoxigraph."""
    triples, subjects, objects = 0, set(), set()
    for file in files:
        for quad in ox.parse(path=str(file), format=RDF_FORMATS[file.suffix]):
            triples += 1
            if isinstance(quad.subject, ox.NamedNode):
                subjects.add(quad.subject.value)
            if isinstance(quad.object, ox.NamedNode):
                objects.add(quad.object.value)
    return triples, subjects, objects


def run_part(
    part: Part,
    run_files: Sequence[Path],
    keep: Callable[[Path], bool],
    ontology: Sequence[Path],
    shapes: Sequence[Path],
    engine_name: str,
    key: str,
    facts: tuple[int, bool],
) -> CacheEntry:
    """Validate ``run_files`` and keep the results whose focus node is described in a file ``keep`` accepts (or nowhere)."""
    report = validate(data=run_files, ontology=ontology, shapes=shapes, engine_name=engine_name)
    results = [
        CachedResult(
            nt=result_text(report.graph, v.node),
            node=str(v.node),
            path=str(v.location.path) if v.location else None,
            line=v.location.line if v.location else None,
        )
        for v in report.violations
        if v.node is not None and (v.location is None or keep(v.location.path))
    ]
    own = set(part.files) | (set(ontology) if part.name == SHARED else set())
    return {
        "key": key,
        "part": part.name,
        "results": results,
        "triples": facts[0],
        "cited": facts[1],
        "data_files": [str(f) for f in report.data_files if f in own],
        "shape_files": [str(f) for f in report.shape_files],
        "namespaces": report.namespaces,
    }


def violation_key(report: Graph, result: Node) -> tuple[str, ...]:
    """What makes two results the same: focus node, path, shape, component, severity, value, messages."""
    value = report.value(result, SH.value)
    messages = sorted(m.n3() for m in report.objects(result, SH.resultMessage))
    value_text = "" if value is None or isinstance(value, BNode) else value.n3()
    return (*result_key(report, result), value_text, "|".join(messages))


class KnownLocation:
    """A locator that answers with a location read from the cache."""

    def __init__(self, location: Location | None):
        self.location = location

    def locate(self, node: Node | None) -> Location | None:
        return self.location


def validate_incremental(
    data: Iterable[Path | str] | None = None,
    ontology: Iterable[Path | str] | None = None,
    shapes: Iterable[Path | str] | None = None,
    *,
    cache: Path,
    engine_name: str = DEFAULT_ENGINE,
) -> IncrementalRun:
    """Like :func:`sldkg.validation.validator.validate`, validating only the parts that changed since the last run."""
    started = time.perf_counter()
    data = list(data) if data is not None else [default_path("data")]
    ontology_files = [f.resolve() for f, _root in discover(list(ontology) if ontology is not None else [default_path("ontology")])]
    shape_files = [f.resolve() for f, _root in discover(list(shapes) if shapes is not None else [default_path("shapes")])]
    if not shape_files:
        raise LoadError(", ".join(str(p) for p in shapes or []) or "(none)", "no shape files found")
    shared, reports = split_parts(data)
    common = common_key(ontology_files, shape_files, shared, engine_name)
    cache.mkdir(parents=True, exist_ok=True)
    _count, _described, mentioned = described_and_mentioned(shared.files)
    all_report_files = {f for part in reports for f in part.files}
    entries: list[CacheEntry] = []
    validated: list[str] = []

    def entry_for(part: Part, run_files: Sequence[Path], keep: Callable[[Path], bool], key: hashlib._Hash) -> CacheEntry:
        entry_file = cache / (hashlib.sha256(part.name.encode()).hexdigest()[:32] + ".json")
        entry = read_entry(entry_file, key.hexdigest())
        if entry is None:
            triples, described, _objects = described_and_mentioned(part.files if part.name != SHARED else [*ontology_files, *part.files])
            facts = (triples, bool(described & mentioned) and part.name != SHARED)
            entry = run_part(part, run_files, keep, ontology_files, shape_files, engine_name, key.hexdigest(), facts)
            entry_file.write_text(json.dumps(entry), encoding="utf-8")
            validated.append(part.name)
        return entry

    # a report part: with the shared data, keeping the results about its own resources
    for part in reports:
        key = common.copy()
        digest(part.files, key)
        own = set(part.files)
        entries.append(entry_for(part, [*shared.files, *part.files], own.__contains__, key))
    # the shared part: with the reports that it cites, keeping the results about shared resources
    cited = [part for part, entry in zip(reports, entries, strict=True) if entry["cited"]]
    key = common.copy()
    for part in cited:
        digest(part.files, key)
    cited_files = [f for part in cited for f in part.files]
    entries.insert(0, entry_for(shared, [*shared.files, *cited_files], lambda path: path not in all_report_files, key))
    return IncrementalRun(combine(entries, started), 1 + len(reports), tuple(validated))


def read_entry(file: Path, key: str) -> CacheEntry | None:
    """The cache entry in ``file`` if it was made for ``key`` (else the part must be validated)."""
    try:
        entry = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or set(entry) != set(CacheEntry.__annotations__):
        return None
    return cast(CacheEntry, entry)


def combine(entries: Sequence[CacheEntry], started: float) -> ValidationReport:
    """One report from the cache entries of every part, each result counted once."""
    report = Graph()
    report.bind("sh", SH)
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    seen: set[tuple[str, ...]] = set()
    violations = []
    data_files: dict[str, None] = {}
    shape_files: dict[str, None] = {}
    namespaces: dict[str, str] = {}
    triples = 0
    for entry in entries:
        if entry["results"]:
            # every result of the entry in one graph: rdflib wrote blank nodes with ids unique to the run
            text = "".join(result["nt"] for result in entry["results"]).encode("utf-8")
            graph = Graph()
            for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
                graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object)))
        for result in entry["results"]:
            node = BNode(result["node"])
            key = violation_key(graph, node)
            if key in seen:
                continue
            seen.add(key)
            for triple in neighbourhood(graph, [node], depth=10):
                report.add(triple)
            report.add((report_node, SH.result, node))
            location = Location(Path(result["path"]), result["line"]) if result["path"] else None
            violations.append(read_result(graph, node, KnownLocation(location)))
        data_files.update(dict.fromkeys(entry["data_files"]))
        shape_files.update(dict.fromkeys(entry["shape_files"]))
        namespaces.update(entry["namespaces"])
        triples += entry["triples"]
    conforms = not any(v.severity == SH.Violation for v in violations)
    report.add((report_node, SH.conforms, Literal(conforms)))
    for prefix, ns in namespaces.items():
        report.bind(prefix, ns, override=False)
    return ValidationReport(
        conforms=conforms,
        violations=tuple(sorted(violations, key=violation_order)),
        graph=report,
        data_files=tuple(Path(f) for f in data_files),
        shape_files=tuple(Path(f) for f in shape_files),
        triples=triples,
        seconds=time.perf_counter() - started,
        namespaces=namespaces,
    )


__all__ = ["IncrementalRun", "Part", "split_parts", "validate_incremental"]
