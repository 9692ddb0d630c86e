"""How long validation takes, per engine and mode, side by side in one run.

``python -m benchmarks.validation`` (the repository's data; ``--runs 5``): wall-clock and CPU
seconds (minimum and median over the runs, after a warm-up run) for the whole validation and its
parts: parsing the files, the SHACL engine, and the rest (locating focus nodes, the report); then
the command ``sldkg validate`` itself, run as a new process each time (start-up and imports
included), in the same run.

``python -m benchmarks.validation --triples 1e6`` (a synthetic series from
``benchmarks/synthetic.py``, written to a temporary folder or ``--series DIR``): in one process,
one after the other,

* ``oxigraph``: a whole-graph run with the oxigraph engine (the shapes as SPARQL queries), with
  one job and with the cores available (:func:`sldkg.validation.parallelism.default_jobs`), then
  the command ``sldkg validate`` on the series as a new process (start-up, imports and exit
  included); ``--repeat N`` runs these three N times, one after the other;
* ``rudof``: a whole-graph run with the rudof engine (``--whole-engines`` picks these two);
* ``pyshacl``: a whole-graph run with pySHACL, the reference (skipped above ``--pyshacl-max``);
* ``incremental cold``: ``--incremental`` with an empty cache (every report folder validated),
  with the engine of ``--incremental-engine`` (the fastest, oxigraph, by default);
* ``incremental warm``: again, nothing changed;
* ``incremental 1 changed``: after a fault (a FICTIONAL person whose name is language-tagged) is
  put into the last report folder;

then whole-graph runs on the changed series, and whether every mode found the same results (focus
node, path, source shape, constraint component, severity, location, message). An in-process time
includes freeing the report and its stores. CPU time is the steadier figure on a busy machine (it
includes the threads of rudof and of the oxigraph engine).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks import REPO_ROOT
from sldkg.validation import engines
from sldkg.validation import validator as validation
from sldkg.validation.engines import ENGINES, result_key
from sldkg.validation.incremental import validate_incremental
from sldkg.validation.parallelism import default_jobs

#: FICTIONAL: a person of the last report whose name is language-tagged (one more result, one part changed).
FAULT = """@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# FICTIONAL: a person whose name is language-tagged
<https://w3id.org/sldkg/id/person/erika-fiktiv-benchmark> a schema:Person ;
    rdfs:label "Erika Fiktiv"@de ;
    schema:name "Erika Fiktiv"@de .
"""
ONTOLOGY = [REPO_ROOT / "ontology"]
SHAPES = [REPO_ROOT / "shapes"]


class Clock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


def measure_once(engine_name: str = "pyshacl") -> tuple[Clock, validation.ValidationReport]:
    """One validation of the repository's data, its parts timed."""
    clock = Clock()
    real_load, real_engine = validation.load_files, engines.engine

    def load(paths: Any, **kwargs: Any) -> validation.LoadedFiles:
        with clock.part("parse files"):
            return real_load(paths, **kwargs)

    def engine(name: str, **kwargs: Any) -> engines.Engine:
        run = real_engine(name, **kwargs)

        def timed(data: engines.DataSource, shapes_graph: Any) -> tuple[bool, Any]:
            with clock.part("engine"):
                return run(data, shapes_graph)

        return timed

    module = vars(validation)  # the validator looks both names up in its module at call time
    module["load_files"], module["engine"] = load, engine
    try:
        with clock.part("total"):
            report = validation.validate(engine_name=engine_name)
    finally:
        module["load_files"], module["engine"] = real_load, real_engine
    return clock, report


def repository(runs: int, engine_names: list[str]) -> None:
    for engine_name in engine_names:
        measure_once(engine_name)
        clocks = []
        for _ in range(runs):
            clock, report = measure_once(engine_name)
            clocks.append(clock)
        print(
            f"[{engine_name}] validation of the repository: {report.triples} triples, {len(report.data_files)} files, "
            f"{len(report.shape_files)} shape files, conforms={report.conforms}"
        )
        print(f"{'part':<14} {'wall min':>9} {'wall med':>9} {'cpu min':>9} {'cpu med':>9}   (seconds, {runs} runs)")
        for name in ("parse files", "engine", "total"):
            wall = [c.wall[name] for c in clocks]
            cpu = [c.cpu[name] for c in clocks]
            print(f"{name:<14} {min(wall):9.3f} {statistics.median(wall):9.3f} {min(cpu):9.3f} {statistics.median(cpu):9.3f}")
        rest = [c.wall["total"] - c.wall["parse files"] - c.wall["engine"] for c in clocks]
        print(f"{'rest':<14} {min(rest):9.3f} {statistics.median(rest):9.3f}")
        wall, cpu = command_seconds(runs, engine_name)
        figures = f"{min(wall):9.3f} {statistics.median(wall):9.3f} {min(cpu):9.3f} {statistics.median(cpu):9.3f}"
        print(f"{'command':<14} {figures}   (sldkg validate, a new process per run)")


def command_seconds(runs: int, engine_name: str) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``sldkg validate --engine NAME`` in the repository, ``runs`` times after a warm-up."""
    command = [sys.executable, "-m", "sldkg", "validate", "--engine", engine_name]
    run_command(command)
    timings = [run_command(command)[:2] for _ in range(runs)]
    return [wall for wall, _cpu, _code in timings], [cpu for _wall, cpu, _code in timings]


def run_command(command: list[str]) -> tuple[float, float, int]:
    """``(wall, CPU seconds, exit code)`` of ``command`` run in the repository; an exit code above 1 (could not run) raises."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} could not run: {done.stderr.decode(errors='replace')[-500:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - started, cpu, done.returncode


def results(report: validation.ValidationReport) -> list[tuple[str, ...]]:
    """What a run found, comparable between engines and modes."""
    return sorted((*result_key(report.graph, v.node), str(v.location), v.message()) for v in report.violations if v.node is not None)


class Timed(NamedTuple):
    found: list[tuple[str, ...]]  # see results()
    triples: int


def timed(label: str, run: Callable[[], validation.ValidationReport], rows: list[str]) -> Timed:
    """Run and time ``run``: what it found, and of how many triples. The time includes freeing the report and its stores."""
    wall, cpu = time.perf_counter(), time.process_time()
    report = run()
    found, triples, conforms = results(report), report.triples, report.conforms
    del report  # its stores are freed here (about a second at 1e6 triples), inside the timing
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows.append(f"{label:<38} {wall:9.2f} {cpu:9.2f} {triples:>10} {len(found):>7} {conforms!s:>8}")
    print(rows[-1], flush=True)
    return Timed(found, triples)


def command_row(label: str, data: Path, rows: list[str]) -> None:
    """Time ``sldkg validate DATA`` as a new process (start-up, imports and exit included)."""
    command = [sys.executable, "-m", "sldkg", "validate", str(data), "--ontology", str(ONTOLOGY[0]), "--shapes", str(SHAPES[0])]
    wall, cpu, code = run_command(command)
    rows.append(f"{label:<38} {wall:9.2f} {cpu:9.2f} {'':>10} {'':>7} {code == 0!s:>8}")
    print(rows[-1], flush=True)


def series(
    triples: float,
    folder: Path | None,
    pyshacl_max: float,
    whole_runs: bool = True,
    whole_engines: tuple[str, ...] = ("oxigraph", "rudof"),
    incremental_engine: str = "oxigraph",
    command_runs: int = 1,
) -> None:
    import pyoxigraph as ox

    from benchmarks.synthetic import REFERENCE, Template, documents_for, generate

    work = Path(tempfile.mkdtemp(prefix="sldkg-validation-bench-"))
    try:
        data = folder or work / "series"
        if folder is None or not folder.exists():
            template = Template.read()
            reference_triples = sum(len(list(ox.parse(p.read_bytes(), format=ox.RdfFormat.TURTLE))) for p in REFERENCE.rglob("*.ttl"))
            made = generate(data, documents_for(int(triples), template, reference_triples), template=template)
            print(f"series: {made.documents} documents, {made.triples} triples in {made.folder} ({made.seconds:.1f} s to write)")
        cache = work / "cache"
        print(f"{'mode':<38} {'wall s':>9} {'cpu s':>9} {'triples':>10} {'results':>7} {'conforms':>8}")
        rows: list[str] = []
        found: dict[str, list[tuple[str, ...]]] = {}

        def whole(engine_name: str, jobs: int | None = None) -> Callable[[], validation.ValidationReport]:
            return lambda: validation.validate([data], ONTOLOGY, SHAPES, engine_name=engine_name, jobs=jobs)

        def incremental() -> validation.ValidationReport:
            run = validate_incremental([data], ONTOLOGY, SHAPES, cache=cache, engine_name=incremental_engine)
            print(f"  (validated {len(run.validated)} of {run.parts} parts)")
            return run.report

        engine_names = whole_engines if whole_runs else ()
        jobs = default_jobs()
        run_pyshacl = False
        for engine_name in engine_names:
            if engine_name == "oxigraph":
                # the same run with one thread and with the cores available, then as the command
                for _ in range(command_runs):
                    found["oxigraph, 1 job"] = timed("oxigraph, whole graph, 1 job", whole(engine_name, 1), rows).found
                    run = timed(f"oxigraph, whole graph, {jobs} jobs", whole(engine_name, jobs), rows)
                    command_row(f"sldkg validate (oxigraph, {jobs} jobs)", data, rows)
            else:
                run = timed(f"{engine_name}, whole graph", whole(engine_name), rows)
            found[engine_name] = run.found
            run_pyshacl = run.triples <= pyshacl_max
        if run_pyshacl:
            found["pyshacl"] = timed("pyshacl, whole graph", whole("pyshacl"), rows).found
        else:
            why = "--incremental-only" if not whole_runs else f"more than --pyshacl-max {pyshacl_max:g} triples"
            print(f"pyshacl, whole graph: skipped ({why})")
        found["incremental cold"] = timed(f"{incremental_engine}, incremental, cold cache", incremental, rows).found
        found["incremental warm"] = timed(f"{incremental_engine}, incremental, nothing changed", incremental, rows).found
        last = sorted((data / "workshops").iterdir())[-1]
        (last / "zz-fault.ttl").write_text(FAULT, encoding="utf-8")
        try:
            changed = {"incremental 1 changed": timed(f"{incremental_engine}, incremental, 1 report changed", incremental, rows).found}
            for engine_name in engine_names:
                changed[engine_name] = timed(f"{engine_name}, whole graph (changed data)", whole(engine_name), rows).found
            if run_pyshacl:
                changed["pyshacl"] = timed("pyshacl, whole graph (changed data)", whole("pyshacl"), rows).found
        finally:
            (last / "zz-fault.ttl").unlink()
        same = len({tuple(r) for r in found.values()}) == 1
        same_changed = len({tuple(r) for r in changed.values()}) == 1
        print(f"same results, unchanged series ({', '.join(found)}): {'yes' if same else 'NO'}")
        count = len(changed["incremental 1 changed"])
        print(f"same results, changed series ({', '.join(changed)}): {'yes' if same_changed else 'NO'} ({count} results)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs after one warm-up run [default: %(default)s]")
    parser.add_argument("--triples", type=float, help="validate a synthetic series of about this many triples (e.g. 1e6)")
    parser.add_argument("--series", type=Path, help="the series folder to use (written there if missing)")
    parser.add_argument("--pyshacl-max", type=float, default=2e5, help="largest series pySHACL runs on [default: %(default)g]")
    parser.add_argument("--incremental-only", action="store_true", help="skip the whole-graph runs (for the largest series)")
    parser.add_argument("--engines", default="pyshacl,rudof,oxigraph", help="engines for the repository's data [default: %(default)s]")
    parser.add_argument(
        "--whole-engines",
        default="oxigraph,rudof",
        help="engines of the whole-graph runs on a series, besides pyshacl [default: %(default)s]",
    )
    parser.add_argument(
        "--repeat",
        dest="command_runs",
        type=int,
        default=1,
        help="on a series: how often to run oxigraph with 1 job, with the cores available, and as the command [default: %(default)s]",
    )
    parser.add_argument(
        "--incremental-engine", default="oxigraph", choices=ENGINES, help="engine of the incremental runs [default: %(default)s]"
    )
    args = parser.parse_args()
    if args.triples or args.series:
        series(
            args.triples or 0,
            args.series,
            args.pyshacl_max,
            whole_runs=not args.incremental_only,
            whole_engines=tuple(e for e in args.whole_engines.split(",") if e and e != "pyshacl"),
            incremental_engine=args.incremental_engine,
            command_runs=args.command_runs,
        )
    else:
        repository(args.runs, args.engines.split(","))


if __name__ == "__main__":
    main()
