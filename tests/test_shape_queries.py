"""The pieces of the ``oxigraph`` engine that the shape fixtures do not reach.

Property path forms the shapes do not use, the fallback to pySHACL for SHACL that is not compiled
(and for a literal focus node), literals that Oxigraph would store by value, and the engine lists.
Each case is validated with pySHACL (the reference) and with ``oxigraph`` and must give the same
results. Shapes and data are FICTIONAL.
"""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from repo_paths import REPO_ROOT
from test_engine_parity import results

from sldkg.cli import main
from sldkg.validation.engines import ENGINES
from sldkg.validation.incremental import engine_version
from sldkg.validation.literal_terms import rdflib_term, store_term, wrapped_ntriples
from sldkg.validation.shape_queries import Compiler, compile_shapes, path_sparql
from sldkg.validation.validator import ValidationReport, Violation, load_files, validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/fictional#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def both(tmp_path: Path, shapes: str, data: str) -> tuple[ValidationReport, ValidationReport]:
    """``data`` validated against ``shapes`` by pySHACL and by the oxigraph engine."""
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(PREFIXES + data, encoding="utf-8")
    found = tuple(
        validate(data=[tmp_path / "data.ttl"], ontology=[], shapes=[tmp_path / "shapes.ttl"], engine_name=name)
        for name in ("pyshacl", "oxigraph")
    )
    return found[0], found[1]


def same(reference: ValidationReport, fast: ValidationReport) -> None:
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms

    def value(v: Violation) -> str:
        return "_:" if isinstance(v.value, BNode) else str(v.value)  # blank nodes are labelled per load

    assert sorted((str(v.focus_node), value(v)) for v in fast.violations) == sorted(
        (str(v.focus_node), value(v)) for v in reference.violations
    )


PATHS = """
ex:PathShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path [ sh:inversePath ex:child ] ; sh:maxCount 1 ; sh:message "one parent" ] ,
        [ sh:path [ sh:alternativePath ( ex:name ex:label ) ] ; sh:minCount 1 ; sh:message "a name or label" ] ,
        [ sh:path ( ex:child [ sh:zeroOrMorePath ex:child ] ) ; sh:class ex:Thing ; sh:message "descendants are things" ] ,
        [ sh:path [ sh:oneOrMorePath ex:next ] ; sh:nodeKind sh:IRI ; sh:message "a chain of IRIs" ] ,
        [ sh:path [ sh:zeroOrOnePath ex:next ] ; sh:maxCount 1 ; sh:message "itself or one next" ] .
"""
PATH_DATA = """
ex:a a ex:Thing ; ex:name "a" ; ex:child ex:b , ex:c ; ex:next ex:b .
ex:b a ex:Thing ; ex:label "b" ; ex:child ex:d ; ex:next [ ex:next ex:c ] .
ex:c a ex:Thing ; ex:next ex:a , ex:b .
ex:d ex:name "d" .
ex:e a ex:Thing ; ex:name "e" .
ex:e2 ex:child ex:c .
"""


def test_every_property_path_form_gives_the_results_of_pyshacl(tmp_path):
    reference, fast = both(tmp_path, PATHS, PATH_DATA)
    assert not reference.conforms
    components = {k[3].split("#")[-1] for k in results(reference)}
    assert {"MaxCountConstraintComponent>", "MinCountConstraintComponent>", "ClassConstraintComponent>"} <= components
    same(reference, fast)


def test_paths_are_written_as_sparql_paths_and_sequences_as_chains():
    shapes = Graph().parse(data=PREFIXES + PATHS, format="turtle")
    written = sorted(path_sparql(shapes, path) for path in shapes.objects(None, SH.path))
    assert written == [
        "(<https://example.org/fictional#child>/(<https://example.org/fictional#child>)*)",
        "(<https://example.org/fictional#name>|<https://example.org/fictional#label>)",
        "(<https://example.org/fictional#next>)+",
        "(<https://example.org/fictional#next>)?",
        "^(<https://example.org/fictional#child>)",
    ]
    sequence = Graph().parse(data=PREFIXES + "ex:S sh:path ( ex:a [ sh:inversePath ex:b ] ) .", format="turtle")
    compiler = Compiler(sequence)
    chain = compiler.path(sequence.value(URIRef("https://example.org/fictional#S"), SH.path))
    assert chain.link("?x", "?y") == "?x <https://example.org/fictional#a> ?v0 . ?y <https://example.org/fictional#b> ?v0 ."


UNSUPPORTED = """
ex:ExactlyOneShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:message "either a name or a label" ;
    sh:xone ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:label ; sh:minCount 1 ] ) .
ex:NoSelfLinkShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "links to itself" ;
        sh:select "SELECT $this WHERE { $this <https://example.org/fictional#next> $this }" ] .
ex:NamedShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a name" ] .
ex:LiteralFocusShape a sh:NodeShape ; sh:targetObjectsOf ex:name ;
    sh:message "names are short" ; sh:maxLength 1 .
ex:LookAheadShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:pattern "^(?!long)" ; sh:message "no name starts with long" ] .
ex:BackReferenceShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:pattern "^(.)\\\\1" ; sh:message "doubled first letter" ] .
"""
UNSUPPORTED_DATA = """
ex:a a ex:Thing ; ex:name "a" ; ex:label "a" .
ex:b a ex:Thing ; ex:next ex:b .
ex:c a ex:Thing ; ex:name "long name" .
"""


def test_what_is_not_compiled_goes_to_pyshacl_with_the_same_results(tmp_path):
    shapes = Graph().parse(data=PREFIXES + UNSUPPORTED, format="turtle")
    _focus, checks, fallback = compile_shapes(shapes)
    ex = "https://example.org/fictional#"
    # (a property shape of a node shape that falls back goes with it)
    assert {URIRef(ex + "ExactlyOneShape"), URIRef(ex + "NoSelfLinkShape")} <= fallback
    assert {c.shape for c in checks} >= {URIRef(ex + "LiteralFocusShape")}  # compiled; its focus nodes are literals
    assert not {c.shape for c in checks} & fallback
    reference, fast = both(tmp_path, UNSUPPORTED, UNSUPPORTED_DATA)
    shapes_found = {k[2] for k in results(reference)}
    assert {f"<{ex}ExactlyOneShape>", f"<{ex}NoSelfLinkShape>", f"<{ex}LiteralFocusShape>"} <= shapes_found
    # the look-ahead and the back-reference patterns, which Oxigraph's regular expressions lack, went to pySHACL
    assert {k[3] for k in results(reference)} >= {"<http://www.w3.org/ns/shacl#PatternConstraintComponent>"}
    same(reference, fast)


LITERALS = """
ex:NumberShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:nonNegativeInteger ; sh:message "a size" ] ,
        [ sh:path ex:day ; sh:datatype xsd:date ; sh:message "a day" ] ,
        [ sh:path ex:flag ; sh:in ( "1"^^xsd:boolean ) ; sh:message "flag 1" ] ,
        [ sh:path ex:code ; sh:pattern "^0" ; sh:message "a leading zero" ] ,
        [ sh:path ex:low ; sh:lessThan ex:high ; sh:minInclusive 0 ; sh:message "ordered" ] .
"""
LITERAL_DATA = """
ex:a a ex:Thing ; ex:size "5"^^xsd:nonNegativeInteger ; ex:day "2020-11-03"^^xsd:date ; ex:flag "1"^^xsd:boolean ;
    ex:code "01"^^xsd:integer ; ex:low "-1"^^xsd:integer ; ex:high "32"^^xsd:nonNegativeInteger .
ex:b a ex:Thing ; ex:size "5"^^xsd:integer ; ex:day "2020-13-45"^^xsd:date ; ex:flag true ;
    ex:code "1"^^xsd:integer ; ex:low "7"^^xsd:decimal ; ex:high "3"^^xsd:integer .
"""


def test_literals_are_judged_as_written_not_as_oxigraph_stores_them(tmp_path):
    """Oxigraph would store 5^^nonNegativeInteger as an xsd:integer, 01 as 1 and "1"^^boolean as true."""
    reference, fast = both(tmp_path, LITERALS, LITERAL_DATA)
    assert {str(v.focus_node).split("#")[1] for v in reference.violations} == {"a", "b"}
    assert len(reference.violations) >= 5
    same(reference, fast)


def test_the_store_keeps_xsd_literals_as_written(tmp_path):
    (tmp_path / "data.ttl").write_text(PREFIXES + 'ex:a ex:p "05"^^xsd:nonNegativeInteger , "x" .\n', encoding="utf-8")
    loaded = load_files([tmp_path / "data.ttl"])
    objects = {q.object for q in loaded.store()}
    assert ox.Literal("05", datatype=ox.NamedNode("urn:sldkg:xsd#nonNegativeInteger")) in objects
    assert ox.Literal("x") in objects
    assert {str(o) for o in loaded.graph.objects()} == {"5", "x"}  # rdflib writes the canonical form, as ever
    literal = next(o for o in loaded.graph.objects() if str(o) == "5")
    assert rdflib_term(store_term(literal)) == literal
    # an escaped quote right before a datatype IRI, inside a string: only the exact way is safe
    assert wrapped_ntriples(b'<a:a> <p:p> "say \\"^^<http://www.w3.org/2001/XMLSchema#date>" .\n') is None
    (tmp_path / "tricky.ttl").write_text('<a:a> <p:p> "say \\"^^<http://www.w3.org/2001/XMLSchema#date>" .\n', encoding="utf-8")
    assert [str(o) for o in load_files([tmp_path / "tricky.ttl"]).graph.objects()] == ['say "^^<http://www.w3.org/2001/XMLSchema#date>']


def test_every_engine_is_offered_by_the_command_and_has_a_version():
    engine_option = next(p for p in main.commands["validate"].params if p.name == "engine")
    assert isinstance(engine_option.type, click.Choice)
    assert list(engine_option.type.choices) == list(ENGINES)
    assert "oxigraph" in ENGINES
    assert engine_version("oxigraph").startswith("oxigraph ")


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_file_that_does_not_parse_is_reported_with_its_line(tmp_path, engine_name):
    if engine_name == "rudof":
        pytest.importorskip("pyrudof")
    from sldkg.graph.store import LoadError

    (tmp_path / "broken.ttl").write_text(PREFIXES + "ex:a ex:p .\n", encoding="utf-8")
    with pytest.raises(LoadError) as failure:
        validate(data=[tmp_path / "broken.ttl"], ontology=[], shapes=[REPO_ROOT / "shapes"], engine_name=engine_name)
    assert failure.value.line == 4


# -- several components in one query (Compiler.merged_query) --------------------------------------

MERGED = """
ex:CountedShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:message "exactly one size, a non-negative integer" ] ,
        [ sh:path ex:colour ; sh:in ( ex:red ex:blue ) ; sh:maxCount 1 ; sh:message "at most one colour, red or blue" ] ,
        [ sh:path ( ex:part ex:size ) ; sh:datatype xsd:integer ; sh:minCount 1 ; sh:message "a part with an integer size" ] ,
        [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "exactly one name" ] .
"""
MERGED_DATA = """
ex:good a ex:Thing ; ex:name "good" ; ex:size 3 ; ex:colour ex:red ; ex:part [ ex:size 1 ] .
ex:none a ex:Thing .
ex:two-bad-sizes a ex:Thing ; ex:name "a" , "b" ; ex:size "x" , -1 ; ex:colour ex:green , ex:red ; ex:part [ ex:size "y" ] .
ex:one-bad-size a ex:Thing ; ex:name "c" ; ex:size "z" ; ex:colour ex:green ; ex:part [ ex:size 2 ] , [ ex:size 2.5 ] .
ex:two-good-sizes a ex:Thing ; ex:name "d" ; ex:size 1 , 2 ; ex:colour ex:red , ex:blue ; ex:part [ ] .
"""


def test_components_that_share_one_query_give_the_results_of_pyshacl(tmp_path):
    shapes = Graph().parse(data=PREFIXES + MERGED, format="turtle")
    _focus_sets, checks, fallback = compile_shapes(shapes)
    assert not fallback
    merged = [c for c in checks if len(c.outcomes) > 1]
    # size: datatype, range, min, max; colour: in, max; part: datatype, min; name: min, max
    assert sorted(len(c.outcomes) for c in merged) == [2, 2, 2, 4]
    assert all("OPTIONAL" in c.query for c in merged)
    reference, fast = both(tmp_path, MERGED, MERGED_DATA)
    components = sorted(k[3].split("#")[-1].rstrip(">") for k in results(reference))
    for expected in ("Datatype", "MinInclusive", "MinCount", "MaxCount", "In"):
        assert f"{expected}ConstraintComponent" in components
    assert components.count("MaxCountConstraintComponent") == 5  # sizes and colours of two things, names of one
    same(reference, fast)
