"""The benchmark: ``python -m benchmarks.run [--sizes real,1e4,1e5,1e6] [--duration 5] ...`` (``make bench``).

For each size (``real`` = ontology/ + data/; ``1e5`` = a synthetic series of about 10^5 triples,
:mod:`benchmarks.synthetic`) it

1. measures loading into the embedded store (seconds, peak memory) and SHACL validation
   (:mod:`sldkg.validation.validator`, up to ``--validate-max`` triples);
2. starts, on the same data, the project's server (``sldkg serve``: cold start to the first
   answered query is measured), Oxigraph server (``oxigraph load`` + ``serve-read-only
   --union-default-graph``) and rdflib-endpoint (up to ``--rdflib-max`` triples);
3. drives each with the same request mixes from :mod:`benchmarks.loadgen` (``--clients``
   keep-alive connections in as many processes, ``--duration`` seconds per mix and system):
   ``canned`` (every queries/*.rq with its example parameters; the competitors get the same
   SPARQL with the examples written in), ``adhoc`` (:data:`benchmarks.mixes.ADHOC`) and ``deref``
   (``GET /id/…`` on ours, ``DESCRIBE`` on the others); ``--mixes lookup`` adds the ad-hoc mix's
   point lookup alone;
4. prints requests/s, p50 and p99 latency per system, and the ratio of each figure to ours; then
   the ad-hoc and canned mixes query by query (p50 within the mix, ratio to Oxigraph server).

``sldkg-nocache`` is the project's server with its answer caches for ad-hoc queries (and the
replay of cached answers) turned off, ``SLDKG_ADHOC_CACHE_SIZE=0``: the load generator repeats
every request, which a cache answers and Oxigraph server does not have.

``--parts stores`` adds the embedded-store comparison (:mod:`benchmarks.stores`) on the real
graph and one 100 times larger; ``--parts wsgi`` the WSGI-server comparison
(:mod:`benchmarks.wsgi`) on the real graph. ``--json FILE`` writes every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from benchmarks import REPO_ROOT
from sldkg.graph.store import load

from . import canned, loadgen, mixes, stores, synthetic
from .systems import OxigraphServer, Process, RdflibEndpoint, SldkgServer, free_port, oxigraph_load, peak_rss_bytes, settle

#: ``sldkg-nocache``: the project's server with its ad-hoc answer cache turned off (``SLDKG_ADHOC_CACHE_SIZE=0``);
#: the load generator repeats every query, so ``sldkg`` answers the ad-hoc mix mostly from that cache,
#: which Oxigraph server and rdflib-endpoint do not have.
SYSTEMS = ("sldkg", "sldkg-nocache", "oxigraph", "rdflib-endpoint")
OURS = ("sldkg", "sldkg-nocache")
MIXES = ("canned", "adhoc", "deref")
#: Mixes run only when named in ``--mixes``: ``lookup`` is the ad-hoc mix's point lookup alone
#: (``lookup-land``), so that no heavier query shares the CPU with it.
EXTRA_MIXES = ("lookup",)
#: Mixes of the ``wsgi`` part only: ``hello`` is a hello-world app under each server (its floor).
WSGI_MIXES = ("hello", *MIXES)
PARTS = ("servers", "stores", "wsgi")
JSON_RESULTS = "application/sparql-results+json"
#: URL of a canned query on the project's server ({slug}); the example parameters go into the query string.
CANNED_PATH = "/queries/{slug}"
DEREF_COUNT = 50


@dataclass
class Row:
    part: str
    size: str
    triples: int
    mix: str
    system: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    note: str = ""


def parse_size(text: str) -> str:
    if text != "real":
        float(text)  # e.g. 1e5
    return text


# -- data ---------------------------------------------------------------------------------------


def data_for(size: str, workdir: Path, template: synthetic.Template) -> list[Path]:
    """The paths to load for ``size`` (the real data, or a synthetic series written below ``workdir``)."""
    if size == "real":
        return [REPO_ROOT / "ontology", REPO_ROOT / "data"]
    reference = sum(len(list(ox.parse(p.read_bytes(), format=ox.RdfFormat.TURTLE))) for p in synthetic.REFERENCE.rglob("*.ttl"))
    documents = synthetic.documents_for(int(float(size)), template, reference)
    series = synthetic.generate(workdir / f"series-{size}", documents, template=template)
    print(f"  generated {series.documents} documents, {series.triples} data triples in {series.seconds:.1f} s", flush=True)
    return [REPO_ROOT / "ontology", series.folder]


def requests_for(system: str, mix: str, base_path: str, iris: list[str]) -> list[loadgen.Request]:
    """The request list of ``mix`` as ``system`` gets it (``base_path``: its SPARQL endpoint path)."""
    if mix == "adhoc":
        return [loadgen.sparql_get(base_path, name, query) for name, query in mixes.ADHOC.items()]
    if mix == "lookup":
        return [loadgen.sparql_get(base_path, "lookup-land", mixes.ADHOC["lookup-land"])]
    if mix == "canned":
        queries = canned.canned_queries(REPO_ROOT / "queries")
        if system in OURS:
            return [
                loadgen.Request(
                    q.slug,
                    "GET",
                    CANNED_PATH.format(slug=q.slug) + ("?" + urlencode(q.example_args) if q.example_args else ""),
                    (("Accept", _accept_for(q.query)),),
                )
                for q in queries
            ]
        return [loadgen.sparql_get(base_path, q.slug, q.inlined(), _accept_for(q.inlined())) for q in queries]
    if mix == "deref":
        if system in OURS:
            from sldkg.settings import RESOURCE_BASE

            return [loadgen.Request(iri, "GET", "/id/" + iri[len(RESOURCE_BASE) :], (("Accept", "text/turtle"),)) for iri in iris]
        return [loadgen.sparql_get(base_path, iri, mixes.describe_query(iri), "text/turtle") for iri in iris]
    raise ValueError(mix)


def _accept_for(query: str) -> str:
    from sldkg.backends.remote import query_form

    return "text/turtle" if query_form(query) in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS


def deref_iris(paths: list[Path]) -> list[str]:
    store = load(paths)
    iris = [row["s"].value for row in store.query(mixes.DEREF_CANDIDATES)]
    step = max(1, len(iris) // DEREF_COUNT)
    return iris[::step][:DEREF_COUNT]


# -- one size -----------------------------------------------------------------------------------


def check(process: Process, requests: list[loadgen.Request], timeout: float, budget: float) -> list[str]:
    """Send every request once (warm-up, within ``budget`` seconds); the names of those that did not answer 2xx."""
    failed = []
    deadline = time.monotonic() + budget
    for request in requests:
        if time.monotonic() > deadline:
            failed.append("(warm-up budget used up)")
            break
        req = urllib.request.Request(process.url.rstrip("/") + request.path, headers=dict(request.headers), method=request.method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                response.read()
        except Exception as exc:
            failed.append(f"{request.name} ({getattr(exc, 'code', type(exc).__name__)})")
    return failed


def bench_size(size: str, args, workdir: Path, template: synthetic.Template) -> list[Row]:
    print(f"\n== size {size}", flush=True)
    paths = data_for(size, workdir, template)
    started = time.perf_counter()
    store = load(paths)
    load_seconds = time.perf_counter() - started
    triples = len(store)
    rows = [Row("load", size, triples, "-", "sldkg (embedded load)", 0, load_seconds * 1000, 0, 0, 0, "load time in ms")]
    print(f"  {triples} triples; embedded load {load_seconds:.2f} s", flush=True)
    if triples <= args.validate_max:
        try:
            from sldkg.validation.validator import validate

            started = time.perf_counter()
            report = validate(data=paths[1:], ontology=paths[:1])
            seconds = time.perf_counter() - started
            rows.append(Row("validation", size, triples, "-", "sldkg validate", 0, seconds * 1000, 0, 0, 0, f"conforms={report.conforms}"))
            print(f"  validation {seconds:.2f} s (conforms: {report.conforms}, {len(report.violations)} violations)", flush=True)
        except ImportError:
            pass
    iris = deref_iris(paths)
    dataset = workdir / f"dataset-{size}.nq"
    dataset.write_bytes(store.oxigraph.dump(format=ox.RdfFormat.N_QUADS))
    del store

    for system in args.systems:
        if system == "rdflib-endpoint" and triples > args.rdflib_max:
            print(f"  {system}: skipped above --rdflib-max={args.rdflib_max:g} triples", flush=True)
            continue
        process, base_path, note = start(system, paths, dataset, workdir, size)
        try:
            memory = peak_rss_bytes(process.pid)
            rows.append(
                Row(
                    "startup",
                    size,
                    triples,
                    "-",
                    system,
                    0,
                    process.startup_seconds * 1000,
                    0,
                    0,
                    0,
                    f"peak RSS {memory / 2**20:.0f} MiB {note}".strip(),
                )
            )
            print(
                f"  {system}: first answer {process.startup_seconds:.2f} s after start, peak RSS {memory / 2**20:.0f} MiB {note}",
                flush=True,
            )
            settled = settle(process.pid)
            print(f"  {system}: idle {settled:.1f} s after its first answer (background warm-up)", flush=True)
            for mix in args.mixes:
                requests = requests_for(system, mix, base_path, iris)
                if not requests:
                    print(f"    {mix}: no requests (no canned queries yet)", flush=True)
                    continue
                failed = check(process, requests, args.request_timeout, 3 * args.duration)
                figures = loadgen.drive(process.url, requests, duration=args.duration, clients=args.clients, timeout=args.request_timeout)
                rows.append(
                    Row(
                        "servers",
                        size,
                        triples,
                        mix,
                        system,
                        figures.rps,
                        figures.p50,
                        figures.p99,
                        figures.requests,
                        figures.errors,
                        ("failed once: " + ", ".join(failed[:3])) if failed else "",
                    )
                )
                if mix in ("adhoc", "canned"):
                    for name, values in sorted(figures.by_name.items()):
                        per_query = loadgen.Figures(len(values), 0, figures.seconds, values)
                        rows.append(
                            Row(
                                "per-query",
                                size,
                                triples,
                                f"{mix}:{name}",
                                system,
                                per_query.rps,
                                per_query.p50,
                                per_query.p99,
                                len(values),
                                0,
                            )
                        )
                print(
                    f"    {mix:7} {figures.rps:9.1f} req/s  p50 {figures.p50:8.2f} ms  p99 {figures.p99:8.2f} ms"
                    f"  ({figures.requests} ok, {figures.errors} errors"
                    f"{'; ' + '; '.join(figures.error_samples[:2]) if figures.errors else ''})",
                    flush=True,
                )
        finally:
            process.stop()
    return rows


def start(system: str, paths: list[Path], dataset: Path, workdir: Path, size: str) -> tuple[Process, str, str]:
    if system in OURS:
        env = {"SLDKG_ADHOC_CACHE_SIZE": "0"} if system == "sldkg-nocache" else {}
        return SldkgServer(paths, ready_query=True, env=env), "/sparql", ""
    if system == "oxigraph":
        location = workdir / f"oxigraph-{size}"
        seconds = oxigraph_load(location, dataset)
        return OxigraphServer(location, read_only=True), "/query", f"(oxigraph load {seconds:.2f} s)"
    if system == "rdflib-endpoint":
        return RdflibEndpoint(dataset), "/", ""
    raise ValueError(system)


# -- other parts --------------------------------------------------------------------------------


def bench_stores(args, workdir: Path, template: synthetic.Template) -> list[Row]:
    print("\n== embedded store choice (rdflib memory vs Oxigraph)", flush=True)
    rows = []
    real = [REPO_ROOT / "ontology", REPO_ROOT / "data"]
    series = synthetic.generate(workdir / "series-x100", 100, template=template)
    for label, paths in (("real", real), ("real x100", [REPO_ROOT / "ontology", series.folder])):
        for variant in stores.VARIANTS:
            figures = stores.measure_in_subprocess(variant, paths)
            rows.append(
                Row(
                    "stores",
                    label,
                    figures["triples"],
                    "load",
                    variant,
                    0,
                    figures["load_seconds"] * 1000,
                    0,
                    0,
                    0,
                    f"peak RSS {figures['peak_rss_bytes'] / 2**20:.0f} MiB",
                )
            )
            rows.append(
                Row("stores", label, figures["triples"], "adhoc (sum of medians)", variant, 0, figures["mix_seconds"] * 1000, 0, 0, 0)
            )
            print(
                f"  {label:9} {variant:16} {figures['triples']:8} triples  load {figures['load_seconds']:7.2f} s"
                f"  peak {figures['peak_rss_bytes'] / 2**20:6.0f} MiB  ad-hoc mix {figures['mix_seconds'] * 1000:9.1f} ms",
                flush=True,
            )
    return rows


def bench_wsgi(args) -> list[Row]:
    print("\n== WSGI servers (real graph)", flush=True)
    from .wsgi import SERVERS

    rows = []
    paths = [REPO_ROOT / "ontology", REPO_ROOT / "data"]
    iris = deref_iris(paths)
    servers = [s for s in SERVERS if s in args.wsgi_servers]
    runs = [(server, True) for server in servers if server in ("granian", "gthread") and "hello" in args.wsgi_mixes]
    runs += [(server, False) for server in servers]
    for server, hello_only in runs:
        port = free_port()
        cmd = [sys.executable, "-m", "benchmarks.wsgi", "--server", server, "--port", str(port)] + (["--hello"] if hello_only else [])
        process = Process(cmd, f"http://127.0.0.1:{port}/" + ("" if hello_only else "healthz"))
        process.url = f"http://127.0.0.1:{port}/"
        try:
            for mix in ["hello"] if hello_only else [m for m in args.wsgi_mixes if m != "hello"]:
                requests = [loadgen.Request("hello", "GET", "/")] if hello_only else requests_for("sldkg", mix, "/sparql", iris)
                if not requests:
                    continue
                check(process, requests, args.request_timeout, 3 * args.duration)
                figures = loadgen.drive(process.url, requests, duration=args.duration, clients=args.clients, timeout=args.request_timeout)
                rows.append(Row("wsgi", "real", 0, mix, server, figures.rps, figures.p50, figures.p99, figures.requests, figures.errors))
                print(
                    f"  {server:9} {mix:7} {figures.rps:9.1f} req/s  p50 {figures.p50:8.2f} ms  p99 {figures.p99:8.2f} ms"
                    f"  ({figures.errors} errors)",
                    flush=True,
                )
        finally:
            process.stop()
    return rows


# -- report -------------------------------------------------------------------------------------


def table(rows: Iterable[Row]) -> str:
    """The figure table (markdown), with each system's ratio to the project's server (same size and mix)."""
    rows = list(rows)
    ours = {(r.part, r.size, r.mix): r for r in rows if r.system == "sldkg" and r.part == "servers"}
    lines = [
        "| size | triples | mix | system | req/s | p50 ms | p99 ms | req/s ÷ ours | p50 ÷ ours | errors |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.part != "servers":
            continue
        mine = ours.get((r.part, r.size, r.mix))
        rps_ratio = f"{r.rps / mine.rps:.2f}" if mine and mine.rps else "-"
        p50_ratio = f"{r.p50_ms / mine.p50_ms:.2f}" if mine and mine.p50_ms else "-"
        lines.append(
            f"| {r.size} | {r.triples} | {r.mix} | {r.system} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f}"
            f" | {rps_ratio} | {p50_ratio} | {r.errors} |"
        )
    lines += per_query_table(rows)
    others = [r for r in rows if r.part not in ("servers", "per-query")]
    if others:
        lines += [
            "",
            "| part | size | triples | what | system | ms | req/s | p50 ms | p99 ms | note |",
            "|---|---|---:|---|---|---:|---:|---:|---:|---|",
        ]
        for r in others:
            if r.part == "wsgi":
                lines.append(
                    f"| wsgi | {r.size} | - | {r.mix} | {r.system} | - | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f}"
                    f" | {r.errors} errors |"
                )
            else:
                lines.append(f"| {r.part} | {r.size} | {r.triples} | {r.mix} | {r.system} | {r.p50_ms:.1f} | - | - | - | {r.note} |")
    return "\n".join(lines)


def per_query_table(rows: list[Row]) -> list[str]:
    """The ad-hoc and canned mixes query by query: each system's p50 (ms, within its mix) and its p50
    ÷ Oxigraph server's; then per mix the median over its queries of Oxigraph server's p50 ÷ ours
    (how many times faster the median query is answered; in a closed loop that is the ratio of req/s)."""
    per_query = [r for r in rows if r.part == "per-query"]
    if not per_query:
        return []
    systems = list(dict.fromkeys(r.system for r in per_query))
    p50 = {(r.size, r.mix, r.system): r.p50_ms for r in per_query}
    compared = [s for s in systems if s != "oxigraph" and "oxigraph" in systems]
    lines = [
        "",
        "Per query: p50 ms within its mix; ratio = p50 ÷ Oxigraph server's p50 (≤ 1.5: within 1.5×)",
        "",
        "| size | mix:query | " + " | ".join(systems) + "".join(f" | {s} ÷ oxigraph" for s in compared) + " |",
        "|---|---|" + "---:|" * (len(systems) + len(compared)),
    ]
    for size, mix in dict.fromkeys((r.size, r.mix) for r in per_query):
        cells = [f"{p50[(size, mix, s)]:.2f}" if (size, mix, s) in p50 else "-" for s in systems]
        ox = p50.get((size, mix, "oxigraph"))
        ratios = [f"{p50[(size, mix, s)] / ox:.2f}" if ox and (size, mix, s) in p50 else "-" for s in compared]
        lines.append(f"| {size} | {mix} | " + " | ".join(cells + ratios) + " |")
    for size, kind in dict.fromkeys((r.size, r.mix.split(":", 1)[0]) for r in per_query):
        for system in compared:
            speedups = [
                p50[(size, mix, "oxigraph")] / p50[(size, mix, system)]
                for (s, mix, name) in p50
                if s == size
                and name == system
                and mix.startswith(kind + ":")
                and (size, mix, "oxigraph") in p50
                and p50[(size, mix, system)]
            ]
            if speedups:
                median = statistics.median(speedups)
                lines.append(f"\n{size}, {kind}: median over {len(speedups)} queries of Oxigraph p50 ÷ {system} p50 = {median:.2f}")
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,1e4,1e5,1e6", help="comma-separated: real and/or triple counts [default: %(default)s]")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per mix and system [default: %(default)s]")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive client processes [default: %(default)s]")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="[default: %(default)s]")
    parser.add_argument("--mixes", default=",".join(MIXES), help=f"[default: %(default)s; also: {', '.join(EXTRA_MIXES)}]")
    parser.add_argument("--parts", default="servers", help=f"comma-separated of {', '.join(PARTS)} [default: %(default)s]")
    parser.add_argument(
        "--rdflib-max", type=float, default=1.1e6, help="largest size rdflib-endpoint is started for [default: %(default)g]"
    )
    parser.add_argument("--validate-max", type=float, default=2e5, help="largest size that is SHACL-validated [default: %(default)g]")
    parser.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds a request may take before it counts as an error [default: %(default)s]"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--wsgi-servers", default="granian,gthread,sync,waitress", help="servers of --parts wsgi [default: %(default)s]")
    parser.add_argument("--wsgi-mixes", default=",".join(WSGI_MIXES), help="mixes of --parts wsgi [default: %(default)s]")
    args = parser.parse_args(argv)
    args.sizes = [parse_size(s.strip()) for s in args.sizes.split(",") if s.strip()]
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    args.wsgi_servers = [s.strip() for s in args.wsgi_servers.split(",") if s.strip()]
    args.wsgi_mixes = [s.strip() for s in args.wsgi_mixes.split(",") if s.strip()]
    args.mixes = [m.strip() for m in args.mixes.split(",") if m.strip()]
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    for name, values, known in (
        ("--systems", args.systems, SYSTEMS),
        ("--mixes", args.mixes, MIXES + EXTRA_MIXES),
        ("--parts", parts, PARTS),
    ):
        unknown = [v for v in values if v not in known]
        if unknown:
            parser.error(f"{name}: unknown {', '.join(unknown)} (known: {', '.join(known)})")

    # `timeout`/kill: leave through the finally clauses, so no server started here outlives the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"sldkg benchmark, {when}, {machine()}", flush=True)
    rows: list[Row] = []
    template = synthetic.Template.read()
    with tempfile.TemporaryDirectory(prefix="sldkg-bench-") as tmp:
        workdir = Path(tmp)
        if "servers" in parts:
            for size in args.sizes:
                rows += bench_size(size, args, workdir, template)
        if "stores" in parts:
            rows += bench_stores(args, workdir, template)
        if "wsgi" in parts:
            rows += bench_wsgi(args)
    print("\n## Figures\n")
    print(f"{when}; {machine()}; {args.clients} clients, {args.duration:g} s per mix and system\n")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"when": when, "machine": machine(), "rows": [r.__dict__ for r in rows]}, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
