"""The project's app under different production WSGI servers (for the server choice in the README).

``python -m benchmarks.wsgi --server gthread|sync|waitress --port P [--data PATH ...]`` serves
the same ``create_app`` as ``sldkg serve``:

* ``granian``: what ``sldkg serve`` uses since issue 12: 2 workers, RSGI + a pool of 16 request threads each;
* ``gthread``: gunicorn, threaded workers (``sldkg serve`` before issue 12): 2 workers x 16 threads;
* ``sync``: gunicorn, one request per worker process: 2 x cores + 1 workers;
* ``waitress``: one process, 16 threads (waitress has no worker processes).

``--hello`` serves a hello-world WSGI app instead of ``create_app`` (granian and gthread only): the
ceiling of the HTTP server itself, without Flask or the store.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sldkg.app import create_app
from sldkg.settings import Settings

SERVERS = ("granian", "gthread", "sync", "waitress")
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The smallest WSGI app: the HTTP server's own floor (``--hello``)."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, world!"]


def serve(server: str, port: int, data: list[Path], hello_only: bool = False) -> None:
    # The load generator is one address: the per-client query limit (issue 12) is off here.
    settings = Settings.from_env(host="127.0.0.1", port=port, data_paths=tuple(data) or None, max_queries_per_client=0)
    from sldkg.http_server import GranianServer

    if hello_only:
        if server == "granian":
            GranianServer(hello, settings).run()
        elif server == "gthread":
            GunicornServer(hello, settings).run()
        else:
            raise SystemExit(f"--hello: only granian and gthread, not {server}")
        return
    app = create_app(settings)
    backend = app.extensions["sldkg"].backend
    if server == "waitress":
        import waitress  # type: ignore[import-untyped]

        backend.start()
        # waitress has no worker_exit hook: stop the executors on SIGTERM, or they outlive the server.
        signal.signal(signal.SIGTERM, lambda *_: (backend.close(), sys.exit(0)))
        waitress.serve(app, host="127.0.0.1", port=port, threads=settings.threads, _quiet=True)
        return
    if server == "granian":
        GranianServer(app, settings, post_fork=backend.start).run()
    elif server == "sync":
        workers = 2 * (os.cpu_count() or 1) + 1
        GunicornServer(app, settings, post_fork=backend.start, worker_exit=backend.close, worker_class="sync", workers=workers).run()
    else:
        GunicornServer(app, settings, post_fork=backend.start, worker_exit=backend.close).run()


class GunicornServer:
    """gunicorn (gthread by default), as ``sldkg serve`` ran before granian (issue 12); for this benchmark only."""

    def __init__(
        self,
        app: WsgiApp,
        settings: Settings,
        post_fork: Callable[[], None] = lambda: None,
        worker_exit: Callable[[], None] = lambda: None,
        **options: Any,
    ):
        self.app = app
        self.settings = settings
        self.post_fork = post_fork
        self.worker_exit = worker_exit
        self.options = options

    def run(self) -> None:
        from gunicorn.app.base import BaseApplication

        app, settings, post_fork, worker_exit = self.app, self.settings, self.post_fork, self.worker_exit
        options: dict[str, Any] = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.workers,
            "worker_class": "gthread",
            "threads": settings.threads,
            "preload_app": True,
            # gunicorn's own watchdog is a backstop only: queries are stopped by the executors' limit.
            "timeout": max(30, int(settings.query_timeout * 3)),
            "graceful_timeout": 5,
            "keepalive": 5,
            "limit_request_line": settings.max_request_line,
            "limit_request_fields": settings.max_header_fields,
            "limit_request_field_size": settings.max_header_bytes,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "post_fork": lambda server, worker: post_fork(),
            "worker_exit": lambda server, worker: worker_exit(),
            **self.options,
        }

        class _Application(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    if key in self.cfg.settings and value is not None:
                        self.cfg.set(key, value)

            def load(self) -> WsgiApp:
                return app

        _Application().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wsgi")
    parser.add_argument("--server", choices=SERVERS, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, action="append", default=[])
    parser.add_argument("--hello", action="store_true", help="serve a hello-world WSGI app instead (the server's own floor)")
    args = parser.parse_args(argv)
    sys.argv = sys.argv[:1]  # gunicorn reads sys.argv
    serve(args.server, args.port, args.data, args.hello)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
