"""The SHACL shapes: every shape's fixtures behave as their headers say, every shape has fixtures,
every class used in data/ is constrained by a shape, and the repository's own data conforms.

A fixture is ``tests/shapes/<Shape>-valid.ttl`` or ``<Shape>-invalid-NN.ttl``; an invalid fixture
declares in its comment header every result it must produce, one per line::

    # expect: sldsh:Land-isoCode sh:InConstraintComponent

(source shape, source constraint component). The fixture is validated against that one shape
(with the repository's ontology for subclass relations) and must produce exactly those pairs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from repo_paths import REPO_ROOT

from sldkg.validation.validator import LINT_PREFIX, load_files, validate

SLDSH = "https://w3id.org/sldkg/shapes#"
FIXTURES = Path(__file__).parent / "shapes"
SHAPES = REPO_ROOT / "shapes"
ONTOLOGY = REPO_ROOT / "ontology"
FIXTURE_NAME = re.compile(r"^(?P<shape>[A-Za-z]+Shape)-(?P<kind>valid|invalid-\d\d)\.ttl$")
EXPECT = re.compile(r"^# expect: sldsh:(?P<shape>\S+) sh:(?P<component>\S+)$", re.MULTILINE)


def shapes_graph() -> tuple[Graph, dict[URIRef, Path]]:
    """All shape files merged, and the file each node shape is defined in."""
    loaded = load_files([SHAPES])
    where = {s: loaded.described_in(s) for s in loaded.graph.subjects(RDF.type, SH.NodeShape)}
    return loaded.graph, where


GRAPH, SHAPE_FILE = shapes_graph()
TARGETED = sorted(
    s for s in SHAPE_FILE if any((s, p, None) in GRAPH for p in (SH.targetClass, SH.target, SH.targetSubjectsOf, SH.targetNode))
)
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


def expected_results(fixture: Path) -> set[tuple[str, str]]:
    text = fixture.read_text(encoding="utf-8")
    return {(SLDSH + m["shape"], str(SH) + m["component"]) for m in EXPECT.finditer(text)}


def run_fixture(fixture: Path):
    shape = URIRef(SLDSH + FIXTURE_NAME.match(fixture.name)["shape"])
    assert shape in SHAPE_FILE, f"{fixture.name}: no node shape {shape} in shapes/"
    if SHAPE_FILE[shape].name.startswith(LINT_PREFIX):
        return validate(data=[], ontology=[fixture], shapes=[SHAPES], only=[str(shape)])
    return validate(data=[fixture], ontology=[ONTOLOGY], shapes=[SHAPES], only=[str(shape)])


def test_fixture_names_follow_the_convention():
    assert FIXTURE_FILES, "no fixtures found"
    bad = [f.name for f in FIXTURE_FILES if not FIXTURE_NAME.match(f.name)]
    assert not bad, f"fixtures must be named <Shape>-valid.ttl or <Shape>-invalid-NN.ttl: {bad}"


@pytest.mark.parametrize("shape", TARGETED, ids=lambda s: s.split("#")[-1])
def test_every_shape_has_a_valid_and_an_invalid_fixture(shape):
    name = shape.split("#")[-1]
    assert (FIXTURES / f"{name}-valid.ttl").is_file(), f"missing tests/shapes/{name}-valid.ttl"
    assert list(FIXTURES.glob(f"{name}-invalid-*.ttl")), f"missing tests/shapes/{name}-invalid-01.ttl"


@pytest.mark.parametrize("fixture", [f for f in FIXTURE_FILES if f.name.endswith("-valid.ttl")], ids=lambda f: f.stem)
def test_valid_fixture_conforms(fixture):
    report = run_fixture(fixture)
    assert report.conforms, [(str(v.source_shape), str(v.constraint), v.message()) for v in report.violations]
    assert not expected_results(fixture), "a valid fixture expects no results"


@pytest.mark.parametrize("fixture", [f for f in FIXTURE_FILES if "-invalid-" in f.name], ids=lambda f: f.stem)
def test_invalid_fixture_fails_for_exactly_the_expected_shape_and_constraint(fixture):
    expected = expected_results(fixture)
    assert expected, f"{fixture.name} declares no '# expect: sldsh:<shape> sh:<Component>' line"
    report = run_fixture(fixture)
    assert not report.conforms
    found = {(str(v.source_shape), str(v.constraint)) for v in report.violations}
    assert found == expected
    # every result carries the shape's message in both languages and points into the fixture
    for v in report.violations:
        assert {m.language for m in v.messages} >= {"de", "en"}, v
        assert v.location is not None and v.location.path == fixture.resolve()


def test_every_property_shape_has_german_and_english_messages():
    missing = []
    for shape in set(GRAPH.subjects(RDF.type, SH.PropertyShape)) | set(GRAPH.subjects(RDF.type, SH.NodeShape)):
        constrains = any(
            p
            for p, _ in GRAPH.predicate_objects(shape)
            if p not in (RDF.type, SH.property, SH.message) and not str(p).startswith(str(SH) + "target")
        )
        if not constrains and (shape, SH.property, None) in GRAPH:
            continue  # a node shape that only groups property shapes reports through them
        langs = {m.language for m in GRAPH.objects(shape, SH.message)}
        if isinstance(shape, URIRef) and not {"de", "en"} <= langs:
            missing.append(str(shape))
    assert not missing, f"shapes without sh:message in German and English: {missing}"


def test_every_class_used_in_the_data_is_the_target_of_a_shape():
    data = load_files([REPO_ROOT / "data"]).graph
    ontology = load_files([ONTOLOGY]).graph
    schema = Graph()
    schema += ontology
    schema += GRAPH.triples((None, RDFS.subClassOf, None))
    targeted = set(GRAPH.objects(None, SH.targetClass))

    def covered(cls) -> bool:
        return cls in targeted or any(covered(sup) for sup in schema.objects(cls, RDFS.subClassOf) if sup != cls)

    used = set(data.objects(None, RDF.type))
    uncovered = []
    for cls in sorted(used):
        instances = set(data.subjects(RDF.type, cls))
        # an instance is validated when one of its classes (or a superclass of one) is a shape's target
        if not all(any(covered(c) for c in data.objects(i, RDF.type)) for i in instances):
            uncovered.append(str(cls))
    assert not uncovered, f"classes used in data/ whose instances no shape targets: {uncovered}"


def test_the_repository_data_conforms():
    report = validate()
    problems = [f"{v.location}: {report.short(v.focus_node)}: {v.message()} ({report.short(v.source_shape)})" for v in report.violations]
    assert report.conforms, "\n".join(problems)
    assert report.triples > 1000
    assert any(p.name.startswith(LINT_PREFIX) for p in report.shape_files), "the ontology lint must run"


def test_the_ontology_lint_catches_an_undefined_term(tmp_path):
    # the lint really applies to the ontology graph given with --ontology (and not to data)
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(
        (ONTOLOGY / "sldkg.ttl").read_text(encoding="utf-8")
        + "\nsld:Undefined a owl:Class ; rdfs:isDefinedBy <https://w3id.org/sldkg/ontology> .\n",
        encoding="utf-8",
    )
    report = validate(data=[], ontology=[ontology], shapes=[SHAPES])
    assert {str(v.focus_node) for v in report.violations} == {"https://w3id.org/sldkg/ontology#Undefined"}
    assert not report.conforms


def test_the_validation_docs_list_every_shape():
    docs = (REPO_ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    section = docs.split("\n## Shapes\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(\w+Shape)`", section))
    assert {s.split("#")[-1] for s in TARGETED} <= listed
