"""Per-statement provenance of a report: one ``rdf:Statement`` per fact triple, with its passages.

Every fact triple ``s p o`` a report asserts (data/workshops/<report>/*.ttl, except passages.ttl and
provenance.ttl) is described in ``provenance.ttl`` of the same folder by a standard RDF reification
node (docs/MODEL.md, "Statements and their provenance")::

    <id/report/{key}/fact/{hash}> a rdf:Statement ;
        rdf:subject s ; rdf:predicate p ; rdf:object o ;
        prov:wasDerivedFrom <passage> , … ;
        sld:supportKind sld:Stated .            # or sld:Inferred with a skos:note

``{hash}`` is the first 16 hex digits of the SHA-256 of the triple's N-Triples line, so the IRI
depends on the triple alone (not on the order of files or passages).

    sldkg provenance [--check] [REPORT_DIR ...]

proposes a node for every fact triple that has none: its passages are those of the subject's
``prov:wasDerivedFrom`` whose text names the object (a label, a number, a date); where no passage
names it, those that name the subject (or all), marked ``# REVIEW`` in the file. Proposals must be
checked against the text.
It also removes nodes whose triple is gone. ``--check`` changes nothing and lists fact triples
without a node and nodes without a triple. Exit codes: 0 = complete, 1 = incomplete, 2 = cannot run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from sldkg.graph.canonical_turtle import extract_comments, parse, serialize
from sldkg.graph.naming import GERMAN_MONTHS, statement_iri
from sldkg.vocabulary import DCTERMS, ID, OA, ORG, PROV, SCHEMA, SLD

#: Predicates that name or classify a resource, or carry provenance: no fact, no rdf:Statement.
NOT_FACTS = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.note,
        OWL.sameAs,
        SCHEMA.sameAs,
        SKOS.exactMatch,
        ORG.classification,
        DCTERMS.subject,
        PROV.wasDerivedFrom,
        SCHEMA.encoding,  # the report -> our stored copy of its text: repository metadata, not a claim of the report
    }
)
#: Files of a report folder that hold no fact triples.
NOT_FACT_FILES = ("passages.ttl", "provenance.ttl")


def is_fact(s: Node, p: Node, o: Node, facts: rdflib.Graph) -> bool:
    """A triple about a fact-bearing resource (one derived from passages) that is not naming or provenance."""
    if p in NOT_FACTS or not isinstance(s, URIRef) or not str(s).startswith(ID):
        return False
    return any("/passage/" in str(src) for src in facts.objects(s, PROV.wasDerivedFrom))


def surface_forms(o: Node, graph: rdflib.Graph) -> list[str]:
    """Strings whose presence in a passage suggests that it names ``o``."""
    if isinstance(o, Literal):
        value = str(o)
        if o.datatype == XSD.date:
            y, m, d = value.split("-")
            return [f"{int(d)}. {GERMAN_MONTHS[int(m) - 1]} {y}"]
        if o.datatype == XSD.dateTime:
            return [value[11:16]]
        if o.datatype == XSD.gYearMonth:
            y, m = value.split("-")
            return [f"{GERMAN_MONTHS[int(m) - 1]} {y}"]
        if o.datatype == XSD.boolean:
            return []
        return [value]
    forms = []
    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SCHEMA.name, SCHEMA.familyName):
        forms += [str(v) for v in graph.objects(o, p) if not isinstance(v, Literal) or v.language in (None, "de")]
    if str(o).endswith("/land/DE-NW"):
        forms.append("NRW")
    return [f for f in forms if len(f) >= 3]


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 5}


def names(text: str, form: str) -> bool:
    """Whether ``text`` contains ``form``, allowing German inflection (``Deutscher`` ~ ``Deutschen``)."""
    text, form = text.lower().replace("**", ""), form.lower()
    if form in text:
        return True
    tokens = re.findall(r"\w+", text)
    wanted = re.findall(r"\w+", form)
    return bool(wanted) and all(any(t.startswith(w[:-2] if len(w) > 5 else w) for t in tokens) for w in wanted)


def programme_row(candidates: list[URIRef], texts: dict[URIRef, str]) -> list[URIRef]:
    """The row of the programme table among ``candidates`` (it starts with a time, "10:15 Uhr")."""
    return [c for c in candidates if re.match(r"\d\d:\d\d Uhr", texts[c])]


def propose(
    s: Node, p: Node, o: Node, candidates: list[URIRef], texts: dict[URIRef, str], graph: rdflib.Graph, facts: rdflib.Graph
) -> tuple[list[URIRef], bool]:
    """The candidate passages that support ``s p o`` (and whether the choice is certain)."""
    if len(candidates) == 1:
        return candidates, True
    if isinstance(o, Literal) and o.language == "en":  # a translation: the passages of its German original
        for german in facts.objects(s, p):
            if isinstance(german, Literal) and german.language == "de":
                return propose(s, p, german, candidates, texts, graph, facts)
    if (s, RDF.type, SLD.AgendaItem) in facts and p in (
        SCHEMA.superEvent,
        SCHEMA.position,
        SCHEMA.startDate,
        SLD.agendaItemType,
        SCHEMA.name,
    ):
        row = programme_row(candidates, texts)
        if row and (p != SCHEMA.name or any(names(texts[c], str(o)) for c in row)):
            return row, True
    if p == SCHEMA.subEvent and (o, RDF.type, SLD.AgendaItem) in facts:
        row = programme_row(sorted(URIRef(str(src)) for src in facts.objects(o, PROV.wasDerivedFrom) if src in texts), texts)
        if row:
            return row, True
    if isinstance(o, Literal) and len(str(o)) > 60:  # a description or paraphrase: passages sharing its words
        said = words(str(o))
        scored = [(len(words(texts[c]) & said) / max(1, len(words(texts[c]))), c) for c in candidates]
        chosen = [c for score, c in scored if score >= 0.5]
        return (chosen, True) if chosen else (candidates, False)
    forms = surface_forms(o, graph)
    chosen = [c for c in candidates if any(names(texts[c], f) for f in forms)]
    if chosen:
        return chosen, True
    # the object is not named (a status, a flag, or a wrong value): the passages that name the subject
    forms = surface_forms(s, graph)
    chosen = [c for c in candidates if any(names(texts[c], f) for f in forms)]
    return chosen or candidates, False


def report_key(folder: Path) -> str:
    graph = rdflib.Graph()
    graph.parse(folder / "report.ttl")
    (text,) = graph.subjects(RDF.type, rdflib.URIRef("http://purl.org/dc/dcmitype/Text"))
    return str(text)[len(ID + "report/") :].split("/")[0]


def run(folder: Path, check: bool) -> int:
    facts, everything = rdflib.Graph(), rdflib.Graph()
    for path in sorted(folder.glob("*.ttl")):
        everything.parse(path)
        if path.name not in NOT_FACT_FILES:
            facts.parse(path)
    for path in sorted((folder.parent.parent / "reference").glob("*.ttl")):  # data/workshops/<report> -> data/reference
        everything.parse(path)
    texts = {
        URIRef(str(p)): str(everything.value(sel, OA.exact))
        for p in everything.subjects(RDF.type, OA.SpecificResource)
        for sel in everything.objects(p, OA.hasSelector)
        if everything.value(sel, OA.exact) is not None
    }
    key = report_key(folder)
    wanted = {statement_iri(key, s, p, o): (s, p, o) for s, p, o in facts if is_fact(s, p, o, facts)}
    have = {URIRef(str(node)) for node in everything.subjects(RDF.type, RDF.Statement)}
    missing = sorted(set(wanted) - have)
    orphans = sorted(have - set(wanted))
    if check:
        for node in missing:
            print(f"{folder}: no rdf:Statement for {' '.join(t.n3() for t in wanted[node])}", file=sys.stderr)
        for node in orphans:
            print(f"{folder}: {node} describes no triple of the report", file=sys.stderr)
        return 1 if missing or orphans else 0
    path = folder / "provenance.ttl"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    blocks = []
    for node in missing:
        s, p, o = wanted[node]
        candidates = sorted(URIRef(str(src)) for src in facts.objects(s, PROV.wasDerivedFrom) if src in texts)
        chosen, sure = propose(s, p, o, candidates, texts, everything, facts)
        sources = " , ".join(c.n3() for c in chosen)
        blocks.append(
            ("" if sure else "# REVIEW: no passage names the object; proposed: the passages that name the subject\n")
            + f"{node.n3()} a rdf:Statement ;\n    rdf:subject {s.n3()} ;\n    rdf:predicate {p.n3()} ;\n"
            + f"    rdf:object {o.n3()} ;\n    prov:wasDerivedFrom {sources} ;\n    sld:supportKind sld:Stated .\n"
        )
    text = text.rstrip("\n") + "\n\n" + "\n".join(blocks)
    path.write_text(without_statements(text.rstrip("\n") + "\n", set(map(str, orphans))), encoding="utf-8")
    print(f"{path}: {len(missing)} proposed, {len(orphans)} removed")
    statements = rdflib.Graph()
    statements.parse(path)
    print(f"{folder}: resource sources synchronised in {sync_sources(folder, statements)} files")
    return 0


def without_statements(text: str, drop: set[str]) -> str:
    """``text`` (Turtle) without the triples of the statement nodes in ``drop``, comments kept."""
    if not drop:
        return text
    triples, prefixes = parse(text)
    kept = [t for t in triples if str(getattr(t.subject, "value", "")) not in drop]
    return serialize(kept, prefixes, extract_comments(text, prefixes))


def sync_sources(folder: Path, statements: rdflib.Graph) -> int:
    """Make each resource's own ``prov:wasDerivedFrom`` the union of its statements' passages.

    The pages and the description queries show a resource's sources from that triple; a resource
    none of whose triples has a statement (one the report only names) keeps what it has.
    Returns the number of files changed. Comments and layout stay canonical.
    """
    union: dict[str, set[str]] = {}
    for node in statements.subjects(RDF.type, RDF.Statement):
        subject = str(statements.value(node, RDF.subject))
        union.setdefault(subject, set()).update(str(p) for p in statements.objects(node, PROV.wasDerivedFrom))
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    changed = 0
    for path in sorted(folder.glob("*.ttl")):
        if path.name in NOT_FACT_FILES:
            continue
        text = path.read_text(encoding="utf-8")
        triples, prefixes = parse(text, path)
        subjects = {str(getattr(t.subject, "value", "")) for t in triples if t.predicate == derived}
        subjects &= set(union)
        kept = [t for t in triples if not (t.predicate == derived and str(getattr(t.subject, "value", "")) in subjects)]
        added = [ox.Triple(ox.NamedNode(s), derived, ox.NamedNode(p)) for s in sorted(subjects) for p in sorted(union[s])]
        new = serialize(kept + added, prefixes, extract_comments(text, prefixes))
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


HEADER = """\
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .

# Per-statement provenance of this report: one rdf:Statement per fact triple, with the passages
# that support it and whether they state it (sld:Stated) or it is inferred (sld:Inferred, with a
# skos:note saying how). Proposed by `sldkg provenance`, checked by hand against the text.
"""


def report_folders(data: Path) -> list[Path]:
    """Every report folder below the data folder ``data``."""
    return sorted(p.parent for p in (data / "workshops").glob("*/report.ttl"))


def run_all(folders: list[Path], check: bool = False) -> int:
    """:func:`run` on each folder; the exit code of ``sldkg provenance`` (2 when one cannot be read)."""
    status = 0
    for folder in folders:
        try:
            status = max(status, run(folder, check))
        except (OSError, SyntaxError, ValueError) as exc:
            print(f"{folder}: cannot run: {exc}", file=sys.stderr)
            return 2
    return status
