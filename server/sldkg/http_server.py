"""Running the app under an HTTP server (granian by default); no Flask routes here.

The app, and with it the store, is created once in the parent process and the server's worker
processes are forked from it, so every worker shares the loaded pages copy-on-write and start-up
costs one load. Each worker forks its own query executors right after it is born, before its
request threads exist.

**granian** (the default, ``sldkg serve``): a Rust HTTP server (hyper on tokio). Connections are
read asynchronously; through its RSGI interface and :mod:`sldkg.wsgi_over_rsgi` a request reaches a
Python thread only when its head and body have arrived, so clients that send half a request and
then nothing, or trickle a body, cost a socket each and no thread (``docs/performance.md``, "HTTP
server choice", has the measurements). It also raises the throughput ceiling of cheap answers.

gunicorn gthread, the server before issue 12, lives on in ``benchmarks/wsgi.py`` only (the ``bench``
extra), for the side-by-side measurement: one thread reads each request with a blocking socket and
no timeout, so 32 stalled connections stop it.
"""

from __future__ import annotations

import io
import resource
import sys
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from sldkg.settings import Settings
from sldkg.wsgi_over_rsgi import ReplayCache, WsgiOverRsgi

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Seconds a client may take to send a complete request head (slow clients are dropped after it).
HEADER_READ_TIMEOUT = 10


class RequestLimits:
    """WSGI middleware: the request-line and header limits of the settings, before the app sees anything.

    granian bounds the whole head by its buffer size only (gunicorn, the server before it, checked
    each limit while parsing), so the limits (414 / 431) are applied here, with plain-text answers.
    """

    def __init__(self, app: WsgiApp, settings: Settings):
        self.app = app
        self.max_line = settings.max_request_line
        self.max_fields = settings.max_header_fields
        self.max_field_bytes = settings.max_header_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("RAW_URI") or (environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
        line = len(environ.get("REQUEST_METHOD", "")) + len(target) + len(environ.get("SERVER_PROTOCOL", "")) + 2
        if line > self.max_line:
            message = f"the request line is longer than {self.max_line} bytes; send long queries by POST"
            return _refuse(start_response, "414 URI Too Long", message)
        headers = [(k, v) for k, v in environ.items() if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")]
        if len(headers) > self.max_fields:
            return _refuse(start_response, "431 Request Header Fields Too Large", f"more than {self.max_fields} request headers")
        if any(len(k) + len(str(v)) + 2 > self.max_field_bytes for k, v in headers):
            return _refuse(
                start_response, "431 Request Header Fields Too Large", f"a request header line is longer than {self.max_field_bytes} bytes"
            )
        return self.app(environ, start_response)


def _refuse(start_response: Callable[..., Any], status: str, message: str) -> list[bytes]:
    body = (message + "\n").encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
            ("Connection", "close"),
        ],
    )
    return [body]


#: Paths each worker requests from itself once it is born, so that their per-worker caches are
#: filled before the first client asks, not while ad-hoc queries load the machine (issue 12).
WARM_UP_PATHS = ("/dumps/SHA256SUMS",)


def warm_up(app: WsgiApp, paths: Iterable[str] = WARM_UP_PATHS) -> threading.Thread:
    """Request ``paths`` from ``app`` in a background thread of this worker (answers are discarded)."""

    def run() -> None:
        for path in paths:
            environ = {
                "REQUEST_METHOD": "GET",
                "SCRIPT_NAME": "",
                "PATH_INFO": path,
                "QUERY_STRING": "",
                "SERVER_NAME": "localhost",
                "SERVER_PORT": "0",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(),
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": True,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
            }
            result = app(environ, lambda status, headers, exc_info=None: None)
            try:
                for _ in result:
                    pass
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    thread = threading.Thread(target=run, daemon=True, name="sldkg-warm-up")
    thread.start()
    return thread


def head_buffer_bytes(settings: Settings) -> int:
    """granian's (hyper's) bound on a request head: the request line plus every allowed header."""
    return settings.max_request_line + settings.max_header_fields * settings.max_header_bytes


def _nothing() -> None:
    pass


class GranianServer:
    """``sldkg serve``: granian over the already loaded app; ``post_fork`` runs in each worker (starts its executors)."""

    def __init__(
        self,
        app: WsgiApp,
        settings: Settings,
        post_fork: Callable[[], None] = _nothing,
        data_version: Callable[[], Hashable] | None = None,
        **options: Any,
    ):
        """``data_version``: the app's current data version; given, each worker replays the answers the app
        marks replayable (:class:`~sldkg.wsgi_over_rsgi.ReplayCache`, ``adhoc_cache_size`` entries)."""
        self.app = app
        self.settings = settings
        self.post_fork = post_fork
        self.data_version = data_version
        self.options = options

    def _worker_app(self, _target: str) -> WsgiOverRsgi:
        """Called in each worker process after the fork: start its executors, hand over the app."""
        self.post_fork()
        settings = self.settings
        return WsgiOverRsgi(
            RequestLimits(self.app, settings),
            threads=settings.threads,
            # ad-hoc SPARQL gets a pool of its own, so it never holds the threads pages need
            adhoc_threads=max(settings.executors, settings.threads // 2),
            max_body_bytes=settings.max_request_bytes,
            replay=ReplayCache(settings.adhoc_cache_size, self.data_version) if self.data_version is not None else None,
        )

    def run(self) -> None:
        from granian.constants import HTTPModes, Interfaces
        from granian.http import HTTP1Settings
        from granian.log import LogLevels
        from granian.server import Server

        settings = self.settings
        _raise_descriptor_limit(settings.max_connections + 256)
        options: dict[str, Any] = {
            "address": settings.host,
            "port": settings.port,
            # RSGI, not granian's WSGI: bodies are read on the event loop (sldkg.wsgi_over_rsgi).
            "interface": Interfaces.RSGI,
            "workers": settings.workers,
            # granian's backpressure counts open *connections* per worker (not requests): beyond it the
            # worker stops accepting. Idle and stalled connections cost a socket and no thread, so the
            # bound is high; ``max_connections`` is for the whole server.
            "backpressure": max(1, settings.max_connections // max(1, settings.workers)),
            "backlog": max(1024, settings.max_connections),
            "http": HTTPModes.http1,
            "http1_settings": HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT * 1000, max_buffer_size=head_buffer_bytes(settings)),
            "log_level": LogLevels.warning,
            "log_access": False,
            "respawn_failed_workers": True,
            # a worker asked to stop (SIGHUP, SIGTERM) is killed after this; its queries are bounded anyway
            "workers_kill_timeout": max(30, int(settings.query_timeout * 3)),
            **self.options,
        }
        server = Server("sldkg.app:create_app", **options)
        server.serve(target_loader=self._worker_app)


def _raise_descriptor_limit(wanted: int) -> None:
    """Let the workers hold ``max_connections`` sockets (the soft limit is often 1024); never above the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
