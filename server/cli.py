"""The ``sldkg`` command: a thin shell over the library.

Exit codes: 0 success / conforms, 1 ran but found problems (violations, unformatted files),
2 could not run (unreadable or unparsable file, bad option, store unreachable).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .config import Settings
from .store import LoadError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


class CannotRun(click.ClickException):
    """Exit code 2 with a message on stderr."""

    exit_code = EXIT_CANNOT_RUN


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sldkg")
def main() -> None:
    """sldkg: the Stadt.Land.Digital knowledge graph."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: 8000].")
@click.option(
    "--data", "data", multiple=True, type=click.Path(path_type=Path), help="File or folder to load (repeatable) [default: ontology/ and data/]."
)
@click.option("--base-url", default=None, help="Public base URL when served behind a real host name.")
@click.option("--store", "store_url", default=None, help="Serve from an external SPARQL 1.1 store at this URL.")
@click.option("--workers", type=int, default=None, help="Server worker processes [default: 2].")
@click.option("--query-timeout", type=float, default=None, help="Query time limit in seconds [default: 10].")
def serve(host, port, data, base_url, store_url, workers, query_timeout) -> None:
    """Serve the SPARQL endpoint, canned queries and linked data (gunicorn)."""
    from .app import create_app
    from .serving import GunicornServer

    started = time.perf_counter()
    settings = Settings.from_env(
        host=host,
        port=port,
        data_paths=tuple(data) or None,
        base_url=base_url,
        store_url=store_url,
        workers=workers,
        query_timeout=query_timeout,
    )
    try:
        app = create_app(settings)
    except LoadError as exc:
        raise CannotRun(f"cannot load the data: {exc}") from None
    ctx = app.extensions["sldkg"]
    what = f"{len(ctx.store)} triples in {len(ctx.store.files)} graphs" if ctx.store else f"the store at {settings.store_url}"
    click.echo(
        f"sldkg: serving {what} on http://{settings.host}:{settings.port}/ "
        f"(loaded in {time.perf_counter() - started:.2f} s)",
        err=True,
    )
    GunicornServer(app, settings).run()


@main.command("load")
@click.option("--into", "endpoint", required=True, help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph).")
@click.option(
    "--data", "data", multiple=True, type=click.Path(path_type=Path), help="File or folder to load (repeatable) [default: ontology/ and data/]."
)
def load_command(endpoint, data) -> None:
    """Upload the dataset to an external store, one named graph per file (HTTP PUT per graph)."""
    from .loading import UploadError, upload

    settings = Settings.from_env(data_paths=tuple(data) or None)
    started = time.perf_counter()
    try:
        done = upload(settings.data_paths, endpoint, progress=lambda u: click.echo(f"{u.graph}: {u.triples} triples ({u.status})"))
    except LoadError as exc:
        raise CannotRun(f"cannot load the data: {exc}") from None
    except UploadError as exc:
        raise CannotRun(str(exc)) from None
    total = sum(u.triples for u in done)
    click.echo(f"sldkg: loaded {total} triples in {len(done)} graphs into {endpoint} in {time.perf_counter() - started:.2f} s", err=True)


@main.command("query")
@click.argument("slug")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter of the canned query (repeatable).")
@click.option("--format", "fmt", default=None, help="json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld, rdf, nq, trig (graphs) [default: csv / ttl].")
@click.option(
    "--data", "data", multiple=True, type=click.Path(path_type=Path), help="File or folder to load (repeatable) [default: ontology/ and data/]."
)
def query_command(slug, params, fmt, data) -> None:
    """Run the canned query SLUG (see `GET /queries`) and print the answer.

    Exit codes: 0 answered, 2 could not run (unknown query, bad parameter named, load error, refusal).
    """
    from .query_command import QueryCommandError, run_canned

    settings = Settings.from_env(data_paths=tuple(data) or None)
    try:
        body = run_canned(settings, slug, params, fmt)
    except LoadError as exc:
        raise CannotRun(f"cannot load: {exc}") from None
    except QueryCommandError as exc:
        raise CannotRun(str(exc)) from None
    click.echo(body.decode("utf-8"), nl=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
