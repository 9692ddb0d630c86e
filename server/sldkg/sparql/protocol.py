"""The SPARQL 1.1 Protocol's query operation: request parsing and query-form detection; pure.

:func:`parse_request` takes what arrived over HTTP (method, Content-Type, URL parameters, body)
and returns a :class:`QueryRequest`, ``None`` (a plain GET without a query: the service
description), or raises :class:`ProtocolError` with the status the W3C specification and its
test suite expect:

==========================================================  ======
request                                                      status
==========================================================  ======
``query`` given more than once (URL, body or both)           400
POST without ``application/x-www-form-urlencoded`` or
``application/sparql-query`` Content-Type (or without one)   415
direct POST with a charset other than UTF-8                  415
body or parameter that is not UTF-8                          400
empty ``query``, or dataset parameters without a query       400
an update (``update`` parameter, ``application/sparql-update``,
or a query text that is an update operation)                 400
malformed ``default-graph-uri`` / ``named-graph-uri``        400
query longer than the limit                                  413 (POST) / 414 (GET)
==========================================================  ======

Other methods than GET/POST/HEAD/OPTIONS get 405 from the router; a syntax error gets 400 with
line and column from the evaluator (:mod:`sldkg.backends.evaluation`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT
from sldkg.sparql.lexer import SKIPPED, tokenize, tokens

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

#: Keywords that begin a SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
QUERY_KEYWORDS = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}

READ_ONLY_MESSAGE = "updates are not accepted: this endpoint is read-only (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD)"


class ProtocolError(Exception):
    """A request that breaks the protocol; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, kind: str, **details: object):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: The ``format`` parameter (explicit override of Accept), if given; repeated values joined by commas.
    format: str | None = None
    #: SELECT, ASK, CONSTRUCT or DESCRIBE; ``None`` when the text is too broken to tell (the parser will say why).
    form: str | None = None


def parse_request(
    method: str,
    content_type: str | None,
    url_params: Sequence[tuple[str, str]],
    body: bytes,
    *,
    max_query_chars: int = 100_000,
) -> QueryRequest | None:
    """Parse one query request; ``None`` for a GET/HEAD with no parameters that ask for a query."""
    method = method.upper()
    params = list(url_params)
    if method in ("GET", "HEAD"):
        if _values(params, "update"):
            raise ProtocolError(400, READ_ONLY_MESSAGE, "update-not-accepted")
        queries = _values(params, "query")
        if not queries:
            if _values(params, "default-graph-uri") or _values(params, "named-graph-uri"):
                raise ProtocolError(400, "the 'query' parameter is missing", "missing-query", parameter="query")
            return None
        return _build(queries, params, max_query_chars, too_long_status=414)
    if method != "POST":
        raise ProtocolError(405, f"method {method} is not allowed; use GET or POST", "method-not-allowed")

    media_type, charset = _split_content_type(content_type)
    if media_type == FORM:
        text = _decode(body, "the form body")
        try:
            form = parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ProtocolError(400, "a form parameter is not valid percent-encoded UTF-8", "encoding") from None
        if _values(form, "update") or _values(params, "update"):
            raise ProtocolError(400, READ_ONLY_MESSAGE, "update-not-accepted")
        queries = _values(form, "query") + _values(params, "query")
        if not queries:
            raise ProtocolError(400, "the form has no 'query' parameter", "missing-query", parameter="query")
        return _build(queries, form + [p for p in params if p[0] != "query"], max_query_chars, too_long_status=413)
    if media_type == DIRECT:
        if charset not in (None, "utf-8", "utf8"):
            raise ProtocolError(415, f"the query must be sent as UTF-8, not {charset}", "unsupported-media-type", charset=charset)
        if _values(params, "query"):
            raise ProtocolError(400, "the query is given twice: in the body and as the 'query' URL parameter", "multiple-queries")
        if _values(params, "update"):
            raise ProtocolError(400, READ_ONLY_MESSAGE, "update-not-accepted")
        text = _decode(body, "the request body")
        return _build([text], params, max_query_chars, too_long_status=413)
    if media_type == UPDATE:
        raise ProtocolError(400, READ_ONLY_MESSAGE, "update-not-accepted")
    shown = media_type or "none"
    raise ProtocolError(
        415,
        f"unsupported Content-Type {shown}: send the query as {FORM} (query=...) or as {DIRECT}",
        "unsupported-media-type",
        content_type=shown,
    )


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    """The URL's parameters, strictly UTF-8 (a non-UTF-8 parameter is a 400, not a silent U+FFFD)."""
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "a URL parameter is not valid percent-encoded UTF-8", "encoding") from None


def _values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _split_content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})", "encoding", byte=exc.start) from None


def _build(queries: list[str], params: Sequence[tuple[str, str]], max_chars: int, too_long_status: int) -> QueryRequest:
    if len(queries) > 1:
        raise ProtocolError(400, f"the 'query' parameter is given {len(queries)} times; send exactly one query", "multiple-queries")
    query = queries[0]
    if not query.strip():
        raise ProtocolError(400, "the 'query' parameter is empty", "missing-query", parameter="query")
    if len(query) > max_chars:
        raise ProtocolError(
            too_long_status, f"the query has {len(query)} characters; the limit is {max_chars}", "query-too-long", limit=max_chars
        )
    # Several ``format`` values are alternatives, the first that applies wins (see negotiation.format_override).
    formats = list(dict.fromkeys(v for v in _values(params, "format") if v.strip()))
    form = query_form(query)
    return QueryRequest(
        query=query,
        default_graphs=tuple(_graph_iris(params, "default-graph-uri")),
        named_graphs=tuple(_graph_iris(params, "named-graph-uri")),
        format=",".join(formats) if formats else None,
        form=form,
    )


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def _graph_iris(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    iris = []
    for value in _values(params, name):
        if not _IRI.match(value):
            raise ProtocolError(400, f"{name}: {value!r} is not an absolute IRI", "bad-parameter", parameter=name)
        iris.append(value)
    return iris


#: Query texts up to this many characters have their form remembered (per process, the
#: :data:`FORM_MEMO` most recent): lexing a prologue of PREFIX lines is the largest pure-Python cost
#: of a small query's request, and clients repeat their queries. At most about 1 MB of text is kept.
FORM_MEMO_CHARS = 4096
FORM_MEMO = 256


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; ``None`` when undecidable; :class:`ProtocolError` for an update.

    Skips the prologue (BASE and PREFIX declarations) and comments, and looks at the first keyword
    (tokens of :mod:`sldkg.sparql.lexer`, the lexer of the safety check).
    """
    if len(query) <= FORM_MEMO_CHARS:
        return _remembered_form(query)
    return _query_form(query)


@functools.lru_cache(maxsize=FORM_MEMO)
def _remembered_form(query: str) -> str | None:
    return _query_form(query)  # an update raises ProtocolError, which is not remembered


def _query_form(query: str) -> str | None:
    expect_prologue_arg = 0
    for token in tokens(query):  # lazily: only the prologue and the first keyword are read
        if token.kind in SKIPPED:
            continue
        if expect_prologue_arg:
            expect_prologue_arg -= 1
            continue
        if token.kind != "word":
            return None
        keyword = token.text.upper()
        if keyword == "BASE":
            expect_prologue_arg = 1
            continue
        if keyword == "PREFIX":
            expect_prologue_arg = 2
            continue
        if keyword in QUERY_KEYWORDS:
            return QUERY_KEYWORDS[keyword]
        if keyword in UPDATE_KEYWORDS:
            raise ProtocolError(400, READ_ONLY_MESSAGE, "update-not-accepted", operation=keyword)
        return None
    return None


def declares_dataset(query: str) -> bool:
    """Whether the query has a dataset clause (``FROM`` / ``FROM NAMED``) of its own.

    Only the keyword counts: not ``FROM`` inside strings, IRIs, comments, prefixed names or a
    variable called ``?from``.
    """
    return any(token.kind == "word" and token.text.upper() == "FROM" for token in tokenize(query))
