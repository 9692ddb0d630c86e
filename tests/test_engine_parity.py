"""pySHACL (the reference) and rudof give the same results on every shape fixture in tests/shapes/.

Same results means the same set of (focus node, path, source shape, constraint component, severity)
per fixture, with the fixture validated as tests/test_shapes.py does (against its one shape, with
the repository's ontology). Also: the SPARQL target expansion and the pySHACL fallback of the
rudof engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SH
from repo_paths import REPO_ROOT

from sldkg.validation.engines import result_key
from sldkg.validation.validator import LINT_PREFIX, ValidationReport, load_files, validate

pytest.importorskip("pyrudof")

SLDSH = "https://w3id.org/sldkg/shapes#"
FIXTURES = sorted((Path(__file__).parent / "shapes").glob("*.ttl"))
SHAPES = REPO_ROOT / "shapes"
ONTOLOGY = REPO_ROOT / "ontology"
LINT_SHAPES = {s for s in load_files([SHAPES / "ontology-lint.ttl"]).graph.subjects() if isinstance(s, URIRef)}


def results(report: ValidationReport) -> set[tuple[str, str, str, str, str]]:
    return {result_key(report.graph, r) for r in report.graph.objects(None, SH.result)}


def run(fixture: Path, engine_name: str) -> ValidationReport:
    shape = SLDSH + fixture.name.split("-")[0]
    if URIRef(shape) in LINT_SHAPES:
        return validate(data=[], ontology=[fixture], shapes=[SHAPES], only=[shape], engine_name=engine_name)
    return validate(data=[fixture], ontology=[ONTOLOGY], shapes=[SHAPES], only=[shape], engine_name=engine_name)


def test_there_are_fixtures_of_both_kinds():
    assert any("-valid" in f.name for f in FIXTURES) and any("-invalid-" in f.name for f in FIXTURES)
    assert any(f.name.startswith("OntologyShape") for f in FIXTURES), "the lint shapes are covered too"
    assert LINT_PREFIX == "ontology-"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_rudof_gives_the_same_results_as_pyshacl(fixture):
    reference, fast = run(fixture, "pyshacl"), run(fixture, "rudof")
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms
    # the messages the user sees are the shapes' own, as with pySHACL
    assert sorted((v.focus_node, v.source_shape, v.messages) for v in fast.violations) == sorted(
        (v.focus_node, v.source_shape, v.messages) for v in reference.violations
    )
