"""Reading from a store backend: SELECT rows and CONSTRUCT triples as pyoxigraph terms; pure (no Flask).

Everything the linked-data pages, dumps and dataset descriptions read goes through
``backend.run(QueryJob(...))`` (so it works on the embedded store and on a remote SPARQL store);
this module asks for the lossless wire formats (SPARQL JSON results, N-Triples) and parses them.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from sldkg.sparql.jobs import Answer, QueryJob

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


class AnswersJobs(Protocol):
    """What this module needs of a store backend (any backend fits; graph/ does not import backends/)."""

    def run(self, job: QueryJob) -> Answer: ...


class VersionedBackend(AnswersJobs, Protocol):
    """A backend whose data version keys the caches of what was read from it."""

    @property
    def version(self) -> str: ...


class Refused(Exception):
    """The backend answered with a refusal (timeout, busy, syntax, too large …)."""

    def __init__(self, answer: Answer):
        super().__init__(answer.message or answer.error or f"status {answer.status}")
        self.answer = answer


def select(
    backend: AnswersJobs, query: str, *, default_graphs: tuple[str, ...] = (), max_rows: int | None = None
) -> list[ox.QuerySolution]:
    """The solutions of a SELECT query (raises :class:`Refused`)."""
    job = QueryJob(query, results_types=(JSON_RESULTS,), graph_types=(NTRIPLES,), default_graphs=default_graphs)
    if max_rows is not None:
        job = QueryJob(job.query, job.results_types, job.graph_types, job.default_graphs, max_rows=max_rows)
    answer = _run(backend, job)
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions), "a SELECT query answers with solutions"
    return list(solutions)


def ask(backend: AnswersJobs, query: str) -> bool:
    answer = _run(backend, QueryJob(query, results_types=(JSON_RESULTS,), graph_types=(NTRIPLES,)))
    return bool(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON))


def construct(backend: AnswersJobs, query: str, *, default_graphs: tuple[str, ...] = ()) -> list[ox.Triple]:
    """The triples of a CONSTRUCT query, without duplicates, in a stable order (raises :class:`Refused`)."""
    job = QueryJob(query, results_types=(JSON_RESULTS,), graph_types=(NTRIPLES,), default_graphs=default_graphs)
    answer = _run(backend, job)
    return sorted(set(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)), key=str)


def _run(backend: AnswersJobs, job: QueryJob) -> Answer:
    answer = backend.run(job)
    if not answer.ok:
        raise Refused(answer)
    return answer


def value(solution: ox.QuerySolution, name: str) -> str | None:
    """The lexical value of ``name`` in ``solution`` (``None`` when unbound)."""
    term = solution[name]
    return None if term is None else term.value
