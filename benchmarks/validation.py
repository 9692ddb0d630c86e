"""How long ``sldkg validate`` takes on the repository's data: ``python -m benchmarks.validation [--runs 5]``.

Prints wall-clock and CPU seconds (minimum and median over the runs, in one process after a
warm-up run) for the whole validation and for its parts: parsing the files, the pySHACL runs
(data shapes on data + ontology, lint shapes on the ontology) and the rest (locating focus nodes,
building the report). CPU time is the steadier figure on a busy machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager

from sldkg.validation import validator as validation


class Clock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def part(self, name: str):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu


def measure_once() -> tuple[Clock, validation.ValidationReport]:
    clock = Clock()
    real_load, real_shacl = validation.load_files, validation.pyshacl.validate

    def load(paths, **kwargs):
        with clock.part("parse files"):
            return real_load(paths, **kwargs)

    def shacl(*args, **kwargs):
        with clock.part("pySHACL"):
            return real_shacl(*args, **kwargs)

    validation.load_files, validation.pyshacl.validate = load, shacl
    try:
        with clock.part("total"):
            report = validation.validate()
    finally:
        validation.load_files, validation.pyshacl.validate = real_load, real_shacl
    return clock, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs after one warm-up run [default: %(default)s]")
    args = parser.parse_args()
    measure_once()
    clocks = []
    for _ in range(args.runs):
        clock, report = measure_once()
        clocks.append(clock)
    print(
        f"validation of the repository: {report.triples} triples, {len(report.data_files)} files,"
        f" {len(report.shape_files)} shape files, conforms={report.conforms}"
    )
    print(f"{'part':<14} {'wall min':>9} {'wall med':>9} {'cpu min':>9} {'cpu med':>9}   (seconds, {args.runs} runs)")
    for name in ("parse files", "pySHACL", "total"):
        wall = [c.wall[name] for c in clocks]
        cpu = [c.cpu[name] for c in clocks]
        print(f"{name:<14} {min(wall):9.3f} {statistics.median(wall):9.3f} {min(cpu):9.3f} {statistics.median(cpu):9.3f}")
    rest = [c.wall["total"] - c.wall["parse files"] - c.wall["pySHACL"] for c in clocks]
    print(f"{'rest':<14} {min(rest):9.3f} {statistics.median(rest):9.3f}")


if __name__ == "__main__":
    main()
