"""A closed-loop HTTP load generator: several client processes, one keep-alive connection each.

Every client cycles through the same list of requests (each starting at a different offset) until
the duration is over and records the latency of every answer. 2xx answers count as done; anything
else counts as an error (the first few are kept with their status, to be printed).
"""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

_FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


def sparql_get(base_path: str, name: str, query: str, accept: str = "application/sparql-results+json") -> Request:
    """A SPARQL-protocol query via GET (the same form for every system)."""
    return Request(name, "GET", f"{base_path}?{urlencode({'query': query})}", (("Accept", accept),))


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    #: The latencies of the answered requests by request name (the query of a mix).
    by_name: dict[str, list[float]] = field(repr=False, default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(99)


def _client(base_url: str, requests: Sequence[Request], offset: int, deadline: float, timeout: float, out) -> None:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    latencies: list[float] = []
    by_name: dict[str, list[float]] = {}
    errors, samples = 0, []
    index = offset
    while time.monotonic() < deadline:
        request = requests[index % len(requests)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request(request.method, request.path, body=request.body, headers=dict(request.headers))
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
            status, detail = 0, f"{type(exc).__name__}: {exc}"
        else:
            detail = str(status)
        elapsed = (time.perf_counter() - started) * 1000
        if 200 <= status < 300:
            latencies.append(elapsed)
            by_name.setdefault(request.name, []).append(elapsed)
        else:
            errors += 1
            if len(samples) < 5:
                samples.append(f"{request.name}: {detail}")
    connection.close()
    out.send((latencies, errors, samples, by_name))
    out.close()


def drive(base_url: str, requests: Sequence[Request], *, duration: float = 5.0, clients: int = 4, timeout: float = 60.0) -> Figures:
    """Run ``clients`` processes against ``base_url`` for ``duration`` seconds; the merged figures."""
    if not requests:
        raise ValueError("no requests to send")
    started = time.monotonic()
    deadline = started + duration
    pipes, processes = [], []
    for number in range(clients):
        receiver, sender = _FORK.Pipe(duplex=False)
        offset = number * max(1, len(requests) // clients)
        process = _FORK.Process(target=_client, args=(base_url, list(requests), offset, deadline, timeout, sender), daemon=True)
        process.start()
        sender.close()
        pipes.append(receiver)
        processes.append(process)
    figures = Figures(0, 0, 0.0)
    for receiver in pipes:
        latencies, errors, samples, by_name = receiver.recv()
        figures.latencies_ms.extend(latencies)
        for name, values in by_name.items():
            figures.by_name.setdefault(name, []).extend(values)
        figures.errors += errors
        figures.error_samples.extend(samples)
    for process in processes:
        process.join()
    figures.seconds = time.monotonic() - started
    figures.requests = len(figures.latencies_ms)
    return figures
