"""Where a cold whole-graph validation spends its time, and what the threads give, side by side in one run.

``python -m benchmarks.validation_parts --series DIR [--runs 2]`` (``DIR``: a synthetic series, see
``python -m benchmarks.synthetic``), each run one after the other in one process:

* parsing and loading every file (ontology and data) with one job, then with two
  (:func:`sldkg.validation.validator.load_files`), and freeing the store;
* the oxigraph engine's focus sets and checks on that store with one job, then with two
  (:func:`sldkg.validation.oxigraph_engine.run_checks`), after compiling the shapes.

Wall-clock seconds; CPU seconds of the process (threads included) in brackets.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDFS

from benchmarks import REPO_ROOT
from sldkg.graph.store import discover
from sldkg.validation.oxigraph_engine import run_checks, subclasses_in
from sldkg.validation.shape_queries import FOCUS_GRAPH, compile_shapes
from sldkg.validation.validator import LoadedFiles, load_files, split_shapes


@contextmanager
def clock(label: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    print(f"  {label:<44} {time.perf_counter() - wall:7.2f} s  ({time.process_time() - cpu:.2f} s CPU)", flush=True)


def load(series: Path, jobs: int) -> LoadedFiles:
    ontology = load_files([REPO_ROOT / "ontology"], jobs=jobs)
    return load_files([series], start=ontology, skip=ontology.files, jobs=jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--series", type=Path, required=True, help="the series folder (python -m benchmarks.synthetic DIR --triples 1e6)")
    parser.add_argument("--runs", type=int, default=2, help="[default: %(default)s]")
    args = parser.parse_args()
    data_shapes, _lint = split_shapes([f.resolve() for f, _root in discover([REPO_ROOT / "shapes"])])
    shapes = load_files(data_shapes)
    subclass_of = ox.NamedNode(str(RDFS.subClassOf))
    axioms = [ox.Quad(q.subject, q.predicate, q.object) for q in shapes.dataset.quads_for_pattern(None, subclass_of, None, None)]
    for run in range(1, args.runs + 1):
        print(f"run {run}:")
        for jobs in (1, 2):
            with clock(f"parse and load, {jobs} job(s)"):
                loaded = load(args.series, jobs)
            with clock(f"free the store ({len(loaded.dataset)} quads)"):
                del loaded
        loaded = load(args.series, 2)
        loaded.add(axioms)
        store = loaded.store()
        with clock("compile the shapes"):
            focus_sets, checks, _fallback = compile_shapes(shapes.graph, subclasses_in(store))
        for jobs in (1, 2):
            with clock(f"{len(focus_sets)} focus sets and {len(checks)} checks, {jobs} job(s)"):
                run_checks(store, focus_sets, checks, jobs)
            store.remove_graph(ox.NamedNode(FOCUS_GRAPH))


if __name__ == "__main__":
    main()
