"""Canonical Turtle: one deterministic way to write a graph, so that diffs show data changes only; pure.

The canonical form of a file is

* its prefix block: the fixed project prefixes (:data:`CANONICAL_PREFIXES`) plus the file's own,
  only those used, sorted by name;
* its comments: the header comment block stays on top; a comment before (or inside) a statement
  travels with that statement's subject;
* its subjects sorted (the ``owl:Ontology`` first, then IRIs, then blank nodes), each with
  ``a`` (rdf:type) first and the other predicates sorted, and the objects of each predicate sorted;
  a blank node used once is written inline as ``[ … ]``, an RDF list as ``( … )``.

The formatter never changes data: :func:`canonicalize_turtle` parses its own output again and refuses
(:class:`FormatError`) unless it is the very same graph, literal lexical forms included.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from sldkg.vocabulary import NAMESPACES

RDF_NS = NAMESPACES["rdf"]
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (RDF_NS + n for n in ("type", "first", "rest", "nil"))
XSD = NAMESPACES["xsd"]
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"

#: Prefix names that mean the same namespace in every file of the project.
CANONICAL_PREFIXES = NAMESPACES

#: A term as pyoxigraph gives it in subject or object position (RDF 1.2 triple terms never occur in the project's files).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Lines longer than this put each object of a predicate on its own line.
LINE_WIDTH = 110
INDENT = "    "
LOCAL_NAME = re.compile(r"^(\w([\w.-]*[\w-])?)?$")
BARE = {
    XSD + "integer": re.compile(r"^-?(0|[1-9][0-9]*)$"),
    XSD + "decimal": re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}


class FormatError(Exception):
    """The file cannot be formatted (syntax error, or the result would not be the same graph)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.message = Path(path), line, message
        super().__init__(f"{path}{f':{line}' if line else ''}: {message}")


# -- comments ------------------------------------------------------------------------------------


@dataclass
class Comments:
    """Where the comments of a file go: its header, the statement of a subject, or the end."""

    header: list[str] = field(default_factory=list)
    by_subject: dict[str, list[str]] = field(default_factory=dict)
    trailer: list[str] = field(default_factory=list)


@dataclass
class _Statement:
    first_token: str
    comments: list[str]


def _scan(text: str) -> tuple[list[tuple[list[str], list[bool], _Statement | None]], list[str]]:
    """Split ``text`` into (comments before, blank-line-after flags, statement) triples; a tiny Turtle lexer.

    It only needs to know strings, IRIs, comments, brackets and the ``.`` that ends a statement.
    """
    out: list[tuple[list[str], list[bool], _Statement | None]] = []
    pending: list[str] = []
    blank_after: list[bool] = []
    current: _Statement | None = None
    depth = 0
    i, n = 0, len(text)
    sparql_directive = False
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            line = text[i:end].rstrip()
            if current is None:
                pending.append(line)
                blank_after.append(False)
            else:
                current.comments.append(line)
            i = end
            continue
        if c == "\n":
            # a blank line after a pending comment separates it from what follows
            j = i + 1
            while j < n and text[j] in " \t\r":
                j += 1
            if current is None and pending and j < n and text[j] == "\n":
                blank_after[-1] = True
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if current is None:
            m = re.match(r"(@prefix|@base|PREFIX|BASE|prefix|base)\b|[^\s;,\[\]()]+|[\[(]", text[i:])
            token = m.group(0) if m else c
            current = _Statement(token, [])
            sparql_directive = token.lower() in ("prefix", "base")
        if c == "<":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
            if sparql_directive and depth == 0:
                out.append((pending, blank_after, current))
                pending, blank_after, current, sparql_directive = [], [], None, False
            continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j : j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "." and depth == 0 and (i + 1 == n or text[i + 1].isspace() or text[i + 1] == "#"):
            out.append((pending, blank_after, current))
            pending, blank_after, current = [], [], None
        i += 1
    if current is not None:
        out.append((pending, blank_after, current))
        pending = []
    return out, pending


def extract_comments(text: str, prefixes: dict[str, str]) -> Comments:
    """Attach every comment of ``text`` to the header, a subject (its IRI) or the trailer."""
    comments = Comments()
    statements, trailing = _scan(text)
    seen_data = False
    for before, blank_after, statement in statements:
        assert statement is not None
        token = statement.first_token
        if token.lower() in ("@prefix", "@base", "prefix", "base"):
            comments.header.extend(before + statement.comments)
            continue
        if not seen_data:
            # comments up to the last blank line before the first statement are the file's header
            split = max((k + 1 for k, blank in enumerate(blank_after) if blank), default=0)
            comments.header.extend(before[:split])
            before = before[split:]
            seen_data = True
        subject = _resolve(token, prefixes)
        lines = before + statement.comments
        if subject is None:
            comments.header.extend(lines)
        elif lines:
            comments.by_subject.setdefault(subject, []).extend(lines)
    comments.trailer = trailing
    return comments


def _resolve(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    if ":" in token and not token.startswith("_:"):
        prefix, local = token.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


# -- serialisation -------------------------------------------------------------------------------


def parse(text: str, path: Path | str = "<text>") -> tuple[list[ox.Triple], dict[str, str]]:
    """Triples and prefixes of Turtle ``text``; :class:`FormatError` with the line on bad syntax."""
    try:
        parser = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        triples = list(dict.fromkeys(q.triple for q in parser))  # a graph is a set: duplicates go
    except SyntaxError as exc:
        message = exc.msg or str(exc)
        message = message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
        raise FormatError(path, message, exc.lineno) from None
    return triples, dict(parser.prefixes)


class _Writer:
    def __init__(self, triples: list[ox.Triple], prefixes: dict[str, str]):
        self.namespaces = _prefix_table(prefixes)
        self.used: set[str] = set()
        self.by_subject: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
        self.references: dict[ox.BlankNode, int] = {}
        for t in triples:
            self.by_subject.setdefault(t.subject, []).append((t.predicate, t.object))
            if isinstance(t.object, ox.BlankNode):
                self.references[t.object] = self.references.get(t.object, 0) + 1
        self.labels: dict[ox.BlankNode, str] = {}
        self.inlined: set[ox.BlankNode] = set()

    # terms
    def iri(self, value: str) -> str:
        best: tuple[int, str, str] | None = None
        for prefix, ns in self.namespaces.items():
            if value.startswith(ns) and LOCAL_NAME.match(value[len(ns) :]):
                candidate = (-len(ns), prefix, value[len(ns) :])
                best = candidate if best is None or candidate < best else best
        if best is None:
            return f"<{value}>"
        self.used.add(best[1])
        return f"{best[1]}:{best[2]}"

    def literal(self, lit: ox.Literal) -> str:
        value = lit.value
        datatype = lit.datatype.value
        if datatype in BARE and BARE[datatype].match(value):
            return value
        if "\n" in value and value == value.strip() and '"""' not in value and "\r" not in value and not value.endswith('"'):
            text = '"""' + value.replace("\\", "\\\\") + '"""'
        else:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
            text = f'"{escaped}"'
        if lit.language:
            return f"{text}@{lit.language}"
        if datatype == XSD + "string":
            return text
        return f"{text}^^{self.iri(datatype)}"

    def term(self, node: Term, indent: str) -> str:
        if isinstance(node, ox.NamedNode):
            return self.iri(node.value)
        if isinstance(node, ox.Literal):
            return self.literal(node)
        assert isinstance(node, ox.BlankNode), "RDF 1.2 triple terms are not written"
        if node in self.inlined:
            items = self.list_items(node)
            if items is not None:
                return "( " + " ".join(self.term(item, indent) for item in items) + " )" if items else "()"
            return self.blank(node, indent)
        return self.label(node)

    def label(self, node: ox.BlankNode) -> str:
        return self.labels[node]

    def plan_labels(self, triples: list[ox.Triple]) -> None:
        """Labels ``_:b0``, ``_:b1`` … for the blank nodes that cannot be inlined, in an order that
        depends only on the graph (rdflib's canonical blank node hashes), not on the input order."""
        needed = {n for n in self.references if n not in self.inlined}
        if not needed:
            return
        hashes = canonical_blank_node_ids(triples)
        for number, node in enumerate(sorted(needed, key=lambda n: hashes[n])):
            self.labels[node] = f"_:b{number}"

    def list_items(self, node: Term) -> list[Term] | None:
        """The members of the RDF list starting at ``node`` if it is a well-formed list of single-use nodes."""
        items: list[Term] = []
        seen: set[ox.BlankNode] = set()
        while isinstance(node, ox.BlankNode):
            props = self.by_subject.get(node, [])
            firsts = [o for p, o in props if p.value == RDF_FIRST]
            rests = [o for p, o in props if p.value == RDF_REST]
            if len(props) != 2 or len(firsts) != 1 or len(rests) != 1 or node in seen or (items and self.references.get(node) != 1):
                return None
            seen.add(node)
            items.append(firsts[0])
            node = rests[0]
        return items if isinstance(node, ox.NamedNode) and node.value == RDF_NIL else None

    def blank(self, node: ox.BlankNode, indent: str) -> str:
        body = self.predicate_lines(node, indent + INDENT)
        if not body:
            return "[]"
        one_line = "[ " + " ; ".join(line.strip() for line in body) + " ]"
        if len(indent) + len(one_line) <= LINE_WIDTH and all("\n" not in line for line in body):
            return one_line
        return "[\n" + " ;\n".join(body) + "\n" + indent + "]"

    def predicate_lines(self, subject: Term, indent: str) -> list[str]:
        groups: dict[str, list[str]] = {}
        for predicate, obj in self.by_subject.get(subject, []):
            verb = "a" if predicate.value == RDF_TYPE else self.iri(predicate.value)
            groups.setdefault(verb, []).append(self.term(obj, indent))
        lines = []
        for verb in sorted(groups, key=lambda v: (v != "a", v)):
            objects = sorted(groups[verb])
            line = f"{indent}{verb} " + " , ".join(objects)
            if len(line) > LINE_WIDTH or any("\n" in o for o in objects):
                line = f"{indent}{verb} " + (" ,\n" + indent + INDENT).join(objects)
            lines.append(line)
        return lines

    def plan_inlining(self) -> None:
        """Blank nodes used exactly once (and not in a cycle through themselves) are written inline."""
        for node, count in self.references.items():
            if count == 1 and not self._reaches(node, node):
                self.inlined.add(node)

    def _reaches(self, start: Term, goal: Term) -> bool:
        stack: list[Term] = [start]
        seen: set[ox.BlankNode] = set()
        while stack:
            for _p, o in self.by_subject.get(stack.pop(), []):
                if o == goal:
                    return True
                if isinstance(o, ox.BlankNode) and o not in seen:
                    seen.add(o)
                    stack.append(o)
        return False


def _prefix_table(file_prefixes: dict[str, str]) -> dict[str, str]:
    """The file's prefixes overridden by the canonical ones (names and namespaces)."""
    table = {p: ns for p, ns in file_prefixes.items() if p not in CANONICAL_PREFIXES and ns not in CANONICAL_PREFIXES.values() and p}
    table.update(CANONICAL_PREFIXES)
    return table


def serialize(triples: list[ox.Triple], prefixes: dict[str, str], comments: Comments | None = None) -> str:
    """The canonical Turtle text of ``triples``."""
    comments = comments or Comments()
    writer = _Writer(triples, prefixes)
    writer.plan_inlining()
    writer.plan_labels(triples)
    ontologies = {
        t.subject
        for t in triples
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode) and t.object.value == OWL_ONTOLOGY
    }
    blocks: list[tuple[tuple[int, str], str]] = []
    for subject in writer.by_subject:
        if isinstance(subject, ox.BlankNode) and subject in writer.inlined:
            continue
        if isinstance(subject, ox.BlankNode) and writer.references.get(subject, 0) == 0:
            head = "[]"
            body = writer.predicate_lines(subject, INDENT)
            text = "[\n" + " ;\n".join(body) + "\n] ."
            blocks.append(((2, text), text))
            continue
        head = writer.term(subject, "")
        body = writer.predicate_lines(subject, INDENT)
        text = head + " " + (" ;\n".join(body)).lstrip() + " ."
        attached = comments.by_subject.get(subject.value, []) if isinstance(subject, ox.NamedNode) else []
        if attached:
            text = "\n".join(attached) + "\n" + text
        rank = 0 if subject in ontologies else (1 if isinstance(subject, ox.NamedNode) else 2)
        key = (rank, subject.value if isinstance(subject, ox.NamedNode) else text)
        blocks.append((key, text))
    blocks.sort(key=lambda b: b[0])
    parts = []
    prefix_block = "\n".join(f"@prefix {p}: <{writer.namespaces[p]}> ." for p in sorted(writer.used))
    if prefix_block:
        parts.append(prefix_block)
    if comments.header:
        parts.append("\n".join(comments.header))
    parts.extend(text for _key, text in blocks)
    if comments.trailer:
        parts.append("\n".join(comments.trailer))
    return "\n\n".join(parts) + "\n"


# -- the formatter ---------------------------------------------------------------------------------


def canonical_blank_node_ids(triples: list[ox.Triple]) -> dict[ox.BlankNode, str]:
    """A hash per blank node that is the same for every isomorphic copy of the graph.

    rdflib computes these for ``to_canonical_graph`` but only hands out the relabelled triples;
    its canonicaliser yields them in the order of the graph's own triples, which pairs them up.
    """
    from rdflib.compare import _TripleCanonicalizer

    graph = Graph()
    back: dict[BNode, ox.BlankNode] = {}
    mine: dict[ox.BlankNode, BNode] = {}

    def term(t: Term) -> BNode | URIRef:
        if isinstance(t, ox.BlankNode):
            if t not in mine:
                mine[t] = BNode()
                back[mine[t]] = t
            return mine[t]
        return _as_rdflib_term(t)

    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    ids: dict[ox.BlankNode, str] = {}
    for original, canonical in zip(list(graph), _TripleCanonicalizer(graph).canonical_triples(), strict=True):
        for position in (0, 2):
            node = original[position]
            if isinstance(node, BNode):
                ids[back[node]] = str(canonical[position])
    return ids


def _as_rdflib_term(t: Term) -> URIRef:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    assert isinstance(t, ox.Literal), "blank nodes are mapped by the caller; RDF 1.2 triple terms do not occur"
    key = f"{t.value}\x00{t.language or ''}\x00{t.datatype.value}"
    return URIRef("urn:sldkg:literal:" + quote(key, safe=""))


def _as_rdflib(triples: list[ox.Triple]) -> Graph:
    """An rdflib graph for the isomorphism check, with every literal kept exactly as written.

    A literal becomes an opaque IRI naming its lexical form, language and datatype, so that no
    lexical normalisation (or ill-typed-literal handling) of rdflib can hide a difference.
    """
    graph = Graph()
    blank: dict[str, BNode] = {}

    def term(t: Term) -> BNode | URIRef:
        if isinstance(t, ox.BlankNode):
            return blank.setdefault(t.value, BNode())
        return _as_rdflib_term(t)

    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


def canonicalize_turtle(text: str, path: Path | str = "<text>") -> str:
    """``text`` in canonical form; raises :class:`FormatError` if it cannot be parsed or would change."""
    triples, prefixes = parse(text, path)
    result = serialize(triples, prefixes, extract_comments(text, prefixes))
    again, _ = parse(result, f"{path} (formatted)")
    if len(again) != len(triples) or not isomorphic(_as_rdflib(triples), _as_rdflib(again)):
        raise FormatError(path, "formatting would change the data; file left as it is (please report this)")
    return result


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` through a temporary file in the same folder and a rename."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        Path(temporary).chmod(path.stat().st_mode & 0o777)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class FileResult:
    path: Path
    changed: bool


def format_file(path: Path, *, check: bool = False) -> FileResult:
    """Format one Turtle file in place (or only report with ``check``); :class:`FormatError` when it cannot."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(path, str(exc)) from None
    formatted = canonicalize_turtle(text, path)
    changed = formatted != text
    if changed and not check:
        write_atomically(path, formatted)
    return FileResult(path, changed)


__all__ = ["CANONICAL_PREFIXES", "FileResult", "FormatError", "canonicalize_turtle", "format_file", "serialize", "write_atomically"]
