"""Confining a query executor so that it cannot open anything; no Flask.

The second layer behind :mod:`sldkg.sparql.safety`: should a query that reaches out ever get past the
check, the process evaluating it still cannot open a socket or a file. After :func:`confine` every
``socket()``, ``open()`` or ``accept()`` in the process fails with ``EMFILE`` ("too many open
files"): the limit on file descriptors is lowered to just above the highest one in use, and every
free number below it is taken by a read-only ``/dev/null``. What the executor needs is open
already: the socket pair to its worker, stdout/stderr, and the store in memory. The TCP sockets it
inherited from its worker (the listening socket, client connections) are closed first.

Only for executor processes: they exchange jobs and answers over an open pipe and need nothing else.
"""

from __future__ import annotations

import os
import resource
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sldkg.sparql.jobs import Answer

_FD_FOLDER = "/proc/self/fd"


def open_descriptors() -> set[int]:
    """The file descriptors open in this process (Linux: ``/proc/self/fd``)."""
    found = set()
    for entry in Path(_FD_FOLDER).iterdir():
        fd = int(entry.name)
        try:
            os.fstat(fd)
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
        found.add(fd)
    return found


def close_network_sockets() -> int:
    """Close the TCP sockets inherited from the worker (its listening socket, its client
    connections); the executor talks to its worker over a Unix socket pair only. Returns how many."""
    closed = 0
    for fd in open_descriptors():
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            continue
        sock = socket.socket(fileno=fd)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.close()
            closed += 1
        else:
            sock.detach()
    return closed


def confine() -> int:
    """Make every later attempt to open a file or socket fail; returns the new descriptor limit.

    The worker's network sockets are closed first, so the executor cannot accept or answer on them.
    """
    close_network_sockets()
    in_use = open_descriptors()
    highest = max(in_use)
    filler = []
    while True:  # the lowest free numbers first: fill every gap below ``highest``
        fd = os.open(os.devnull, os.O_RDONLY)
        if fd > highest:
            os.close(fd)
            break
        filler.append(fd)
    limit = highest + 1
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    return limit


class Confined:
    """``execute`` that confines the process it first runs in (an executor) before the first job."""

    def __init__(self, execute: Callable[[Any], Any]):
        self._execute = execute
        self._confined_pid: int | None = None

    def __call__(self, job: Any) -> Any:
        if self._confined_pid != os.getpid():
            confine()
            self._confined_pid = os.getpid()
        try:
            return self._execute(job)
        except OSError:
            # Evaluation does no I/O of its own (the store is in memory; the pipe is used outside
            # this call), so an OSError here is an attempt to open something that confinement
            # stopped (pyoxigraph reports it without errno: "Too many open files (os error 24)").
            return Answer(
                400,
                error="access-refused",
                message="the query tried to open a connection or a file, which this endpoint never does",
            )
