"""The ``Backend`` protocol: what the web layer needs from a store; no Flask.

Both :class:`~sldkg.backends.embedded.EmbeddedBackend` and
:class:`~sldkg.backends.remote.RemoteBackend` answer :class:`~sldkg.sparql.jobs.QueryJob` records
with :class:`~sldkg.sparql.jobs.Answer` records, so the endpoint, the canned queries, the resource
pages and the dumps work the same on the embedded store and on a remote SPARQL store.

``version`` and ``modified`` are read-only properties here: the embedded store knows them once,
the remote store recomputes them (a property there), and a protocol attribute would demand that
callers may assign them, which no backend allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sldkg.sparql.jobs import Answer, QueryJob


class Backend(Protocol):
    @property
    def kind(self) -> str:
        """``"embedded"`` or ``"remote"`` (shown by ``/healthz``)."""
        ...

    @property
    def version(self) -> str:
        """Data version, used for ETags and cache keys."""
        ...

    @property
    def modified(self) -> datetime:
        """When the data last changed (``Last-Modified``)."""
        ...

    def run(self, job: QueryJob) -> Answer:
        """Evaluate ``job``; every refusal or failure is an ``Answer`` with status >= 400, never an exception."""
        ...

    def start(self) -> None:
        """Prepare this process (after a fork each worker starts its own executors or connections)."""
        ...

    def close(self) -> None:
        """Release this process's executors or connections."""
        ...
