"""The store backends the web layer talks to; no Flask.

Both backends answer :class:`~sldkg.sparql.jobs.QueryJob` records with
:class:`~sldkg.sparql.jobs.Answer` records, so the endpoint, the canned queries, the resource
pages and the dumps work the same on the embedded store and on a remote SPARQL store.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Protocol

from sldkg.backends.executors import ExecutorDied, QueryRunner, QueryTimeout, RunnerBusy
from sldkg.backends.sandbox import Confined
from sldkg.graph.store import EmbeddedStore
from sldkg.settings import Settings
from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.safety import SafetyPolicy, check


class Backend(Protocol):
    kind: str

    # Read-only for the web layer: the embedded backend keeps them as attributes, the remote one
    # computes them (a property does not fit a settable attribute of a protocol).
    @property
    def version(self) -> str:
        """Data version (used for ETags and cache keys)."""

    @property
    def modified(self) -> datetime: ...

    def run(self, job: QueryJob) -> Answer:
        """Evaluate ``job``; every refusal or failure is an ``Answer`` with status >= 400."""

    def start(self) -> None: ...

    def close(self) -> None: ...


class EmbeddedBackend:
    """The embedded store, evaluated in killable executor processes (:mod:`sldkg.backends.executors`)."""

    kind = "embedded"

    def __init__(self, store: EmbeddedStore, settings: Settings):
        from sldkg.backends.evaluation import execute  # serialisation of pyoxigraph results (kept out of this module)

        self.store = store
        self.version = store.version
        self.modified = store.modified
        #: What may run at all (no SERVICE, no updates, no graphs outside the dataset; see server/safety.py).
        self.policy = SafetyPolicy.from_settings(settings, store.graphs)
        self.runner = QueryRunner(
            # Confined: the executor cannot open files or sockets (second layer behind the check).
            Confined(functools.partial(execute, store)),
            size=settings.executors,
            timeout=settings.query_timeout,
            wait=settings.executor_wait,
            memory_bytes=settings.executor_memory_bytes,
        )

    def start(self) -> None:
        self.runner.start()

    def close(self) -> None:
        self.runner.close()

    def run(self, job: QueryJob) -> Answer:
        """Evaluate ``job``; limits and failures come back as refusals (status >= 400), never as exceptions."""
        refusal = check(job, self.policy)
        if refusal is not None:
            return refusal
        try:
            return self.runner.run(job)
        except QueryTimeout as exc:
            return Answer(503, error="timeout", message=str(exc), details={"limit_seconds": exc.seconds})
        except RunnerBusy as exc:
            return Answer(503, error="busy", message=str(exc))
        except ExecutorDied as exc:
            return Answer(503, error="executor-died", message=f"{exc}; it may have exceeded its memory limit")
