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
from sldkg.validation.engines import DEFAULT_ENGINE, neighbourhood, result_key
from sldkg.validation.literal_terms import rdflib_term
from sldkg.validation.validator import Location, ValidationReport, read_result, validate, violation_order

#: Bumped when the layout of a cache entry changes.
CACHE_FORMAT = 2
#: Changed report folders are validated together in batches of about this many bytes of files: one
#: engine run per batch instead of one per folder (each folder keeps the results about its own files).
BATCH_BYTES = 4_000_000
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
    shares: list[str]  # shared resources (described in the shared data) this part adds facts to
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
    distribution = {"pyshacl": "pyshacl", "rudof": "pyrudof", "oxigraph": "pyoxigraph"}.get(engine_name, engine_name)
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


def cached_results(report: ValidationReport, keep: Callable[[Path | None, str], bool]) -> list[CachedResult]:
    """The results of ``report`` that ``keep(file describing the focus node or None, focus node)`` accepts."""
    return [
        CachedResult(
            nt=result_text(report.graph, v.node),
            node=str(v.node),
            path=str(v.location.path) if v.location else None,
            line=v.location.line if v.location else None,
        )
        for v in report.violations
        if v.node is not None and keep(v.location.path if v.location else None, str(v.focus_node))
    ]


def make_entry(
    part: Part, key: str, results: list[CachedResult], report: ValidationReport, facts: tuple[int, bool], shares: Iterable[str] = ()
) -> CacheEntry:
    own = {str(f) for f in part.files}
    return {
        "key": key,
        "part": part.name,
        "results": results,
        "triples": facts[0],
        "cited": facts[1],
        "shares": sorted(shares),
        "data_files": [str(f) for f in report.data_files if str(f) in own],
        "shape_files": [str(f) for f in report.shape_files],
        "namespaces": report.namespaces,
    }


def batches(pending: Sequence[tuple[Part, str]], size: int) -> list[list[tuple[Part, str]]]:
    """``pending`` parts in groups of about ``size`` bytes of files."""
    groups: list[list[tuple[Part, str]]] = [[]]
    filled = 0
    for item in pending:
        weight = sum(f.stat().st_size for f in item[0].files)
        if groups[-1] and filled + weight > size:
            groups.append([])
            filled = 0
        groups[-1].append(item)
        filled += weight
    return [g for g in groups if g]


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
    jobs: int | None = None,
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
    _count, shared_subjects, mentioned = described_and_mentioned(shared.files)
    all_report_files = {f for part in reports for f in part.files}
    entries: list[CacheEntry] = []
    validated: list[str] = []

    def entry_file(part: Part) -> Path:
        return cache / (hashlib.sha256(part.name.encode()).hexdigest()[:32] + ".json")

    def facts(part: Part) -> tuple[int, bool]:
        """(triples, whether the shared data mentions a resource the part describes)."""
        triples, described, _objects = described_and_mentioned(part.files if part.name != SHARED else [*ontology_files, *part.files])
        return triples, bool(described & mentioned) and part.name != SHARED

    def run_batch(batch: Sequence[tuple[Part, str]]) -> None:
        """Validate report parts together with the shared data; each keeps the results about its own files."""
        files = [*shared.files, *(f for part, _key in batch for f in part.files)]
        report = validate(data=files, ontology=ontology_files, shapes=shape_files, engine_name=engine_name, jobs=jobs)
        if len(batch) > 1 and any(v.location is None for v in report.violations):
            for one in batch:  # a result about a node described nowhere: which part caused it is unknown
                run_batch([one])
            return
        for part, key in batch:
            own = {str(f) for f in part.files}
            # a shared resource this report adds facts to is validated here, with the report's facts
            # (docs/validation.md): the shared part alone lacks them (e.g. the passages it is derived from)
            shares = described_and_mentioned(part.files)[1] & shared_subjects
            results = cached_results(
                report,
                lambda path, focus, own=own, shares=shares: path is None or str(path) in own or focus in shares,  # type: ignore[misc]
            )
            entry = make_entry(part, key, results, report, facts(part), shares)
            entry_file(part).write_text(json.dumps(entry), encoding="utf-8")
            found[part.name] = entry
            validated.append(part.name)

    # report parts: with the shared data, in batches; each keeps the results about its own resources
    found: dict[str, CacheEntry] = {}
    pending: list[tuple[Part, str]] = []
    for part in reports:
        key = common.copy()
        digest(part.files, key)
        entry = read_entry(entry_file(part), key.hexdigest())
        if entry is None:
            pending.append((part, key.hexdigest()))
        else:
            found[part.name] = entry
    for batch in batches(pending, BATCH_BYTES):
        run_batch(batch)
    entries.extend(found[part.name] for part in reports)
    # the shared part: with the reports that it cites, keeping the results about shared resources
    cited = [part for part, entry in zip(reports, entries, strict=True) if entry["cited"]]
    key = common.copy()
    for part in cited:
        digest(part.files, key)
    shared_entry = read_entry(entry_file(shared), key.hexdigest())
    if shared_entry is None:
        cited_files = [f for part in cited for f in part.files]
        report = validate(
            data=[*shared.files, *cited_files], ontology=ontology_files, shapes=shape_files, engine_name=engine_name, jobs=jobs
        )
        completed = {node for entry in entries for node in entry.get("shares", [])}  # validated with their reports
        results = cached_results(report, lambda path, focus: (path is None or path not in all_report_files) and focus not in completed)
        shared_entry = make_entry(Part(SHARED, (*ontology_files, *shared.files)), key.hexdigest(), results, report, facts(shared))
        entry_file(shared).write_text(json.dumps(shared_entry), encoding="utf-8")
        validated.append(SHARED)
    entries.insert(0, shared_entry)
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
