"""Canned queries: ``queries/*.rq`` files with a ``#+`` YAML header (grlc style); pure.

Each file stays valid SPARQL; its leading comment lines starting with ``#+`` hold YAML::

    #+ title: Programmes of one Land
    #+ description:
    #+   de: Alle Programme und Initiativen eines Landes …
    #+   en: All programmes and initiatives of one Land …
    #+ tags: [initiatives, laender]
    #+ parameters:
    #+   land:
    #+     type: iri
    #+     description: the Land
    #+     example: https://w3id.org/sldkg/id/land/DE-BY
    #+     required: true

The file stem is the URL slug (``/queries/<slug>``) and the OpenAPI operationId. Parameter values
are bound as typed RDF terms (:func:`bind` returns N-Triples terms for ``QueryJob.substitutions``),
never spliced into the query text. A parameter's variable must be projected by the query (the
evaluator binds projected variables), and every query must declare at least a title and both
descriptions.

``python -m sldkg.canned.catalogue --readme`` prints the list of canned queries of ``docs/endpoint.md``
(``--write docs/endpoint.md`` replaces it in place; its links are relative to ``docs/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from sldkg.backends.evaluation import parse_term, syntax_position
from sldkg.graph.store import LoadError
from sldkg.settings import Settings
from sldkg.sparql.protocol import ProtocolError, query_form

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("iri", "string", "language", "integer", "date")
#: JSON Schema of each parameter type (OpenAPI).
SCHEMAS: dict[str, dict[str, str]] = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer", "format": "int64"},
    "date": {"type": "string", "format": "date"},
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
#: The store evaluates xsd:integer as a 64-bit integer: a value outside is not a usable integer.
INTEGER_RANGE = (-(2**63), 2**63 - 1)
#: How much of a bad value an error message repeats.
_SHOWN_CHARS = 60
#: Request parameters that are about the answer, not the query (never reported as unknown).
RESERVED = frozenset({"format"})


class CannedQueryError(LoadError):
    """A canned query file that is malformed; ``str()`` reads ``path:line: message``."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        super().__init__(path, message, line)


class ParameterError(ValueError):
    """A missing, unknown or ill-typed parameter value; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {message}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    example: str | None = None

    def to_term(self, value: str) -> str:
        """``value`` as an N-Triples term of this parameter's type; :class:`ParameterError` when ill-typed.

        Never another exception, whatever the value (its size, unpaired surrogates from a command
        line, control characters): a bad value is the client's mistake, answered 400 / exit code 2.
        """
        value = value.strip()
        shown = _shown(value)
        if self.type == "iri":
            if not _IRI.match(value):
                raise ParameterError(self.name, f"{shown} is not an absolute IRI")
            try:
                return str(ox.NamedNode(value))
            except ValueError as exc:  # (UnicodeEncodeError included)
                raise ParameterError(self.name, f"{shown} is not a valid IRI: {_shown(str(exc))}") from None
        if self.type == "integer":
            if not _INTEGER.match(value):
                raise ParameterError(self.name, f"{shown} is not an integer")
            digits = value.lstrip("+-").lstrip("0") or "0"
            # (int() of more than 4300 digits raises ValueError; leading zeros count too)
            number = int(value[0] + digits if value[0] == "-" else digits) if len(digits) <= 19 else None
            if number is None or not INTEGER_RANGE[0] <= number <= INTEGER_RANGE[1]:
                raise ParameterError(self.name, f"{shown} is out of range: integers from {INTEGER_RANGE[0]} to {INTEGER_RANGE[1]}")
            return str(ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer")))
        if self.type == "date":
            try:
                if not _DATE.match(value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                raise ParameterError(self.name, f"{shown} is not a date (YYYY-MM-DD)") from None
            return str(ox.Literal(value, datatype=ox.NamedNode(XSD + "date")))
        if self.type == "language":
            if not _LANGUAGE.match(value):
                raise ParameterError(self.name, f"{shown} is not a language tag (e.g. de, en)")
            return str(ox.Literal(value.lower()))
        if not value:
            raise ParameterError(self.name, "is empty")
        try:
            return str(ox.Literal(value))
        except ValueError:  # pyoxigraph refuses text that is not Unicode (an unpaired surrogate)
            raise ParameterError(self.name, f"{shown} is not valid Unicode text") from None


@dataclass(frozen=True)
class CannedQuery:
    slug: str
    path: Path
    title: str
    description: Mapping[str, str]
    query: str
    form: str
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    #: Header lines (for error positions).
    header_lines: int = field(default=0, compare=False)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def example_values(self) -> dict[str, str]:
        return {p.name: p.example for p in self.parameters if p.example is not None}

    def bind(self, values: Mapping[str, Sequence[str] | str]) -> tuple[tuple[str, str], ...]:
        """Typed bindings ``(variable, N-Triples term)`` from request values; :class:`ParameterError` when bad.

        Unknown names (other than :data:`RESERVED`) and repeated values are errors; a missing
        required parameter is an error; a missing optional one takes its default (or stays unbound).
        """
        for name in values:
            if name not in RESERVED and self.parameter(name) is None:
                known = ", ".join(p.name for p in self.parameters) or "none"
                raise ParameterError(name, f"unknown parameter (this query takes: {known})")
        bound = []
        for p in self.parameters:
            raw = values.get(p.name)
            if isinstance(raw, (list, tuple)):
                if len(raw) > 1:
                    raise ParameterError(p.name, "given more than once")
                raw = raw[0] if raw else None
            if raw is None or (isinstance(raw, str) and raw == ""):
                if p.required:
                    raise ParameterError(p.name, "is required" + (f" (for example {p.example})" if p.example else ""))
                if p.default is None:
                    continue
                raw = p.default
            bound.append((p.name, p.to_term(str(raw))))
        return tuple(bound)


def _shown(value: str) -> str:
    """``value`` quoted for an error message, shortened when long (the message must not echo megabytes)."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}… ({len(value)} characters)"


def split_header(text: str) -> tuple[str, int]:
    """The YAML of the leading ``#+`` lines and how many lines they take."""
    lines = []
    count = 0
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
            count += 1
        elif not line.strip() and not lines:
            count += 1
        else:
            break
    return "\n".join(lines), count


def parse(path: Path, text: str | None = None) -> CannedQuery:
    """Read one ``.rq`` file into a :class:`CannedQuery`; :class:`CannedQueryError` naming file and line."""
    text = path.read_text(encoding="utf-8") if text is None else text
    where = str(path)
    slug = path.stem
    if not SLUG.match(slug):
        raise CannedQueryError(where, 1, f"the file name {slug!r} is not a slug (lower-case letters, digits, hyphens)")
    header_text, header_lines = split_header(text)
    try:
        header = yaml.safe_load(header_text) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise CannedQueryError(where, line, f"the #+ header is not valid YAML: {exc}") from None
    if not isinstance(header, dict):
        raise CannedQueryError(where, 1, "the #+ header must be a YAML mapping")
    title = header.get("title")
    description = header.get("description")
    if not isinstance(title, str) or not title.strip():
        raise CannedQueryError(where, 1, "the header has no title")
    if not isinstance(description, dict) or not all(isinstance(description.get(k), str) for k in ("de", "en")):
        raise CannedQueryError(where, 1, "the header needs a description with 'de' and 'en' texts")
    try:
        form = query_form(text)
    except ProtocolError:
        raise CannedQueryError(where, header_lines + 1, "a canned query cannot be an update") from None
    if form is None:
        raise CannedQueryError(where, header_lines + 1, "not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    specs = header.get("parameters") or {}
    if not isinstance(specs, dict):
        raise CannedQueryError(
            where, _header_line(text, "parameters"), "parameters must be a mapping: name -> {type, description, example …}"
        )
    parameters = tuple(_parameter(where, name, spec, text) for name, spec in specs.items())
    _dry_run(where, text, header_lines, parameters)
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise CannedQueryError(where, 1, "tags must be a list of words")
    return CannedQuery(
        slug=slug,
        path=path,
        title=title.strip(),
        description={k: str(v).strip() for k, v in description.items()},
        query=text,
        form=form,
        parameters=parameters,
        tags=tuple(tags),
        header_lines=header_lines,
    )


def _header_line(text: str, key: object) -> int:
    """The 1-based line of ``key:`` in the header (1 when not found)."""
    pattern = re.compile(r"^#\+\s+" + re.escape(str(key)) + r"\s*:")
    return next((i + 1 for i, line in enumerate(text.splitlines()) if pattern.match(line)), 1)


def _parameter(where: str, name: object, spec: object, text: str) -> Parameter:
    at = _header_line(text, name)
    if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise CannedQueryError(where, at, f"parameter name {name!r} is not a SPARQL variable name")
    if not isinstance(spec, dict):
        raise CannedQueryError(where, at, f"parameter {name!r} needs a mapping (type, description, example …)")
    kind = spec.get("type")
    if kind not in TYPES:
        raise CannedQueryError(where, at, f"parameter {name!r} has type {kind!r}; known types: {', '.join(TYPES)}")
    if not re.search(r"[?$]" + re.escape(name) + r"\b", _body(text)):
        raise CannedQueryError(where, at, f"parameter {name!r} is not used as ?{name} in the query")
    required = bool(spec.get("required", False))
    default = spec.get("default")
    example = spec.get("example")
    if required and default is not None:
        raise CannedQueryError(where, at, f"parameter {name!r} is required and has a default; choose one")
    parameter = Parameter(
        name=name,
        type=kind,
        description=str(spec.get("description", "")).strip(),
        required=required,
        default=None if default is None else str(default),
        example=None if example is None else str(example),
    )
    for label, value in (("default", parameter.default), ("example", parameter.example)):
        if value is not None:
            try:
                parameter.to_term(value)
            except ParameterError as exc:
                raise CannedQueryError(where, at, f"the {label} of {exc}") from None
    return parameter


#: A stand-in value per type for parameters without example or default (only for the dry run).
_STAND_INS = {"iri": "urn:x:stand-in", "string": "x", "language": "de", "integer": "0", "date": "2000-01-01"}


def _dry_run(where: str, text: str, header_lines: int, parameters: Sequence[Parameter]) -> None:
    """Evaluate the query on an empty store with every parameter bound: catches syntax errors and
    parameters the query does not project (the evaluator binds only projected variables)."""
    bindings: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
    for p in parameters:
        value = p.example if p.example is not None else p.default if p.default is not None else _STAND_INS[p.type]
        bindings[ox.Variable(p.name)] = parse_term(p.to_term(value))
    try:
        result = ox.Store().query(text, substitutions=bindings)
        if isinstance(result, (ox.QuerySolutions, ox.QueryTriples)):
            list(result)
    except SyntaxError as exc:
        position = syntax_position(str(exc))
        raise CannedQueryError(where, position.get("line"), f"SPARQL syntax error: {exc}") from None
    except RuntimeError as exc:  # pyoxigraph: "The SPARQL query does not contains variable ?x in its SELECT projection"
        raise CannedQueryError(where, header_lines + 1, f"{exc}; a parameter must be a projected variable") from None


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load_queries(folder: Path) -> dict[str, CannedQuery]:
    """Every ``*.rq`` file of ``folder``, by slug, in file-name order."""
    if not folder.is_dir():
        raise CannedQueryError(folder, None, "no such folder")
    return {q.slug: q for q in (parse(p) for p in sorted(folder.glob("*.rq")))}


README_START = "<!-- canned-queries:start (generated by `python -m sldkg.canned.catalogue --readme`; do not edit) -->"
README_END = "<!-- canned-queries:end -->"


def _parameter_summary(p: Parameter) -> str:
    """One parameter in the docs table: ``name`` (type, required, default …, e.g. …)."""
    default = f", default {p.default}" if p.default else ""
    example = f", e.g. {p.example}" if p.example else ""
    return f"`{p.name}` ({p.type}{', required' if p.required else ''}{default}{example})"


def readme_list(queries: Mapping[str, CannedQuery]) -> str:
    """The table of canned queries in ``docs/endpoint.md``, between its markers (links relative to ``docs/``)."""
    rows = [README_START, "", "| slug | title | parameters (type, example) | form | tags |", "|---|---|---|---|---|"]
    for q in queries.values():
        params = "; ".join(_parameter_summary(p) for p in q.parameters)
        title = f"{q.title} — {q.description['en']}"
        rows.append(f"| [`{q.slug}`](../queries/{q.path.name}) | {title} | {params or '–'} | {q.form} | {', '.join(q.tags)} |")
    rows += ["", README_END]
    return "\n".join(rows)


def readme_section_of(readme_text: str) -> str | None:
    """The generated part of a Markdown file (markers included), or ``None`` when the markers are missing."""
    start, end = readme_text.find(README_START), readme_text.find(README_END)
    if start < 0 or end < start:
        return None
    return readme_text[start : end + len(README_END)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sldkg.canned.catalogue", description="Canned query tools.")
    parser.add_argument("--readme", action="store_true", help="print the list of canned queries of docs/endpoint.md")
    parser.add_argument("--write", type=Path, metavar="MARKDOWN", help="with --readme: replace the list between the markers in this file")
    parser.add_argument("--folder", type=Path, default=Settings().queries_path, help="the queries folder")
    args = parser.parse_args(argv)
    try:
        queries = load_queries(args.folder)
    except CannedQueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.readme and args.write:
        text = args.write.read_text(encoding="utf-8")
        old = readme_section_of(text)
        if old is None:
            print(f"error: {args.write} has no {README_START!r} … {README_END!r} markers", file=sys.stderr)
            return 2
        args.write.write_text(text.replace(old, readme_list(queries)), encoding="utf-8")
    elif args.readme:
        print(readme_list(queries))
    else:
        for q in queries.values():
            print(f"{q.slug}\t{q.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["CannedQuery", "CannedQueryError", "Parameter", "ParameterError", "load_queries"]
