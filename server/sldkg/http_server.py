"""Running the app under gunicorn (the production WSGI server); no Flask routes here.

The app, and with it the store, is created once in the gunicorn master (``preload_app``) and the
workers are forked from it, so every worker shares the loaded pages copy-on-write and start-up
costs one load. Each worker forks its own query executors right after it is born, before its
request threads exist.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from sldkg.settings import Settings


class GunicornServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, app: Flask, settings: Settings, **options: Any):
        self.application = app
        self.settings = settings
        self.options = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.workers,
            "worker_class": "gthread",
            "threads": settings.threads,
            "preload_app": True,
            # gunicorn's own watchdog is a backstop only: queries are stopped by the executors' limit.
            "timeout": max(30, int(settings.query_timeout * 3)),
            "graceful_timeout": 5,
            "keepalive": 5,
            # Request-size limits before the app sees anything (see README, "Security model and limits").
            "limit_request_line": settings.max_request_line,
            "limit_request_fields": settings.max_header_fields,
            "limit_request_field_size": settings.max_header_bytes,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "post_fork": _post_fork,
            "worker_exit": _worker_exit,
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _post_fork(server: Any, worker: Any) -> None:
    worker.app.application.extensions["sldkg"].backend.start()


def _worker_exit(server: Any, worker: Any) -> None:
    worker.app.application.extensions["sldkg"].backend.close()
