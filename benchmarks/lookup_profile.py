"""Where the time of a point lookup goes: ``python -m benchmarks.lookup_profile [--requests 300] [--data DIR]``.

One process loads the store and builds the app (``sldkg.app.create_app``) as ``sldkg serve`` does,
then times the same lookup (``lookup-land`` of ``benchmarks/mixes.py``, JSON results) through
each layer in turn, median and p90 over ``--requests`` requests after a warm-up:

1. ``evaluate``: the executor's own work, in this process (``sldkg.backends.evaluation.execute``:
   pyoxigraph evaluation + JSON serialisation);
2. ``safety check``: ``sldkg.sparql.safety.check`` (runs in the web worker before the hand-off);
3. ``backend.run``: check + the executor hand-off (pickling the job, the pipe, the executor
   process, pickling the answer back);
4. ``Flask app (WSGI call)``: ``GET /sparql?query=…`` through the whole Flask app as a WSGI server
   calls it (an environ built once and copied per request), without HTTP and without the cost of
   Werkzeug's test client; first with the ad-hoc answer cache off (every request is evaluated),
   then with it on (after the first request, answered from the cache);
5. ``HTTP, sldkg serve``: the same request over a keep-alive connection to ``sldkg serve`` started
   on 127.0.0.1 with the same data, with the cache off (``SLDKG_ADHOC_CACHE_SIZE=0``) and on
   (skipped with ``--no-http``);
6. ``HTTP, Oxigraph server``: when the ``oxigraph`` command is installed, the same query text to
   ``oxigraph serve-read-only`` on the same data (skipped with ``--no-http``).

Each layer's own cost is its figure minus the figure of the layer inside it. Then cProfile runs
the WSGI-call loop (cache off) and prints the main process's time by component (executor round trip
= waiting on the pipe, pickling, Flask/Werkzeug, sldkg's web layer, negotiation/protocol, safety
check) and the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import os
import pickle
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import REPO_ROOT
from benchmarks.mixes import ADHOC

QUERY = ADHOC["lookup-land"]
ACCEPT = "application/sparql-results+json"


@dataclass
class Timing:
    wall: list[float]  # seconds per request
    cpu: float  # CPU seconds per request of the measured processes


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by the processes ``pids`` and all their children (this process: itself only)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            family = [process] + (process.children(recursive=True) if pid != os.getpid() else [])
            for member in family:
                times = member.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def timings(call: Callable[[], object], requests: int, pids: list[int] | None = None) -> Timing:
    """Wall time per call, and CPU per call of ``pids`` (default: this process and its executors)."""
    pids = pids or [os.getpid()]
    for _ in range(min(20, requests)):
        call()
    seconds = []
    cpu = tree_cpu(pids)
    for _ in range(requests):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Timing(seconds, (tree_cpu(pids) - cpu) / requests)


def row(label: str, timing: Timing, inner: float | None, executors: list[int] | None = None) -> float:
    """Print one layer; ``inner``: the CPU figure of the layer inside (the own cost is the difference)."""
    median = statistics.median(timing.wall)
    p90 = sorted(timing.wall)[int(len(timing.wall) * 0.9)]
    own = f"{(timing.cpu - inner) * 1000:8.3f}" if inner is not None else f"{'':8}"
    print(f"{label:<30} {median * 1000:8.3f} {p90 * 1000:8.3f} {timing.cpu * 1000:8.3f} {own}", flush=True)
    return timing.cpu


def http_lookup(port: int, path: str) -> Callable[[], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call() -> bytes:
        conn.request("GET", path, headers={"Accept": ACCEPT})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
        return body

    return call


#: (component, file suffix, function name): the component's time is that function's cumulative time.
COMPONENTS: list[tuple[str, str, str]] = [
    ("executor hand-off (pickle, pipe)", "sldkg/backends/executors.py", "run"),
    ("safety check", "sldkg/sparql/safety.py", "check"),
    ("SPARQL protocol parsing", "sldkg/sparql/protocol.py", "parse_request"),
    ("content negotiation", "sldkg/sparql/negotiation.py", "acceptable_types"),
    ("ETag / conditional request", "sldkg/web/answering.py", "entity_tag"),
    ("Flask before_request hooks", "flask/app.py", "preprocess_request"),
    ("Flask after_request hooks", "flask/app.py", "process_response"),
]


def profile(call: Callable[[], object], requests: int) -> None:
    """cProfile the WSGI-call loop: the main process's time per request by component, top functions."""
    profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for the executor is not counted
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(stat[2] for stat in entries.values())
    print(f"\ncProfile (CPU time; the profiler inflates many small calls, read the shares), {requests} WSGI calls:")
    print(f"{total / requests * 1000:.3f} ms per request in the main process")
    print(f"{'component (cumulative)':<56} {'ms/request':>10} {'share':>6}")
    accounted = 0.0
    for name, suffix, function in COMPONENTS:
        seconds = sum(stat[3] for (file, _line, func), stat in entries.items() if file.endswith(suffix) and func == function)
        accounted += seconds
        print(f"{name:<56} {seconds / requests * 1000:10.3f} {seconds / total:6.0%}")
    rest = total - accounted
    print(f"{'the rest (Werkzeug request/response, routing, sldkg.web)':<56} {rest / requests * 1000:10.3f} {rest / total:6.0%}")
    print("\ntop functions by own time (ms/request):")
    own = sorted(((stat[2], f"{file}:{line}({func})") for (file, line, func), stat in entries.items()), reverse=True)
    for seconds, where in own[:15]:
        shown = where.replace(str(Path(sys.prefix)), "<venv>").replace(str(REPO_ROOT), ".")
        print(f"  {seconds / requests * 1000:7.3f}  {shown}")


def http_layers(data: list[Path], path: str, flask: float, requests: int) -> None:
    """The lookup over HTTP: ``sldkg serve`` (1 worker; ad-hoc answer cache off, then on) and, when installed, Oxigraph server.

    With the cache on, a repeated request is answered by the HTTP layer's replay of the app's answer
    (``sldkg.wsgi_over_rsgi.ReplayCache``) without the Flask app, so that row has no inner layer."""
    from benchmarks.systems import OxigraphServer, SldkgServer, oxigraph_load, settle

    for label, size, inner in (("HTTP, sldkg serve, no cache", "0", flask), ("HTTP, sldkg serve, cached", "512", None)):
        server = SldkgServer(data, env={"SLDKG_WORKERS": "1", "SLDKG_ADHOC_CACHE_SIZE": size})
        try:
            settle(server.pid)
            row(label, timings(http_lookup(server.port, path), requests, [server.pid]), inner)
        finally:
            server.stop()
    if not shutil.which("oxigraph") and not (Path(sys.executable).parent / "oxigraph").exists():
        print("HTTP, Oxigraph server: skipped (no oxigraph command)")
        return
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="sldkg-lookup-") as work:
        dataset = Path(work) / "dataset.nq"
        quads = []
        for folder in data:
            for file in sorted(Path(folder).rglob("*.ttl")):
                graph = ox.NamedNode(file.resolve().as_uri())
                quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)]
        dataset.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
        oxigraph_load(Path(work) / "store", dataset)
        oxigraph = OxigraphServer(Path(work) / "store", read_only=True)
        try:
            query_path = "/query?" + urllib.parse.urlencode({"query": QUERY})
            settle(oxigraph.pid)
            row("HTTP, Oxigraph server", timings(http_lookup(oxigraph.port, query_path), requests, [oxigraph.pid]), None)
        finally:
            oxigraph.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per layer [default: %(default)s]")
    parser.add_argument("--data", type=Path, action="append", help="data folder (repeatable) [default: ontology/ and data/]")
    parser.add_argument("--no-http", action="store_true", help="skip the layers that need a server process")
    args = parser.parse_args()

    from werkzeug.test import EnvironBuilder

    from sldkg.answer_cache import AnswerCache
    from sldkg.app import create_app
    from sldkg.backends.evaluation import execute
    from sldkg.settings import Settings
    from sldkg.sparql.jobs import QueryJob
    from sldkg.sparql.safety import check

    data = args.data or [REPO_ROOT / "ontology", REPO_ROOT / "data"]
    settings = Settings.from_env(data_paths=tuple(data), adhoc_cache_size=0)
    app = create_app(settings)
    context = app.extensions["sldkg"]
    backend, store = context.backend, context.store
    backend.start()
    job = QueryJob(QUERY, results_types=(ACCEPT,))
    answer = backend.run(job)
    assert answer.status == 200, answer
    policy = backend.policy
    path = "/sparql?" + urllib.parse.urlencode({"query": QUERY})
    environ = EnvironBuilder(path=path, headers=[("Accept", ACCEPT)]).get_environ()

    def flask_call() -> None:
        status: list[str] = []

        def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            status.append(code)
            return lambda chunk: None

        body = b"".join(app(dict(environ), start_response))
        assert status == ["200 OK"] and body, status

    pickled_job, pickled_answer = pickle.dumps(job), pickle.dumps(answer)
    print(f"lookup-land on {', '.join(map(str, settings.data_paths))}: {len(answer.body)} B of JSON")
    print(f"pickled: job {len(pickled_job)} B, answer {len(pickled_answer)} B")
    print(f"{'layer':<30} {'p50 ms':>8} {'p90 ms':>8} {'CPU ms':>8} {'own CPU':>8}   ({args.requests} requests each)")
    print("(wall: p50/p90 per request; CPU: per request, of this process and its executors, or of the server's process tree;")
    print(" own CPU: CPU minus the CPU of the layer inside)")
    import psutil

    tree = [os.getpid(), *(child.pid for child in psutil.Process().children())]
    evaluate = row("evaluate (in process)", timings(lambda: execute(store, job), args.requests), None)
    row("safety check", timings(lambda: check(job, policy), args.requests), None)
    row("pickle job + answer", timings(lambda: pickle.loads(pickle.dumps(job)) and pickle.loads(pickle.dumps(answer)), args.requests), None)
    hand_off = row("backend.run (hand-off)", timings(lambda: backend.run(job), args.requests, tree), evaluate)
    flask = row("Flask app (WSGI call), no cache", timings(flask_call, args.requests, tree), hand_off)
    uncached = context.adhoc_answers
    context.adhoc_answers = AnswerCache(512)
    row("Flask app (WSGI call), cached", timings(flask_call, args.requests, tree), None)
    context.adhoc_answers = uncached
    if not args.no_http:
        http_layers(data, path, flask, args.requests)
    profile(flask_call, args.requests)
    backend.close()


if __name__ == "__main__":
    main()
