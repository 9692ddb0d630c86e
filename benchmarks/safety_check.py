"""What the query safety check costs: ``python -m benchmarks.safety_check [--repeat N]``.

Times, per query, :func:`sldkg.sparql.safety.inspect_query` (the tokenizer the backends run before every
job) against the two alternatives it was chosen over: rdflib's SPARQL parser
(``parseQuery`` + ``translateQuery``, which would let one walk the algebra for ``ServiceGraphPattern``)
and pyoxigraph's own parse-and-evaluate on an empty store (a floor: what any query costs at least).
The queries are every ``queries/*.rq`` plus the ad-hoc mix of the endpoint benchmark and a long
query (a VALUES block of 2 000 IRIs). Prints the median microseconds per query for each, and then
what the check adds to a whole ``/sparql`` request (in-process Flask client, one executor, the
ad-hoc mix): without the check, with the check, with the check's verdict cache (repeated text).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

import sldkg.backends.embedded
from benchmarks import REPO_ROOT
from sldkg.app import create_app
from sldkg.settings import GRAPH_BASE, Settings
from sldkg.sparql.safety import SafetyPolicy, check, inspect_query

POLICY = SafetyPolicy(frozenset({GRAPH_BASE + "ontology"}))


def queries() -> dict[str, str]:
    found = {f.stem: f.read_text(encoding="utf-8") for f in sorted((REPO_ROOT / "queries").glob("*.rq"))}
    from benchmarks.mixes import ADHOC

    found.update({f"adhoc {name}": query for name, query in ADHOC.items()})
    iris = " ".join(f"<https://w3id.org/sldkg/id/person/p{i}>" for i in range(2000))
    found["values-2000"] = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {iris} }} ?s ?p ?o }}"
    return found


def median_microseconds(run: Callable[[str], object], query: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(query)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def rdflib_parse(query: str) -> object:
    return translateQuery(parseQuery(query))


def oxigraph_floor(query: str) -> object:
    result = EMPTY.query(query)
    return list(result) if isinstance(result, ox.QuerySolutions) else result


EMPTY = ox.Store()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timings per query and method (median is shown)")
    args = parser.parse_args()
    methods = {"safety check": lambda q: inspect_query(q, POLICY), "rdflib parse": rdflib_parse, "pyoxigraph": oxigraph_floor}
    rows = []
    for name, query in queries().items():
        rows.append((name, len(query), *(median_microseconds(run, query, args.repeat) for run in methods.values())))
    print(f"{'query':28} {'chars':>6} " + " ".join(f"{m:>14}" for m in methods) + "   (median µs per query)")
    for name, chars, *times in rows:
        print(f"{name:28} {chars:6d} " + " ".join(f"{t:14.1f}" for t in times))
    totals = [statistics.median(row[2 + i] for row in rows) for i in range(len(methods))]
    print(f"{'median over queries':28} {'':6} " + " ".join(f"{t:14.1f}" for t in totals))
    print(
        f"rdflib's parser costs {totals[1] / totals[0]:.0f}x the safety check; "
        f"the check is {totals[0] / totals[2] * 100:.0f}% of pyoxigraph's own cost on an empty store"
    )
    endpoint_overhead(max(3, args.repeat // 5))


def check_uncached(job, policy):
    """:func:`sldkg.sparql.safety.check` without its verdict cache (every query scanned afresh)."""
    refusal = inspect_query(job.query, policy)
    return None if refusal is None else refusal.answer()


def endpoint_overhead(repeat: int) -> None:
    """Median milliseconds per ``GET /sparql`` of the ad-hoc mix, without and with the check."""
    from benchmarks.mixes import ADHOC

    app = create_app(Settings.from_env({}, executors=1))
    client = app.test_client()
    variants = {
        "no check": lambda job, policy: None,
        "check (uncached)": check_uncached,
        "check (as served)": check,
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for round_ in range(repeat + 1):  # round 0 warms up (executor, caches) and is not counted
            for name, variant in variants.items():
                sldkg.backends.embedded.check = variant
                for query in ADHOC.values():
                    started = time.perf_counter()
                    response = client.get("/sparql", query_string={"query": query})
                    if round_:
                        times[name].append(time.perf_counter() - started)
                    assert response.status_code == 200, response.get_data()[:300]
        for name, measured in times.items():
            print(f"/sparql ad-hoc mix, {name:18}: median {statistics.median(measured) * 1000:6.2f} ms per request")
    finally:
        sldkg.backends.embedded.check = check
        app.extensions["sldkg"].backend.close()


if __name__ == "__main__":
    main()
