"""Validation on several cores: the background loads, ``jobs`` (same results with any number), and how ``sldkg validate`` ends.

The data with faults is FICTIONAL (tests/test_engine_parity.py's faulty copy of the real data).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from repo_paths import REPO_ROOT
from test_engine_parity import FAULTS, results

from sldkg.cli import main
from sldkg.graph.store import LoadError
from sldkg.validation.parallelism import MAX_JOBS, BackgroundLoads, default_jobs
from sldkg.validation.validator import load_files, validate


def test_background_loads_run_in_order_in_another_thread():
    done: list[tuple[int, str]] = []
    with BackgroundLoads(parallel=True) as loads:
        for number in range(40):
            loads.submit(lambda number=number: done.append((number, threading.current_thread().name)))
    assert [number for number, _thread in done] == list(range(40))
    assert {thread for _number, thread in done} == {"sldkg-store-loads"}


def test_without_parallel_a_load_runs_at_once_in_the_callers_thread():
    done: list[str] = []
    with BackgroundLoads(parallel=False) as loads:
        loads.submit(lambda: done.append(threading.current_thread().name))
        assert done == [threading.current_thread().name]


@pytest.mark.parametrize("parallel", [True, False])
def test_a_failed_load_raises_in_the_caller_and_stops_the_loads_after_it(parallel):
    done: list[int] = []

    def fail() -> None:
        raise LoadError("fiktiv.ttl", "cannot be stored: FICTIONAL")

    with pytest.raises(LoadError, match=r"fiktiv\.ttl: cannot be stored"), BackgroundLoads(parallel=parallel) as loads:
        loads.submit(lambda: done.append(1))
        loads.submit(fail)
        loads.submit(lambda: done.append(3))
        loads.submit(lambda: done.append(4))
    assert done == [1]


def test_an_error_of_the_caller_waits_for_the_thread_and_is_not_replaced():
    started = threading.Event()
    with pytest.raises(KeyError), BackgroundLoads(parallel=True) as loads:
        loads.submit(started.set)
        raise KeyError("the caller's own error")
    assert started.is_set()


def test_the_default_number_of_jobs_is_the_cores_available_within_bounds():
    assert 1 <= default_jobs() <= MAX_JOBS


def test_loading_with_a_background_thread_gives_the_same_store():
    folders = [REPO_ROOT / "ontology", REPO_ROOT / "data"]
    one, two = load_files(folders, jobs=1), load_files(folders, jobs=2)
    assert one.files == two.files and one.triples == two.triples and one.graph_files == two.graph_files

    def described(quad: ox.Quad) -> tuple[str, ...]:  # blank nodes get fresh labels per load
        return tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name))

    assert sorted(map(described, one.dataset)) == sorted(map(described, two.dataset))


@pytest.mark.parametrize("jobs", [1, 3])
def test_the_results_do_not_depend_on_the_number_of_jobs(tmp_path, jobs):
    faults = tmp_path / "faults.ttl"
    faults.write_text(FAULTS, encoding="utf-8")
    data = [REPO_ROOT / "data", faults]
    reference = validate(data=data, engine_name="oxigraph", jobs=2)
    other = validate(data=data, engine_name="oxigraph", jobs=jobs)
    assert not reference.conforms and len(reference.violations) >= 10
    assert results(other) == results(reference)
    assert [str(v.location) for v in other.violations] == [str(v.location) for v in reference.violations]


def test_jobs_below_one_are_refused():
    with pytest.raises(ValueError, match="jobs must be at least 1, not 0"):
        validate(jobs=0)
    result = CliRunner().invoke(main, ["validate", "--jobs", "0"])
    assert result.exit_code == 2 and "'--jobs': 0 is not in the range x>=1" in result.output


def test_a_syntax_error_names_its_file_with_a_background_loader(tmp_path):
    (tmp_path / "a.ttl").write_text("<https://example.org/a> <https://example.org/b> 'fiktiv' .\n", encoding="utf-8")
    (tmp_path / "b.ttl").write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_files([tmp_path], jobs=2)
    assert raised.value.path.name == "b.ttl" and raised.value.line == 1


@pytest.mark.parametrize(("faulty", "code"), [(False, 0), (True, 1)])
def test_the_program_ends_with_its_exit_code_and_all_its_output(tmp_path, faulty, code):
    """``sldkg validate`` ends without freeing its memory (``os._exit``): the exit code and every line of output must survive."""
    data = [str(REPO_ROOT / "data")]
    if faulty:
        (tmp_path / "faults.ttl").write_text(FAULTS, encoding="utf-8")
        data.append(str(tmp_path / "faults.ttl"))
    command = [sys.executable, "-m", "sldkg", "validate", *data, "--format", "turtle", "--jobs", "2"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, timeout=300, check=False)
    assert done.returncode == code, done.stderr.decode()
    from rdflib import Graph
    from rdflib.namespace import SH

    report = Graph().parse(data=done.stdout.decode("utf-8"), format="turtle")  # the whole report, parsable
    expected = validate(data=[Path(d) for d in data], engine_name="oxigraph")
    assert len(list(report.subjects(SH.focusNode, None))) == len(expected.violations)
    piped = subprocess.run([*command[:-4], "--format", "text"], cwd=REPO_ROOT, capture_output=True, timeout=300, check=False)
    assert piped.returncode == code and piped.stdout.decode("utf-8").endswith("\n")


def test_a_check_that_fails_in_a_thread_stops_the_run_with_a_clear_error():
    """The error of a check that fails in a worker thread reaches the caller, naming its shape."""
    from rdflib import URIRef
    from rdflib.namespace import SH

    from sldkg.validation.engines import EngineFailed
    from sldkg.validation.oxigraph_engine import run_checks
    from sldkg.validation.shape_queries import Check, Outcome

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/fictional#a"), ox.NamedNode("https://example.org/fictional#p"), ox.Literal("x")))
    shape = URIRef("https://example.org/fictional#BrokenShape")
    outcome = (Outcome(SH.MinCountConstraintComponent, None, False),)
    good = Check("k", shape, "SELECT ?this WHERE { ?this ?p ?o }", None, SH.Violation, (), outcome)
    broken = Check("k", shape, "SELECT ?this WHERE { ?this", None, SH.Violation, (), outcome)
    results, fallback = run_checks(store, [], [good], 2)
    assert [len(rows) for _check, rows in results] == [1] and not fallback
    with pytest.raises(EngineFailed, match=re.escape("the query of <https://example.org/fictional#BrokenShape>")):
        run_checks(store, [], [good, broken, *[good] * 50], 2)
