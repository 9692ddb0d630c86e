"""What crosses the boundary between the web layer and a store backend: jobs and answers; no Flask.

A :class:`QueryJob` says what to evaluate and which media types the client accepts for each query
form (negotiated beforehand by the web layer); an :class:`Answer` carries the serialised bytes or
a refusal. Both are small, picklable records, because embedded jobs travel to an executor process
(:mod:`sldkg.backends.executors`) and remote jobs to an external SPARQL store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Query forms.
SELECT, ASK, CONSTRUCT, DESCRIBE = "SELECT", "ASK", "CONSTRUCT", "DESCRIBE"


@dataclass(frozen=True)
class QueryJob:
    query: str
    #: Acceptable media types for SELECT/ASK answers, most preferred first (empty: none acceptable).
    results_types: tuple[str, ...] = ("application/sparql-results+json",)
    #: Acceptable media types for CONSTRUCT/DESCRIBE answers, most preferred first.
    graph_types: tuple[str, ...] = ("text/turtle",)
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: Variable bindings applied before evaluation: (variable name, RDF term in N-Triples syntax).
    substitutions: tuple[tuple[str, str], ...] = ()
    max_rows: int = 100_000
    max_bytes: int = 50 * 1024 * 1024
    #: An ad-hoc query from the SPARQL endpoint (not a page, dump or canned query): it may not use
    #: the executors reserved for the others, and counts against its client's concurrent-query limit.
    adhoc: bool = False
    #: The client's address, for that limit ("" for jobs that are not ad-hoc).
    client: str = ""


@dataclass(frozen=True)
class Answer:
    #: HTTP status the web layer should answer with (200, or the 4xx/5xx of a refusal).
    status: int
    media_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    form: str = ""
    rows: int = 0
    #: For a refusal: a short machine-readable kind ("syntax", "not-acceptable", "too-large", …).
    error: str | None = None
    #: For a refusal: what was wrong, for people.
    message: str | None = None
    details: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


def result_too_large(form: str, what: str, **limits: int) -> Answer:
    """The refusal for an answer over the row or byte limit (the same on every backend): 422."""
    return Answer(
        422,
        form=form,
        error="result-too-large",
        message=f"the answer has more {what} than the limit allows; narrow the query or add LIMIT",
        details=dict(limits),
    )
