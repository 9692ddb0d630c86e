"""The SHACL engines behind :func:`sldkg.validation.validator.validate`: pySHACL (the reference), rudof and oxigraph.

pySHACL and rudof take the data graph and the shapes graph (the ``oxigraph`` engine, in
:mod:`sldkg.validation.oxigraph_engine`, takes the Oxigraph store instead) and return ``(conforms, results)`` where ``results``
is a W3C validation report graph (``sh:ValidationReport`` with ``sh:result`` nodes), so that the
rest of the validator does not depend on the engine.

* ``pyshacl``: pySHACL, the reference, for every constraint. Its SPARQL targets
  (``sh:SPARQLTarget``) are evaluated by Oxigraph on the same data and handed to pySHACL as
  ``sh:targetNode``s (:func:`expand_sparql_targets`): rdflib's SPARQL engine spent about 40 % of
  pySHACL's time on the real graph evaluating them (the ``FILTER NOT EXISTS`` of
  ``SupportedFactShape``). A target is defined as the set of nodes its query selects, so the
  results are the same; ``tests/test_engine_parity.py`` checks it against pySHACL evaluating the
  targets itself (``sparql_targets="pyshacl"``) on every fixture and on the real data.
* ``rudof``: rudof (PyPI ``pyrudof``, Rust) for SHACL Core, plus two things rudof cannot do itself,
  which make it a hybrid:

  - a ``sh:SPARQLTarget`` (``sh:target [ a sh:SPARQLTarget ; sh:select … ]``) is evaluated by
    Oxigraph on the validator's store (rudof's own SPARQL engine when there is none) and replaced
    by one ``sh:targetNode`` per IRI it selects (:func:`expand_sparql_targets`); a target that
    selects a blank node or a literal is left to pySHACL;
  - node shapes with SHACL-SPARQL constraints (``sh:sparql``) are validated by pySHACL.

  rudof relabels blank nodes in its report, so blank-node shapes are given IRIs (``SKOLEM``) on the
  way in and turned back into the same blank nodes on the way out; as pySHACL does, the report
  carries the description of a blank source shape.

  rudof's results carry the shape's ``sh:message`` plus a message of its own ("MinCount(1) not
  satisfied"); where the shape has ``sh:message`` only those are kept, as pySHACL does.

``tests/test_engine_parity.py`` runs every shape fixture through both engines and asserts the same
results (focus node, path, source shape, constraint component, severity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from sldkg.validation.literal_terms import rdflib_term, store_term

EngineName = TypingLiteral["pyshacl", "rudof", "oxigraph"]
ENGINES: tuple[EngineName, ...] = ("pyshacl", "rudof", "oxigraph")
#: The fastest; pySHACL stays the reference, against which tests/test_engine_parity.py checks it.
DEFAULT_ENGINE: EngineName = "oxigraph"

#: The target predicates of SHACL Core and SHACL-AF.
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class DataSource(Protocol):
    """The data of a validation run: an Oxigraph store (its graphs queried as one), and an rdflib graph built only if asked for."""

    @property
    def graph(self) -> Graph: ...

    def store(self) -> ox.Store: ...


#: ``engine(data, shapes_graph)``: pySHACL and rudof take ``data.graph`` (and ``data.store()`` for the
#: SPARQL targets); the ``oxigraph`` engine only ``data.store()``.
Engine = Callable[[DataSource, Graph], tuple[bool, Graph]]


class EngineUnavailable(Exception):
    """The engine asked for is not installed (rudof: ``pip install pyrudof``)."""


class EngineFailed(Exception):
    """The engine could not read the data or the shapes, or failed while validating."""


def run_pyshacl(
    data_graph: Graph,
    shapes_graph: Graph,
    store: ox.Store | None = None,
    *,
    sparql_targets: TypingLiteral["oxigraph", "pyshacl"] = "oxigraph",
) -> tuple[bool, Graph]:
    """pySHACL with SHACL-AF, no inference, no ``owl:imports``; warnings do not break conformance.

    ``sparql_targets``: who evaluates ``sh:SPARQLTarget`` queries, Oxigraph on ``store`` (the
    default, see the module docstring) or pySHACL itself with rdflib (the plain reference).
    """
    import pyshacl  # here: a fifth of a second of start-up that runs of the oxigraph engine mostly do not need
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    if sparql_targets == "oxigraph" and (None, SH.target, None) in shapes_graph:
        shapes_graph, _fallback = expand_sparql_targets(shapes_graph, oxigraph_select(store or oxigraph_store(data_graph)))
    try:
        ok, results, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
            meta_shacl=False,
            # pySHACL copies the data graph in advanced mode only because SHACL rules could add to it;
            # without sh:rule nothing writes to it (and validate() builds its data graph per run anyway)
            inplace=(None, SH.rule, None) not in shapes_graph,
        )
    except (ShapeLoadError, ConstraintLoadError, ReportableRuntimeError) as exc:  # broken shapes
        raise EngineFailed(str(getattr(exc, "message", None) or exc)) from None
    assert isinstance(results, Graph)
    return bool(ok), results


def oxigraph_store(graph: Graph) -> ox.Store:
    """An in-memory Oxigraph store with the triples of ``graph`` in its default graph, terms as the
    validator's store holds them (:func:`~sldkg.validation.literal_terms.store_term`)."""
    quads = []
    for s, p, o in graph:
        subject, predicate = store_term(s), store_term(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise ValueError(f"not an RDF triple: {(s, p, o)!r}")
        quads.append(ox.Quad(subject, predicate, store_term(o)))
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def oxigraph_select(store: ox.Store) -> Callable[[str], list[str]]:
    """A ``select`` for :func:`expand_sparql_targets` that runs the query on ``store``."""

    def select(query: str) -> list[str]:
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return [str(row["this"]) for row in solutions if row["this"] is not None]

    return select


def prefix_declarations(shapes_graph: Graph, node: Node) -> str:
    """The ``PREFIX`` lines that ``node``'s ``sh:prefixes`` declare (SHACL 5.2.1, ``sh:declare``)."""
    lines = []
    for holder in shapes_graph.objects(node, SH.prefixes):
        for declaration in shapes_graph.objects(holder, SH.declare):
            prefix, namespace = shapes_graph.value(declaration, SH.prefix), shapes_graph.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise EngineFailed(f"a prefix declaration of {holder.n3()} lacks sh:prefix or sh:namespace")
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "".join(line + "\n" for line in sorted(set(lines)))


def restrict_targets(shapes_graph: Graph, keep: Iterable[Node]) -> Graph:
    """A copy of ``shapes_graph`` in which only the shapes ``keep`` have targets (every shape stays defined)."""
    kept = set(keep)
    copy = Graph()
    copy += shapes_graph
    for predicate in TARGETS:
        for shape, target in list(copy.subject_objects(predicate)):
            if shape not in kept:
                copy.remove((shape, predicate, target))
    return copy


def sparql_shapes(shapes_graph: Graph) -> set[Node]:
    """Shapes with SHACL-SPARQL constraints (``sh:sparql``), directly or through their property shapes."""
    direct = set(shapes_graph.subjects(SH.sparql, None))
    return direct | {s for s, p in shapes_graph.subject_objects(SH.property) if p in direct}


def node_text(node: Node) -> str:
    """``node`` as rudof writes terms in query results (N-Triples notation)."""
    return node.n3()


def expand_sparql_targets(shapes_graph: Graph, select: Callable[[str], list[str]]) -> tuple[Graph, set[Node]]:
    """``shapes_graph`` with every SPARQL target replaced by the ``sh:targetNode`` IRIs it selects.

    ``select`` runs a SELECT query on the data and returns the N-Triples form of each ``?this``;
    the query starts with the ``PREFIX`` declarations of the target's ``sh:prefixes``.
    Returns the new graph and the shapes whose targets could not be expanded (left to pySHACL).
    """
    expanded = Graph()
    expanded += shapes_graph
    fallback: set[Node] = set()
    for shape, target in list(shapes_graph.subject_objects(SH.target)):
        if (target, RDF.type, SH.SPARQLTarget) not in shapes_graph:
            continue
        query = shapes_graph.value(target, SH.select)
        if query is None:
            fallback.add(shape)
            continue
        found = select(prefix_declarations(shapes_graph, target) + str(query))
        if not all(text.startswith("<") and text.endswith(">") for text in found):
            fallback.add(shape)
            continue
        expanded.remove((shape, SH.target, target))
        for text in found:
            expanded.add((shape, SH.targetNode, URIRef(text[1:-1])))
    return expanded, fallback


#: Blank-node shapes are named with IRIs below this for rudof, which relabels blank nodes in its report.
SKOLEM = "urn:sldkg:blank-shape:"


def skolemised_shapes(shapes_graph: Graph) -> Graph:
    """``shapes_graph`` with every blank-node shape (not the lists) named ``SKOLEM + id``."""
    blank: set[Node] = set()
    for predicate in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
        blank.update(o for o in shapes_graph.objects(None, predicate) if isinstance(o, BNode))
    blank.update(s for s in shapes_graph.subjects(SH.path, None) if isinstance(s, BNode))
    for predicate in (SH["or"], SH["and"], SH.xone):
        for head in shapes_graph.objects(None, predicate):
            blank.update(m for m in Collection(shapes_graph, head) if isinstance(m, BNode))

    def named(node: Node) -> Node:
        return URIRef(SKOLEM + str(node)) if node in blank else node

    renamed = Graph()
    for s, p, o in shapes_graph:
        renamed.add((named(s), p, named(o)))
    return renamed


def unskolemised(node: Node) -> Node:
    return BNode(node[len(SKOLEM) :]) if isinstance(node, URIRef) and node.startswith(SKOLEM) else node


def results_graph(ntriples: str, shapes_graph: Graph) -> Graph:
    """rudof's report (N-Triples) as an rdflib graph, with pySHACL's choice of messages."""
    report = Graph()
    for triple in ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        report.add((rdflib_term(triple.subject), rdflib_term(triple.predicate), unskolemised(rdflib_term(triple.object))))
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        shape = report.value(result, SH.sourceShape)
        if isinstance(shape, BNode) and (shape, None, None) not in report:
            # a blank shape: pySHACL copies its description into the report, so do the same
            for triple in neighbourhood(shapes_graph, [shape], depth=10):
                report.add(triple)
        own = list(shapes_graph.objects(shape, SH.message)) if shape is not None else []
        if own:
            report.remove((result, SH.resultMessage, None))
            for message in own:
                report.add((result, SH.resultMessage, message))
    return report


def run_rudof(data_graph: Graph, shapes_graph: Graph, store: ox.Store | None = None) -> tuple[bool, Graph]:
    """rudof for SHACL Core (SPARQL targets expanded first), pySHACL for what rudof cannot express."""
    try:
        import pyrudof
    except ImportError:  # pragma: no cover - depends on the installation
        raise EngineUnavailable("the rudof engine needs pyrudof: pip install 'sldkg[rudof]'") from None
    try:
        return rudof_validation(pyrudof, data_graph, shapes_graph, store)
    except pyrudof.RudofError as exc:
        raise EngineFailed(f"rudof: {exc}") from None


def rudof_validation(pyrudof: Any, data_graph: Graph, shapes_graph: Graph, store: ox.Store | None) -> tuple[bool, Graph]:
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data_graph.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)

    def select(query: str) -> list[str]:
        rudof.read_query(query)
        return [str(row["?this"]) for row in rudof.run_query() if row.get("?this") is not None]

    # Oxigraph on the validator's store where there is one, as for pySHACL: rudof's own SPARQL took
    # 2.8 s for SupportedFactShape's target on 1e5 triples, Oxigraph 0.05 s
    core, fallback = expand_sparql_targets(shapes_graph, oxigraph_select(store) if store is not None else select)
    fallback |= sparql_shapes(shapes_graph)
    report = Graph()
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    if fallback:
        core = restrict_targets(core, set(core.subjects()) - fallback)
        _ok, partial = run_pyshacl(data_graph, restrict_targets(shapes_graph, fallback), store)
        merge_results(partial, report, report_node)
    rudof.read_shacl(
        skolemised_shapes(core).serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict
    )
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
    merge_results(recheck_comparisons(results_graph(text, shapes_graph), data_graph, shapes_graph), report, report_node)
    conforms = not any(report.subjects(SH.resultSeverity, SH.Violation))
    report.add((report_node, SH.conforms, Literal(conforms)))
    return conforms, report


#: Components that rudof decides differently from pySHACL: it finds ``-1`` (xsd:integer) not less than
#: ``"32"^^xsd:nonNegativeInteger``, where SPARQL's ``<`` (and pySHACL) compare the numbers.
RECHECKED = (SH.LessThanConstraintComponent, SH.LessThanOrEqualsConstraintComponent)


def neighbourhood(data_graph: Graph, nodes: Iterable[Node], depth: int = 3) -> Graph:
    """The triples reachable from ``nodes`` in at most ``depth`` steps (enough for the paths of a comparison)."""
    found = Graph()
    frontier = set(nodes)
    seen: set[Node] = set()
    for _ in range(depth):
        following: set[Node] = set()
        for node in frontier - seen:
            seen.add(node)
            for triple in data_graph.triples((node, None, None)):
                found.add(triple)
                following.add(triple[2])
        frontier = following
    return found


def recheck_comparisons(results: Graph, data_graph: Graph, shapes_graph: Graph) -> Graph:
    """rudof's ``sh:lessThan``/``sh:lessThanOrEquals`` results replaced by pySHACL's for the same focus nodes and shapes.

    Only the (few) focus nodes with such a result are validated again, each against the property
    shape that reported it, on the triples around the focus node.
    """
    doubtful = [r for r in results.subjects(RDF.type, SH.ValidationResult) if results.value(r, SH.sourceConstraintComponent) in RECHECKED]
    if not doubtful:
        return results
    pairs = {(results.value(r, SH.focusNode), results.value(r, SH.sourceShape)) for r in doubtful}
    for result in doubtful:
        for triple in list(results.triples((result, None, None))):
            results.remove(triple)
        results.remove((None, SH.result, result))
    shapes = restrict_targets(shapes_graph, ())
    for focus, shape in pairs:
        if focus is not None and shape is not None:
            shapes.add((shape, SH.targetNode, focus))
    _ok, again = run_pyshacl(neighbourhood(data_graph, (focus for focus, _shape in pairs if focus is not None)), shapes)
    report_node = next(iter(results.subjects(RDF.type, SH.ValidationReport)))
    for result in list(again.subjects(RDF.type, SH.ValidationResult)):
        pair = (again.value(result, SH.focusNode), again.value(result, SH.sourceShape))
        if again.value(result, SH.sourceConstraintComponent) in RECHECKED and pair in pairs:
            results.add((report_node, SH.result, result))
            for triple in again.triples((result, None, None)):
                results.add(triple)
            path = again.value(result, SH.resultPath)
            if isinstance(path, BNode):
                for triple in neighbourhood(again, [path], depth=10):
                    results.add(triple)
    return results


def merge_results(results: Graph, report: Graph, report_node: BNode) -> None:
    """Every ``sh:result`` of ``results`` (and what describes it) under ``report_node``."""
    for old_report in results.subjects(RDF.type, SH.ValidationReport):
        for result in results.objects(old_report, SH.result):
            report.add((report_node, SH.result, result))
    for triple in results:
        if triple[1] not in (SH.result, SH.conforms) and triple[2] != SH.ValidationReport:
            report.add(triple)


def engine(name: str, *, jobs: int = 1) -> Engine:
    """The engine called ``name`` (one of :data:`ENGINES`); ``jobs``: threads for the ``oxigraph`` engine's checks."""
    if name == "pyshacl":
        return lambda data, shapes: run_pyshacl(data.graph, shapes, data.store())
    if name == "rudof":
        return lambda data, shapes: run_rudof(data.graph, shapes, data.store())
    if name == "oxigraph":
        from sldkg.validation.oxigraph_engine import run_oxigraph  # it builds on this module

        return lambda data, shapes: run_oxigraph(data, shapes, jobs=jobs)
    raise ValueError(f"unknown SHACL engine {name!r} (known: {', '.join(ENGINES)})")


def result_key(report: Graph, result: Node) -> tuple[str, str, str, str, str]:
    """(focus node, path, source shape, constraint component, severity) of one result, for comparing engines.

    Blank nodes are written as ``_:`` plus, for a path or a shape, their structure, since the two
    engines label them differently.
    """

    def text(node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, BNode):
            return "_:[" + " ".join(sorted(f"{p.n3()} {text(o)}" for p, o in report.predicate_objects(node))) + "]"
        return node.n3()

    values: Sequence[Node | None] = [
        report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity)
    ]
    return (text(values[0]), text(values[1]), text(values[2]), text(values[3]), text(values[4]))


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "EngineFailed",
    "EngineName",
    "EngineUnavailable",
    "engine",
    "expand_sparql_targets",
    "result_key",
    "run_pyshacl",
    "run_rudof",
]
