"""The ``oxigraph`` engine: SHACL Core as SPARQL queries (:mod:`sldkg.validation.shape_queries`) run by Oxigraph.

The data stays in the validator's Oxigraph store (one named graph per file, queried as their
union); no rdflib graph of the data is built unless a shape has to go to pySHACL (a shape the
compiler does not support, or one with SHACL-SPARQL constraints). Each check selects the results of
one component of one shape (or of several that read the same values) for every focus node at once;
the checks run in a pool of threads (:func:`run_checks`), and their results become a W3C validation
report, built in one thread, with pySHACL's conventions, so that they compare equal to pySHACL's: ``sh:resultPath`` (a
blank-node path copied with its structure), ``sh:value`` where pySHACL gives one, ``sh:sourceShape``
(a blank shape copied with its description), the shape's ``sh:message``\\ s and ``sh:severity``.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from sldkg.validation.engines import DataSource, EngineFailed, merge_results, neighbourhood, restrict_targets, run_pyshacl
from sldkg.validation.literal_terms import rdflib_term, sparql_term, store_term
from sldkg.validation.shape_queries import FOCUS_GRAPH, FOCUS_OF, RDFLIB_LITERAL, WELL_TYPED, Check, FocusSet, Outcome, compile_shapes

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: pySHACL's test of the Python value rdflib gives a literal of these datatypes (``_assert_actual_datatype``).
PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: decimal.Decimal,
    XSD.boolean: bool,
    XSD.date: datetime.date,
    XSD.time: datetime.time,
    XSD.dateTime: datetime.datetime,
}


@functools.lru_cache(maxsize=65536)
def rdflib_well_typed(lexical: str, datatype: str) -> bool:
    """Whether pySHACL finds ``"lexical"^^datatype`` well-formed: rdflib does not mark it ill-typed, and its value has the right type."""
    literal = Literal(lexical, datatype=URIRef(datatype))
    if literal.ill_typed:
        return False
    expected = PYTHON_TYPES.get(URIRef(datatype))
    return expected is None or isinstance(literal.value, expected)


def well_typed(term: Term) -> ox.Literal | None:
    """The SPARQL function :data:`~sldkg.validation.shape_queries.WELL_TYPED` (a literal of the store)."""
    return stored_well_typed(term) if isinstance(term, ox.Literal) else None


@functools.lru_cache(maxsize=65536)
def stored_well_typed(term: ox.Literal) -> ox.Literal:
    """:func:`rdflib_well_typed` of a literal of the store, as a SPARQL boolean (cached: most values recur)."""
    literal = rdflib_term(term)
    assert isinstance(literal, Literal)
    return ox.Literal(rdflib_well_typed(str(term.value), str(literal.datatype)))


@functools.lru_cache(maxsize=65536)
def rdflib_literal(term: ox.Literal) -> ox.Literal:
    """The SPARQL function :data:`~sldkg.validation.shape_queries.RDFLIB_LITERAL`: ``term`` as rdflib writes it.

    rdflib (and so pySHACL) rewrites an XSD literal in canonical form ("01"^^xsd:integer is "1",
    "1"^^xsd:boolean is "true"); ``sh:pattern``, ``sh:minLength``, ``sh:in`` and ``sh:hasValue``
    see that form.
    """
    return store_literal(rdflib_term(term))


def store_literal(node: Node) -> ox.Literal:
    found = store_term(node)
    assert isinstance(found, ox.Literal)
    return found


def rdflib_literal_function(term: Term) -> ox.Literal | None:
    return rdflib_literal(term) if isinstance(term, ox.Literal) else None


#: Set in a thread while it runs a callback of a check.
_in_callback = threading.local()


def outside_callbacks(record: logging.LogRecord) -> bool:
    """A filter of rdflib's log: nothing from inside a callback of a check.

    rdflib logs a warning with a traceback for each literal it cannot convert (``"2020-13-45"^^xsd:date``).
    In a callback this is noise (the check reports the literal), and a log handler that keeps the
    record (pytest's does) keeps the traceback, its frames, and with them the query's results,
    which Oxigraph requires to be freed in the thread that made them.
    """
    return not getattr(_in_callback, "running", False)


logging.getLogger("rdflib.term").addFilter(outside_callbacks)


def callback(function: Callable[[Term], ox.Literal | None]) -> Callable[[Term], ox.Literal | None]:
    """``function`` as a SPARQL function of the checks (rdflib's log quiet while it runs)."""

    @functools.wraps(function)
    def run(term: Term) -> ox.Literal | None:
        _in_callback.running = True
        try:
            return function(term)
        finally:
            _in_callback.running = False

    return run


FUNCTIONS: dict[ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]] = {
    ox.NamedNode(WELL_TYPED): callback(well_typed),
    ox.NamedNode(RDFLIB_LITERAL): callback(rdflib_literal_function),
}


#: A result of a check: the component violated, the focus node and, where reported, the value node.
Row = tuple[Outcome, Term, Term | None]
TRUE = ox.Literal(True)


def select_rows(store: ox.Store, check: Check) -> list[Row]:
    """Run one check: its results, in the store's terms.

    A check of one component gives a result per row. In a check of several components, a row
    gives a result for each component whose flag it sets, and the same result from several rows
    (a node with two values, each violating the same test) is given once.
    """
    solutions = None
    try:
        solutions = store.query(check.query, use_default_graph_as_union=True, custom_functions=FUNCTIONS)
        assert isinstance(solutions, ox.QuerySolutions)
        rows: list[Row] = []
        seen: set[Row] = set()
        for solution in solutions:
            focus = solution["this"]
            if focus is None:
                continue
            for outcome in check.outcomes:
                if outcome.flag is None:
                    rows.append((outcome, focus, solution["value"] if outcome.with_value else None))
                elif solution[outcome.flag[1:]] == TRUE:
                    row = (outcome, focus, solution["value"] if outcome.with_value else None)
                    if row not in seen:
                        seen.add(row)
                        rows.append(row)
    except (SyntaxError, OSError, ValueError) as exc:
        # the traceback keeps this frame; Oxigraph's results must be freed here, in the thread that made them
        solutions = None
        raise EngineFailed(f"oxigraph: the query of {check.shape.n3()} ({check.query[:80]}…) failed: {exc}") from None
    return rows


def run_checks(
    store: ox.Store, focus_sets: list[FocusSet], checks: list[Check], jobs: int
) -> tuple[list[tuple[Check, list[Row]]], set[Node]]:
    """``(the rows of each check, shapes left to pySHACL)``: the focus sets stored, the checks run, ``jobs`` at a time.

    Oxigraph evaluates a query without holding the GIL, so the checks run in ``jobs`` threads. The
    focus sets to store are submitted first and a check of such a set waits for it: the pool takes
    work in the order submitted, so every set a check waits for is already running or done. A set
    whose focus nodes include a literal goes to pySHACL with its shape, and its checks are dropped.
    """
    graph = ox.NamedNode(FOCUS_GRAPH)
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sldkg-checks") as pool:
        stored = {s.key: (s, pool.submit(store_focus_nodes, store, s, graph)) for s in focus_sets if s.stored}

        def run(check: Check) -> list[Row] | None:
            waited = stored.get(check.focus)
            if waited is not None and not waited[1].result():
                return None
            return select_rows(store, check)

        futures = [(check, pool.submit(run, check)) for check in checks]
        try:
            done = [(check, future.result()) for check, future in futures]
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    fallback = {focus_set.shape for focus_set, future in stored.values() if not future.result()}
    return [(check, rows) for check, rows in done if rows is not None], fallback


def subclasses_in(store: ox.Store) -> Callable[[Node], list[Node]]:
    """The classes that are ``rdfs:subClassOf*`` a class in the data (the ontology and the shapes' axioms are in it)."""

    @functools.cache
    def subclasses(cls: Node) -> list[Node]:
        query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {sparql_term(cls)} }}"
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        found = {rdflib_term(row["c"]) for row in solutions if row["c"] is not None}
        return sorted(found | {cls}, key=lambda c: c.n3())

    return subclasses


def store_focus_nodes(store: ox.Store, focus_set: FocusSet, graph: ox.NamedNode) -> bool:
    """Evaluate the targets of one shape and store its focus nodes in ``graph`` (see :class:`FocusSet`).

    ``False`` if a focus node is a literal (it cannot be stored as a subject): pySHACL takes that shape.
    """
    try:
        solutions = store.query(focus_set.query, use_default_graph_as_union=True)
    except (SyntaxError, OSError, ValueError) as exc:
        raise EngineFailed(f"oxigraph: a target query failed: {exc}") from None
    assert isinstance(solutions, ox.QuerySolutions)
    focus_of, key = ox.NamedNode(FOCUS_OF), ox.NamedNode(focus_set.key)
    quads = []
    for row in solutions:
        node = row["this"]
        if isinstance(node, ox.Literal | ox.Triple):
            return False
        if node is not None:
            quads.append(ox.Quad(node, focus_of, key, graph))
    store.extend(quads)
    return True


def add_result(report: Graph, report_node: BNode, check: Check, component: URIRef, focus: Node, value: Node | None, shapes: Graph) -> None:
    result = BNode()
    report.add((report_node, SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    report.add((result, SH.sourceShape, check.shape))
    report.add((result, SH.sourceConstraintComponent, component))
    report.add((result, SH.resultSeverity, check.severity))
    if check.path is not None:
        report.add((result, SH.resultPath, check.path))
    if value is not None:
        report.add((result, SH.value, value))
    for message in check.messages:
        report.add((result, SH.resultMessage, message))
    for node in (check.path, check.shape):
        if isinstance(node, BNode) and (node, None, None) not in report:
            # pySHACL copies a blank path or shape with its structure into the report; so do we
            for triple in neighbourhood(shapes, [node], depth=10):
                report.add(triple)


def run_oxigraph(data: DataSource, shapes_graph: Graph, *, jobs: int = 1) -> tuple[bool, Graph]:
    """SHACL Core shapes as SPARQL on ``data.store()``, ``jobs`` checks at a time; what is not compiled goes to pySHACL on ``data.graph``.

    A shape with SHACL-SPARQL constraints (``sh:sparql``), directly or in a shape it refers to, is
    one the compiler does not support, so it goes to pySHACL too.
    """
    store = data.store()
    focus_sets, checks, fallback = compile_shapes(shapes_graph, subclasses_in(store))
    report = Graph()
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    try:
        results, literal_focus = run_checks(store, focus_sets, checks, jobs)
    finally:
        store.remove_graph(ox.NamedNode(FOCUS_GRAPH))
    fallback |= literal_focus
    for check, rows in results:  # the report is built here, in one thread: rdflib graphs are not thread-safe
        for outcome, focus, value in rows:
            node = None if value is None else rdflib_term(value)
            add_result(report, report_node, check, outcome.component, rdflib_term(focus), node, shapes_graph)
    if fallback:  # after the focus nodes are gone: pySHACL sees the data only
        _ok, partial = run_pyshacl(data.graph, restrict_targets(shapes_graph, fallback), store)
        merge_results(partial, report, report_node)
    conforms = not any(report.subjects(SH.resultSeverity, SH.Violation))
    report.add((report_node, SH.conforms, Literal(conforms)))
    return conforms, report


__all__ = ["run_oxigraph"]
