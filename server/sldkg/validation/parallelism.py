"""How validation uses the machine's cores: the default number of jobs, and loading into the store while the next file is parsed.

Threads are enough: Oxigraph releases the GIL while it loads a file into its store and while it
evaluates a query. So the validator parses a file to N-Triples in the caller's thread (Python
objects: the GIL) while a second thread loads the one before into the store, and the ``oxigraph``
engine runs its checks in a pool of threads (:func:`sldkg.validation.oxigraph_engine.run_checks`).
With one job, everything runs in the caller's thread, one step after the other.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from types import TracebackType

#: At most this many threads by default, however many cores: each running check holds its intermediate results in memory.
MAX_JOBS = 4
#: Parsed files waiting for the loader at most (each holds its N-Triples text in memory).
PENDING_LOADS = 8


def default_jobs() -> int:
    """The cores this process may run on, at most :data:`MAX_JOBS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


class BackgroundLoads:
    """Runs loads one after another in a thread of their own, in the order they were submitted.

    Use it as a context manager: leaving it waits for every load; the first load that failed
    raises its exception there (or at the next :meth:`submit`), and the loads after it are not
    run. With ``parallel`` false, :meth:`submit` runs the load at once.
    """

    def __init__(self, parallel: bool):
        self.parallel = parallel
        self._waiting: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=PENDING_LOADS)
        self._failed: BaseException | None = None
        self._reported = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BackgroundLoads:
        if self.parallel:
            self._thread = threading.Thread(target=self._work, name="sldkg-store-loads", daemon=True)
            self._thread.start()
        return self

    def _work(self) -> None:
        while (load := self._waiting.get()) is not None:
            if self._failed is None:
                try:
                    load()
                except BaseException as exc:  # handed to the caller's thread
                    self._failed = exc

    def submit(self, load: Callable[[], None]) -> None:
        """Run ``load`` after the loads submitted before (at once, without a thread)."""
        self._raise_failure()
        if self._thread is None:
            load()
        else:
            self._waiting.put(load)

    def _raise_failure(self) -> None:
        if self._failed is not None and not self._reported:
            self._reported = True  # once; the loads after it stay skipped
            raise self._failed

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._thread is not None:
            self._waiting.put(None)
            self._thread.join()
            self._thread = None
        if kind is None:
            self._raise_failure()


__all__ = ["MAX_JOBS", "BackgroundLoads", "default_jobs"]
