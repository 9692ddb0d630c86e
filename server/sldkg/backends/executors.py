"""Query evaluation in killable executor processes; no Flask.

A query over the time limit must really stop, not merely be abandoned while it keeps burning CPU.
pyoxigraph evaluates inside Rust and never returns to the interpreter in between, so neither
threads nor signals can interrupt it. Each server worker therefore keeps a small pool of
*executor* processes, forked from the worker after the store is loaded (the store's pages are
shared copy-on-write). A job is sent to an idle executor over a pipe; when no answer arrives
within the limit the executor is killed (SIGKILL) and replaced by a fresh fork, and the caller
gets :class:`QueryTimeout`.

The pool is generic: it runs any picklable job through a callable ``execute(job) -> answer``.

The hand-off is as cheap as it can be made without giving it up: a message is one length-prefixed
pickle written with one ``os.write`` and read with as few ``os.read`` calls as it takes, and the
worker waits for the answer with one ``select.poll`` object per executor, made once
(``Connection.poll`` builds a selector per call, and ``Connection.recv`` reads the length and the
body separately).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import resource
import select
import signal
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

_FORK = multiprocessing.get_context("fork")


class QueryTimeout(Exception):
    """The job ran over the time limit; its executor was killed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the query ran longer than the limit of {seconds:g} s and was stopped")


class RunnerBusy(Exception):
    """No executor became free in time."""

    def __init__(self, seconds: float):
        super().__init__(f"all query executors stayed busy for {seconds:g} s; try again later")


class ExecutorDied(Exception):
    """The executor died while evaluating, for another reason than its memory share."""


class MemoryLimitExceeded(ExecutorDied):
    """The job needed more memory than the executor's share; the executor died and was replaced."""

    def __init__(self, limit_bytes: int):
        self.limit_bytes = limit_bytes
        super().__init__(
            f"the query needed more memory than its share of {limit_bytes / 2**20:.0f} MiB and was stopped; "
            "build smaller strings or results, or add LIMIT"
        )


#: How an executor that ran out of its share ends: ``MemoryError`` in Python (exit code 3) or a
#: failed allocation in Rust (pyoxigraph), which aborts the process (SIGABRT).
_OUT_OF_MEMORY_EXITS = (3, -signal.SIGABRT)


def _status_bytes(field: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def address_space_bytes() -> int:
    """This process's mapped address space (``VmSize``; Linux), 0 where unknown."""
    return _status_bytes("VmSize")


def resident_bytes() -> int:
    """This process's resident memory (``VmRSS``; Linux), 0 where unknown."""
    return _status_bytes("VmRSS")


#: The length of a message, before its pickle.
_LENGTH = struct.Struct("!Q")
#: Bytes asked of the pipe per read (a typical job or small answer fits in one).
_READ_SIZE = 65536


def send_message(fd: int, message: object) -> None:
    """Write ``message`` to the pipe ``fd`` as one length-prefixed pickle (blocking until all is written)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    header = _LENGTH.pack(len(data))
    # small messages in one write (one wake-up of the reader); large ones without copying the body
    parts = [header + data] if len(data) < _READ_SIZE else [header, data]
    for part in parts:
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


def receive_message(fd: int) -> Any:
    """Read one message written by :func:`send_message` from ``fd``; :class:`EOFError` when the writer is gone."""
    received = b""
    while len(received) < _LENGTH.size:
        chunk = os.read(fd, _READ_SIZE)
        if not chunk:
            raise EOFError("the pipe was closed")
        received += chunk
    (size,) = _LENGTH.unpack_from(received)
    body = memoryview(received)[_LENGTH.size :]
    if len(body) == size:
        return pickle.loads(body)
    buffer = bytearray(size)
    buffer[: len(body)] = body
    view, filled = memoryview(buffer), len(body)
    while filled < size:
        count = os.readv(fd, [view[filled:]])
        if count == 0:
            raise EOFError("the pipe was closed in the middle of a message")
        filled += count
    return pickle.loads(buffer)


@dataclass(eq=False)
class _Executor:
    process: Any
    conn: Connection
    #: Reserved for jobs that are not ad-hoc (runs at normal priority), or open to every job.
    reserved: bool = False
    #: The worker's end of the pipe, and what waits on it for the answer (or the executor's end: a
    #: hang-up is reported too); made once per executor.
    fd: int = field(init=False)
    poller: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.fd = self.conn.fileno()
        self.poller = select.poll()
        self.poller.register(self.fd, select.POLLIN)

    def answered_within(self, seconds: float) -> bool:
        """Whether the answer (or the executor's end) arrived within ``seconds``."""
        return bool(self.poller.poll(max(0, math.ceil(seconds * 1000))))


#: Niceness of the executors open to ad-hoc jobs: under saturation the CPU goes first to the
#: workers (cached answers, pages) and to the reserved executors.
OPEN_EXECUTOR_NICENESS = 10


class _IdleExecutors:
    """The idle executors of both lanes; a job takes a reserved one first when it may."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._reserved: list[_Executor] = []
        self._open: list[_Executor] = []

    def put(self, executor: _Executor) -> None:
        with self._ready:
            (self._reserved if executor.reserved else self._open).append(executor)
            self._ready.notify_all()

    def take(self, adhoc: bool, timeout: float) -> _Executor | None:
        """An idle executor (ad-hoc jobs: an open one), waiting up to ``timeout``; ``None`` after it."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while True:
                if self._reserved and not adhoc:
                    return self._reserved.pop()
                if self._open:
                    return self._open.pop()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._ready.wait(remaining)

    def take_all(self) -> list[_Executor]:
        with self._ready:
            taken, self._reserved, self._open = self._reserved + self._open, [], []
            return taken

    def snapshot(self) -> list[_Executor]:
        with self._ready:
            return self._reserved + self._open


def _watch_parent(parent: int) -> None:
    """Exit when the worker that forked this executor is gone (it may die without closing us)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _executor_main(
    conn: Connection, execute: Callable[[Any], Any], memory_bytes: int, siblings: list[Connection], parent: int, niceness: int
) -> None:
    # The fork copied the worker's ends of the other executors' pipes: close them here, so that each
    # executor sees end-of-file when its own worker goes away.
    for other in siblings:
        other.close()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    if memory_bytes > 0:
        # The share is what the executor may map *beyond* what it inherited (the store's pages are
        # shared with the worker and counted once), so the limit is its current size plus the share.
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = address_space_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    fd = conn.fileno()
    while True:
        try:
            job = receive_message(fd)
        except (EOFError, OSError):
            return
        try:
            answer = execute(job)
        except MemoryError:
            os._exit(3)
        send_message(fd, answer)


class QueryRunner:
    """A pool of executor processes with a hard per-job time limit."""

    def __init__(
        self,
        execute: Callable[[Any], Any],
        *,
        size: int = 4,
        timeout: float = 10.0,
        wait: float = 5.0,
        memory_bytes: int = 0,
        reserved: int = 0,
    ):
        """``memory_bytes``: each executor's share of memory beyond what it inherits at its fork (0: none).

        ``reserved``: executors that never run ad-hoc jobs (``run(job, adhoc=True)``), so pages, dumps
        and canned queries always find one; at least one executor stays open to ad-hoc jobs.
        """
        self._execute = execute
        self.size = max(1, size)
        self.timeout = timeout
        self.wait = wait
        self.memory_bytes = memory_bytes
        self.reserved = min(max(0, reserved), self.size - 1)
        self._idle = _IdleExecutors()
        #: Every executor of this process, idle or busy.
        self._live: list[_Executor] = []
        self._lock = threading.Lock()
        self._pid: int | None = None
        self.killed = 0

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Fork the executors (again, when called in a new process after a fork)."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._idle = _IdleExecutors()
            self._live = []
            self._pid = os.getpid()
            for index in range(self.size):
                self._idle.put(self._spawn(reserved=index < self.reserved))

    def _spawn(self, reserved: bool) -> _Executor:
        parent, child = _FORK.Pipe()
        siblings = [e.conn for e in self._live] + [parent]
        process = _FORK.Process(
            target=_executor_main,
            args=(
                child,
                self._execute,
                self.memory_bytes,
                siblings,
                os.getpid(),
                0 if reserved or not self.reserved else OPEN_EXECUTOR_NICENESS,
            ),
            daemon=True,
            name="sldkg-executor",
        )
        process.start()
        child.close()
        executor = _Executor(process, parent, reserved)
        self._live.append(executor)
        return executor

    def _discard(self, executor: _Executor) -> None:
        with contextlib.suppress(OSError, AttributeError):
            executor.process.kill()
        executor.process.join(timeout=5)
        executor.conn.close()
        if executor in self._live:
            self._live.remove(executor)

    def close(self) -> None:
        """Stop every executor."""
        with self._lock:
            if self._pid != os.getpid():
                return
            for executor in self._idle.take_all():
                self._discard(executor)
            self._pid = None

    # -- running ------------------------------------------------------------------------------
    def run(self, job: Any, timeout: float | None = None, *, adhoc: bool = False) -> Any:
        """Evaluate ``job`` in an executor; the answer, or :class:`QueryTimeout` / :class:`RunnerBusy`.

        An ``adhoc`` job waits for one of the executors that are not reserved (see ``__init__``).
        """
        if self._pid != os.getpid():
            self.start()
        limit = self.timeout if timeout is None else timeout
        executor = self._idle.take(adhoc, self.wait)
        if executor is None:
            raise RunnerBusy(self.wait)
        replacement: _Executor | None = None
        try:
            try:
                send_message(executor.fd, job)
            except (OSError, ValueError):  # it died while idle: replace it and go on with the fresh one
                self._discard(executor)
                executor = self._spawn(executor.reserved)
                send_message(executor.fd, job)
            if executor.answered_within(limit):
                try:
                    return receive_message(executor.fd)
                except (EOFError, OSError):
                    executor.process.join(timeout=2)  # let it finish dying: its exit status says why
                    self._discard(executor)
                    replacement = self._spawn(executor.reserved)
                    if self.memory_bytes > 0 and executor.process.exitcode in _OUT_OF_MEMORY_EXITS:
                        raise MemoryLimitExceeded(self.memory_bytes) from None
                    raise ExecutorDied(f"the query executor died while evaluating the query (exit {executor.process.exitcode})") from None
            self._discard(executor)
            self.killed += 1
            replacement = self._spawn(executor.reserved)
            raise QueryTimeout(limit)
        finally:
            self._idle.put(replacement if replacement is not None else executor)

    @property
    def executor_pids(self) -> list[int]:
        """Process ids of the idle executors (for tests and diagnostics)."""
        return [e.process.pid for e in self._idle.snapshot()]
