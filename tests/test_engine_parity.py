"""pySHACL (the reference) and rudof give the same results on every shape fixture in tests/shapes/.

Same results means the same set of (focus node, path, source shape, constraint component, severity)
per fixture, with the fixture validated as tests/test_shapes.py does (against its one shape, with
the repository's ontology). Also: the SPARQL target expansion and the pySHACL fallback of the
rudof engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from repo_paths import REPO_ROOT

from sldkg.validation.engines import expand_sparql_targets, result_key, run_pyshacl, run_rudof
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


# FICTIONAL shapes and data, to exercise the parts of the rudof engine that today's shapes do not need.
HYBRID_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/fictional#> .
ex:NoSelfLinkShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:message "links to itself" ;
        sh:select "SELECT $this WHERE { $this <https://example.org/fictional#link> $this }" ] .
ex:NamedShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this <https://example.org/fictional#link> ?x }" ] ;
    sh:property [ sh:path <https://example.org/fictional#name> ; sh:minCount 1 ] .
"""
HYBRID_DATA = """@prefix ex: <https://example.org/fictional#> .
ex:a a ex:Thing ; ex:link ex:a .
ex:b a ex:Thing ; ex:link ex:a ; ex:name "b" .
ex:c a ex:Thing .
"""


def test_sparql_constraints_go_to_pyshacl_and_sparql_targets_are_expanded():
    data, shapes = Graph().parse(data=HYBRID_DATA, format="turtle"), Graph().parse(data=HYBRID_SHAPES, format="turtle")
    reference_ok, reference = run_pyshacl(data, shapes)
    fast_ok, fast = run_rudof(data, shapes)
    keys = {result_key(reference, r) for r in reference.objects(None, SH.result)}
    assert {result_key(fast, r) for r in fast.objects(None, SH.result)} == keys
    assert (reference_ok, fast_ok) == (False, False)
    assert {k[2] for k in keys} == {"<https://example.org/fictional#NoSelfLinkShape>", keys_shape(keys)}


def keys_shape(keys: set[tuple[str, str, str, str, str]]) -> str:
    """The source shape of the minCount result (a blank property shape of ex:NamedShape)."""
    return next(k[2] for k in keys if k[3].endswith("MinCountConstraintComponent>"))


def test_a_sparql_target_becomes_target_nodes():
    shapes = Graph().parse(data=HYBRID_SHAPES, format="turtle")
    expanded, fallback = expand_sparql_targets(shapes, lambda query: ["<https://example.org/fictional#a>"])
    named = URIRef("https://example.org/fictional#NamedShape")
    assert set(expanded.objects(named, SH.targetNode)) == {URIRef("https://example.org/fictional#a")}
    assert (named, SH.target, None) not in expanded and not fallback
    # a target that selects a blank node cannot be written as sh:targetNode: pySHACL takes that shape
    _expanded, fallback = expand_sparql_targets(shapes, lambda query: ["_:b0"])
    assert fallback == {named}
