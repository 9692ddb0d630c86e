"""How many ad-hoc queries one client may run at once, counted across every worker process; no Flask.

The counters live in shared memory created before the workers are forked, so the limit holds for
the whole server, not per worker. A client is its address; addresses are hashed into a fixed table
of counters, so two clients can (rarely) share one counter and with it the limit: a false refusal
costs one ``429`` and a retry, and the table never grows, whatever the number of addresses.
"""

from __future__ import annotations

import multiprocessing
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_FORK = multiprocessing.get_context("fork")

#: Counters in the shared table (a power of two; 16 KiB of shared memory).
SLOTS = 4096


class TooManyQueries(Exception):
    """The client already runs as many ad-hoc queries as allowed."""

    def __init__(self, limit: int, retry_after: int):
        self.limit = limit
        self.retry_after = retry_after
        super().__init__(
            f"this client already runs {limit} queries at once, the most allowed; wait for one to finish, or retry after {retry_after} s"
        )


class ClientQuota:
    """At most ``limit`` concurrent ad-hoc queries per client address across processes (0: no limit)."""

    def __init__(self, limit: int, retry_after: int = 2):
        self.limit = limit
        self.retry_after = retry_after
        self._counts: Any = _FORK.Array("i", SLOTS, lock=True) if limit > 0 else None

    def _slot(self, client: str) -> int:
        return zlib.crc32(client.encode("utf-8", "surrogateescape")) % SLOTS

    def running(self, client: str) -> int:
        """How many ad-hoc queries ``client`` runs now (for tests and diagnostics)."""
        return 0 if self._counts is None else int(self._counts[self._slot(client)])

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s query slots for the ``with`` block, or raise :class:`TooManyQueries`."""
        if self._counts is None:
            yield
            return
        index = self._slot(client)
        with self._counts.get_lock():
            if self._counts[index] >= self.limit:
                raise TooManyQueries(self.limit, self.retry_after)
            self._counts[index] += 1
        try:
            yield
        finally:
            with self._counts.get_lock():
                self._counts[index] = max(0, self._counts[index] - 1)
