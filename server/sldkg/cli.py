"""The ``sldkg`` command: a thin shell over the library.

Exit codes: 0 success / conforms, 1 ran but found problems (violations, unformatted files),
2 could not run (unreadable or unparsable file, bad option, store unreachable).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from sldkg import locations
from sldkg.graph.store import LoadError
from sldkg.settings import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN = 0, 1, 2


#: ``--data`` of the commands that load the dataset (serve, load, query, export).
data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="File or folder to load (repeatable) [default: ontology/ and data/].",
)


class CannotRun(click.ClickException):
    """Exit code 2 with a message on stderr."""

    exit_code = EXIT_CANNOT_RUN


def folders_used(given: dict[str, tuple[Path, ...]]) -> dict[str, tuple[Path, ...]]:
    """The folders a command works on, each from its option or else :func:`sldkg.locations.find`.

    Each is reported on stderr (``sldkg: data: /path (working directory)``), so that nobody reads
    a result about some other checkout than the one they meant.
    """
    used: dict[str, tuple[Path, ...]] = {}
    for name, paths in given.items():
        if paths:
            used[name] = tuple(paths)
            for path in paths:
                click.echo(f"sldkg: {name}: {path} (option)", err=True)
        else:
            folder = locations.find(name)
            used[name] = (folder.path,)
            click.echo(f"sldkg: {folder.describe()}", err=True)
    return used


def origin(path: Path) -> str:
    """Where a folder of the settings came from, for the messages of :func:`report_data_paths`."""
    for name in locations.FOLDERS:
        found = locations.find(name)
        if found.path == path:
            return found.origin
    return "option or SLDKG_* variable"


def report_data_paths(settings: Settings, with_queries: bool = False) -> None:
    """Say on stderr which files and folders a command loads (and which canned queries it uses)."""
    for path in settings.data_paths:
        click.echo(f"sldkg: loading {path} ({origin(path)})", err=True)
    if with_queries:
        click.echo(f"sldkg: queries: {settings.queries_path} ({origin(settings.queries_path)})", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sldkg")
def main() -> None:
    """sldkg: the Stadt.Land.Digital knowledge graph."""


def run() -> None:
    """The ``sldkg`` program (console script, ``python -m sldkg``): :func:`main`, whose commands may end it with :func:`leave`."""
    main(obj={"leave_without_freeing": True})


def leave(code: int) -> NoReturn:
    """End the command with exit ``code``; in the ``sldkg`` program without freeing its memory.

    Freeing the stores of a validation of 1e6 triples takes about a second, which a process that
    ends anyway need not spend: stdout and stderr are flushed and the process ends with
    ``os._exit`` (mypy ends the same way). Called from a test's ``CliRunner`` (no such flag in the
    context), it raises ``SystemExit`` as usual.
    """
    context = click.get_current_context(silent=True)
    if context is not None and isinstance(context.obj, dict) and context.obj.get("leave_without_freeing"):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a reader that has gone (``| head``): the exit code still says what happened
                stream.flush()
        os._exit(code)
    sys.exit(code)


@main.command()
@click.option("--host", default=None, help="Interface to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: 8000].")
@data_option
@click.option("--base-url", default=None, help="Public base URL when served behind a real host name.")
@click.option("--store", "store_url", default=None, help="Serve from an external SPARQL 1.1 store at this URL.")
@click.option("--workers", type=int, default=None, help="Server worker processes [default: 2].")
@click.option("--query-timeout", type=float, default=None, help="Query time limit in seconds [default: 10].")
def serve(
    host: str | None,
    port: int | None,
    data: tuple[Path, ...],
    base_url: str | None,
    store_url: str | None,
    workers: int | None,
    query_timeout: float | None,
) -> None:
    """Serve the SPARQL endpoint, canned queries and linked data (granian)."""
    from sldkg.app import create_app
    from sldkg.http_server import GranianServer, warm_up

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
    if settings.store_url is None:
        report_data_paths(settings, with_queries=True)
    try:
        app = create_app(settings)
    except LoadError as exc:
        raise CannotRun(f"cannot load the data: {exc}") from None
    except ValueError as exc:  # e.g. --store that is not an http(s) URL
        raise CannotRun(str(exc)) from None
    ctx = app.extensions["sldkg"]
    if ctx.store is None:
        from sldkg.backends.remote import StoreUnavailable

        try:
            ctx.backend.check()
        except StoreUnavailable as exc:
            raise CannotRun(f"cannot serve: {exc}") from None
    # (the files' counts, not len(store): that walks every quad)
    what = (
        f"{sum(f.triples for f in ctx.store.files)} triples in {len(ctx.store.files)} graphs"
        if ctx.store
        else f"the store at {settings.store_url}"
    )
    click.echo(
        f"sldkg: serving {what} on http://{settings.host}:{settings.port}/ (loaded in {time.perf_counter() - started:.2f} s)",
        err=True,
    )
    backend = ctx.backend

    def post_fork() -> None:
        backend.start()
        warm_up(app)

    # the ad-hoc answers the app may cache are also replayed before the app (per worker, same bound)
    replay = ctx.adhoc_answers.size > 0
    GranianServer(app, settings, post_fork=post_fork, data_version=(lambda: backend.version) if replay else None).run()


@main.command("load")
@click.option("--into", "endpoint", required=True, help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph).")
@data_option
def load_command(endpoint: str, data: tuple[Path, ...]) -> None:
    """Upload the dataset to an external store, one named graph per file (HTTP PUT per graph)."""
    from sldkg.graph.upload import UploadError, upload

    settings = Settings.from_env(data_paths=tuple(data) or None)
    report_data_paths(settings)
    started = time.perf_counter()
    try:
        done = upload(settings.data_paths, endpoint, progress=lambda u: click.echo(f"{u.graph}: {u.triples} triples ({u.status})"))
    except LoadError as exc:
        raise CannotRun(f"cannot load the data: {exc}") from None
    except UploadError as exc:
        raise CannotRun(str(exc)) from None
    total = sum(u.triples for u in done)
    click.echo(f"sldkg: loaded {total} triples in {len(done)} graphs into {endpoint} in {time.perf_counter() - started:.2f} s", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--ontology",
    "ontology",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Ontology file or folder (repeatable) [default: ontology/].",
)
@click.option(
    "--shapes", "shapes", multiple=True, type=click.Path(path_type=Path), help="Shapes file or folder (repeatable) [default: shapes/]."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle", "junit", "github"]),
    default="text",
    show_default=True,
    help="Output: text for people, json, turtle (W3C validation report), junit (CI), github (Actions annotations).",
)
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True, help="Language of the messages.")
@click.option(
    "--engine",
    type=click.Choice(["pyshacl", "rudof", "oxigraph"]),  # sldkg.validation.engines.ENGINES, not imported at start-up
    default="oxigraph",
    show_default=True,
    help="SHACL engine: oxigraph (the shapes as SPARQL queries; fastest), pyshacl (the reference: the test suite "
    "checks that the others give its results) or rudof (Rust, needs pyrudof); see docs/validation.md.",
)
@click.option(
    "--incremental",
    "cache",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Validate only the report folders that changed since the last run, keeping results in this cache folder.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Threads that work at once, loading the files and running the oxigraph engine's checks [default: the cores available, at most 4].",
)
def validate(
    paths: tuple[Path, ...],
    ontology: tuple[Path, ...],
    shapes: tuple[Path, ...],
    fmt: str,
    lang: str,
    engine: str,
    cache: Path | None,
    jobs: int | None,
) -> None:
    """Validate data files against the SHACL shapes (PATHS default: data/).

    Exit codes: 0 conforms, 1 violations found, 2 could not run (missing path, syntax error).
    """
    from sldkg.validation.engines import EngineUnavailable
    from sldkg.validation.incremental import validate_incremental
    from sldkg.validation.report_formats import render
    from sldkg.validation.validator import ShapesError
    from sldkg.validation.validator import validate as run_validation

    try:
        used = folders_used({"data": tuple(paths), "ontology": tuple(ontology), "shapes": tuple(shapes)})
        if cache is None:
            report = run_validation(used["data"], used["ontology"], used["shapes"], engine_name=engine, jobs=jobs)
        else:
            run = validate_incremental(used["data"], used["ontology"], used["shapes"], cache=cache, engine_name=engine, jobs=jobs)
            click.echo(f"sldkg: validated {len(run.validated)} of {run.parts} parts, the rest from {cache}", err=True)
            report = run.report
    except (LoadError, ShapesError, EngineUnavailable) as exc:
        raise CannotRun(f"cannot validate: {exc}") from None
    click.echo(render(report, fmt, lang), nl=False)
    leave(EXIT_OK if report.conforms else EXIT_PROBLEMS)


@main.command("query")
@click.argument("slug")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter of the canned query (repeatable).")
@click.option(
    "--format", "fmt", default=None, help="json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld, rdf, nq, trig (graphs) [default: csv / ttl]."
)
@data_option
def query_command(slug: str, params: tuple[str, ...], fmt: str | None, data: tuple[Path, ...]) -> None:
    """Run the canned query SLUG (see `GET /queries`) and print the answer.

    Exit codes: 0 answered, 2 could not run (unknown query, bad parameter named, load error, refusal).
    """
    from sldkg.canned.command import QueryCommandError, run_canned

    settings = Settings.from_env(data_paths=tuple(data) or None)
    report_data_paths(settings, with_queries=True)
    try:
        body = run_canned(settings, slug, params, fmt)
    except LoadError as exc:
        raise CannotRun(f"cannot load: {exc}") from None
    except QueryCommandError as exc:
        raise CannotRun(str(exc)) from None
    click.echo(body.decode("utf-8"), nl=False)


@main.command("export")
@click.option(
    "--format",
    "formats",
    multiple=True,
    default=("all",),
    show_default=True,
    metavar="FORMAT",
    help="Dump format (repeatable): all, ttl, nt, jsonld, rdf, nq, trig (the names of format=, e.g. turtle or rdfxml, work too); "
    "nq and trig keep the named graphs.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write sldkg-<release>.<ext> (sldkg.<ext> when the data state no release) and SHA256SUMS into.",
)
@data_option
def export_command(formats: tuple[str, ...], out: Path, data: tuple[Path, ...]) -> None:
    """Write the whole dataset as dump files (the same bytes the server offers under /dumps/)."""
    import pyoxigraph as ox

    from sldkg.graph.store import load as load_store
    from sldkg.linked_data import description_queries as describe
    from sldkg.linked_data import dumps as dump_formats

    try:
        chosen = dump_formats.formats_named(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    try:
        settings = Settings.from_env(data_paths=tuple(data) or None)
        report_data_paths(settings)
        store = load_store(settings.data_paths)
    except LoadError as exc:
        raise CannotRun(f"cannot load the data: {exc}") from None
    solutions = store.query(describe.QUADS_QUERY)
    assert isinstance(solutions, ox.QuerySolutions), "the quads query is a SELECT query"
    quads = dump_formats.quads_from_solutions(solutions)
    try:
        written = dump_formats.write_dumps(quads, chosen, out)
    except OSError as exc:
        raise CannotRun(f"cannot write to {out}: {exc.strerror or exc}") from None
    for path in written:
        click.echo(str(path))


@main.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not canonical and exit 1 if there are any.")
def fmt_command(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite Turtle files canonically (PATHS default: ontology/, data/, shapes/).

    Exit codes: 0 all files canonical (or rewritten), 1 --check found files to reformat,
    2 a file could not be parsed (file and line are named; nothing is written for it).
    """
    from sldkg.graph.canonical_turtle import FormatError, format_file
    from sldkg.graph.store import discover, display_path

    try:
        if paths:
            roots = list(paths)
        else:
            found = [locations.find(name) for name in ("ontology", "data", "shapes")]
            for folder in found:
                click.echo(f"sldkg: {folder.describe()}", err=True)
            if not check and any(folder.origin == "bundled" for folder in found):
                raise CannotRun(
                    "refusing to rewrite the files bundled with the package:"
                    " run in a folder with ontology/, data/ and shapes/, or name the files"
                )
            roots = [folder.path for folder in found]
        files = [f for f, _root in discover(roots)]
    except LoadError as exc:
        raise CannotRun(str(exc)) from None
    turtle = [f for f in files if f.suffix == ".ttl"]
    failed, changed = [], []
    for file in turtle:
        try:
            result = format_file(file, check=check)
        except FormatError as exc:
            failed.append(exc)
            click.echo(f"error: {exc}", err=True)
            continue
        if result.changed:
            changed.append(file)
            click.echo(f"{'would reformat' if check else 'reformatted'}: {display_path(file)}")
    verb = "would be reformatted" if check else "reformatted"
    click.echo(
        f"{len(changed)} of {len(turtle)} Turtle files {verb}" + (f", {len(failed)} could not be parsed" if failed else ""), err=True
    )
    if failed:
        sys.exit(EXIT_CANNOT_RUN)
    sys.exit(EXIT_PROBLEMS if check and changed else EXIT_OK)


@main.command("anchor")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; report passages whose offsets or context disagree with the text.")
def anchor_command(files: tuple[Path, ...], check: bool) -> None:
    """Anchor provenance passages in their source text (FILES default: every report's passages.ttl).

    Only ``oa:exact`` is written by hand; this fills in prefix/suffix and the offsets.
    Exit codes: 0 all passages anchor, 1 some do not (listed), 2 could not run.
    """
    from sldkg.graph import anchor

    if not files:
        folder = locations.find("data")
        click.echo(f"sldkg: {folder.describe()}", err=True)
        files = tuple(anchor.default_files(folder.path))
    sys.exit(anchor.run(list(files), check_only=check))


@main.command("new-report")
@click.argument("folder", metavar="DIR")
@click.option("--source", "source", required=True, type=click.Path(path_type=Path), help="The report's text (UTF-8); copied byte for byte.")
@click.option("--title", "title", required=True, help="The report's title, as the text gives it where it can.")
@click.option("--date", "date", required=True, help="The workshop's date, YYYY-MM-DD (the event IRI is event/blw-YYYY-MM-DD).")
@click.option(
    "--data", "data", type=click.Path(path_type=Path), default=None, help="The data folder [default: data/ of the working directory]."
)
def new_report_command(folder: str, source: Path, title: str, date: str, data: Path | None) -> None:
    """Scaffold the report folder DIR below data/workshops/ (source text, report, event, empty fact files).

    The scaffold validates as it is. Exit codes: 0 written, 2 refused (the bad parameter is named).
    """
    from sldkg.graph.new_report import NewReportError, checked, scaffold

    if data is None:
        found = locations.find("data")
        click.echo(f"sldkg: {found.describe()}", err=True)
        if found.origin == "bundled":
            raise CannotRun("refusing to write into the data bundled with the package: run in a folder with data/, or give --data")
        data = found.path
    try:
        made = scaffold(data, checked(data, folder, source, title, date))
    except NewReportError as exc:
        raise CannotRun(f"new-report: {exc}") from None
    except OSError as exc:
        raise CannotRun(f"new-report: cannot write below {data}: {exc.strerror or exc}") from None
    for path in made.files:
        click.echo(str(path))
    if made.event_named_elsewhere:
        click.echo(f"sldkg: {made.event} is already named by another report; its name and date there are kept", err=True)
    click.echo(
        f"sldkg: new report {made.report} of the event {made.event} in {made.folder}; next: facts, passages, "
        "`sldkg anchor`, `sldkg fmt`, `sldkg validate` (CONTRIBUTING.md)",
        err=True,
    )


@main.command("provenance")
@click.argument("folders", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list fact triples without a statement and statements without a triple.")
def provenance_command(folders: tuple[Path, ...], check: bool) -> None:
    """Propose one rdf:Statement per fact triple of a report, with its passages (FOLDERS default: every report).

    Proposals are marked '# REVIEW' where no passage names the object; check them against the text.
    Exit codes: 0 complete, 1 incomplete (listed), 2 could not run.
    """
    from sldkg.graph import provenance

    if not folders:
        data = locations.find("data")
        click.echo(f"sldkg: {data.describe()}", err=True)
        folders = tuple(provenance.report_folders(data.path))
    sys.exit(provenance.run_all(list(folders), check))


if __name__ == "__main__":  # pragma: no cover
    run()
