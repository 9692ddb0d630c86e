"""The executor pool's lanes and the per-client quota (issue 12, fairness), without a server."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from sldkg.backends.admission import ClientQuota, TooManyQueries
from sldkg.backends.executors import OPEN_EXECUTOR_NICENESS, QueryRunner, RunnerBusy


def work(job: tuple[str, float]) -> tuple[str, int, int]:
    kind, value = job
    if kind == "sleep":
        time.sleep(value)
    return (kind, os.getpid(), os.getpriority(os.PRIO_PROCESS, 0))


@pytest.fixture()
def pool() -> Iterator[QueryRunner]:
    runner = QueryRunner(work, size=2, timeout=5.0, wait=0.5, reserved=1)
    runner.start()
    yield runner
    runner.close()


def test_ad_hoc_jobs_never_take_the_reserved_executor_but_other_jobs_do(pool: QueryRunner) -> None:
    busy = threading.Thread(target=pool.run, args=(("sleep", 2.0),), kwargs={"adhoc": True})
    busy.start()
    time.sleep(0.3)
    try:
        with pytest.raises(RunnerBusy):
            pool.run(("echo", 0), adhoc=True)  # the only open executor is busy
        kind, _, niceness = pool.run(("echo", 0))  # a page's job gets the reserved one at once
        assert kind == "echo" and niceness == os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        busy.join()
    _, _, adhoc_niceness = pool.run(("echo", 0), adhoc=True)
    assert adhoc_niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + OPEN_EXECUTOR_NICENESS)


def test_the_quota_counts_a_client_across_processes_and_frees_its_slots() -> None:
    quota = ClientQuota(limit=2)
    ready, release = os.pipe(), os.pipe()
    child = os.fork()
    if child == 0:  # another worker process holds one slot of the client
        with quota.slot("192.0.2.1"):
            os.write(ready[1], b"x")
            os.read(release[0], 1)
        os._exit(0)
    try:
        os.read(ready[0], 1)
        assert quota.running("192.0.2.1") == 1
        with quota.slot("192.0.2.1"):
            with pytest.raises(TooManyQueries) as refused, quota.slot("192.0.2.1"):
                pass
            assert refused.value.retry_after >= 1
            with quota.slot("192.0.2.2"):  # another client is not affected
                pass
    finally:
        os.write(release[1], b"x")
        os.waitpid(child, 0)
    assert quota.running("192.0.2.1") == 0
