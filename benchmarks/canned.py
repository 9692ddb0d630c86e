"""Reading the canned queries (``queries/*.rq`` with a ``#+`` YAML header) for the benchmark.

The project's server runs a canned query by its URL with the example parameters; the competitors
get the same SPARQL text with the example values substituted *textually* — only here, in the
benchmark, where the inputs are our own examples. (The server binds parameters as typed terms.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from server.config import RESOURCE_BASE

XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPED = {
    "integer": XSD + "integer",
    "int": XSD + "integer",
    "decimal": XSD + "decimal",
    "float": XSD + "double",
    "double": XSD + "double",
    "date": XSD + "date",
    "datetime": XSD + "dateTime",
    "dateTime": XSD + "dateTime",
    "gyear": XSD + "gYear",
    "gYear": XSD + "gYear",
    "boolean": XSD + "boolean",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    example: Any
    language: str | None = None

    def term(self) -> str:
        """The example value as an N-Triples term."""
        kind = (self.type or "string").split(":")[-1]
        if kind.lower() in ("iri", "uri", "resource", "anyuri") or kind[:1].isupper() and kind not in _TYPED:
            value = str(self.example)
            return f"<{value if re.match(r'^[a-z][a-z0-9+.-]*:', value) else RESOURCE_BASE + value}>"
        if kind in _TYPED:
            if kind == "boolean":
                return f'"{str(self.example).lower()}"^^<{_TYPED[kind]}>'
            return f'"{self.example}"^^<{_TYPED[kind]}>'
        literal = json.dumps(str(self.example), ensure_ascii=False)
        return literal + (f"@{self.language}" if self.language else "")


@dataclass(frozen=True)
class CannedQuery:
    slug: str
    path: Path
    query: str
    header: dict[str, Any]
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def substitutions(self) -> tuple[tuple[str, str], ...]:
        """(variable, N-Triples term) of every example parameter."""
        return tuple((p.name, p.term()) for p in self.parameters if p.example is not None)

    def example_args(self) -> dict[str, str]:
        """The example parameters as URL query arguments of the canned-query endpoint."""
        return {p.name: str(p.example) for p in self.parameters if p.example is not None}

    def inlined(self) -> str:
        """The query with the example terms written in place of the variables (benchmark only)."""
        text = self.query
        for name, term in self.substitutions():
            text = re.sub(r"[?$]" + re.escape(name) + r"\b", lambda _m, t=term: t, text)
        return text


def read_header(text: str) -> dict[str, Any]:
    lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        return {}
    indent = min((len(l) - len(l.lstrip(" ")) for l in lines if l.strip()), default=0)
    header = yaml.safe_load("\n".join(l[indent:] for l in lines)) or {}
    return header if isinstance(header, dict) else {}


def _parameters(header: dict[str, Any]) -> tuple[Parameter, ...]:
    raw = header.get("parameters", header.get("params")) or {}
    items = raw.items() if isinstance(raw, dict) else ((p.get("name"), p) for p in raw if isinstance(p, dict))
    found = []
    for name, spec in items:
        spec = spec if isinstance(spec, dict) else {"example": spec}
        example = spec.get("example", spec.get("default"))
        found.append(Parameter(str(name), str(spec.get("type", "string")), example, spec.get("lang") or spec.get("language")))
    return tuple(found)


def canned_queries(folder: Path) -> list[CannedQuery]:
    """Every canned query in ``folder`` in file-name order."""
    found = []
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = read_header(text)
        found.append(CannedQuery(path.stem, path, text, header, _parameters(header)))
    return found
