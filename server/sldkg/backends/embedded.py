"""The embedded backend: the in-memory pyoxigraph store, evaluated in killable executor processes; no Flask.

It fits :class:`sldkg.backends.base.Backend` (checked by mypy through ``create_app``).
"""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime

from sldkg.backends.admission import ClientQuota, TooManyQueries
from sldkg.backends.executors import ExecutorDied, MemoryLimitExceeded, QueryRunner, QueryTimeout, RunnerBusy, resident_bytes
from sldkg.backends.sandbox import Confined
from sldkg.graph.store import EmbeddedStore
from sldkg.settings import Settings
from sldkg.sparql.jobs import Answer, QueryJob
from sldkg.sparql.safety import SafetyPolicy, check

#: Seconds a client is asked to wait (``Retry-After``) after 503 ``busy``.
BUSY_RETRY_AFTER = 2


class EmbeddedBackend:
    """The embedded store, evaluated in killable executor processes (:mod:`sldkg.backends.executors`)."""

    kind = "embedded"
    version: str
    modified: datetime

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
            memory_bytes=settings.executor_share_bytes(resident_bytes()),
            reserved=settings.reserved_executors,
        )
        #: Concurrent ad-hoc queries per client address, across every worker (shared memory, made before the fork).
        self.quota = ClientQuota(settings.max_queries_per_client)

    def start(self) -> None:
        self.runner.start()

    def close(self) -> None:
        self.runner.close()

    def run(self, job: QueryJob) -> Answer:
        """Evaluate ``job``; limits and failures come back as refusals (status >= 400), never as exceptions."""
        # an ad-hoc query holds one of its client's slots from the safety check on: one address cannot
        # keep many web threads busy checking large queries at once (issue 12)
        slot = self.quota.slot(job.client) if job.adhoc else contextlib.nullcontext()
        try:
            with slot:
                refusal = check(job, self.policy)
                if refusal is not None:
                    return refusal
                answer = self.runner.run(job, adhoc=job.adhoc)
        except TooManyQueries as exc:
            return Answer(429, error="too-many-queries", message=str(exc), details={"limit": exc.limit, "retry_after": exc.retry_after})
        except QueryTimeout as exc:
            return Answer(503, error="timeout", message=str(exc), details={"limit_seconds": exc.seconds})
        except RunnerBusy as exc:
            return Answer(503, error="busy", message=str(exc), details={"retry_after": BUSY_RETRY_AFTER})
        except MemoryLimitExceeded as exc:
            return Answer(503, error="memory-limit", message=str(exc), details={"limit_bytes": exc.limit_bytes})
        except ExecutorDied as exc:
            return Answer(503, error="executor-died", message=str(exc))
        if not isinstance(answer, Answer):  # the executor pool is generic; evaluation.execute returns Answers
            raise TypeError(f"an executor returned {type(answer).__name__}, not an Answer")
        return answer
