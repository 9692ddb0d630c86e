"""The library side of ``sldkg query``: run one canned query on a freshly loaded store; no Flask, no click."""

from __future__ import annotations

from collections.abc import Sequence

from sldkg.backends.evaluation import execute
from sldkg.canned.catalogue import ParameterError, load_queries
from sldkg.graph.store import load
from sldkg.settings import Settings
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, SELECT, QueryJob


class QueryCommandError(Exception):
    """The query could not be run (unknown slug, bad parameter, unknown format, refusal)."""


def parse_params(pairs: Sequence[str]) -> dict[str, list[str]]:
    """``["name=value", …]`` into a mapping; :class:`QueryCommandError` for an item without ``=``."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise QueryCommandError(f"parameter {pair!r}: write it as NAME=VALUE")
        values.setdefault(name.strip(), []).append(value)
    return values


def run_canned(settings: Settings, slug: str, params: Sequence[str], fmt: str | None) -> bytes:
    """The serialised answer of canned query ``slug`` with ``params`` in format ``fmt``."""
    queries = load_queries(settings.queries_path)
    q = queries.get(slug)
    if q is None:
        raise QueryCommandError(f"no canned query {slug!r}; known: {', '.join(queries)}")
    try:
        bindings = q.bind(parse_params(params))
    except ParameterError as exc:
        raise QueryCommandError(str(exc)) from None
    graph = q.form not in (SELECT, ASK)
    media = nego.TURTLE if graph else nego.CSV
    if fmt:
        try:
            chosen = nego.format_override(fmt, graph=graph)
        except nego.UnknownFormat as exc:
            raise QueryCommandError(f"--format: {exc}") from None
        if chosen is None:
            raise QueryCommandError(f"--format: {fmt!r} cannot carry a {q.form} answer")
        media = chosen
    job = QueryJob(
        q.query,
        results_types=(media,),
        graph_types=(media,),
        substitutions=bindings,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_response_bytes,
    )
    answer = execute(load(settings.data_paths), job)
    if not answer.ok:
        raise QueryCommandError(f"{answer.status} {answer.error}: {answer.message}")
    return answer.body
