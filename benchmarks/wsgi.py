"""The project's app under different production WSGI servers (for the server choice in the README).

``python -m benchmarks.wsgi --server gthread|sync|waitress --port P [--data PATH ...]`` serves
the same ``create_app`` as ``sldkg serve``:

* ``gthread``: gunicorn, threaded workers (what ``sldkg serve`` uses): 2 workers x 16 threads;
* ``sync``: gunicorn, one request per worker process: 2 x cores + 1 workers;
* ``waitress``: one process, 16 threads (waitress has no worker processes).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from sldkg.app import create_app
from sldkg.settings import Settings

SERVERS = ("gthread", "sync", "waitress")


def serve(server: str, port: int, data: list[Path]) -> None:
    settings = Settings.from_env(host="127.0.0.1", port=port, data_paths=tuple(data) or None)
    app = create_app(settings)
    if server == "waitress":
        import waitress

        backend = app.extensions["sldkg"].backend
        backend.start()
        # waitress has no worker_exit hook: stop the executors on SIGTERM, or they outlive the server.
        signal.signal(signal.SIGTERM, lambda *_: (backend.close(), sys.exit(0)))
        waitress.serve(app, host="127.0.0.1", port=port, threads=settings.threads, _quiet=True)
        return
    from sldkg.http_server import GunicornServer

    if server == "sync":
        GunicornServer(app, settings, worker_class="sync", workers=2 * (os.cpu_count() or 1) + 1).run()
    else:
        GunicornServer(app, settings).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wsgi")
    parser.add_argument("--server", choices=SERVERS, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    sys.argv = sys.argv[:1]  # gunicorn reads sys.argv
    serve(args.server, args.port, args.data)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
