"""The executor pool: answers come back, a job over the limit is killed (not abandoned), the pool recovers."""

from __future__ import annotations

import os
import time

import pytest

from sldkg.backends.executors import ExecutorDied, QueryRunner, QueryTimeout, RunnerBusy


def work(job):
    kind, value = job
    if kind == "echo":
        return ("done", value, os.getpid())
    if kind == "spin":  # burns CPU until killed
        while True:
            pass
    if kind == "sleep":
        time.sleep(value)
        return ("slept", value, os.getpid())
    if kind == "die":
        os._exit(9)
    raise AssertionError(kind)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture()
def pool():
    runner = QueryRunner(work, size=2, timeout=1.0, wait=0.5)
    runner.start()
    yield runner
    runner.close()


def test_jobs_run_in_executor_processes(pool):
    answer = pool.run(("echo", 42))
    assert answer[:2] == ("done", 42)
    assert answer[2] != os.getpid()
    assert answer[2] in pool.executor_pids


def test_a_job_over_the_limit_is_killed_and_replaced(pool):
    before = set(pool.executor_pids)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="limit of 1 s"):
        pool.run(("spin", None))
    assert time.monotonic() - started < 3
    after = set(pool.executor_pids)
    killed = before - after
    assert len(killed) == 1 and len(after) == 2
    assert not any(alive(pid) for pid in killed)
    assert pool.killed == 1
    assert pool.run(("echo", "still working"))[1] == "still working"


def test_per_call_limit(pool):
    assert pool.run(("sleep", 1.2), timeout=3)[0] == "slept"
    with pytest.raises(QueryTimeout):
        pool.run(("sleep", 2), timeout=0.3)


def test_a_dead_executor_is_reported_and_replaced(pool):
    with pytest.raises(ExecutorDied):
        pool.run(("die", None))
    assert len(pool.executor_pids) == 2
    assert pool.run(("echo", 1))[1] == 1


def test_busy_pool_refuses_after_waiting():
    import threading

    runner = QueryRunner(work, size=1, timeout=5, wait=0.2)
    runner.start()
    try:
        thread = threading.Thread(target=runner.run, args=(("sleep", 1.0),))
        thread.start()
        time.sleep(0.2)
        with pytest.raises(RunnerBusy):
            runner.run(("echo", 1))
        thread.join()
        assert runner.run(("echo", 2))[1] == 2
    finally:
        runner.close()


def test_close_stops_every_executor():
    runner = QueryRunner(work, size=3, timeout=1)
    runner.start()
    pids = runner.executor_pids
    runner.close()
    assert not any(alive(pid) for pid in pids)


def test_executors_exit_when_their_worker_dies_without_closing_them():
    read, write = os.pipe()
    worker = os.fork()
    if worker == 0:  # a worker that starts a pool and dies abruptly
        try:
            runner = QueryRunner(work, size=3, timeout=5)
            runner.start()
            os.write(write, ",".join(map(str, runner.executor_pids)).encode())
        finally:
            os._exit(0)
    os.close(write)
    pids = [int(p) for p in os.read(read, 1000).decode().split(",")]
    os.close(read)
    os.waitpid(worker, 0)
    assert len(pids) == 3
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids)


@pytest.mark.parametrize("size", [0, 10, 65_000, 3 * 2**20])  # one read, one write; past the pipe's buffer
def test_messages_cross_the_pipe_whole(size):
    import threading

    from sldkg.backends.executors import receive_message, send_message

    reader, writer = os.pipe()
    try:
        message = ("answer", os.urandom(size))
        sender = threading.Thread(target=send_message, args=(writer, message))
        sender.start()
        assert receive_message(reader) == message
        sender.join()
    finally:
        os.close(reader)
        os.close(writer)


def test_a_message_cut_off_is_end_of_file_not_a_wrong_answer():
    from sldkg.backends.executors import receive_message

    for cut in (b"", b"\0\0\0", b"\0\0\0\0\0\0\0\x10abc"):  # nothing, half a length, half a body
        reader, writer = os.pipe()
        os.write(writer, cut)
        os.close(writer)
        with pytest.raises(EOFError):
            receive_message(reader)
        os.close(reader)


def test_large_answers_come_back_through_the_pool():
    runner = QueryRunner(work, size=1, timeout=10)
    try:
        big = "x" * (5 * 2**20)
        assert runner.run(("echo", big))[1] == big
        assert runner.run(("echo", 1))[1] == 1  # the pipe is in step after a message of many reads
    finally:
        runner.close()
