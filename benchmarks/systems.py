"""Starting and stopping the systems under test on 127.0.0.1: the project's server (``sldkg serve``),
Oxigraph server and rdflib-endpoint, each as a subprocess on a free port.

Also used by ``tests/test_remote_store.py`` to run a real Oxigraph server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from benchmarks import REPO_ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executable(name: str) -> str:
    """``name`` from the virtual environment of this interpreter, else from PATH."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed: pip install -e '.[test,bench]'")
    return found


class Process:
    """A server subprocess with a log file; ``ready_url`` is polled until it answers 200."""

    name = "process"

    def __init__(self, cmd: Sequence[str], ready_url: str, *, env: dict[str, str] | None = None, wait: float = 60.0):
        self.cmd = list(cmd)
        self.log = Path(tempfile.mkstemp(prefix=f"sldkg-bench-{self.name}-", suffix=".log")[1])
        self._log = self.log.open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.cmd, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        #: Seconds from the start of the process to its first successful answer of ``ready_url``.
        self.startup_seconds = self._wait(ready_url, wait)

    def _wait(self, url: str, wait: float) -> float:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log.read_text()[-3000:]
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{log}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.01)
        log = self.log.read_text()[-3000:]
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {url} within {wait} s:\n{log}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self.log.unlink(missing_ok=True)


class OxigraphServer(Process):
    """``oxigraph serve`` (read-write, for loading over the Graph Store Protocol) or ``serve-read-only``."""

    name = "oxigraph"

    def __init__(
        self,
        location: Path,
        *,
        port: int | None = None,
        read_only: bool = False,
        timeout_s: float | None = None,
        wait: float = 60.0,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.query_url = self.url + "query"
        self.store_url = self.url + "store"
        cmd = [executable("oxigraph"), "serve-read-only" if read_only else "serve", "--location", str(location)]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        if timeout_s:
            cmd += ["--timeout-s", str(int(max(1, timeout_s)))]
        super().__init__(cmd, self.query_url + "?query=ASK%7B%7D", wait=wait)


def oxigraph_load(location: Path, dataset_file: Path) -> float:
    """``oxigraph load`` of an N-Quads file into ``location``; the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [executable("oxigraph"), "load", "--location", str(location), "--file", str(dataset_file)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


class SldkgServer(Process):
    """The project's server (``sldkg serve``) on ``data`` paths; extra environment for settings."""

    name = "sldkg"

    def __init__(
        self,
        data: Sequence[Path] = (),
        *,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        wait: float = 120.0,
        ready_query: bool = False,
    ):
        """``ready_query``: wait for an answered SPARQL query (cold start), not only ``/healthz``."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.query_url = self.url + "sparql"
        cmd = [sys.executable, "-m", "sldkg.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        for path in data:
            cmd += ["--data", str(path)]
        cmd += list(args)
        ready = self.query_url + "?query=ASK%7B%7D" if ready_query else self.url + "healthz"
        # The load generator is one address: the per-client query limit (issue 12) would refuse it.
        super().__init__(cmd, ready, env={"SLDKG_MAX_QUERIES_PER_CLIENT": "0", **(env or {})}, wait=wait)


class RdflibEndpoint(Process):
    """rdflib-endpoint (FastAPI + uvicorn over an rdflib Dataset with the default memory store)."""

    name = "rdflib-endpoint"

    def __init__(self, dataset_file: Path, *, wait: float = 900.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.query_url = self.url
        cmd = [executable("rdflib-endpoint"), "serve", str(dataset_file), "--host", "127.0.0.1", "--port", str(self.port)]
        super().__init__(cmd, self.url + "?query=ASK%7B%7D", wait=wait)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the process ``pid`` and all its children (0 for what has gone)."""
    import psutil

    total = 0.0
    try:
        process = psutil.Process(pid)
        for member in [process, *process.children(recursive=True)]:
            try:
                times = member.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
    except psutil.Error:
        pass
    return total


def settle(pid: int, timeout: float = 60.0, interval: float = 0.25, busy: float = 0.02) -> float:
    """Wait until the process tree of ``pid`` is idle (under ``busy`` of a core over ``interval``),
    at most ``timeout`` seconds; the seconds waited. A new ``sldkg serve`` worker builds its caches
    in the background after it is born (``sldkg.http_server.warm_up``): that is start-up, not load."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = tree_cpu_seconds(pid)
        time.sleep(interval)
        if tree_cpu_seconds(pid) - before < busy * interval:
            break
    return time.monotonic() - started


def peak_rss_bytes(pid: int) -> int:
    """Peak resident memory (VmHWM) of the process ``pid`` itself; 0 where /proc is unavailable.

    Only the main process: the project's server forks its workers and executors from the process
    that loaded the store, so they share its pages and summing them would count the store many times.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
