"""Terms of an Oxigraph store that keeps typed literals as they were written, and their rdflib twins.

Oxigraph stores the literals of the XSD datatypes it knows by value: ``"5"^^xsd:nonNegativeInteger``
comes back as ``"5"^^xsd:integer``, ``"01"^^xsd:integer`` as ``"1"``, ``"1"^^xsd:boolean`` as
``"true"``. SHACL (and pySHACL, the reference) sees the literal as written: its datatype and its
lexical form. So the validator's store holds every literal of an XSD datatype with the datatype
renamed into :data:`WRAPPED_XSD` (``"5"^^<urn:sldkg:xsd#nonNegativeInteger>``), which Oxigraph
does not know and keeps verbatim. ``xsd:string`` literals need no renaming (N-Triples writes them
as plain literals, which Oxigraph keeps as written).

The renaming happens on the N-Triples text of a file, where a literal's datatype can only follow
its closing quote; a file whose text has an escaped quote right before such a datatype (inside a
string) takes the slow, exact way: literal by literal.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
#: Where the XSD datatypes go in the store (``xsd:date`` -> ``<urn:sldkg:xsd#date>``).
WRAPPED_XSD = "urn:sldkg:xsd#"

_DATATYPE_AFTER_QUOTE = b'"^^<' + XSD.encode()
_ESCAPED = b"\\" + _DATATYPE_AFTER_QUOTE


def wrapped_ntriples(text: bytes) -> bytes | None:
    """N-Triples ``text`` with XSD datatypes renamed, or ``None`` when only the exact way is safe."""
    if _ESCAPED in text:
        return None
    return text.replace(_DATATYPE_AFTER_QUOTE, b'"^^<' + WRAPPED_XSD.encode())


def wrapped_literal(literal: ox.Literal) -> ox.Literal:
    """``literal`` with its XSD datatype renamed (``xsd:string`` and language-tagged ones unchanged)."""
    datatype = literal.datatype.value
    if literal.language or datatype == XSD_STRING or not datatype.startswith(XSD):
        return literal
    return ox.Literal(literal.value, datatype=ox.NamedNode(WRAPPED_XSD + datatype[len(XSD) :]))


def wrapped_quads(triples: Iterator[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """The exact way: each triple into ``graph`` with its literal renamed."""
    for quad in triples:
        obj = quad.object
        if isinstance(obj, ox.Literal):
            obj = wrapped_literal(obj)
        assert not isinstance(quad.subject, ox.Triple) and not isinstance(obj, ox.Triple)  # no RDF-star in files
        yield ox.Quad(quad.subject, quad.predicate, obj, graph)


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """A term of the store as rdflib has it (``xsd:string`` literals plain, as rdflib's parsers give them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        if datatype.startswith(WRAPPED_XSD):
            datatype = XSD + datatype[len(WRAPPED_XSD) :]
        return Literal(term.value, datatype=URIRef(datatype))
    raise ValueError(f"RDF-star triple terms are not supported: {term}")


def store_term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the store holds it (blank nodes keep their label, XSD datatypes renamed)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        datatype = str(node.datatype) if node.datatype else XSD_STRING
        return wrapped_literal(ox.Literal(str(node), datatype=ox.NamedNode(datatype)))
    raise ValueError(f"not an RDF term: {node!r}")


def sparql_term(node: Node) -> str:
    """``node`` written in a SPARQL query on the store (N-Triples syntax, XSD datatypes renamed)."""
    return str(store_term(node))


__all__ = ["WRAPPED_XSD", "rdflib_term", "sparql_term", "store_term", "wrapped_literal", "wrapped_ntriples", "wrapped_quads"]
