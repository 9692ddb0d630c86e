"""The embedded store choice: rdflib's default memory store against Oxigraph behind rdflib.

Each variant loads the same files (one named graph each, default graph = union) in a fresh
process, then answers the ad-hoc mix; it reports load seconds, peak memory (ru_maxrss of that
process) and the median time of each query (3 runs), summed over the mix:

* ``rdflib-memory``: ``rdflib.Dataset()`` (the Memory store), rdflib's parser and SPARQL engine;
* ``rdflib-oxigraph``: ``rdflib.Dataset(store=OxigraphStore)`` (oxrdflib), parsed and queried
  through the rdflib API (oxrdflib hands parsing and SPARQL to pyoxigraph);
* ``embedded``: ``sldkg.graph.store.load`` and ``EmbeddedStore.query``, what the server does (the same
  pyoxigraph store, without rdflib's result conversion).

``python -m benchmarks.stores --variant NAME PATH ...`` runs one variant and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .mixes import ADHOC

VARIANTS = ("rdflib-memory", "rdflib-oxigraph", "embedded")
RUNS = 3


def _files(paths: list[Path]):
    from sldkg.graph.store import discover, graph_iri

    return [(file, graph_iri(file, root)) for file, root in discover(paths)]


def _rdflib(paths: list[Path], store: str):
    import rdflib

    if store == "oxigraph":
        from oxrdflib import OxigraphStore

        dataset = rdflib.Dataset(store=OxigraphStore(), default_union=True)
    else:
        dataset = rdflib.Dataset(default_union=True)
    for file, graph in _files(paths):
        dataset.graph(rdflib.URIRef(graph)).parse(file, format="turtle" if file.suffix == ".ttl" else None)
    return dataset, lambda q: len(list(dataset.query(q)))


def peak_rss() -> int:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _count(result) -> int:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def measure(variant: str, paths: list[Path]) -> dict:
    started = time.perf_counter()
    if variant == "embedded":
        from sldkg.graph.store import load

        store = load(paths)
        size = len(store)
        run = lambda q: _count(store.query(q))  # noqa: E731
    else:
        dataset, run = _rdflib(paths, "oxigraph" if variant == "rdflib-oxigraph" else "memory")
        size = len(dataset)
    load_seconds = time.perf_counter() - started
    per_query = {}
    for name, query in ADHOC.items():
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            run(query)
            times.append(time.perf_counter() - t)
        per_query[name] = statistics.median(times)
    return {
        "variant": variant,
        "triples": size,
        "load_seconds": load_seconds,
        "peak_rss_bytes": peak_rss(),
        "mix_seconds": sum(per_query.values()),
        "per_query_seconds": per_query,
    }


def measure_in_subprocess(variant: str, paths: list[Path], timeout: float = 1800) -> dict:
    """:func:`measure` in a fresh interpreter (so peak memory is this variant's only)."""
    cmd = [sys.executable, "-m", "benchmarks.stores", "--variant", variant, *map(str, paths)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{variant} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stores")
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("paths", type=Path, nargs="+")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.variant, args.paths)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
