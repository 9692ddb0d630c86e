"""``sldkg new-report``: a second report is one new folder, the scaffold validates as it is, and the
series answers for both reports.

The second report is FICTIONAL (tests/fixtures/fictional-report/): a made-up workshop of 12 May 2099.
It is added to a temporary copy of the repository's data/, never to data/ itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from repo_paths import REPO_ROOT

from sldkg.cli import main
from sldkg.graph.naming import slug, statement_iri

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "fictional-report"
SOURCE = FIXTURE / "FICTIONAL-source.txt"
FOLDER = "fictional-2099-05-12"
TITLE = "Ergebnisdokumentation zum Bundesländerworkshop (FIKTIV)"
DATE = "2099-05-12"
ID = "https://w3id.org/sldkg/id/"
EVENT = ID + "event/blw-2099-05-12"
SEED_EVENT = ID + "event/blw-2020-11-03"  # the seed's workshop
PASSAGE = ID + "report/blw-2099-05-12/passage/"
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SLD = rdflib.Namespace("https://w3id.org/sldkg/ontology#")
#: Naming and provenance predicates: no fact, no statement (as sldkg.graph.provenance of the data model).
NOT_FACTS = {RDF.type, RDFS.label, SKOS.prefLabel, PROV.wasDerivedFrom}


def sldkg(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def hashes(root: Path, skip: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file below ``root`` (except below ``skip``), by relative path."""
    return {
        str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(root.rglob("*"))
        if f.is_file() and (skip is None or skip not in f.parents)
    }


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's data/; the working directory is the repository (its queries/)."""
    monkeypatch.chdir(REPO_ROOT)
    copy = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", copy)
    return copy


def new_report(data: Path, *extra: str) -> Result:
    return sldkg("new-report", FOLDER, "--source", SOURCE, "--title", TITLE, "--date", DATE, "--data", data, *extra)


def validate(data: Path) -> Result:
    return sldkg("validate", data, "--ontology", REPO_ROOT / "ontology", "--shapes", REPO_ROOT / "shapes")


def query(data: Path, slug_: str, *params: str) -> list[dict[str, str]]:
    args: list[str | Path] = ["query", slug_, "--data", REPO_ROOT / "ontology", "--data", data, "--format", "csv"]
    for p in params:
        args += ["-p", p]
    result = sldkg(*args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def add_fictional_facts(folder: Path) -> None:
    """Hand-written facts and passages of the FICTIONAL report, then `sldkg anchor` and `sldkg fmt`."""
    passages_ttl = (FIXTURE / "FICTIONAL-passages.ttl").read_text(encoding="utf-8")
    facts_ttl = (FIXTURE / "FICTIONAL-tour-de-table.ttl").read_text(encoding="utf-8")
    quotes = {"TOUR": "In der erfundenen Tour de Table berichtete Bayern", "PROGRAMME": "vom fiktiven Programm"}
    # placeholders named as the data names passages: after their first words (docs/MODEL.md)
    for placeholder, name in {placeholder: slug(quote) for placeholder, quote in quotes.items()}.items():
        passages_ttl = passages_ttl.replace(f"passage/{placeholder}>", f"passage/{name}>")
        facts_ttl = facts_ttl.replace(f"passage/{placeholder}>", f"passage/{name}>")
    with (folder / "passages.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\n" + passages_ttl)
    (folder / "tour-de-table.ttl").write_text(facts_ttl, encoding="utf-8")
    write_statements(folder)
    assert sldkg("anchor", folder / "passages.ttl").exit_code == 0
    assert sldkg("fmt", folder).exit_code == 0
    assert sldkg("anchor", "--check", folder / "passages.ttl").exit_code == 0


def write_statements(folder: Path) -> None:
    """Series model: one rdf:Statement per hand-written fact triple, supported by its subject's passages."""
    facts = rdflib.Graph().parse(folder / "tour-de-table.ttl")
    provenance = rdflib.Graph().parse(folder / "provenance.ttl")
    for s, p, o in facts:
        if p in NOT_FACTS or not isinstance(s, URIRef) or not isinstance(p, URIRef):
            continue
        node = statement_iri("blw-2099-05-12", s, p, o)
        provenance.add((node, RDF.type, RDF.Statement))
        provenance.add((node, RDF.subject, s))
        provenance.add((node, RDF.predicate, p))
        provenance.add((node, RDF.object, o))
        provenance.add((node, SLD.supportKind, SLD.Stated))
        for passage in facts.objects(s, PROV.wasDerivedFrom):
            provenance.add((node, PROV.wasDerivedFrom, passage))
    provenance.serialize(folder / "provenance.ttl", format="turtle")


def test_the_fixture_is_fictional_and_not_served() -> None:
    assert "FIKTIV" in SOURCE.read_text(encoding="utf-8")
    assert all("FICTIONAL" in f.name or f.name == "README.md" for f in FIXTURE.iterdir())
    served = {hashlib.sha256(f.read_bytes()).hexdigest() for f in (REPO_ROOT / "data").rglob("source.txt")}
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() not in served


def test_a_second_report_is_one_new_folder_and_the_series_answers_for_both(data: Path) -> None:
    before = hashes(data)
    folder = data / "workshops" / FOLDER

    made = new_report(data)
    assert made.exit_code == 0, made.output
    assert (folder / "source.txt").read_bytes() == SOURCE.read_bytes()  # byte for byte
    report = rdflib.Graph().parse(folder / "report.ttl")
    assert str(next(report.objects(None, rdflib.URIRef("https://schema.org/sha256")))) == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert hashes(data, skip=folder) == before  # nothing outside the new folder changed
    assert sldkg("fmt", "--check", folder).exit_code == 0  # canonical layout
    assert sldkg("anchor", "--check", folder / "passages.ttl").exit_code == 0

    scaffold_only = validate(data)
    assert scaffold_only.exit_code == 0, scaffold_only.output  # the scaffold validates as it is
    events = {row["event"]: row["date"] for row in query(data, "series-events", "from=2020-01-01")}
    assert events[EVENT] == DATE
    assert SEED_EVENT in events

    add_fictional_facts(folder)
    assert hashes(data, skip=folder) == before
    whole = validate(data)
    assert whole.exit_code == 0, whole.output

    events = {row["event"]: row["date"] for row in query(data, "series-events", "from=2020-01-01")}
    assert events[EVENT] == DATE and SEED_EVENT in events
    bavarian = query(data, "initiatives-by-land")
    by_name = {row["name"]: row for row in bavarian if row["land"].endswith("/land/DE-BY")}
    assert "Testdorf Digital (FIKTIV)" in by_name  # the fictional report's initiative …
    assert len(by_name) > 1  # … next to the seed report's Bavarian ones


def test_the_event_iri_follows_the_date_and_the_series_is_stated_by_the_event(data: Path) -> None:
    assert new_report(data).exit_code == 0
    folder = data / "workshops" / FOLDER
    graph = rdflib.Graph()
    for ttl in folder.glob("*.ttl"):
        graph.parse(ttl)
    series = URIRef(ID + "series/bundeslaenderworkshop")
    schema = rdflib.Namespace("https://schema.org/")
    assert (URIRef(EVENT), schema.superEvent, series) in graph
    assert not list(graph.triples((series, None, None)))  # the series never lists its events
    assert all(str(p).startswith(PASSAGE) for p in graph.objects(URIRef(EVENT), PROV.wasDerivedFrom))


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (("--date", "2099-13-01"), "--date"),
        (("--date", "12.05.2099"), "--date"),
        (("--source", "no-such-file.txt"), "--source"),
        (("--title", "  "), "--title"),
    ],
)
def test_bad_parameters_are_refused_by_name_and_nothing_is_written(data: Path, args: tuple[str, str], parameter: str) -> None:
    before = hashes(data)
    values = {"--source": str(SOURCE), "--title": TITLE, "--date": DATE} | {args[0]: args[1]}
    result = sldkg("new-report", FOLDER, *(x for kv in values.items() for x in kv), "--data", data)
    assert result.exit_code == 2
    assert parameter in result.output
    assert hashes(data) == before


def test_an_existing_folder_is_refused(data: Path) -> None:
    assert new_report(data).exit_code == 0
    before = hashes(data)
    again = new_report(data)
    assert again.exit_code == 2 and "DIR" in again.output and "exists" in again.output
    taken = sldkg("new-report", "blw6-2020-11-03", "--source", SOURCE, "--title", TITLE, "--date", DATE, "--data", data)
    assert taken.exit_code == 2 and "DIR" in taken.output
    assert hashes(data) == before


# --- resource pages: the source next to each value, facts by report ------------------------------

PAGE_GRAPH = """
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://w3id.org/sldkg/id/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:initiative\\/fiktiv a sld:Initiative ; rdfs:label "FIKTIV"@de ;
    prov:wasDerivedFrom <https://w3id.org/sldkg/id/report/r/passage/early> , <https://w3id.org/sldkg/id/report/r/passage/late> ;
    sld:status sld:Running ; sld:land id:land\\/DE-BY ; schema:startDate "2098"^^xsd:gYear .
<https://w3id.org/sldkg/id/report/r/fact/1> a rdf:Statement ; rdf:subject id:initiative\\/fiktiv ; rdf:predicate sld:status ;
    rdf:object sld:Running ; prov:wasDerivedFrom <https://w3id.org/sldkg/id/report/r/passage/late> ; sld:supportKind sld:Stated .
<https://w3id.org/sldkg/id/report/r/fact/2> a rdf:Statement ; rdf:subject id:initiative\\/fiktiv ; rdf:predicate sld:land ;
    rdf:object id:land\\/DE-BY ; prov:wasDerivedFrom <https://w3id.org/sldkg/id/report/r/passage/early> ;
    sld:supportKind sld:Inferred ; skos:note "placed in Bayern from the context (FICTIONAL)"@en .
<https://w3id.org/sldkg/id/report/r/passage/early> oa:hasSource <https://w3id.org/sldkg/id/report/r/text> ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start 10 ; oa:end 20 ] .
<https://w3id.org/sldkg/id/report/r/passage/late> oa:hasSource <https://w3id.org/sldkg/id/report/r/text> ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start 50 ; oa:end 60 ] .
<https://w3id.org/sldkg/id/report/r/text> dcterms:source <https://w3id.org/sldkg/id/report/r> .
<https://w3id.org/sldkg/id/report/r> a schema:Report ; rdfs:label "FICTIONAL report"@de .
"""


def test_each_value_has_its_own_source_stated_inferred_or_the_resources() -> None:
    from sldkg.linked_data import resource_view

    graph = rdflib.Graph().parse(data=PAGE_GRAPH, format="turtle")
    view = resource_view.build(graph, ID + "initiative/fiktiv", "http://localhost/")
    first = {predicate.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: (predicate, values[0]) for predicate, values in view.properties}
    [status] = view.sources_of(*first["status"])
    assert (status.kind, status.number, status.note) == ("stated", 2, None)  # the later passage, and only it
    [land] = view.sources_of(*first["land"])
    assert (land.kind, land.number, land.note) == ("inferred", 1, "placed in Bayern from the context (FICTIONAL)")
    assert land.report is not None and land.report.text == "FICTIONAL report"
    start = view.sources_of(*first["startDate"])
    assert [(s.kind, s.number) for s in start] == [("resource", 1), ("resource", 2)]  # no statement: the resource's passages
    assert not any("fact/" in s.text for s, _p in view.incoming)  # statements are not links to the resource


def test_pages_mark_sources_and_group_a_lands_facts_by_report_newest_first(data: Path) -> None:
    import re

    from sldkg.app import create_app
    from sldkg.settings import Settings

    assert new_report(data).exit_code == 0
    add_fictional_facts(data / "workshops" / FOLDER)
    app = create_app(Settings.from_env({}, data_paths=(REPO_ROOT / "ontology", data), executors=1))
    try:
        client = app.test_client()
        html = client.get("/id/initiative/fiktiv-testdorf-digital", headers={"Accept": "text/html"}).get_data(as_text=True)
        land = client.get("/id/land/DE-BY", headers={"Accept": "text/html"}).get_data(as_text=True)
        turtle = client.get("/id/event/blw-2099-05-12", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    finally:
        app.extensions["sldkg"].backend.close()
    # a marker per value (its statement's passages, or without one the resource's passages) that opens the passage
    values = re.findall(r"<td><ul>(.*?)</ul></td>", html, re.S)
    assert values and all("source-marker" in v for v in values)
    targets = set(re.findall(r'class="source-marker[^"]*" href="#([\w-]+)"', html))
    assert targets and all(f'id="{t}"' in html for t in targets)

    # the description (RDF) carries the statement of each of its triples that has one, with the passages
    described = rdflib.Graph().parse(data=turtle, format="turtle")
    statements = {
        (described.value(st, RDF.predicate), described.value(st, RDF.object)) for st in described.subjects(RDF.subject, URIRef(EVENT))
    }
    assert (rdflib.URIRef("https://schema.org/superEvent"), URIRef(ID + "series/bundeslaenderworkshop")) in statements
    assert all(set(described.objects(st, PROV.wasDerivedFrom)) for st in described.subjects(RDF.type, RDF.Statement))

    section = re.search(r'<section aria-labelledby="reports-h".*?</section>', land, re.S)
    assert section is not None
    dates = re.findall(r'<time datetime="([0-9-]+)"', section.group(0))
    assert dates[0] == DATE and "2020-11-03" in dates and dates == sorted(dates, reverse=True)
    assert "Testdorf Digital (FIKTIV)" in section.group(0)


def test_a_title_and_date_the_text_lacks_rest_on_its_first_line_and_are_marked_inferred(data: Path) -> None:
    made = sldkg("new-report", FOLDER, "--source", SOURCE, "--title", "Nicht im Text (FIKTIV)", "--date", "2099-06-01", "--data", data)
    assert made.exit_code == 0, made.output
    folder = data / "workshops" / FOLDER
    passages = rdflib.Graph().parse(folder / "passages.ttl")
    [only] = passages.subjects(RDF.type, OA.SpecificResource)
    assert [str(q) for q in passages.objects(None, OA.exact)] == [SOURCE.read_text(encoding="utf-8").splitlines()[0]]
    assert str(only).startswith(ID + "report/blw-2099-06-01/passage/")
    provenance = rdflib.Graph().parse(folder / "provenance.ttl")
    statements = list(provenance.subjects(RDF.type, RDF.Statement))
    kinds = {provenance.value(st, RDF.predicate): provenance.value(st, SLD.supportKind) for st in statements}
    assert set(kinds.values()) == {SLD.Inferred}
    assert all(len(set(provenance.objects(st, SKOS.note))) == 2 for st in provenance.subjects(RDF.type, RDF.Statement))
    result = validate(data)
    assert result.exit_code == 0, result.output
