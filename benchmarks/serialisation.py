"""What the row and byte limits cost: ``python -m benchmarks.serialisation [--rows 200000] [--repeat 3]``.

For every answer format it times, on a synthetic store of ``--rows`` triples,

* ``native``: pyoxigraph evaluating and serialising into one bytes object (no limits possible),
* ``limited``: the production path, :func:`sldkg.backends.evaluation.execute` (native serialisers writing
  into :class:`sldkg.backends.result_limits.LimitedSink`, which enforces ``max_rows``/``max_bytes``),
* ``python-iter`` (SELECT only): merely iterating the solutions in Python and reading every
  binding — the floor under any serialiser written in Python, which is why there is none,

and prints the best of ``--repeat`` runs in seconds and the ratio limited/native.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pyoxigraph as ox

from sldkg.backends.evaluation import GRAPH_FORMATS, RESULTS_FORMATS, execute
from sldkg.graph.store import EmbeddedStore
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import QueryJob

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"


def synthetic_store(rows: int) -> EmbeddedStore:
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/sldkg/graph/bench")
    store.bulk_extend(
        ox.Quad(
            ox.NamedNode(f"https://w3id.org/sldkg/id/bench/{i}"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal(f"Eintrag {i}", language="de"),
            graph,
        )
        for i in range(rows)
    )
    return EmbeddedStore(store, [], "bench", None)  # type: ignore[arg-type]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    store = synthetic_store(args.rows)
    ox_store = store.oxigraph
    print(f"{args.rows} rows/triples, best of {args.repeat} runs (seconds)")
    print(f"{'format':38} {'native':>8} {'limited':>8} {'ratio':>6} {'python-iter':>12}")

    def iterate() -> None:
        for solution in ox_store.query(SELECT, use_default_graph_as_union=True):
            for name in ("s", "p", "o"):
                solution[name]

    floor = best(iterate, args.repeat)
    limits = {"max_rows": args.rows + 1, "max_bytes": 1 << 40}
    for media in nego.RESULTS_TYPES:
        native = best(
            lambda m=media: ox_store.query(SELECT, use_default_graph_as_union=True).serialize(format=RESULTS_FORMATS[m]), args.repeat
        )
        limited = best(lambda m=media: execute(store, QueryJob(SELECT, results_types=(m,), **limits)), args.repeat)
        print(f"SELECT    {media:28} {native:8.2f} {limited:8.2f} {limited / native:6.2f} {floor:12.2f}")
    for media in nego.GRAPH_TYPES:
        native = best(
            lambda m=media: ox_store.query(CONSTRUCT, use_default_graph_as_union=True).serialize(format=GRAPH_FORMATS[m]), args.repeat
        )
        limited = best(lambda m=media: execute(store, QueryJob(CONSTRUCT, graph_types=(m,), **limits)), args.repeat)
        print(f"CONSTRUCT {media:28} {native:8.2f} {limited:8.2f} {limited / native:6.2f}")


if __name__ == "__main__":
    main()
