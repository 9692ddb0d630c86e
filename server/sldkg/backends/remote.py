"""The remote backend: the same jobs and answers as the embedded store, evaluated by an external
SPARQL 1.1 store (Oxigraph server, Apache Jena Fuseki, Virtuoso, QLever …); no Flask.

``sldkg serve --store URL`` passes the store's SPARQL *query* endpoint (for Oxigraph server
``http://host:7878/query``, for Fuseki ``http://host:3030/<dataset>/sparql``). Every job becomes
one SPARQL-protocol request (POST, ``application/x-www-form-urlencoded``):

* the media types the web layer negotiated become the ``Accept`` header (with falling q-values),
  chosen by the query form read from the query's prologue;
* ``default_graphs`` / ``named_graphs`` become ``default-graph-uri`` / ``named-graph-uri``;
* substitutions are bound by a ``VALUES`` block built from the parsed N-Triples terms (never by
  replacing variable names in the text), placed first inside the query's WHERE group. (A trailing
  ``VALUES`` clause after the solution modifiers would be joined only after the WHERE group is
  evaluated, so a ``FILTER`` on a parameter, as in ``queries/label-search.rq``, would see it
  unbound and answer nothing; inside the group the filter sees it, as with the embedded store's
  substitutions. A query without a WHERE group, e.g. ``DESCRIBE ?x``, gets the trailing clause.);
* the query time limit is the HTTP read timeout (configure the store's own limit too:
  Oxigraph ``--timeout-s``, Fuseki ``arq:queryTimeout``);
* an unreachable store is a 503 refusal naming the store; the next request tries again.

The default graph must be the union of the named graphs, as on the embedded store: start Oxigraph
with ``--union-default-graph``; in Fuseki set ``tdb2:unionDefaultGraph true``; Virtuoso and QLever
answer patterns outside ``GRAPH`` from all graphs by default.

:attr:`RemoteBackend.version` is a hash of the store URL and the store's quad count (re-read at
most every :data:`VERSION_TTL` seconds); :attr:`RemoteBackend.modified` is when that version was
first seen by this process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError

from sldkg.settings import Settings
from sldkg.sparql import protocol
from sldkg.sparql.jobs import ASK, CONSTRUCT, DESCRIBE, SELECT, Answer, QueryJob, result_too_large
from sldkg.sparql.lexer import tokenize
from sldkg.sparql.safety import SafetyPolicy, check

#: Seconds a computed :attr:`RemoteBackend.version` is reused before the store is asked again.
VERSION_TTL = 60.0

#: Parsers used to count the rows/triples of a graph answer (the limits apply as on the embedded store).
_GRAPH_PARSERS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}

_VARIABLE = re.compile(r"^\w+$")


class StoreUnavailable(Exception):
    """The remote store did not answer (connection refused, reset, or no answer at all)."""


# -- pure helpers (tested on their own) ------------------------------------------------------------


def query_form(query: str) -> str | None:
    """The form (SELECT/ASK/CONSTRUCT/DESCRIBE) of ``query``, read after its prologue; ``None`` if unclear or an update."""
    try:
        return protocol.query_form(query)
    except protocol.ProtocolError:
        return None


def parse_term(ntriples: str) -> ox.NamedNode | ox.Literal:
    """An IRI or literal from its N-Triples syntax; ``ValueError`` for anything else (blank nodes included)."""
    try:
        quads = list(ox.parse(f"<urn:s> <urn:p> {ntriples} .\n".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise ValueError(f"not an RDF term in N-Triples syntax: {ntriples!r} ({exc.msg})") from None
    if len(quads) != 1 or not isinstance(quads[0].object, (ox.NamedNode, ox.Literal)):
        raise ValueError(f"not an IRI or literal: {ntriples!r}")
    return quads[0].object


def values_clause(substitutions: Sequence[tuple[str, str]]) -> str:
    """A trailing ``VALUES`` clause binding each variable to its term (parsed, then re-serialised)."""
    names, terms = [], []
    for name, term in substitutions:
        if not _VARIABLE.match(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        names.append("?" + name)
        terms.append(str(parse_term(term)))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_substitutions(query: str, substitutions: Sequence[tuple[str, str]]) -> str:
    """``query`` with the substitutions as a ``VALUES`` block first in its WHERE group (else appended)."""
    if not substitutions:
        return query
    clause = values_clause(substitutions)
    position = where_group_start(query)
    if position is None:
        return query + "\n" + clause + "\n"
    return query[:position] + " " + clause + " " + query[position:]


def where_group_start(query: str) -> int | None:
    """Offset just after the ``{`` that opens the WHERE group of ``query``; ``None`` when there is none.

    Comments, strings and IRIs are skipped (the tokens of :mod:`sldkg.sparql.lexer`); for CONSTRUCT the group after the WHERE keyword counts
    (the first braces hold the template), for the other forms the first top-level group.
    """
    form = query_form(query)
    if form is None:
        return None
    depth, parens, seen_where, template_seen = 0, 0, False, False
    for token in tokenize(query):
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif parens:
            continue  # braces inside parentheses belong to EXISTS in an expression, not to the WHERE group
        elif token.kind == "word" and depth == 0 and token.text.upper() == "WHERE":
            seen_where = True
        elif token.text == "{":
            if depth == 0 and (form != CONSTRUCT or (seen_where and template_seen)):
                return token.offset + 1
            depth += 1
        elif token.text == "}":
            depth -= 1
            template_seen = template_seen or depth == 0
    return None  # also CONSTRUCT WHERE { … }: its short form takes triple patterns only, so VALUES goes last


def accept_header(types: Sequence[str]) -> str:
    """``types`` (most preferred first) as an Accept header with falling q-values."""
    parts = []
    for index, media in enumerate(types):
        q = max(0.1, 1.0 - index * 0.1)
        parts.append(media if index == 0 else f"{media};q={q:.1f}")
    return ", ".join(parts)


def count_rows(media: str, body: bytes) -> int | None:
    """Number of solutions (SELECT) or triples (graph answers) in ``body``; ``None`` when not countable."""
    if media == "application/sparql-results+json":
        document = json.loads(body)
        return len(document.get("results", {}).get("bindings", [])) if "results" in document else 1
    if media == "application/sparql-results+xml":
        return body.count(b"<result>") + body.count(b"<result ")
    if media in ("text/csv", "text/tab-separated-values"):
        lines = body.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
        return max(0, len(lines) - 1)  # quoted newlines in CSV values may overcount; a limit stays a limit
    if media in _GRAPH_PARSERS:
        return sum(1 for _ in ox.parse(body, format=_GRAPH_PARSERS[media]))
    return None


# -- the backend ----------------------------------------------------------------------------------


class RemoteBackend:
    """Evaluates jobs on an external SPARQL 1.1 store over HTTP (see the module docstring)."""

    kind = "remote"

    def __init__(self, url: str, settings: Settings):
        if not re.match(r"^https?://", url or ""):
            raise ValueError(f"--store must be an http(s) URL of a SPARQL query endpoint, not {url!r}")
        self.url = url
        self.settings = settings
        self.timeout = settings.query_timeout
        #: Refused before the store sees them: SERVICE, updates, graphs not under GRAPH_BASE (server/safety.py).
        self.policy = SafetyPolicy.from_settings(settings)
        self._pool: urllib3.PoolManager | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._version: str | None = None
        self._version_at = 0.0
        self._modified = datetime.now(UTC).replace(microsecond=0)

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Open the connection pool of this process (after a fork a process gets its own)."""
        with self._lock:
            if self._pid != os.getpid():
                self._pool = urllib3.PoolManager(maxsize=max(4, self.settings.threads), block=False, retries=False)
                self._pid = os.getpid()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.clear()
            self._pool, self._pid = None, None

    @property
    def pool(self) -> urllib3.PoolManager:
        if self._pid != os.getpid() or self._pool is None:
            self.start()
        assert self._pool is not None
        return self._pool

    # -- data version ---------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Hash of the store URL and its quad count; the last known value while the store is down."""
        now = time.monotonic()
        if self._version is None or now - self._version_at > VERSION_TTL:
            try:
                count = self.quad_count()
            except StoreUnavailable:
                return self._version or "unavailable"
            version = hashlib.sha256(f"{self.url} {count}".encode()).hexdigest()[:16]
            if self._version is not None and version != self._version:
                self._modified = datetime.now(UTC).replace(microsecond=0)
            self._version, self._version_at = version, now
        return self._version

    @property
    def modified(self) -> datetime:
        self.version  # noqa: B018 -- refreshes the time of the last observed change
        return self._modified

    def quad_count(self) -> int:
        """Number of quads in the store's named graphs; :class:`StoreUnavailable` when it does not answer."""
        answer = self.run(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        if answer.status == 503:
            raise StoreUnavailable(answer.message)
        if not answer.ok:
            raise StoreUnavailable(f"the SPARQL store at {self.url} cannot count its triples: {answer.message}")
        return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store answers a trivial query."""
        answer = self.run(QueryJob("ASK {}"))
        if not answer.ok:
            raise StoreUnavailable(answer.message or f"the SPARQL store at {self.url} answered {answer.status}")

    # -- running --------------------------------------------------------------------------------
    def run(self, job: QueryJob) -> Answer:
        """Evaluate ``job`` on the store; every refusal or failure is an ``Answer`` with status >= 400."""
        refusal = check(job, self.policy)
        if refusal is not None:
            return refusal
        form = query_form(job.query)
        if form in (SELECT, ASK):
            acceptable = job.results_types
        elif form in (CONSTRUCT, DESCRIBE):
            acceptable = job.graph_types
        else:
            acceptable = tuple(job.results_types) + tuple(job.graph_types)
        if not acceptable:
            return Answer(406, form=form or "", error="not-acceptable", message=f"no acceptable media type for {form}")
        try:
            query = bind_substitutions(job.query, job.substitutions)
        except ValueError as exc:
            return Answer(400, error="bad-parameter", message=str(exc))
        fields = [("query", query)]
        fields += [("default-graph-uri", g) for g in job.default_graphs]
        fields += [("named-graph-uri", g) for g in job.named_graphs]
        try:
            response = self._post(fields, accept_header(acceptable))
        except ReadTimeoutError:
            return Answer(
                503,
                error="timeout",
                message=f"the SPARQL store at {self.url} gave no answer within the limit of {self.timeout:g} s",
                details={"limit_seconds": self.timeout},
            )
        except StoreUnavailable as exc:
            return Answer(503, error="store-unavailable", message=str(exc), details={"store": self.url})
        try:
            return self._answer(response, form, acceptable, job)
        finally:
            response.release_conn()

    def _post(self, fields: list[tuple[str, str]], accept: str) -> urllib3.BaseHTTPResponse:
        timeout = urllib3.Timeout(connect=min(5.0, self.timeout), read=self.timeout)
        for attempt in (1, 2):
            try:
                return self.pool.request(
                    "POST",
                    self.url,
                    body=urlencode(fields).encode("ascii"),
                    headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                    timeout=timeout,
                    preload_content=False,
                    redirect=False,
                )
            except ReadTimeoutError:
                raise
            except ProtocolError as exc:
                # A pooled keep-alive connection the store closed (e.g. after its restart): one fresh try.
                if attempt == 2:
                    raise StoreUnavailable(f"the SPARQL store at {self.url} dropped the connection: {exc}") from None
            except HTTPError as exc:
                reason = getattr(exc, "reason", None) or exc
                raise StoreUnavailable(f"the SPARQL store at {self.url} is not reachable: {reason}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(self, response: urllib3.BaseHTTPResponse, form: str | None, acceptable: Sequence[str], job: QueryJob) -> Answer:
        body = bytearray()
        try:
            for chunk in response.stream(64 * 1024):
                body += chunk
                if len(body) > job.max_bytes:
                    return result_too_large(form or "", "bytes", max_bytes=job.max_bytes)
        except ReadTimeoutError:
            return Answer(503, error="timeout", message=f"the SPARQL store at {self.url} stopped answering within {self.timeout:g} s")
        except ProtocolError as exc:
            return Answer(503, error="store-unavailable", message=f"the SPARQL store at {self.url} broke off its answer: {exc}")
        data = bytes(body)
        status = response.status
        if status == 400:
            text = data.decode("utf-8", "replace").strip()[:2000]
            return Answer(400, form=form or "", error="syntax", message=f"SPARQL syntax error (reported by the store): {text}")
        if status == 406:
            return Answer(
                406, form=form or "", error="not-acceptable", message=f"the store cannot answer {form} in {', '.join(acceptable)}"
            )
        if status >= 300:
            text = data.decode("utf-8", "replace").strip()[:2000]
            return Answer(
                502, error="store-error", message=f"the SPARQL store at {self.url} answered {status}: {text}", details={"store": self.url}
            )
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media not in acceptable:
            return Answer(502, error="store-error", message=f"the SPARQL store at {self.url} answered {media!r}, which was not asked for")
        if form is None:
            form = SELECT if media in job.results_types else CONSTRUCT
        if form == SELECT and media == "application/sparql-results+json" and b'"boolean"' in data[:200]:
            form = ASK
        try:
            rows = count_rows(media, data)
        except (ValueError, SyntaxError) as exc:
            return Answer(502, error="store-error", message=f"the SPARQL store at {self.url} sent an unreadable {media} answer: {exc}")
        if rows is not None and rows > job.max_rows:
            return result_too_large(form, "rows" if form == SELECT else "triples", max_rows=job.max_rows)
        return Answer(200, media, data, form, rows or 0)
