"""Refusing, before evaluation, what a public endpoint must not run; pure (no Flask, no I/O).

Every :class:`~sldkg.sparql.jobs.QueryJob` passes :func:`check` in the backend before it reaches a
store. A job is refused (an :class:`~sldkg.sparql.jobs.Answer` with a 4xx status that says why) when

* its text is longer than ``max_query_chars`` (413) or nests brackets deeper than
  ``max_query_nesting`` (400: a deep enough nesting overflows the parser's stack and kills it);
* it uses ``SERVICE`` (pyoxigraph, like most stores, would send a request to that URL);
* it is an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``, ``WITH``, ``USING``): the served graph is read-only, and ``LOAD`` fetches URLs;
* ``FROM`` / ``FROM NAMED`` or the protocol's ``default-graph-uri`` / ``named-graph-uri`` name a
  graph outside the dataset (a general-purpose store may fetch such a graph from the web);
* it uses a word that is not a SPARQL keyword or built-in (vendor extensions such as Virtuoso's
  ``DEFINE`` pragmas) or a prefix it does not declare (stores predeclare prefixes of file and
  network functions, e.g. ``bif:``).

Why a tokenizer and not a parser: rdflib's SPARQL parser is thorough but takes milliseconds per
query (see ``benchmarks/safety_check.py``), which would double the cost of a cheap query, while this
scan takes microseconds. It is correct where it matters because it skips exactly what SPARQL
skips — strings (all four quote forms, with escapes), IRIs, comments, escaped characters in
prefixed names — and treats everything else as code. Two ambiguities of SPARQL's grammar are
resolved by scanning every reading and refusing when any reading is refused:

* ``\\uXXXX`` escapes: the SPARQL specification decodes them before parsing (some stores do,
  pyoxigraph does not), so a query containing them is scanned both as written and decoded;
* ``<``: it starts an IRI or is the less-than operator. Text that looks like an IRI cannot hide a
  clause (an IRI holds no spaces, braces or ``<``), but it can hold an apostrophe that the parser
  reads as the start of a string — so such a ``<…'…>`` is read both ways.

The scan is linear in the length of the query (it runs in the web thread, which no time limit
protects): a quote that starts no string ends at its line, prefixes longer than 64 characters are
not recognised, and at most :data:`MAX_AMBIGUITIES` ambiguous ``<`` are explored. Verdicts for
query texts up to :data:`CACHED_QUERY_CHARS` are cached.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from sldkg.settings import GRAPH_BASE
from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.lexer import Token, tokenize

#: Words SPARQL 1.1 (and 1.2 / RDF-star, as pyoxigraph accepts them) knows; compared in upper case.
KEYWORDS = frozenset(
    [
        "BASE",
        "PREFIX",
        "VERSION",
        "SELECT",
        "DISTINCT",
        "REDUCED",
        "AS",
        "CONSTRUCT",
        "WHERE",
        "DESCRIBE",
        "ASK",
        "FROM",
        "NAMED",
        "GROUP",
        "BY",
        "HAVING",
        "ORDER",
        "ASC",
        "DESC",
        "LIMIT",
        "OFFSET",
        "VALUES",
        "OPTIONAL",
        "GRAPH",
        "BIND",
        "UNDEF",
        "MINUS",
        "UNION",
        "FILTER",
        "A",
        "NOT",
        "IN",
        "EXISTS",
        "TRUE",
        "FALSE",
        "SERVICE",
        "SILENT",
        "LATERAL",
        "LOAD",
        "INTO",
        "CLEAR",
        "DROP",
        "CREATE",
        "ADD",
        "TO",
        "MOVE",
        "COPY",
        "INSERT",
        "DATA",
        "DELETE",
        "WITH",
        "USING",
        "DEFAULT",
        "ALL",
        "STR",
        "LANG",
        "LANGMATCHES",
        "DATATYPE",
        "BOUND",
        "IRI",
        "URI",
        "BNODE",
        "RAND",
        "ABS",
        "CEIL",
        "FLOOR",
        "ROUND",
        "CONCAT",
        "STRLEN",
        "UCASE",
        "LCASE",
        "ENCODE_FOR_URI",
        "CONTAINS",
        "STRSTARTS",
        "STRENDS",
        "STRBEFORE",
        "STRAFTER",
        "YEAR",
        "MONTH",
        "DAY",
        "HOURS",
        "MINUTES",
        "SECONDS",
        "TIMEZONE",
        "TZ",
        "NOW",
        "UUID",
        "STRUUID",
        "MD5",
        "SHA1",
        "SHA256",
        "SHA384",
        "SHA512",
        "COALESCE",
        "IF",
        "STRLANG",
        "STRDT",
        "SAMETERM",
        "ISIRI",
        "ISURI",
        "ISBLANK",
        "ISLITERAL",
        "ISNUMERIC",
        "REGEX",
        "SUBSTR",
        "REPLACE",
        "COUNT",
        "SUM",
        "MIN",
        "MAX",
        "AVG",
        "SAMPLE",
        "GROUP_CONCAT",
        "SEPARATOR",
        "TRIPLE",
        "SUBJECT",
        "PREDICATE",
        "OBJECT",
        "ISTRIPLE",
        "LANGDIR",
        "HASLANG",
        "HASLANGDIR",
        "STRLANGDIR",
        "ADJUST",
    ]
)
#: Keywords that only occur in SPARQL Update requests.
UPDATE_KEYWORDS = frozenset(["LOAD", "INTO", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH", "USING"])

#: Refusal kinds of queries that would reach out of the dataset or change it.
DANGEROUS = frozenset({"service-refused", "update-refused", "graph-refused"})
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: How many ambiguous ``<…'…>`` a query may contain (each doubles the readings that are scanned).
MAX_AMBIGUITIES = 4
#: The longest IRI a ``BASE`` or ``PREFIX`` declaration may have: every later use resolves against it,
#: so without a bound a long one and many uses would make the check quadratic.
MAX_DECLARED_IRI = 2048
#: How often (in tokens) the check looks at its clock.
_CLOCK_EVERY = 4096


class CheckOverrun(Exception):
    """The check ran out of its time (:attr:`SafetyPolicy.max_check_seconds`); never cached."""

    def __init__(self, seconds: float):
        super().__init__(f"the safety check took longer than its limit of {seconds:g} s")
        self.seconds = seconds


class Deadline:
    """When the check must give up; ``check()`` raises :class:`CheckOverrun` after it.

    The clock is the CPU time of the calling thread: the budget bounds the work of one check, and a
    server busy with other requests does not make an ordinary query overrun it.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.at:
            raise CheckOverrun(self.seconds)


@dataclass(frozen=True)
class Refusal:
    """Why a job must not run: HTTP status, machine-readable kind, message for people, details."""

    status: int
    kind: str
    message: str
    details: tuple[tuple[str, object], ...] = ()

    def answer(self) -> Answer:
        return Answer(self.status, error=self.kind, message=self.message, details=dict(self.details))


@dataclass(frozen=True)
class SafetyPolicy:
    """What the check allows: the dataset's graphs and the size limits."""

    #: The named graphs of the dataset; ``None``: every graph IRI under ``GRAPH_BASE`` (remote store).
    dataset_graphs: frozenset[str] | None = None
    max_query_chars: int = 100_000
    max_query_nesting: int = 128
    #: CPU budget of one check (seconds of the thread's CPU time): beyond it the query is refused with 503
    #: ``check-timeout`` instead of being checked further (see :class:`Deadline`).
    max_check_seconds: float = 2.0

    @classmethod
    def from_settings(cls, settings: object, graphs: Iterable[str] | None = None) -> SafetyPolicy:
        return cls(
            dataset_graphs=None if graphs is None else frozenset(graphs),
            max_query_chars=settings.max_query_chars,
            max_query_nesting=getattr(settings, "max_query_nesting", cls.max_query_nesting),
            max_check_seconds=getattr(settings, "max_check_seconds", cls.max_check_seconds),
        )

    def allows_graph(self, iri: str) -> bool:
        if self.dataset_graphs is None:
            return iri.startswith(GRAPH_BASE) and ".." not in iri
        return iri in self.dataset_graphs


def check(job: QueryJob, policy: SafetyPolicy) -> Answer | None:
    """``None`` when ``job`` may run, else the refusal as an :class:`Answer` (status 400, 413, or 503 when the check ran out of time)."""
    refusal = inspect(job, policy)
    return None if refusal is None else refusal.answer()


def inspect(job: QueryJob, policy: SafetyPolicy) -> Refusal | None:
    """The first reason ``job`` must not run, or ``None``."""
    if len(job.query) > policy.max_query_chars:
        return Refusal(
            413,
            "query-too-long",
            f"the query has {len(job.query)} characters; the limit is {policy.max_query_chars}",
            (("limit", policy.max_query_chars),),
        )
    for parameter, graphs in (("default-graph-uri", job.default_graphs), ("named-graph-uri", job.named_graphs)):
        for graph in graphs:
            if not policy.allows_graph(graph):
                return _outside(graph, f"the {parameter} parameter")
    try:
        if len(job.query) <= CACHED_QUERY_CHARS:
            return _inspect_query_cached(job.query, policy)
        return inspect_query(job.query, policy)
    except CheckOverrun as exc:
        return Refusal(
            503,
            "check-timeout",
            f"{exc}, so the query was not run: the server may be busy, or the query is unusually slow to check "
            "(many IRIs containing an apostrophe, escapes, unclosed strings); try again, or simplify it",
            (("limit_seconds", exc.seconds),),
        )


#: Queries up to this length have their verdict cached (canned queries, pages and repeated ad-hoc
#: queries are the same text again and again); the cache holds at most 2048 × 4 KiB.
CACHED_QUERY_CHARS = 4096


@functools.lru_cache(maxsize=2048)
def _inspect_query_cached(query: str, policy: SafetyPolicy) -> Refusal | None:
    return inspect_query(query, policy)


def inspect_query(query: str, policy: SafetyPolicy, deadline: Deadline | None = None) -> Refusal | None:
    """The first reason the query text must not run, or ``None`` (scans every reading, see module doc).

    Raises :class:`CheckOverrun` when the check takes longer than ``deadline`` (by default
    :attr:`SafetyPolicy.max_check_seconds` from now).
    """
    deadline = deadline or Deadline(policy.max_check_seconds)
    refusals: list[Refusal] = []
    decoded = _UNICODE_ESCAPE.sub(_decode_escape, query)
    for text in (query, decoded) if decoded != query else (query,):
        for number, tokens in enumerate(readings(text, deadline)):
            refusal = _inspect_tokens(tokens, text, policy, deadline)
            if refusal is None and decoded == query and number == 0 and not _ambiguous_iris(tokens):
                # The only reading there is: a quote that starts no string is certainly a syntax
                # error, and saying so here spares an executor (pyoxigraph's parser can take
                # seconds to find it on a long line).
                refusal = _unterminated(tokens, text)
            # The other readings (decoded escapes, ``<`` as an operator) break up strings and IRIs, so
            # words and prefixes seen in them may be text: there only what reaches out or writes counts.
            primary = text is query and number == 0
            if refusal is not None and (primary or refusal.kind in DANGEROUS or refusal.kind == "ambiguous"):
                refusals.append(refusal)
    dangerous = [r for r in refusals if r.kind in DANGEROUS]
    return (dangerous or refusals or [None])[0]


def readings(text: str, deadline: Deadline | None = None) -> Iterator[list[Token]]:
    """Every tokenization of ``text`` that differs in how an ambiguous ``<…'…>`` is read.

    At most ``2 ** MAX_AMBIGUITIES`` (16) readings, each scanned in linear time, and one at a time
    (a caller that stops early never pays for the others).
    """
    pending: list[frozenset[int]] = [frozenset()]
    seen: set[frozenset[int]] = set()
    while pending:
        reinterpret = pending.pop()
        if reinterpret in seen:
            continue
        seen.add(reinterpret)
        if deadline is not None:
            deadline.check()
        tokens = tokenize(text, reinterpret)
        yield tokens
        for token in _ambiguous_iris(tokens):
            if token.offset not in reinterpret:
                if len(reinterpret) >= MAX_AMBIGUITIES:
                    yield [Token("ambiguous", token.text, token.offset)]
                    return
                pending.append(reinterpret | {token.offset})


def _ambiguous_iris(tokens: Sequence[Token]) -> list[Token]:
    """The ``<…'…>`` among ``tokens``: an IRI, or a less-than followed by a string."""
    return [token for token in tokens if token.kind == "iri" and "'" in token.text]


def _decode_escape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()


def _unterminated(tokens: Sequence[Token], text: str) -> Refusal | None:
    for token in tokens:
        if token.kind == "unterminated":
            return _refuse(text, token, "syntax", f"the string that begins with {token.text[0]} is not closed on its line")
    return None


def _inspect_tokens(tokens: Sequence[Token], text: str, policy: SafetyPolicy, deadline: Deadline | None = None) -> Refusal | None:
    prefixes: dict[str, str] = {}
    base: str | None = None
    depth = 0
    for i, token in enumerate(tokens):
        if deadline is not None and not i % _CLOCK_EVERY:
            deadline.check()
        if token.kind == "ambiguous":
            return _refuse(text, token, "ambiguous", f"more than {MAX_AMBIGUITIES} IRIs containing an apostrophe; write it as %27")
        if token.kind == "open":
            depth += 1
            if depth > policy.max_query_nesting:
                return _refuse(text, token, "too-deeply-nested", f"brackets nest deeper than {policy.max_query_nesting} levels")
        elif token.kind == "close":
            depth = max(0, depth - 1)
        elif token.kind == "pname":
            prefix = token.text.split(":", 1)[0]
            refusal = _inspect_glued(token, text, prefixes, policy)
            if refusal is not None:
                return refusal
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            declaring = i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
            if declaring:
                if following is None or following.kind != "iri":
                    return _refuse(text, token, "syntax", f"PREFIX {token.text} must be followed by an IRI in <…>")
                if len(following.text) > MAX_DECLARED_IRI:
                    return _refuse(
                        text, following, "syntax", f"the IRI of PREFIX {token.text} is longer than {MAX_DECLARED_IRI} characters"
                    )
                prefixes[prefix] = _resolve(following.text[1:-1], base)
            elif prefix not in prefixes:
                return _refuse(text, token, "syntax", f"the prefix '{prefix}:' is not declared (use PREFIX {prefix}: <…>)")
        elif token.kind == "word":
            word = token.text.upper()
            if word not in KEYWORDS:
                return _refuse(text, token, "syntax", f"'{token.text}' is not a SPARQL keyword or function")
            if word == "SERVICE":
                return _refuse(text, token, "service-refused", "SERVICE is refused: this endpoint does not query other endpoints")
            if word in UPDATE_KEYWORDS:
                return _refuse(
                    text,
                    token,
                    "update-refused",
                    f"{word} is refused: the endpoint only answers queries; the data cannot be changed or loaded",
                )
            if word == "BASE":
                following = tokens[i + 1] if i + 1 < len(tokens) else None
                if following is None or following.kind != "iri":
                    return _refuse(text, token, "syntax", "BASE must be followed by an IRI in <…>")
                if len(following.text) > MAX_DECLARED_IRI:
                    return _refuse(text, following, "syntax", f"the IRI of BASE is longer than {MAX_DECLARED_IRI} characters")
                base = _resolve(following.text[1:-1], base)
            elif word == "FROM":
                refusal = _inspect_from(tokens, i, text, prefixes, base, policy)
                if refusal is not None:
                    return refusal
    return None


def _inspect_glued(token: Token, text: str, prefixes: dict[str, str], policy: SafetyPolicy) -> Refusal | None:
    """pyoxigraph needs no space after a keyword: it reads ``SERVICEs:x`` as ``SERVICE s:x`` and
    ``FROMx:y`` as ``FROM x:y`` when ``s:`` / ``x:`` are declared prefixes."""
    upper = token.text.upper()
    for keyword, optional in (("SERVICE", "SILENT"), ("FROM", "NAMED")):
        if not upper.startswith(keyword):
            continue
        rest = token.text[len(keyword) :]
        if rest.upper().startswith(optional) and ":" in rest[len(optional) :]:
            rest = rest[len(optional) :]
        prefix, local = rest.split(":", 1)
        if prefix not in prefixes:
            continue  # not a name after the keyword either: the parser refuses this reading
        if keyword == "SERVICE":
            return _refuse(text, token, "service-refused", f"{token.text} reads as SERVICE {rest}: SERVICE is refused")
        iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        if not policy.allows_graph(iri):
            return _outside(iri, f"{token.text} (read as FROM {rest}) at {_position(text, token.offset)}")
    return None


def _inspect_from(
    tokens: Sequence[Token], i: int, text: str, prefixes: dict[str, str], base: str | None, policy: SafetyPolicy
) -> Refusal | None:
    j = i + 1
    if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED":
        j += 1
    if j >= len(tokens) or tokens[j].kind not in ("iri", "pname"):
        return _refuse(text, tokens[i], "syntax", "FROM must be followed by a graph IRI")
    target = tokens[j]
    if target.kind == "iri":
        iri = _resolve(target.text[1:-1], base)
    else:
        prefix, local = target.text.split(":", 1)
        iri = prefixes.get(prefix, "") + re.sub(r"\\(.)", r"\1", local)
    if not policy.allows_graph(iri):
        return _outside(iri, f"FROM at {_position(text, target.offset)}")
    return None


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _outside(iri: str, where: str) -> Refusal:
    return Refusal(
        400,
        "graph-refused",
        f"{where} names <{iri}>, which is not a graph of this dataset; "
        f"the dataset's graphs are listed in the service description and all begin with <{GRAPH_BASE}>",
        (("graph", iri),),
    )


def _refuse(text: str, token: Token, kind: str, message: str) -> Refusal:
    where = _position(text, token.offset)
    return Refusal(400, kind, f"{message} (at {where})", (("position", where),))


def _position(text: str, offset: int) -> str:
    """``line:column`` (both from 1) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
