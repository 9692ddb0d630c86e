"""``sldkg validate --incremental``: the same results as a whole-graph run, and only changed report folders validated again.

The series is the real report plus one synthetic copy (benchmarks/synthetic.py). The faults put into
the copy are FICTIONAL: a person of the copy whose name is language-tagged (only the copy changes),
and the person of tests/shapes/PersonShape-invalid-01.ttl, which also states something about a
shared organisation (org/bmwi of the reference data), which is validated in that report's run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from repo_paths import REPO_ROOT

from benchmarks.synthetic import generate
from sldkg.cli import main
from sldkg.validation.engines import result_key
from sldkg.validation.incremental import SHARED, split_parts, validate_incremental
from sldkg.validation.validator import ValidationReport, validate

ONTOLOGY = [REPO_ROOT / "ontology"]
SHAPES = [REPO_ROOT / "shapes"]
SHARED_FAULT = REPO_ROOT / "tests" / "shapes" / "PersonShape-invalid-01.ttl"
OWN_FAULT = """@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
# FICTIONAL: a person of the synthetic report whose name is language-tagged
<https://w3id.org/sldkg/id/person/erika-fiktiv-syn00002> a schema:Person ;
    rdfs:label "Erika Fiktiv"@de ;
    schema:name "Erika Fiktiv"@de ;
    prov:wasDerivedFrom <https://w3id.org/sldkg/id/report/syn00002/passage/p001> .
"""


def found(report: ValidationReport) -> list[tuple[str, ...]]:
    return sorted((*result_key(report.graph, v.node), str(v.location), v.message()) for v in report.violations if v.node is not None)


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("series") / "data", 2).folder


def test_the_parts_are_the_report_folders_and_the_shared_data(series: Path):
    shared, reports = split_parts([series])
    assert [Path(p.name).name for p in reports] == ["blw6-2020-11-03", "syn-00002"]
    assert shared.name == SHARED and all("reference" in f.parts for f in shared.files)


def test_only_the_changed_report_is_validated_again_with_the_same_results_as_a_whole_run(series: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    first = validate_incremental([series], ONTOLOGY, SHAPES, cache=cache)
    assert len(first.validated) == 3 and first.report.conforms
    whole = validate([series], ONTOLOGY, SHAPES)
    assert first.report.triples == whole.triples and set(first.report.data_files) == set(whole.data_files)

    again = validate_incremental([series], ONTOLOGY, SHAPES, cache=cache)
    assert again.validated == () and again.report.conforms

    fault = series / "workshops" / "syn-00002" / "zz-fault.ttl"
    fault.write_text(OWN_FAULT, encoding="utf-8")
    try:
        changed = validate_incremental([series], ONTOLOGY, SHAPES, cache=cache)
        whole = validate([series], ONTOLOGY, SHAPES)
    finally:
        fault.unlink()
    assert [Path(p).name for p in changed.validated] == ["syn-00002"]
    assert not whole.conforms and not changed.report.conforms
    assert found(changed.report) == found(whole)
    assert ("https://w3id.org/sldkg/shapes#Person-name", "http://www.w3.org/ns/shacl#DatatypeConstraintComponent") in {
        (str(v.source_shape), str(v.constraint)) for v in whole.violations
    }
    assert changed.report.triples == whole.triples

    shutil.copyfile(SHARED_FAULT, fault)
    try:
        changed = validate_incremental([series], ONTOLOGY, SHAPES, cache=cache)
        whole = validate([series], ONTOLOGY, SHAPES)
    finally:
        fault.unlink()
    # The shared data cites no report (docs/MODEL.md), so only the changed report is validated again;
    # what it says about the shared organisation is validated in that report's run.
    assert [Path(p).name for p in changed.validated] == ["syn-00002"]
    assert not whole.conforms and found(changed.report) == found(whole)


def test_incremental_runs_of_the_oxigraph_engine_give_the_results_of_a_whole_pyshacl_run(series: Path, tmp_path: Path):
    fault = series / "workshops" / "syn-00002" / "zz-fault.ttl"
    fault.write_text(OWN_FAULT, encoding="utf-8")
    try:
        fast = validate_incremental([series], ONTOLOGY, SHAPES, cache=tmp_path / "cache", engine_name="oxigraph")
        whole = validate([series], ONTOLOGY, SHAPES, engine_name="pyshacl")
    finally:
        fault.unlink()
    assert len(fast.validated) == 3
    assert not whole.conforms and found(fast.report) == found(whole)


def test_a_changed_shape_invalidates_every_part(series: Path, tmp_path: Path):
    shapes = tmp_path / "shapes"
    shutil.copytree(REPO_ROOT / "shapes", shapes)
    cache = tmp_path / "cache"
    validate_incremental([series], ONTOLOGY, [shapes], cache=cache)
    with (shapes / "people.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# a comment changes the bytes\n")
    assert len(validate_incremental([series], ONTOLOGY, [shapes], cache=cache).validated) == 3


def test_the_command_line_takes_the_engine_and_the_cache(series: Path, tmp_path: Path):
    from click.testing import CliRunner

    arguments = ["validate", str(series), "--ontology", str(ONTOLOGY[0]), "--shapes", str(SHAPES[0])]
    arguments += ["--engine", "pyshacl", "--incremental", str(tmp_path / "cache")]
    runner = CliRunner()
    first = runner.invoke(main, arguments, catch_exceptions=False)
    again = runner.invoke(main, arguments, catch_exceptions=False)
    assert (first.exit_code, again.exit_code) == (0, 0)
    assert "validated 3 of 3 parts" in first.stderr and "validated 0 of 3 parts" in again.stderr
    # the same summary, but for the time it took
    assert re.sub(r"in [0-9.]+ s", "", again.stdout) == re.sub(r"in [0-9.]+ s", "", first.stdout)
