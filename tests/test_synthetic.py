"""The synthetic workshop-series generator of the benchmark (benchmarks/synthetic.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from repo_paths import REPO_ROOT

from benchmarks.synthetic import TEMPLATE, Template, documents_for, generate, main
from sldkg.graph.store import load
from sldkg.settings import GRAPH_BASE, RESOURCE_BASE
from sldkg.validation.validator import validate

ID = RESOURCE_BASE
MINI_REPORT = f"""@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .
<{ID}event/mini> a schema:Event ; rdfs:label "Mini-Workshop"@de ; schema:name "Mini-Workshop"@de ;
    sld:participatingLand <{ID}land/DE-BY> ; schema:subEvent <{ID}event/mini/agenda/01> ;
    prov:wasDerivedFrom <{ID}report/mini/passage/p001> .
<{ID}event/mini/agenda/01> a schema:Event ; schema:position 1 ; schema:performer <{ID}person/erika-muster> .
<{ID}person/erika-muster> a schema:Person ; schema:name "Erika \\"E.\\" Muster" .
<{ID}report/mini/passage/p001> rdfs:label "Passage p001"@de .
"""
MINI_REFERENCE = f"""<{ID}land/DE-BY> <http://www.w3.org/2000/01/rdf-schema#label> "Bayern"@de .
<{ID}land/DE-BY> <http://www.w3.org/ns/prov#wasDerivedFrom> <{ID}report/mini/passage/p001> .
"""


def mini(tmp_path: Path) -> tuple[Template, Path]:
    folder = tmp_path / "template" / "mini-2020"
    folder.mkdir(parents=True)
    (folder / "report.ttl").write_text(MINI_REPORT, encoding="utf-8")
    (folder / "source.txt").write_text("Quelltext", encoding="utf-8")
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "laender.ttl").write_text(MINI_REFERENCE, encoding="utf-8")
    return Template.read(folder), reference


def triples_of(path: Path) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)}


def test_the_template_knows_what_it_describes_and_its_report_slug(tmp_path):
    template, _ = mini(tmp_path)
    assert template.report_slug == "mini"
    assert template.triples == 12
    assert template.described == {
        ID + "event/mini",
        ID + "event/mini/agenda/01",
        ID + "person/erika-muster",
        ID + "report/mini/passage/p001",
    }


def test_documents_are_renamed_copies_and_shared_resources_stay(tmp_path):
    template, reference = mini(tmp_path)
    series = generate(tmp_path / "out", 3, template=template, reference=reference)
    assert series.documents == 3
    assert series.triples == 3 * 12 + 2
    first = tmp_path / "out" / "workshops" / "mini-2020" / "report.ttl"
    assert triples_of(first) == triples_of(template.folder / "report.ttl")  # document 1 is the real report
    third = triples_of(tmp_path / "out" / "workshops" / "syn-00003" / "report.ttl")
    assert (f"<{ID}event/syn00003>", "<https://schema.org/subEvent>", f"<{ID}event/syn00003/agenda/01>") in third
    assert (f"<{ID}event/syn00003/agenda/01>", "<https://schema.org/performer>", f"<{ID}person/erika-muster-syn00003>") in third
    assert (f"<{ID}event/syn00003>", "<https://w3id.org/sldkg/ontology#participatingLand>", f"<{ID}land/DE-BY>") in third
    # names that are facts stay (their rdf:Statements must stay true); labels get the suffix
    assert (f"<{ID}person/erika-muster-syn00003>", "<https://schema.org/name>", '"Erika \\"E.\\" Muster"') in third
    assert (f"<{ID}event/syn00003>", "<https://schema.org/name>", '"Mini-Workshop"@de') in third
    assert (f"<{ID}event/syn00003>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"Mini-Workshop (synthetisch 3)"@de') in third
    assert (tmp_path / "out" / "workshops" / "syn-00003" / "source.txt").read_text() == "Quelltext"
    assert triples_of(tmp_path / "out" / "reference" / "laender.ttl") == triples_of(reference / "laender.ttl")


def test_no_document_shares_a_described_resource_with_another(tmp_path):
    template, reference = mini(tmp_path)
    generate(tmp_path / "out", 4, template=template, reference=reference)
    subjects = [{s for s, _, _ in triples_of(folder / "report.ttl")} for folder in sorted((tmp_path / "out" / "workshops").iterdir())]
    assert len(subjects) == 4 and all(len(s) == 4 for s in subjects)
    assert len(set().union(*subjects)) == 16


def test_the_series_loads_as_one_named_graph_per_file(tmp_path):
    template, reference = mini(tmp_path)
    generate(tmp_path / "out", 2, template=template, reference=reference)
    store = load([tmp_path / "out"])
    assert set(store.graphs) == {
        GRAPH_BASE + "reference/laender",
        GRAPH_BASE + "workshops/mini-2020/report",
        GRAPH_BASE + "workshops/syn-00002/report",
    }
    assert len(store) == 2 * 12 + 2


def test_documents_for_a_target_size():
    template = Template(Path(), (("x.ttl", ""),), frozenset(), None, 2500, None)
    assert documents_for(1_000_000, template, 3_000) == 399
    assert documents_for(100, template, 3_000) == 1


def test_the_command_writes_about_the_asked_size(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--triples", "30000"]) == 0
    printed = capsys.readouterr().out
    total = int(printed.split(" triples")[0].split()[-1])
    per_document = Template.read(TEMPLATE).triples
    assert abs(total - 30000) <= per_document  # within one document of the target


def test_a_synthetic_series_of_the_real_report_adds_no_kind_of_violation(tmp_path):
    """The copies conform exactly as far as the real report does: no shape/constraint is violated only by them."""
    real = validate()
    generate(tmp_path / "out", 3)
    synthetic = validate(data=[tmp_path / "out"], ontology=[REPO_ROOT / "ontology"])
    kinds = lambda report: {(str(v.source_shape), str(v.constraint)) for v in report.violations}  # noqa: E731
    assert kinds(synthetic) <= kinds(real)
    assert synthetic.conforms == real.conforms
    assert synthetic.triples > 2 * real.triples
