"""Writers for SELECT solutions in the four SPARQL results formats, with row and byte limits; pure.

pyoxigraph's own results serialisers cannot stop at a row limit, so SELECT answers are written
here while counting: each writer reads at most ``max_rows + 1`` solutions and stops as soon as the
output passes ``max_bytes`` (:class:`TooLarge`). The formats follow the W3C recommendations
"SPARQL 1.1 Query Results JSON/XML/CSV and TSV Formats".
"""

from __future__ import annotations

import io
import json
from typing import Callable, Iterable
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from . import negotiation as nego

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#double",
}


class TooLarge(Exception):
    def __init__(self, what: str, **limits: int):
        self.what = what
        self.limits = limits
        super().__init__(what)


class _Budget:
    """Collects output and enforces the limits."""

    def __init__(self, max_rows: int, max_bytes: int):
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.out = io.BytesIO()
        self.rows = 0

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))
        if self.out.tell() > self.max_bytes:
            raise TooLarge("bytes", limit_bytes=self.max_bytes)

    def count(self) -> None:
        self.rows += 1
        if self.rows > self.max_rows:
            raise TooLarge("rows", limit_rows=self.max_rows)


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}


def write_json(variables: list[str], solutions: Iterable, max_rows: int, max_bytes: int) -> tuple[bytes, int]:
    b = _Budget(max_rows, max_bytes)
    b.write('{"head":{"vars":' + json.dumps(variables, separators=(",", ":")) + '},"results":{"bindings":[')
    for solution in solutions:
        b.count()
        row = {v: _json_term(solution[v]) for v in variables if solution[v] is not None}
        b.write(("," if b.rows > 1 else "") + json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    b.write("]}}")
    return b.out.getvalue(), b.rows


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def write_xml(variables: list[str], solutions: Iterable, max_rows: int, max_bytes: int) -> tuple[bytes, int]:
    b = _Budget(max_rows, max_bytes)
    b.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
    b.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>")
    for solution in solutions:
        b.count()
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(solution[v])}</binding>" for v in variables if solution[v] is not None
        )
        b.write(f"<result>{cells}</result>")
    b.write("</results></sparql>\n")
    return b.out.getvalue(), b.rows


def _csv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_csv(variables: list[str], solutions: Iterable, max_rows: int, max_bytes: int) -> tuple[bytes, int]:
    b = _Budget(max_rows, max_bytes)
    b.write(",".join(variables) + "\r\n")
    for solution in solutions:
        b.count()
        b.write(",".join(_csv_cell(solution[v]) for v in variables) + "\r\n")
    return b.out.getvalue(), b.rows


def _tsv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC and not term.language:
        return term.value
    return str(term)  # N-Triples/Turtle syntax with escapes, as TSV requires


def write_tsv(variables: list[str], solutions: Iterable, max_rows: int, max_bytes: int) -> tuple[bytes, int]:
    b = _Budget(max_rows, max_bytes)
    b.write("\t".join("?" + v for v in variables) + "\n")
    for solution in solutions:
        b.count()
        b.write("\t".join(_tsv_cell(solution[v]) for v in variables) + "\n")
    return b.out.getvalue(), b.rows


WRITERS: dict[str, Callable[[list[str], Iterable, int, int], tuple[bytes, int]]] = {
    nego.RESULTS_JSON: write_json,
    nego.RESULTS_XML: write_xml,
    nego.CSV: write_csv,
    nego.TSV: write_tsv,
}
