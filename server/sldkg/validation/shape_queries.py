"""SHACL Core shapes compiled to SPARQL queries that select their violations (the ``oxigraph`` engine).

One :class:`Check` per (shape, constraint component): a ``SELECT`` whose rows are the validation
results of that component on every focus node of the shape at once (``?this``, and ``?value``
where pySHACL reports a value node). The focus nodes come from the shape's targets, written into
each query: ``sh:targetClass`` with the ``rdfs:subClassOf`` closure of the data (as pySHACL sees
it, since the data graph holds the ontology), ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf`` and ``sh:SPARQLTarget`` (its ``sh:select`` as a sub-query, its
``sh:prefixes`` as ``PREFIX`` lines). Shapes that a constraint refers to (``sh:node``, ``sh:not``,
``sh:and``, ``sh:or``, ``sh:qualifiedValueShape``) become one boolean SPARQL expression,
"the node conforms", evaluated per value node.

The queries run on the validator's store, where typed literals keep their datatype and lexical
form (:mod:`sldkg.validation.literal_terms`): a literal of the shapes is written the same way,
value comparisons (``sh:minInclusive``, ``sh:lessThan``) first turn a literal back into its XSD
datatype, and whether a literal is well-formed for ``sh:datatype`` is decided by rdflib, as in
pySHACL, through the SPARQL function :data:`WELL_TYPED`.

A shape that uses something not compiled here (``sh:xone``, ``sh:closed``, ``sh:equals``,
``sh:sparql``, a count that cannot be written without aggregates inside another shape, …) raises
:class:`Unsupported`; the engine leaves that shape to pySHACL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from sldkg.validation.engines import TARGETS, prefix_declarations
from sldkg.validation.literal_terms import WRAPPED_XSD, sparql_term

#: The SPARQL function (a Python callback of the engine) that says whether a literal is well-formed for its datatype.
WELL_TYPED = "urn:sldkg:function:well-typed"

#: The named graph in which the engine stores the focus nodes of each shape while the checks run.
FOCUS_GRAPH = "urn:sldkg:focus"
FOCUS_OF = "urn:sldkg:focus-of"
#: The value node in a test that is copied for several variables.
PLACEHOLDER = "?QUALIFIED_VALUE_"
#: The SPARQL function (a callback of the engine) that gives a literal of the store as rdflib writes it.
RDFLIB_LITERAL = "urn:sldkg:function:rdflib-literal"
#: A shape may refer to others this deep (``sh:node`` of ``sh:node`` …); deeper means a cycle, left to pySHACL.
MAX_DEPTH = 8

#: Components whose results carry the value node as ``sh:value`` (pySHACL's choice).
VALUE_COMPONENTS = {
    SH.ClassConstraintComponent,
    SH.DatatypeConstraintComponent,
    SH.NodeKindConstraintComponent,
    SH.PatternConstraintComponent,
    SH.LanguageInConstraintComponent,
    SH.InConstraintComponent,
    SH.MinLengthConstraintComponent,
    SH.MaxLengthConstraintComponent,
    SH.MinInclusiveConstraintComponent,
    SH.MaxInclusiveConstraintComponent,
    SH.MinExclusiveConstraintComponent,
    SH.MaxExclusiveConstraintComponent,
    SH.NodeConstraintComponent,
    SH.NotConstraintComponent,
    SH.AndConstraintComponent,
    SH.OrConstraintComponent,
    SH.HasValueConstraintComponent,
    SH.LessThanConstraintComponent,
}
#: Parameters of the components compiled here; any other ``sh:`` predicate on a shape makes it unsupported.
KNOWN = {
    SH.path, SH.property, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH.languageIn, SH["in"], SH.minLength, SH.maxLength,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.hasValue, SH.node, SH["not"], SH["and"],
    SH["or"], SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.defaultValue, *TARGETS,
}  # fmt: skip
RANGES = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}
NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
TYPE_CLOSURE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


@dataclass(frozen=True)
class FocusSet:
    """The focus nodes of ``shape``: ``query`` selects them; stored as ``?this <FOCUS_OF> <key>`` in :data:`FOCUS_GRAPH`.

    A shape's targets are evaluated once, not once per check: a SPARQL target over every typed
    resource would otherwise run for each of the shape's components.
    """

    key: str
    query: str
    shape: Node
    #: ``False``: the checks select the focus nodes themselves (class and subject targets: index lookups).
    stored: bool = True


class Unsupported(Exception):
    """The shape uses SHACL that is not compiled to SPARQL here."""


#: What Oxigraph's regular expressions (Rust ``regex``) lack and pySHACL's (Python ``re``) have:
#: look-ahead, look-behind and back-references. A pattern with one goes to pySHACL.
PYTHON_ONLY_REGEX = re.compile(r"\(\?<?[=!]|\\[1-9]")


@dataclass(frozen=True)
class Outcome:
    """One constraint component of a check, and how a row of its query shows a violation of it."""

    component: URIRef
    #: The variable that is true in a row that violates the component; ``None``: every row does.
    flag: str | None
    #: The result names the row's ``?value`` (pySHACL's ``sh:value``).
    with_value: bool


@dataclass(frozen=True)
class Check:
    """The results of one or more components of one shape: rows of ``?this`` (and ``?value``) that ``query`` selects.

    Several components share one query when it costs less than one each: the value tests, ``sh:minCount
    1`` and ``sh:maxCount 1`` of a property shape read its values once (:meth:`Compiler.merged_query`).
    """

    focus: str  # the key of the FocusSet
    shape: Node
    query: str
    path: Node | None
    severity: Node
    messages: tuple[Literal, ...]
    outcomes: tuple[Outcome, ...]


def sparql_string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def path_sparql(shapes: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(path_sparql(shapes, step) for step in Collection(shapes, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return template.format(path_sparql(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_sparql(shapes, step) for step in Collection(shapes, alternatives)) + ")"
    raise Unsupported(f"not a SHACL property path: {path.n3()}")


def predicate_steps(shapes: Graph, path: Node) -> list[tuple[str, bool]] | None:
    """``[(IRI, inverse?), …]`` when ``path`` is a predicate, an inverse one, or a sequence of those; else ``None``."""
    if isinstance(path, URIRef):
        return [(f"<{path}>", False)]
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return [(f"<{inverse}>", True)]
    if (path, RDF.first, None) in shapes:
        steps: list[tuple[str, bool]] = []
        for step in Collection(shapes, path):
            found = predicate_steps(shapes, step)
            if found is None:
                return None
            steps.extend(found)
        return steps
    return None


@dataclass(frozen=True)
class PathPattern:
    """A SHACL path written between two SPARQL terms.

    A sequence of (inverse) predicates becomes a chain of triple patterns through fresh variables:
    Oxigraph plans those from the bound end, where it evaluates the property path
    ``?this (<a>/<b>) <c>`` from ``<c>`` for every ``?this`` (one second instead of milliseconds on
    1e5 triples). Other paths stay SPARQL property paths; both select the same value nodes.
    """

    sparql: str
    steps: tuple[tuple[str, bool], ...] | None
    fresh: Callable[[], str]

    def link(self, x: str, y: str) -> str:
        """The triple patterns from ``x`` to ``y`` (ending in `` .``)."""
        if self.steps is None:
            return f"{x} {self.sparql} {y} ."
        nodes = [x, *(self.fresh() for _ in self.steps[1:]), y]
        return " ".join(
            f"{b} {iri} {a} ." if inverse else f"{a} {iri} {b} ."
            for (iri, inverse), a, b in zip(self.steps, nodes, nodes[1:], strict=False)
        )


def normalised_by_rdflib(node: Node) -> bool:
    """Whether ``node`` is a literal of an XSD datatype other than ``xsd:string`` (rdflib writes those in its canonical form)."""
    return (
        isinstance(node, Literal) and node.datatype is not None and node.datatype != XSD.string and str(node.datatype).startswith(str(XSD))
    )


def is_stored_xsd(v: str) -> str:
    return f'isLiteral({v}) && STRSTARTS(STR(DATATYPE({v})), "{WRAPPED_XSD}")'


def lexical(v: str) -> str:
    """The lexical form of ``v`` as pySHACL sees it: rdflib rewrites XSD literals in canonical form ("01"^^xsd:integer is "1")."""
    return f"IF({is_stored_xsd(v)}, STR(<{RDFLIB_LITERAL}>({v})), STR({v}))"


def same_term(v: str, node: Node) -> str:
    """``v`` is ``node`` of the shapes (which rdflib has read, in canonical form), as rdflib's ``==`` decides."""
    if normalised_by_rdflib(node):
        return f"sameTerm(IF({is_stored_xsd(v)}, <{RDFLIB_LITERAL}>({v}), {v}), {sparql_term(node)})"
    return f"sameTerm({v}, {sparql_term(node)})"


def typed_value(v: str) -> str:
    """The literal ``v`` of the store back in its XSD datatype, for comparisons by value."""
    return f'STRDT(STR({v}), IRI(CONCAT("{XSD}", STRAFTER(STR(DATATYPE({v})), "{WRAPPED_XSD}"))))'


def comparable(v: str) -> str:
    """``v`` for a comparison: typed literals of the store in their datatype, other terms as they are."""
    return f'IF(isLiteral({v}) && STRSTARTS(STR(DATATYPE({v})), "{WRAPPED_XSD}"), {typed_value(v)}, {v})'


class Compiler:
    """Writes the checks of a shapes graph; fresh variable names come from one counter."""

    def __init__(self, shapes: Graph, subclasses: Callable[[Node], list[Node]] | None = None):
        self.shapes = shapes
        #: The classes of the data that are ``rdfs:subClassOf*`` a class (itself included), if known:
        #: then ``rdf:type`` is matched against that list, which Oxigraph answers from its indexes,
        #: instead of the property path ``rdf:type/rdfs:subClassOf*`` (about 4 s more at 1e6 triples).
        self.subclasses = subclasses
        self._names = itertools.count()
        #: The focus nodes of every shape whose checks were written, to be stored before the checks run.
        self.focus_sets: list[FocusSet] = []

    def instance_of(self, x: str, cls: Node, *, bound: bool) -> str:
        """A group pattern: ``x`` is an instance of ``cls`` or of a subclass (``bound``: ``x`` is known, test its types)."""
        if self.subclasses is None:
            return f"{x} {TYPE_CLOSURE} {sparql_term(cls)} ."
        classes = [sparql_term(c) for c in self.subclasses(cls)] or [sparql_term(cls)]
        t = self.var()
        if bound:
            return f"{x} <{RDF.type}> {t} . FILTER({t} IN ({', '.join(classes)}))"
        return f"VALUES {t} {{ {' '.join(classes)} }} {x} <{RDF.type}> {t} ."

    def var(self) -> str:
        return f"?v{next(self._names)}"

    def path(self, path: Node) -> PathPattern:
        steps = predicate_steps(self.shapes, path)
        return PathPattern(path_sparql(self.shapes, path), tuple(steps) if steps else None, self.var)

    def values(self, shape: Node, predicate: URIRef) -> list[Node]:
        return list(self.shapes.objects(shape, predicate))

    def members(self, head: Node) -> list[Node]:
        return list(Collection(self.shapes, head))

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        found = self.values(shape, predicate)
        if len(found) > 1:
            raise Unsupported(f"{shape.n3()} has several {predicate.n3()}")
        return found[0] if found else None

    def count(self, shape: Node, predicate: URIRef) -> int | None:
        value = self.one(shape, predicate)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.value, int):
            raise Unsupported(f"{predicate.n3()} of {shape.n3()} is not an integer")
        return int(value.value)

    def deactivated(self, shape: Node) -> bool:
        return any(isinstance(d, Literal) and d.value is True for d in self.values(shape, SH.deactivated))

    def known(self, shape: Node) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in KNOWN:
                raise Unsupported(f"{shape.n3()} uses {predicate.n3()}")
        if self.one(shape, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
            raise Unsupported(f"{shape.n3()} uses sh:qualifiedValueShapesDisjoint")

    # -- one value node --------------------------------------------------------------------------

    def value_tests(self, shape: Node, v: str, depth: int) -> Iterator[tuple[URIRef, str]]:
        """``(component, expression true when the value node v violates it)`` for the value components of ``shape``."""
        for cls in self.values(shape, SH["class"]):
            yield SH.ClassConstraintComponent, f"!EXISTS {{ {self.instance_of(v, cls, bound=True)} }}"
        for datatype in self.values(shape, SH.datatype):
            yield SH.DatatypeConstraintComponent, f"!COALESCE({self.well_typed(v, datatype)}, false)"
        for kind in self.values(shape, SH.nodeKind):
            if not isinstance(kind, URIRef) or kind not in NODE_KINDS:
                raise Unsupported(f"unknown sh:nodeKind {kind.n3()}")
            yield SH.NodeKindConstraintComponent, "!" + NODE_KINDS[kind].format(v=v)
        for pattern in self.values(shape, SH.pattern):
            if PYTHON_ONLY_REGEX.search(str(pattern)):
                raise Unsupported(f"sh:pattern {str(pattern)!r} needs look-around or a back-reference, which Oxigraph lacks")
            flags = self.one(shape, SH.flags)
            regex = f"REGEX({lexical(v)}, {sparql_string(str(pattern))}{', ' + sparql_string(str(flags)) if flags else ''})"
            yield SH.PatternConstraintComponent, f"(isBlank({v}) || !COALESCE({regex}, false))"
        for head in self.values(shape, SH.languageIn):
            tags = sorted({str(tag).lower() for tag in self.members(head)})
            if "*" in tags:
                matches = f'lang({v}) != ""'
            else:
                listed = ", ".join(sparql_string(tag) for tag in tags)
                first = f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-"))'
                matches = f'lang({v}) != "" && (LCASE(lang({v})) IN ({listed}) || {first} IN ({listed}))'
            yield SH.LanguageInConstraintComponent, f"!(isLiteral({v}) && {matches})"
        for head in self.values(shape, SH["in"]):
            allowed = " || ".join(same_term(v, m) for m in self.members(head)) or "false"
            yield SH.InConstraintComponent, f"!({allowed})"
        for predicate, operator in ((SH.minLength, "<"), (SH.maxLength, ">")):
            for length in self.values(shape, predicate):
                if not isinstance(length, Literal) or not isinstance(length.value, int):
                    raise Unsupported(f"{predicate.n3()} of {shape.n3()} is not an integer")
                component = SH.MinLengthConstraintComponent if predicate == SH.minLength else SH.MaxLengthConstraintComponent
                yield component, f"(isBlank({v}) || STRLEN({lexical(v)}) {operator} {length.value})"
        for predicate, (operator, component) in RANGES.items():
            for bound in self.values(shape, predicate):
                if not isinstance(bound, Literal):
                    raise Unsupported(f"{predicate.n3()} of {shape.n3()} is not a literal")
                yield component, f"!COALESCE({comparable(v)} {operator} {bound.n3()}, false)"
        if (shape, SH.path, None) not in self.shapes:
            for value in self.values(shape, SH.hasValue):
                yield SH.HasValueConstraintComponent, f"!{same_term(v, value)}"
        for other in self.values(shape, SH.node):
            yield SH.NodeConstraintComponent, f"!({self.conforms(other, v, depth + 1)})"
        for other in self.values(shape, SH["not"]):
            yield SH.NotConstraintComponent, f"({self.conforms(other, v, depth + 1)})"
        for head in self.values(shape, SH["and"]):
            every = " && ".join(f"({self.conforms(m, v, depth + 1)})" for m in self.members(head)) or "true"
            yield SH.AndConstraintComponent, f"!({every})"
        for head in self.values(shape, SH["or"]):
            some = " || ".join(f"({self.conforms(m, v, depth + 1)})" for m in self.members(head)) or "false"
            yield SH.OrConstraintComponent, f"!({some})"

    def well_typed(self, v: str, datatype: Node) -> str:
        """pySHACL's test of ``sh:datatype``: the datatype as written, and (rdflib's judgement) a well-formed lexical form."""
        if datatype == XSD.string:
            return f'isLiteral({v}) && DATATYPE({v}) = <{XSD.string}> && lang({v}) = ""'
        if datatype == RDF.langString:
            return f'isLiteral({v}) && lang({v}) != ""'
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if isinstance(datatype, URIRef) and str(datatype).startswith(str(XSD)):
            stored = WRAPPED_XSD + str(datatype)[len(str(XSD)) :]
            return f"isLiteral({v}) && DATATYPE({v}) = <{stored}> && <{WELL_TYPED}>({v})"
        return f"isLiteral({v}) && DATATYPE({v}) = {sparql_term(datatype)}"

    # -- one focus node ------------------------------------------------------------------------------

    def conforms(self, shape: Node, x: str, depth: int) -> str:
        """A SPARQL expression true when the node ``x`` conforms to ``shape`` (no aggregates: usable anywhere)."""
        if depth > MAX_DEPTH:
            raise Unsupported(f"shapes nested deeper than {MAX_DEPTH} at {shape.n3()} (a cycle?)")
        self.known(shape)
        if self.deactivated(shape):
            return "true"
        parts: list[str] = []
        path = self.one(shape, SH.path)
        if path is None:
            parts.extend(f"!({test})" for _component, test in self.value_tests(shape, x, depth))
        else:
            p = self.path(path)
            for _component, test in self.value_tests(shape, (v := self.var()), depth):
                parts.append(f"NOT EXISTS {{ {p.link(x, v)} FILTER({test}) }}")
            parts.extend(self.focus_tests(shape, x, p, depth))
        for member in self.values(shape, SH.property):
            parts.append(f"({self.conforms(member, x, depth + 1)})")
        return " && ".join(parts) or "true"

    def distinct_values(self, x: str, p: PathPattern, n: int, test: str | None = None) -> str:
        """A group pattern: ``x`` has at least ``n`` distinct values over ``p`` (that pass ``test`` on :data:`PLACEHOLDER`)."""
        if n > 3:
            raise Unsupported(f"a count of {n} inside another shape")
        names = [self.var() for _ in range(n)]
        triples = " ".join(p.link(x, name) for name in names)
        filters = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        filters += [test.replace(PLACEHOLDER, name) for name in names] if test else []
        return f"{{ {triples} {'FILTER(' + ' && '.join(filters) + ')' if filters else ''} }}"

    def focus_tests(self, shape: Node, x: str, p: PathPattern, depth: int) -> Iterator[str]:
        """Conditions on all values of a property shape together (counts, languages, comparisons), for nesting."""
        least, most = self.count(shape, SH.minCount), self.count(shape, SH.maxCount)
        if least:
            yield f"EXISTS {self.distinct_values(x, p, least)}"
        if most is not None:
            yield f"NOT EXISTS {self.distinct_values(x, p, most + 1)}"
        for value in self.values(shape, SH.hasValue):
            yield f"EXISTS {{ {self.has_value(x, p, value)} }}"
        if self.one(shape, SH.uniqueLang) == Literal(True):
            yield f"NOT EXISTS {{ {self.unique_lang_pattern(x, p)} }}"
        for other in self.values(shape, SH.lessThan):
            a, b = self.var(), self.var()
            yield f"NOT EXISTS {{ {p.link(x, a)} {x} {sparql_term(other)} {b} FILTER({self.not_less(a, b)}) }}"
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            test = self.conforms(qualified, PLACEHOLDER, depth + 1)
            least, most = self.count(shape, SH.qualifiedMinCount), self.count(shape, SH.qualifiedMaxCount)
            if least:
                yield f"EXISTS {self.distinct_values(x, p, least, test)}"
            if most is not None:
                yield f"NOT EXISTS {self.distinct_values(x, p, most + 1, test)}"

    def has_value(self, x: str, p: PathPattern, value: Node) -> str:
        """A group pattern: ``x`` has ``value`` over ``p`` (a literal compared as rdflib writes it)."""
        if not normalised_by_rdflib(value):
            return p.link(x, sparql_term(value))
        found = self.var()
        return f"{p.link(x, found)} FILTER({same_term(found, value)})"

    def unique_lang_pattern(self, x: str, p: PathPattern, lang: str | None = None) -> str:
        a, b = self.var(), self.var()
        bind = f" BIND(LCASE(lang({a})) AS {lang})" if lang else ""
        same = f'!sameTerm({a}, {b}) && lang({a}) != "" && LCASE(lang({a})) = LCASE(lang({b}))'
        return f"{p.link(x, a)} {p.link(x, b)} FILTER({same}){bind}"

    @staticmethod
    def not_less(a: str, b: str) -> str:
        return f"!COALESCE({comparable(a)} < {comparable(b)}, false)"

    # -- the checks of a shape with targets -------------------------------------------------------

    def targets(self, shape: Node) -> tuple[str, str]:
        """``(PREFIX lines, group pattern binding ?this)`` of the focus nodes of ``shape``."""
        groups: list[str] = []
        prefixes = ""
        for cls in self.values(shape, SH.targetClass):
            groups.append(self.instance_of("?this", cls, bound=False))
        if (shape, RDF.type, RDFS.Class) in self.shapes or (shape, RDF.type, OWL.Class) in self.shapes:
            groups.append(self.instance_of("?this", shape, bound=False))
        nodes = self.values(shape, SH.targetNode)
        if nodes:
            groups.append("VALUES ?this { " + " ".join(sparql_term(n) for n in nodes) + " }")
        for predicate in self.values(shape, SH.targetSubjectsOf):
            groups.append(f"?this {sparql_term(predicate)} [] .")
        for predicate in self.values(shape, SH.targetObjectsOf):
            groups.append(f"[] {sparql_term(predicate)} ?this .")
        for target in self.values(shape, SH.target):
            select = self.shapes.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in self.shapes or select is None:
                raise Unsupported(f"{shape.n3()} has a target that is not a sh:SPARQLTarget with sh:select")
            if "PREFIX" in str(select).upper().split("SELECT")[0] or (prefixes and prefix_declarations(self.shapes, target) != prefixes):
                raise Unsupported(f"{shape.n3()}: a SPARQL target with its own PREFIX or BASE lines")
            prefixes = prefix_declarations(self.shapes, target)
            groups.append(f"{{ {select} }}")
        return prefixes, " UNION ".join(f"{{ {g} }}" for g in groups)

    def checks(self, shape: Node) -> list[Check]:
        """Every check of a shape with targets and of its property shapes."""
        self.known(shape)
        if self.deactivated(shape):
            return []
        prefixes, focus = self.targets(shape)
        # targets that only select subjects by class or predicate are cheap index lookups: written
        # into every check; the others (SPARQL targets, objects that may be literals) are stored once
        inline = not any(self.values(shape, p) for p in (SH.target, SH.targetNode, SH.targetObjectsOf))
        key = f"{FOCUS_GRAPH}:{next(self._names)}"
        focus_set = FocusSet(key, f"{prefixes}SELECT DISTINCT ?this WHERE {{ {focus} }}", shape, stored=not inline)
        stored = focus if inline else f"GRAPH <{FOCUS_GRAPH}> {{ ?this <{FOCUS_OF}> <{key}> }}"
        found = self.shape_checks(shape, stored, focus_set.key)
        for member in self.values(shape, SH.property):
            self.known(member)
            if self.values(member, SH.property):
                raise Unsupported(f"the property shape {member.n3()} has property shapes itself")
            if not self.deactivated(member):
                found.extend(self.shape_checks(member, stored, focus_set.key))
        self.focus_sets.append(focus_set)
        return found

    def shape_checks(self, shape: Node, focus: str, key: str) -> list[Check]:
        """The checks of the components of ``shape`` itself, on the focus nodes that ``focus`` binds."""
        messages = tuple(sorted((m for m in self.values(shape, SH.message) if isinstance(m, Literal)), key=lambda m: m.n3()))
        severity = self.one(shape, SH.severity) or SH.Violation
        path = self.one(shape, SH.path)
        queries: list[tuple[URIRef, str]] = []
        merged: list[tuple[str, tuple[Outcome, ...]]] = []
        # the focus pattern as it is, not in a DISTINCT sub-select: it may bind a node twice (a
        # triple in two files, several targets), but every query is DISTINCT or counts DISTINCT
        # values, and the sub-select cost a sixth of the check time at 1e6 triples
        top = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus} }}"
        if path is None:
            for component, test in self.value_tests(shape, "?this", 0):
                queries.append((component, f"{top} BIND(?this AS ?value) FILTER({test}) }}"))
        else:
            p = self.path(path)
            tests = list(self.value_tests(shape, "?value", 0))
            at_least_one, at_most_one = self.count(shape, SH.minCount) == 1, self.count(shape, SH.maxCount) == 1
            if len(tests) + at_least_one + at_most_one >= 2:
                merged.append(self.merged_query(focus, p, tests, at_least_one=at_least_one, at_most_one=at_most_one))
                skip = {SH.minCount} if at_least_one else set()
                skip |= {SH.maxCount} if at_most_one else set()
            else:
                skip = set()
                for component, test in tests:
                    queries.append((component, f"{top} {p.link('?this', '?value')} FILTER({test}) }}"))
            queries.extend(self.count_queries(shape, focus, p, skip))
            for value in self.values(shape, SH.hasValue):
                # MINUS: one anti-join (the focus nodes are bound on both sides, so it is NOT EXISTS)
                queries.append((SH.HasValueConstraintComponent, f"{top} MINUS {{ {self.has_value('?this', p, value)} }} }}"))
            if self.one(shape, SH.uniqueLang) == Literal(True):
                pattern = self.unique_lang_pattern("?this", p, "?lang")
                query = f"SELECT DISTINCT ?this ?lang WHERE {{ {{ {focus} }} {pattern} }}"
                queries.append((SH.UniqueLangConstraintComponent, query))
            for other in self.values(shape, SH.lessThan):
                w = self.var()
                pair = f"{p.link('?this', '?value')} ?this {sparql_term(other)} {w} FILTER({self.not_less('?value', w)})"
                query = f"SELECT DISTINCT ?this ?value {w} WHERE {{ {{ {focus} }} {pair} }}"
                queries.append((SH.LessThanConstraintComponent, query))
        if not messages and (queries or merged):
            raise Unsupported(f"{shape.n3()} has no sh:message (pySHACL writes its own)")
        single = [
            (query, (Outcome(component, None, component in VALUE_COMPONENTS and "?value" in query.split("WHERE")[0]),))
            for component, query in queries
        ]
        return [Check(key, shape, query, path, severity, messages, outcomes) for query, outcomes in merged + single]

    def merged_query(
        self, focus: str, p: PathPattern, tests: list[tuple[URIRef, str]], *, at_least_one: bool, at_most_one: bool
    ) -> tuple[str, tuple[Outcome, ...]]:
        """One query for the value ``tests``, ``sh:minCount 1`` and ``sh:maxCount 1`` of a property shape.

        Each value node is read once (with ``OPTIONAL`` when a node may have none) and each component
        gets a flag; a row is selected when any flag is true. At 1e6 triples this is about half the
        time of one query per component. A test is guarded by ``BOUND(?value)``: a test on a missing
        value would be an error, which a ``FILTER`` treats as false and the flag leaves unbound.
        """
        link = p.link("?this", "?value")
        pattern = f"OPTIONAL {{ {link} }}" if at_least_one else link
        flags: list[tuple[Outcome, str]] = []
        for component, test in tests:
            flags.append((Outcome(component, self.var(), True), f"BOUND(?value) && ({test})"))
        if at_least_one:
            flags.append((Outcome(SH.MinCountConstraintComponent, self.var(), False), "!BOUND(?value)"))
        if at_most_one:
            pattern += f" OPTIONAL {{ {p.link('?this', '?other')} FILTER(!sameTerm(?value, ?other)) }}"
            flags.append((Outcome(SH.MaxCountConstraintComponent, self.var(), False), "BOUND(?other)"))
        binds = " ".join(f"BIND({expression} AS {outcome.flag})" for outcome, expression in flags)
        variables = " ".join(str(outcome.flag) for outcome, _expression in flags)
        any_flag = " || ".join(str(outcome.flag) for outcome, _expression in flags)
        query = f"SELECT DISTINCT ?this ?value {variables} WHERE {{ {{ {focus} }} {pattern} {binds} FILTER({any_flag}) }}"
        return query, tuple(outcome for outcome, _expression in flags)

    def count_queries(self, shape: Node, focus: str, p: PathPattern, skip: set[URIRef]) -> Iterator[tuple[URIRef, str]]:
        """Counts of values, each with GROUP BY over every focus node (or NOT EXISTS for "at least one"); not those in ``skip``."""
        focus_nodes = f"{{ {focus} }}"  # a node bound twice counts its values once: COUNT(DISTINCT ?v)
        qualified = self.one(shape, SH.qualifiedValueShape)
        test = f" FILTER({self.conforms(qualified, '?v', 1)})" if qualified is not None else ""
        for predicate, component, operator, condition in (
            (SH.minCount, SH.MinCountConstraintComponent, "<", ""),
            (SH.maxCount, SH.MaxCountConstraintComponent, ">", ""),
            (SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent, "<", test),
            (SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent, ">", test),
        ):
            n = self.count(shape, predicate)
            if n is None or (operator == "<" and n == 0) or predicate in skip:
                continue
            if predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount) and qualified is None:
                raise Unsupported(f"{shape.n3()} has a qualified count without sh:qualifiedValueShape")
            if operator == "<" and n == 1:
                yield (
                    component,
                    # one index probe per focus node (MINUS would read every triple of the predicate)
                    f"SELECT DISTINCT ?this WHERE {{ {focus_nodes} FILTER NOT EXISTS {{ {p.link('?this', '?v')} {condition} }} }}",
                )
            elif operator == ">" and n == 1 and not condition:
                # two different values: a join per focus node, cheaper than counting every focus node's values
                pair = f"{p.link('?this', '?v')} {p.link('?this', '?w')} FILTER(!sameTerm(?v, ?w))"
                yield component, f"SELECT DISTINCT ?this WHERE {{ {focus_nodes} {pair} }}"
            elif operator == "<":
                body = f"{focus_nodes} OPTIONAL {{ {p.link('?this', '?v')} {condition} }}"
                yield component, f"SELECT ?this WHERE {{ {body} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
            else:
                body = f"{focus_nodes} {p.link('?this', '?v')} {condition}"
                yield component, f"SELECT ?this WHERE {{ {body} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"


def focus_shapes(shapes: Graph) -> list[Node]:
    """The shapes with targets (explicit, or implicit: a shape that is also a class)."""
    found = {s for predicate in TARGETS for s in shapes.subjects(predicate, None)}
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, shape_type):
            if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
                found.add(shape)
    return sorted(found, key=lambda s: s.n3())


def compile_shapes(shapes: Graph, subclasses: Callable[[Node], list[Node]] | None = None) -> tuple[list[FocusSet], list[Check], set[Node]]:
    """``(focus node sets, checks, shapes with targets left to pySHACL)`` of ``shapes``; ``subclasses``: see :class:`Compiler`."""
    compiler = Compiler(shapes, subclasses)
    checks: list[Check] = []
    fallback: set[Node] = set()
    for shape in focus_shapes(shapes):
        try:
            checks.extend(compiler.checks(shape))
        except Unsupported:
            fallback.add(shape)
    return compiler.focus_sets, checks, fallback


__all__ = ["FOCUS_GRAPH", "FOCUS_OF", "WELL_TYPED", "Check", "FocusSet", "Outcome", "Unsupported", "compile_shapes", "path_sparql"]
