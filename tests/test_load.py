"""A bounded load test on loopback: 64 concurrent clients for ``SLDKG_LOAD_SECONDS`` (default 60)
against a real server with a 1 s query limit, sending a mix of canned queries, ad-hoc queries and
queries over the time limit.

Passes when every request got its correct answer (canned and ad-hoc: 200; over the limit: 503
``timeout``), and the memory of the server's process tree stayed stable between the end of the
warm-up and the end of the run. Prints request counts, throughput, p50/p99 latency and memory.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import psutil
import pytest
import requests
from conftest import LiveServer

CLIENTS = 64
SECONDS = float(os.environ.get("SLDKG_LOAD_SECONDS", "60"))
#: Clients that also send a query over the time limit, each at most every ``SLOW_EVERY`` seconds.
#: (Each such query holds an executor for the whole limit; more would leave the cheap queries
#: waiting for executors, which the endpoint rightly answers with 503 "busy".)
SLOW_CLIENTS, SLOW_EVERY = 4, 3.0
#: Allowed growth of memory (proportional set size, at rest) from the end of the warm-up to the end of
#: the run: of the long-lived master and workers, and of the whole tree. See the end of the test.
SERVER_GROWTH_BYTES = 24 * 1024**2
TREE_GROWTH_BYTES = 64 * 1024**2

PREFIXES = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX schema: <https://schema.org/>\n"
AD_HOC = [
    PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT {n}",
    PREFIXES + "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT {n}",
    PREFIXES + "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p LIMIT {n}",
    PREFIXES + "ASK { ?s schema:name ?name FILTER(STRLEN(?name) > {n}) }",
    PREFIXES + "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l } LIMIT {n}",
    PREFIXES + "DESCRIBE <https://w3id.org/sldkg/id/event/blw-2020-11-03>",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Outcome:
    kind: str
    seconds: float
    correct: bool
    detail: str = ""


def tree_memory(pid: int) -> int:
    """Proportional set size of the process and all its descendants (shared pages counted once overall)."""
    total = 0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            info = process.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        total += getattr(info, "pss", info.rss)
    return total


def memory_by_role(pid: int) -> dict[str, int]:
    """PSS of the master, its workers and their executors, in bytes."""
    master = psutil.Process(pid)
    roles = {"master": 0, "workers": 0, "executors": 0}
    for role, processes in (("master", [master]), ("workers", master.children())):
        for process in processes:
            try:
                roles[role] += process.memory_full_info().pss
                if role == "workers":
                    roles["executors"] += sum(c.memory_full_info().pss for c in process.children(recursive=True))
            except psutil.NoSuchProcess:
                continue
    return roles


def memory_at_rest(pid: int, in_flight: list[int]) -> dict[str, int]:
    """:func:`memory_by_role` once no request is in flight and over-limit executors have been replaced.

    (Under load the figure swings by tens of MiB with the number of over-limit queries that happen
    to be running, each in an executor that is about to be killed; at rest it is comparable.)
    """
    deadline = time.monotonic() + 60
    while in_flight[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)
    return memory_by_role(pid)


def canned_requests(base: str) -> list[tuple[str, dict[str, str]]]:
    """Every canned query of /openapi.json with its required parameters set to their examples."""
    paths = requests.get(base + "openapi.json", timeout=10).json()["paths"]
    found = []
    for path, item in paths.items():
        if not path.startswith("/queries/"):
            continue
        params = {p["name"]: str(p["example"]) for p in item["get"].get("parameters", []) if p.get("required")}
        found.append((base + path.lstrip("/"), params))
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@pytest.fixture(scope="module")
def loaded_server():
    # All 64 clients share one address: the per-client query limit (issue 12, tests/test_fairness.py) is off here.
    # 2 s: the cheap ad-hoc queries run at a lower CPU priority than pages (issue 12) and need headroom on
    # a shared 2-core machine; the over-limit query (a fourfold cross join) still takes far longer.
    server = LiveServer(env={"SLDKG_QUERY_TIMEOUT": "2", "SLDKG_MAX_QUERIES_PER_CLIENT": "0"})
    yield server
    server.stop()


@pytest.mark.timeout(SECONDS + 240)
def test_load_mix_is_answered_correctly_and_memory_stays_flat(loaded_server):
    base = loaded_server.url
    canned = canned_requests(base)
    assert canned, "no canned queries in /openapi.json"
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    warm_up = min(10.0, SECONDS * 0.2)
    stop_at = time.monotonic() + SECONDS
    #: Cleared while the memory is measured at rest after the warm-up (clients wait, nothing is in flight).
    running = threading.Event()
    running.set()
    in_flight = [0]

    def client(number: int) -> None:
        rng = random.Random(number)
        session = requests.Session()
        next_slow = time.monotonic() + rng.uniform(0, SLOW_EVERY)
        while time.monotonic() < stop_at:
            running.wait()
            with lock:
                if not running.is_set():
                    continue
                in_flight[0] += 1
            now = time.monotonic()
            if number < SLOW_CLIENTS and now >= next_slow:
                kind, call = "over-limit", lambda: session.post(base + "sparql", data={"query": SLOW}, timeout=30)
                next_slow = now + SLOW_EVERY
            elif rng.random() < 0.5:
                url, params = rng.choice(canned)
                kind, call = "canned", lambda: session.get(url, params=params, timeout=30)  # noqa: B023 - called below, in this iteration
            else:
                query = rng.choice(AD_HOC).replace("{n}", str(rng.randint(1, 50)))
                kind, call = "ad-hoc", lambda: session.get(base + "sparql", params={"query": query}, timeout=30)  # noqa: B023 - called below
            started = time.monotonic()
            try:
                response = call()
            except requests.RequestException as exc:
                outcome = Outcome(kind, time.monotonic() - started, False, f"{type(exc).__name__}: {exc}")
            else:
                if kind == "over-limit":
                    correct = response.status_code == 503 and response.json()["error"]["kind"] == "timeout"
                else:
                    correct = response.status_code == 200
                detail = "" if correct else f"{response.status_code} {response.text[:200]}"
                outcome = Outcome(kind, time.monotonic() - started, correct, detail)
            with lock:
                outcomes.append(outcome)
                in_flight[0] -= 1

    samples: list[tuple[float, int]] = []

    def sample_memory() -> None:
        started = time.monotonic()
        while time.monotonic() < stop_at:
            samples.append((time.monotonic() - started, tree_memory(loaded_server.process.pid)))
            time.sleep(min(5.0, max(0.0, stop_at - time.monotonic())))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    time.sleep(warm_up)  # every worker and executor has served queries, over-limit ones included
    with lock:
        running.clear()
    paused_at = time.monotonic()
    memory_after_warmup = memory_at_rest(loaded_server.process.pid, in_flight)
    stop_at += time.monotonic() - paused_at  # the pause does not count
    running.set()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    memory_at_end = memory_at_rest(loaded_server.process.pid, in_flight)
    sampler.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "some clients hung"

    by_kind: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o.seconds)
    failures = [o for o in outcomes if not o.correct]
    cheap = by_kind["canned"] + by_kind["ad-hoc"]
    mib = 1024**2
    print(f"\nload: {CLIENTS} clients for {SECONDS:g} s, {len(outcomes)} requests ({len(outcomes) / SECONDS:.0f}/s)")
    for kind, times in sorted(by_kind.items()):
        print(
            f"  {kind:10} {len(times):6} requests  p50 {percentile(times, 0.5) * 1000:7.1f} ms"
            f"  p99 {percentile(times, 0.99) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms"
        )
    print(f"  canned + ad-hoc p99: {percentile(cheap, 0.99) * 1000:.1f} ms; failed: {len(failures)}")
    before, after = memory_after_warmup, memory_at_end
    for role in before:
        print(
            f"  memory at rest, {role:9}: {before[role] / mib:6.1f} MiB after warm-up, {after[role] / mib:6.1f} MiB at the end"
            f" ({(after[role] - before[role]) / mib:+.1f} MiB)"
        )
    served = sum(after[r] - before[r] for r in ("master", "workers"))
    print(f"  master + workers grew {served / max(1, len(outcomes)):.0f} bytes per request")
    print("  memory over time: " + ", ".join(f"{t:.0f} s {m / mib:.0f} MiB" for t, m in samples))

    assert not failures, Counter(f"{o.kind}: {o.detail}" for o in failures).most_common(5)
    assert len(by_kind["canned"]) > 100 and len(by_kind["ad-hoc"]) > 100 and by_kind["over-limit"]
    # The store is loaded once, before the workers fork, and shared copy-on-write; what a request
    # allocates is freed after it. So the long-lived processes (master, 2 workers) must not grow with
    # the number of requests. Measured: +2 to +8 MiB in 60 s (the heaps of 32 request threads
    # settling, shared pages re-divided as executors are replaced). 24 MiB is ~1.5 KiB per request at
    # the ~250 requests/s measured, so a leak of that order fails. The executors are different: each
    # keeps (in its allocator) the working set of the largest query it ran, until it is killed for
    # going over the limit and replaced by a fresh fork, so their sum swings with which of the 8
    # executors were replaced lately (measured: ±40 MiB at 60 s). That, not the run time, bounds
    # them: 64 MiB for the whole tree.
    server = ("master", "workers")
    assert sum(after[r] for r in server) - sum(before[r] for r in server) < SERVER_GROWTH_BYTES
    assert sum(after.values()) - sum(before.values()) < TREE_GROWTH_BYTES
