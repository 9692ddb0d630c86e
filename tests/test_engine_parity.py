"""pySHACL (the reference) and rudof give the same results on every shape fixture in tests/shapes/,
and so does pySHACL with its SPARQL targets evaluated by Oxigraph (the default) instead of rdflib.

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

from sldkg.validation import validator
from sldkg.validation.engines import (
    DataSource,
    EngineFailed,
    expand_sparql_targets,
    prefix_declarations,
    result_key,
    run_pyshacl,
    run_rudof,
)
from sldkg.validation.validator import LINT_PREFIX, ValidationReport, load_files, validate

SLDSH = "https://w3id.org/sldkg/shapes#"
FIXTURES = sorted((Path(__file__).parent / "shapes").glob("*.ttl"))
SHAPES = REPO_ROOT / "shapes"
ONTOLOGY = REPO_ROOT / "ontology"
LINT_SHAPES = {s for s in load_files([SHAPES / "ontology-lint.ttl"]).graph.subjects() if isinstance(s, URIRef)}


def results(report: ValidationReport) -> set[tuple[str, str, str, str, str]]:
    return {result_key(report.graph, r) for r in report.graph.objects(None, SH.result)}


def plain_pyshacl(data: DataSource, shapes: Graph) -> tuple[bool, Graph]:
    """pySHACL evaluating its SPARQL targets itself, with rdflib: the plain reference."""
    return run_pyshacl(data.graph, shapes, sparql_targets="pyshacl")


def run(fixture: Path, engine_name: str) -> ValidationReport:
    """``fixture`` validated against its one shape; ``engine_name`` ``pyshacl-rdflib-targets``: the plain reference."""
    if engine_name == "pyshacl-rdflib-targets":
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(validator, "engine", lambda name, **_options: plain_pyshacl)
            return run(fixture, "pyshacl")
    shape = SLDSH + fixture.name.split("-")[0]
    if URIRef(shape) in LINT_SHAPES:
        return validate(data=[], ontology=[fixture], shapes=[SHAPES], only=[shape], engine_name=engine_name)
    return validate(data=[fixture], ontology=[ONTOLOGY], shapes=[SHAPES], only=[shape], engine_name=engine_name)


def test_there_are_fixtures_of_both_kinds():
    assert any("-valid" in f.name for f in FIXTURES) and any("-invalid-" in f.name for f in FIXTURES)
    assert any(f.name.startswith("OntologyShape") for f in FIXTURES), "the lint shapes are covered too"
    assert LINT_PREFIX == "ontology-"


def same_results(reference: ValidationReport, fast: ValidationReport) -> None:
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms
    # the messages the user sees are the shapes' own, as with pySHACL
    assert sorted((v.focus_node, v.source_shape, v.messages) for v in fast.violations) == sorted(
        (v.focus_node, v.source_shape, v.messages) for v in reference.violations
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_rudof_gives_the_same_results_as_pyshacl(fixture):
    pytest.importorskip("pyrudof")
    same_results(run(fixture, "pyshacl"), run(fixture, "rudof"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_oxigraph_gives_the_same_results_as_pyshacl(fixture):
    same_results(run(fixture, "pyshacl"), run(fixture, "oxigraph"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_sparql_targets_by_oxigraph_give_the_results_of_pyshacl_alone(fixture):
    same_results(run(fixture, "pyshacl-rdflib-targets"), run(fixture, "pyshacl"))


def test_the_real_data_gives_the_same_results_with_either_target_evaluation(tmp_path):
    """On the repository's data, and on a copy with a FICTIONAL fact triple that no statement supports."""
    real = validate(engine_name="pyshacl")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validator, "engine", lambda name, **_options: plain_pyshacl)
        plain = validate()
    assert real.conforms and plain.conforms
    unsupported = tmp_path / "unsupported.ttl"
    unsupported.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        '<https://w3id.org/sldkg/id/event/blw-2020-11-03> schema:name "FICTIONAL unsupported name"@de .\n',
        encoding="utf-8",
    )
    data = [REPO_ROOT / "data", unsupported]
    fast = validate(data=data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validator, "engine", lambda name, **_options: plain_pyshacl)
        reference = validate(data=data)
    assert not reference.conforms
    assert "SupportedFactShape" in {v.source_shape.split("#")[-1] for v in reference.violations}
    same_results(reference, fast)


def test_prefix_declarations_of_a_sparql_target_are_written_as_prefix_lines():
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/fictional#> .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/fictional#" ] ,
                [ sh:prefix "b" ; sh:namespace "https://example.org/b#" ] .
ex:S sh:target ex:T . ex:T a sh:SPARQLTarget ; sh:prefixes ex: ; sh:select "SELECT ?this WHERE { ?this ex:p b:o }" .
ex:Broken sh:target ex:U . ex:U sh:prefixes ex:nothing . ex:nothing sh:declare [ sh:prefix "x" ] .
""",
        format="turtle",
    )
    target = URIRef("https://example.org/fictional#T")
    assert prefix_declarations(shapes, target) == "PREFIX b: <https://example.org/b#>\nPREFIX ex: <https://example.org/fictional#>\n"
    seen: list[str] = []
    expand_sparql_targets(shapes, lambda query: seen.append(query) or [])
    assert seen == [
        "PREFIX b: <https://example.org/b#>\nPREFIX ex: <https://example.org/fictional#>\nSELECT ?this WHERE { ?this ex:p b:o }"
    ]
    with pytest.raises(EngineFailed, match="lacks sh:prefix or sh:namespace"):
        prefix_declarations(shapes, URIRef("https://example.org/fictional#U"))


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
    pytest.importorskip("pyrudof")
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


#: FICTIONAL faults in a copy of the real data: an unsupported fact, a language-tagged person name,
#: an impossible date, a selector that ends before it starts, and an agenda item without a position.
FAULTS = """@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/sldkg/id/event/blw-2020-11-03> schema:name "FICTIONAL unsupported name"@de .
<https://w3id.org/sldkg/id/person/erika-fiktiv-parity> a schema:Person ;
    rdfs:label "Erika Fiktiv"@de ;
    schema:name "Erika Fiktiv"@de .
<https://w3id.org/sldkg/id/event/fiktiv-parity> a schema:Event ;
    schema:name "FICTIONAL event"@de ;
    schema:startDate "2020-13-45"^^xsd:date .
<https://w3id.org/sldkg/id/selector/fiktiv-parity> a oa:TextPositionSelector ;
    oa:start "40"^^xsd:nonNegativeInteger ;
    oa:end "32"^^xsd:nonNegativeInteger .
<https://w3id.org/sldkg/id/agenda/fiktiv-parity> a sld:AgendaItem ;
    schema:name "FICTIONAL agenda item"@de .
"""


def test_the_real_data_gives_the_same_results_with_oxigraph(tmp_path):
    """The repository's data conforms with every engine; a FICTIONAL faulty copy gives pySHACL's results."""
    assert validate(engine_name="oxigraph").conforms
    faults = tmp_path / "faults.ttl"
    faults.write_text(FAULTS, encoding="utf-8")
    data = [REPO_ROOT / "data", faults]
    reference, fast = validate(data=data, engine_name="pyshacl"), validate(data=data, engine_name="oxigraph")
    assert not reference.conforms and len(reference.violations) >= 10
    assert {"SupportedFactShape", "PersonShape", "EventShape", "TextPositionSelectorShape"} <= {
        str(v.source_shape).split("#")[-1] for v in reference.violations
    } | {str(s).split("#")[-1].split("-")[0] + "Shape" for s in (v.source_shape for v in reference.violations)}
    same_results(reference, fast)
    assert [str(v.location) for v in fast.violations] == [str(v.location) for v in reference.violations]
