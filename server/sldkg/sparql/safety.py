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
prefixed names — and treats everything else as code (the one lexer, :mod:`sldkg.sparql.lexer`).
Two ambiguities of SPARQL's grammar are resolved by scanning every reading and refusing when any
reading is refused:

* ``\\uXXXX`` escapes: the SPARQL specification decodes them before parsing (some stores do,
  pyoxigraph does not), so a query containing them is scanned both as written and decoded;
* ``<``: it starts an IRI or is the less-than operator. Text that looks like an IRI cannot hide a
  clause (an IRI holds no spaces, braces or ``<``), but it can hold an apostrophe that the parser
  reads as the start of a string — so such a ``<…'…>`` is read both ways.

The query as written counts in full; in the other readings (which break up strings and IRIs) only
what reaches out or writes (:data:`DANGEROUS`) counts. A reading is scanned to its end even after a
refusal, so that a syntax error cannot hide a later ``SERVICE``.

The check is linear in the length of the query, including the work summed over all readings (it
runs in the web thread, before any time limit of an executor applies): the lexer is linear
(:mod:`sldkg.sparql.lexer`); at most :data:`MAX_AMBIGUITIES` ambiguous ``<`` are explored; and each
other reading is tokenized and inspected only where it differs from the first one (from its first
reinterpreted ``<`` until its tokens meet the first reading's again). Declared IRIs are at most
:data:`MAX_DECLARED_IRI` long, and line/column of a refusal are found by bisection. On top of that,
one check may use at most :attr:`SafetyPolicy.max_check_seconds` of its thread's CPU time; beyond
it the query is refused with 503 ``check-timeout`` (:class:`Deadline`). Verdicts for query texts up
to :data:`CACHED_QUERY_CHARS` are cached (a ``check-timeout`` never is).
"""

from __future__ import annotations

import bisect
import functools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from sldkg.settings import GRAPH_BASE, Settings
from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.lexer import SKIPPED, Token, tokenize
from sldkg.sparql.lexer import tokens as tokenize_from

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
        if time.thread_time() >= self.at:
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
    def from_settings(cls, settings: Settings, graphs: Iterable[str] | None = None) -> SafetyPolicy:
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

    A refusal that reaches out or writes (:data:`DANGEROUS`) in any reading wins; otherwise the
    first refusal of the query as written (or an ``ambiguous`` one). Raises :class:`CheckOverrun`
    when the check takes longer than ``deadline`` (by default :attr:`SafetyPolicy.max_check_seconds`).
    """
    deadline = deadline or Deadline(policy.max_check_seconds)
    decoded = _UNICODE_ESCAPE.sub(_decode_escape, query)
    texts = (query, decoded) if decoded != query else (query,)
    first: Refusal | None = None
    for text in texts:
        found, dangerous = _inspect_text(text, policy, deadline, as_written=text is query, only_text=len(texts) == 1)
        if dangerous is not None:
            return dangerous
        first = first or found
    return first


def _inspect_text(
    text: str, policy: SafetyPolicy, deadline: Deadline, as_written: bool, only_text: bool
) -> tuple[Refusal | None, Refusal | None]:
    """``(first refusal, first dangerous refusal)`` over every reading of ``text``.

    The first reading (every ``<…>`` an IRI) is scanned in full. Another reading differs from it
    only from its first reinterpreted ``<`` up to where its tokens meet the first reading's again;
    only that stretch (and two tokens on either side) is tokenized and inspected, and the rest only
    when the stretch declared other prefixes or another base than the first reading did there.
    The other readings break up strings and IRIs, so words and prefixes seen in them may be text:
    there only what reaches out or writes counts.
    """
    first_reading = tokenize(text)
    deadline.check()
    inspection = _Inspection(first_reading, text, policy, deadline)
    inspection.scan(0, len(first_reading), everything=as_written)
    if inspection.dangerous is not None:
        return None, inspection.dangerous
    found = inspection.first
    ambiguous = _ambiguous_iris(first_reading)
    if not ambiguous:
        if found is None and as_written and only_text:
            # The only reading there is: a quote that starts no string is certainly a syntax
            # error, and saying so here spares an executor (pyoxigraph's parser can take
            # seconds to find it on a long line).
            found = _unterminated(first_reading, text)
        return found, None
    offsets = [token.offset for token in first_reading]
    index = {offset: i for i, offset in enumerate(offsets)}
    declarations = inspection.declarations
    pending = [frozenset({token.offset}) for token in ambiguous]
    seen: set[frozenset[int]] = set()
    while pending:
        reinterpret = pending.pop()
        if reinterpret in seen:
            continue
        seen.add(reinterpret)
        deadline.check()
        lowest, highest = min(reinterpret), max(reinterpret)
        k = index[lowest]  # (the lowest reinterpreted ``<`` is always an IRI of the first reading)
        stretch: list[Token] = []
        rejoin, rejoined_at = len(first_reading), len(text)
        for count, token in enumerate(tokenize_from(text, reinterpret, lowest)):
            if not count % _CLOCK_EVERY:
                deadline.check()
            if token.offset > highest and token.offset in index:
                rejoin, rejoined_at = index[token.offset], token.offset
                break
            if token.kind not in SKIPPED:
                stretch.append(token)
        reading = first_reading[:k] + stretch + first_reading[rejoin:]
        lo, hi = max(0, k - 2), min(len(reading), k + len(stretch) + 2)
        other = _Inspection(reading, text, policy, deadline)
        other.replay(declarations, before=lo)
        other.scan(lo, hi, everything=False)
        if other.dangerous is None and other.declared_since(lo) != [d for i, d in declarations if lo <= i < rejoin + 2]:
            other.scan(hi, len(reading), everything=False)
        if other.dangerous is not None:
            return None, other.dangerous
        candidates = (
            [t for t in ambiguous if t.offset < lowest] + _ambiguous_iris(stretch) + [t for t in ambiguous if t.offset >= rejoined_at]
        )
        for token in candidates:
            if token.offset not in reinterpret:
                if len(reinterpret) >= MAX_AMBIGUITIES:
                    refusal = _refuse(
                        text, token, "ambiguous", f"more than {MAX_AMBIGUITIES} IRIs containing an apostrophe; write it as %27"
                    )
                    return found or refusal, None
                pending.append(reinterpret | {token.offset})
    return found, None


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


#: The kinds of tokens the inspection looks at; only words and prefixed names can reach out or write.
_INSPECTED = frozenset({"open", "close", "pname", "word"})
_DANGEROUS_KINDS = frozenset({"pname", "word"})
#: A declaration as it changes the scan's state: ("BASE", IRI) or (prefix, IRI), IRIs as written.
Declaration = tuple[str, str]


class _Inspection:
    """The scan of one reading: declared prefixes, base, bracket depth, and what was found.

    :meth:`scan` records the first refusal of any kind (when asked for everything) and stops at the
    first dangerous one (:attr:`dangerous`). It goes on after other refusals, so that a syntax
    error early in a reading cannot hide a SERVICE later in it.
    """

    def __init__(self, tokens: Sequence[Token], text: str, policy: SafetyPolicy, deadline: Deadline):
        self.tokens = tokens
        self.text = text
        self.policy = policy
        self.deadline = deadline
        self.prefixes: dict[str, str] = {}
        self.base: str | None = None
        self.depth = 0
        #: (index of the token that declared, declaration), in order.
        self.declarations: list[tuple[int, Declaration]] = []
        self.first: Refusal | None = None
        self.dangerous: Refusal | None = None

    def replay(self, declarations: Sequence[tuple[int, Declaration]], before: int) -> None:
        """Take over the state that ``declarations`` made before token ``before`` (of another reading with the same tokens there)."""
        for i, (name, iri) in declarations:
            if i >= before:
                break
            self._declare(name, iri)

    def declared_since(self, start: int) -> list[Declaration]:
        return [declaration for i, declaration in self.declarations if i >= start]

    def scan(self, start: int, stop: int, everything: bool) -> None:
        tokens, deadline = self.tokens, self.deadline
        inspected = _INSPECTED if everything else _DANGEROUS_KINDS
        for i in range(start, stop):
            if not (i - start) % _CLOCK_EVERY:
                deadline.check()
            token = tokens[i]
            if token.kind not in inspected:
                continue  # nothing to see (strings, IRIs, variables …), or nothing that counts here
            refusal = self._inspect(i, token)
            if refusal is None:
                continue
            if refusal.kind in DANGEROUS:
                self.dangerous = refusal
                return
            if everything and self.first is None:
                self.first = refusal
                inspected = _DANGEROUS_KINDS  # brackets and the rest can only make refusals that no longer count

    def _declare(self, name: str, iri: str) -> None:
        if name == "BASE":
            self.base = _resolve(iri, self.base)
        else:
            self.prefixes[name] = _resolve(iri, self.base)

    def _following(self, i: int) -> Token | None:
        return self.tokens[i + 1] if i + 1 < len(self.tokens) else None

    def _inspect(self, i: int, token: Token) -> Refusal | None:
        text, policy = self.text, self.policy
        if token.kind == "open":
            self.depth += 1
            if self.depth > policy.max_query_nesting:
                return _refuse(text, token, "too-deeply-nested", f"brackets nest deeper than {policy.max_query_nesting} levels")
        elif token.kind == "close":
            self.depth = max(0, self.depth - 1)
        elif token.kind == "pname":
            prefix = token.text.split(":", 1)[0]
            refusal = _inspect_glued(token, text, self.prefixes, policy)
            if refusal is not None:
                return refusal
            following = self._following(i)
            if i > 0 and self.tokens[i - 1].kind == "word" and self.tokens[i - 1].text.upper() == "PREFIX":
                if following is None or following.kind != "iri":
                    return _refuse(text, token, "syntax", f"PREFIX {token.text} must be followed by an IRI in <…>")
                if len(following.text) > MAX_DECLARED_IRI:
                    return _refuse(
                        text, following, "syntax", f"the IRI of PREFIX {token.text} is longer than {MAX_DECLARED_IRI} characters"
                    )
                self._declare(prefix, following.text[1:-1])
                self.declarations.append((i, (prefix, following.text[1:-1])))
            elif prefix not in self.prefixes:
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
                following = self._following(i)
                if following is None or following.kind != "iri":
                    return _refuse(text, token, "syntax", "BASE must be followed by an IRI in <…>")
                if len(following.text) > MAX_DECLARED_IRI:
                    return _refuse(text, following, "syntax", f"the IRI of BASE is longer than {MAX_DECLARED_IRI} characters")
                self._declare("BASE", following.text[1:-1])
                self.declarations.append((i, ("BASE", following.text[1:-1])))
            elif word == "FROM":
                return _inspect_from(self.tokens, i, text, self.prefixes, self.base, policy)
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
    """``line:column`` (both from 1) of ``offset`` in ``text`` (logarithmic: a scan may refuse many tokens)."""
    breaks = _line_breaks(text)
    line = bisect.bisect_left(breaks, offset)
    column = offset - (breaks[line - 1] + 1 if line else 0) + 1
    return f"line {line + 1}, column {column}"


@functools.lru_cache(maxsize=4)
def _line_breaks(text: str) -> list[int]:
    return [match.start() for match in _LINE_BREAK.finditer(text)]


_LINE_BREAK = re.compile("\n")
