"""The WSGI app behind granian's asynchronous RSGI interface: a request reaches a thread only when complete.

granian's own WSGI interface hands a request to a Python thread as soon as its head has arrived;
reading the body then blocks that thread for as long as the client takes to send it, so a few
dozen clients trickling bodies would hold every thread. Here the body is read on granian's event
loop instead, bounded in size (``max_request_bytes``, 413 beyond it) and in time
(:data:`BODY_TIMEOUT`, 408 after it), and only the complete request goes to a thread of a fixed
pool, where the WSGI app runs as usual. Answers are sent from memory: every answer of the app is
already bounded by ``max_response_bytes``.

Two pools: requests for the ad-hoc SPARQL endpoint (:data:`AD_HOC_PATHS`) run in their own pool,
everything else (pages, dumps, canned queries, health) in the main one, so that ad-hoc queries
waiting for an executor can never hold the threads that pages need (issue 12, fairness).

Answers the app marks as replayable (``environ[REPLAYABLE]`` = the data version they were made
from; the ad-hoc endpoint and the canned queries do so for the answers their own caches keep) are kept per worker in a
:class:`ReplayCache` and sent again, from the event loop and without a thread, for a request that
is identical (method, path, query string, every header) while the data version is the same: the
bytes sent are the ones the app produced for that request.

No Flask here: any WSGI callable works.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from sldkg.answer_cache import AnswerCache

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Seconds a client may take to send a request body once its head has arrived.
BODY_TIMEOUT = 10.0
#: Paths whose requests run in the ad-hoc pool.
AD_HOC_PATHS = frozenset({"/sparql"})
#: The environ key by which the app marks a 200 answer replayable: its value is the data version the
#: answer was made from (see :class:`ReplayCache`).
REPLAYABLE = "sldkg.replayable"
#: Longest request (path, query string and headers, in characters) whose answer is kept for replay,
#: and largest body: one worker's replay cache holds at most ``size`` × (8 Ki characters + 64 KiB).
REPLAY_MAX_REQUEST_CHARS = 8192
REPLAY_MAX_BODY = 64 * 1024
#: Where replayable answers come from: the ad-hoc endpoint and the canned queries (``/queries/<slug>``).
REPLAY_PREFIX = "/queries/"


class _Collected:
    """``start_response`` that keeps the status and headers."""

    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = list(headers)
        return _no_write


def _no_write(data: bytes) -> None:
    raise RuntimeError("the write() callable of WSGI is not supported; return the body instead")


def _plain(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    body = (message + "\n").encode("utf-8")
    return (
        status,
        [("content-type", "text/plain; charset=utf-8"), ("x-content-type-options", "nosniff"), ("connection", "close")],
        body,
    )


def _send(proto: Any, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    with contextlib.suppress(Exception):  # the client has gone; nothing to answer
        proto.response_bytes(status, headers, body)


def _host_port(address: str, default_port: str) -> tuple[str, str]:
    host, sep, port = address.rpartition(":")
    return (host, port) if sep and port.isdigit() else (address, default_port)


Response = tuple[int, list[tuple[str, str]], bytes]


class ReplayCache:
    """The answers of one worker's replayable requests (LRU, ``size`` entries); used on the event loop only.

    A request is looked up by the data version (``version()``, asked per request), its method, path,
    query string, scheme, protocol and every header, name and value in the order sent; only GET and
    HEAD requests without a body (neither ``Content-Length`` nor ``Transfer-Encoding``) for
    :data:`AD_HOC_PATHS` or under :data:`REPLAY_PREFIX`, up to :data:`REPLAY_MAX_REQUEST_CHARS`,
    qualify, and answers up to :data:`REPLAY_MAX_BODY` are kept. A kept answer is sent before any
    body would be read: such a request has none.
    The client's address is not part of the key: it changes only refusals (per-client limits), and
    only 200 answers are kept.
    """

    def __init__(self, size: int, version: Callable[[], Hashable]):
        self.size = max(0, size)
        self.version = version
        self._answers = AnswerCache(self.size)  # its lock is never contended here: one event loop

    def key(self, scope: Any) -> tuple[Hashable, ...] | None:
        if self.size == 0 or scope.method not in ("GET", "HEAD"):
            return None
        if scope.path not in AD_HOC_PATHS and not scope.path.startswith(REPLAY_PREFIX):
            return None
        headers = tuple(scope.headers.items())
        if len(scope.path) + len(scope.query_string) + sum(len(k) + len(v) for k, v in headers) > REPLAY_MAX_REQUEST_CHARS:
            return None
        return (self.version(), scope.method, scope.path, scope.query_string, scope.scheme, scope.http_version, headers)

    @property
    def hits(self) -> int:
        return self._answers.hits

    def get(self, key: Hashable) -> Response | None:
        return cast(Response | None, self._answers.get(key))

    def put(self, key: Hashable, response: Response) -> None:
        if len(response[2]) <= REPLAY_MAX_BODY:
            self._answers.put(key, response)

    def __len__(self) -> int:
        return len(self._answers)


class WsgiOverRsgi:
    """An RSGI application (granian) that runs a WSGI app in a thread pool once a request is complete."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        threads: int,
        adhoc_threads: int,
        max_body_bytes: int,
        body_timeout: float = BODY_TIMEOUT,
        replay: ReplayCache | None = None,
    ):
        self.app = app
        self.threads = max(1, threads)
        self.adhoc_threads = max(1, adhoc_threads)
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        self.replay = replay
        self._pool: ThreadPoolExecutor | None = None
        self._adhoc_pool: ThreadPoolExecutor | None = None

    # RSGI life cycle: called by granian in the worker, on its event loop.
    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="sldkg-request")
        self._adhoc_pool = ThreadPoolExecutor(max_workers=self.adhoc_threads, thread_name_prefix="sldkg-adhoc")

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        for pool in (self._pool, self._adhoc_pool):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        await self(scope, proto)

    async def __call__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":
            return
        declared = scope.headers.get("content-length")
        key = None
        if self.replay is not None and declared is None and scope.headers.get("transfer-encoding") is None:
            # a request without either header has no body (RFC 9112, 6.3): a kept answer needs no body read
            key = self.replay.key(scope)
            kept = self.replay.get(key) if key is not None else None
            if kept is not None:
                _send(proto, *kept)
                return
        over_limit: int | None = None
        received = b""
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_body_bytes:
            over_limit = int(declared)
        else:
            try:
                received = await asyncio.wait_for(self._read_body(proto), self.body_timeout)
            except TimeoutError:
                _send(proto, *_plain(408, f"the request body did not arrive within {self.body_timeout:g} s"))
                return
            except _TooLarge as exc:
                over_limit = exc.size
            except Exception:  # a broken body (bad chunk, early close) is the client's error
                _send(proto, *_plain(400, "the request body could not be read (broken chunked encoding or early end)"))
                return
        environ = self._environ(scope, received)
        if over_limit is not None:
            # The app refuses by the announced length before reading (its own 413 answer); it gets no body.
            environ["CONTENT_LENGTH"] = str(over_limit)
        if self._pool is None:
            self.__rsgi_init__()
        pool = self._adhoc_pool if scope.path in AD_HOC_PATHS else self._pool
        status, headers, body = await asyncio.get_running_loop().run_in_executor(pool, self._call_app, environ)
        if key is not None and status == 200 and environ.get(REPLAYABLE, self) == key[0]:
            assert self.replay is not None
            self.replay.put(key, (status, headers, body))
        _send(proto, status, headers, body)

    async def _read_body(self, proto: Any) -> bytes:
        parts: list[bytes] = []
        size = 0
        async for chunk in proto:
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge(size)
            parts.append(chunk)
        return b"".join(parts)

    def _environ(self, scope: Any, body: bytes) -> dict[str, Any]:
        server_name, server_port = _host_port(scope.server, "80")
        remote_addr, remote_port = _host_port(scope.client, "0")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            # WSGI carries the (already percent-decoded) path as bytes in a latin-1 string.
            "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "RAW_URI": scope.path + ("?" + scope.query_string if scope.query_string else ""),
            "SERVER_NAME": server_name,
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "SERVER_SOFTWARE": "granian",
            "REMOTE_ADDR": remote_addr.strip("[]"),
            "REMOTE_PORT": remote_port,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body or scope.method in ("POST", "PUT", "PATCH"):
            environ["CONTENT_LENGTH"] = str(len(body))
        for name, value in scope.headers.items():
            if name == "content-length":
                continue
            key = "CONTENT_TYPE" if name == "content-type" else "HTTP_" + name.upper().replace("-", "_")
            if key in environ:
                environ[key] += ("; " if name == "cookie" else ", ") + value
            else:
                environ[key] = value
        return environ

    def _call_app(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        collected = _Collected()
        result = self.app(environ, collected)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return collected.status, collected.headers, body


class _TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size
        super().__init__(f"{size} bytes")
