"""The ontology and data files: they parse, stay inside the IRI space, carry labels, use only
declared local terms, and hold the reference facts (Länder, participants, quotes) exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY_FILES = sorted((REPO / "ontology").glob("*.ttl"))
DATA_FILES = sorted((REPO / "data").rglob("*.ttl"))
SOURCE = REPO / "data" / "workshops" / "blw6-2020-11-03" / "source.txt"

ID = "https://w3id.org/sldkg/id/"
SLD = Namespace("https://w3id.org/sldkg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ONTOLOGY = URIRef("https://w3id.org/sldkg/ontology")
EVENT = URIRef(ID + "event/blw-2020-11-03")

#: Land key, German name, ISO 3166-2, Wikidata, GeoNames (REFERENCE_IDS.md).
LAENDER = [
    ("01", "Schleswig-Holstein", "DE-SH", "Q1194", "2838632"),
    ("02", "Hamburg", "DE-HH", "Q1055", "2911297"),
    ("03", "Niedersachsen", "DE-NI", "Q1197", "2862926"),
    ("04", "Bremen", "DE-HB", "Q1209", "2944387"),
    ("05", "Nordrhein-Westfalen", "DE-NW", "Q1198", "2861876"),
    ("06", "Hessen", "DE-HE", "Q1199", "2905330"),
    ("07", "Rheinland-Pfalz", "DE-RP", "Q1200", "2847618"),
    ("08", "Baden-Württemberg", "DE-BW", "Q985", "2953481"),
    ("09", "Bayern", "DE-BY", "Q980", "2951839"),
    ("10", "Saarland", "DE-SL", "Q1201", "2842635"),
    ("11", "Berlin", "DE-BE", "Q64", "2950157"),
    ("12", "Brandenburg", "DE-BB", "Q1208", "2945356"),
    ("13", "Mecklenburg-Vorpommern", "DE-MV", "Q1196", "2872567"),
    ("14", "Sachsen", "DE-SN", "Q1202", "2842566"),
    ("15", "Sachsen-Anhalt", "DE-ST", "Q1206", "2842565"),
    ("16", "Thüringen", "DE-TH", "Q1205", "2822542"),
]

#: The 13 Länder the report names as participants, in its order.
PARTICIPANTS = [
    "Baden-Württemberg",
    "Bayern",
    "Brandenburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
]

#: Speaker slug -> the start of their quote in the report.
QUOTES = {
    "thomas-jarzombek": "Verwaltungen und Unternehmen haben in der Covid-19-Pandemie",
    "hannes-kuehn": "Die digitale Verwaltung ist ein wichtiger Standortfaktor",
    "kay-ruge": "Um eine flächendeckende Digitalisierung zu erreichen",
    "alexander-handschuh": "In der Corona-Krise haben die Verwaltungen Agilität",
}


def rel(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in DATA_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def test_there_are_files_to_check():
    assert ONTOLOGY_FILES == [REPO / "ontology" / "sldkg.ttl"]
    assert len(DATA_FILES) >= 10


@pytest.mark.parametrize("path", ONTOLOGY_FILES + DATA_FILES, ids=rel)
def test_file_parses_as_turtle(path):
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    assert len(graph) > 0


@pytest.mark.parametrize("path", DATA_FILES, ids=rel)
def test_every_subject_is_under_the_id_space_or_blank(path):
    graph = rdflib.Graph().parse(path, format="turtle")
    outside = {s for s in graph.subjects() if not isinstance(s, BNode) and not str(s).startswith(ID)}
    assert not outside, f"subjects outside {ID}: {sorted(outside)}"


def test_every_typed_resource_has_a_german_label(data):
    """Statements (rdf:Statement, per-statement provenance) are described by their triple, not named."""
    missing = [
        s
        for s in set(data.subjects(RDF.type)) - set(data.subjects(RDF.type, RDF.Statement))
        if not any(isinstance(o, Literal) and o.language == "de" for o in data.objects(s, RDFS.label))
    ]
    assert not missing, f"no rdfs:label@de: {sorted(missing)}"


def test_every_local_term_used_in_data_is_declared(data, ontology):
    declared = {s for s in ontology.subjects(RDF.type) if str(s).startswith(str(SLD))}
    used = {term for triple in data for term in triple if isinstance(term, URIRef) and str(term).startswith(str(SLD))}
    assert used, "the data uses no local terms at all"
    assert not used - declared, f"undeclared sld: terms: {sorted(used - declared)}"


def test_ontology_metadata(ontology):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    release = str(ontology.value(ONTOLOGY, OWL.versionInfo))
    assert re.fullmatch(r"[0-9]{4}\.[1-9][0-9]*", release), release  # <year>.<n>, see docs/citing.md
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{release}")
    dcterms = Namespace("http://purl.org/dc/terms/")
    assert ontology.value(ONTOLOGY, dcterms.license) == URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")
    titles = {t.language for t in ontology.objects(ONTOLOGY, dcterms.title)}
    assert titles == {"de", "en"}
    assert not list(ontology.objects(ONTOLOGY, OWL.imports))


def test_every_local_term_is_documented(ontology):
    problems = []
    for term in {s for s in ontology.subjects(RDF.type) if str(s).startswith(str(SLD))}:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            if not {"de", "en"} <= langs:
                problems.append(f"{term} {prop} has languages {langs}")
        if ontology.value(term, RDFS.isDefinedBy) != ONTOLOGY:
            problems.append(f"{term} lacks rdfs:isDefinedBy")
    assert not problems


def test_the_sixteen_laender_carry_the_reference_ids(data):
    laender = set(data.subjects(RDF.type, SLD.Land))
    assert len(laender) == 16
    for key, name, iso, wikidata, geonames in LAENDER:
        land = URIRef(ID + "land/" + iso)
        assert land in laender, iso
        assert Literal(name, lang="de") in set(data.objects(land, SKOS.prefLabel)), iso
        assert str(data.value(land, SLD.isoCode)) == iso
        assert str(data.value(land, SLD.landKey)) == key
        assert not set(data.objects(land, OWL.sameAs)), "links are schema:sameAs (docs/MODEL.md)"
        same = set(data.objects(land, SCHEMA.sameAs))
        assert same == {
            URIRef(f"http://www.wikidata.org/entity/{wikidata}"),
            URIRef(f"https://sws.geonames.org/{geonames}/"),
        }, iso
        assert set(data.objects(land, SKOS.exactMatch)) == {URIRef(f"http://dcat-ap.de/def/politicalGeocoding/stateKey/{key}")}, iso


def test_the_participating_laender_are_exactly_those_the_report_names(data):
    text = SOURCE.read_text(encoding="utf-8")
    sentence = re.search(r"Teilgenommen hatten .*? aus den Ländern (.*?)\.", text).group(1)
    named = re.split(r", | und ", sentence)
    assert named == PARTICIPANTS
    participating = {
        str(label)
        for land in data.objects(EVENT, SLD.participatingLand)
        for label in data.objects(land, SKOS.prefLabel)
        if label.language == "de"
    }
    assert len(set(data.objects(EVENT, SLD.participatingLand))) == 13
    assert participating == set(PARTICIPANTS)
    assert not {"Berlin", "Bremen", "Hamburg"} & participating


def test_the_four_quotes_are_verbatim_and_attributed(data):
    text = SOURCE.read_text(encoding="utf-8")
    quotes = set(data.subjects(RDF.type, SCHEMA.Quotation))
    assert len(quotes) == 4
    by_speaker = {}
    for quote in quotes:
        (said,) = data.objects(quote, SCHEMA.text)
        assert str(said) in text, f"not verbatim: {said}"
        assert f"„{said}“" in text, f"not the whole quote: {said}"
        speaker = data.value(quote, SCHEMA.spokenByCharacter)
        by_speaker[str(speaker).rsplit("/", 1)[-1]] = str(said)
    assert set(by_speaker) == set(QUOTES)
    for speaker, start in QUOTES.items():
        assert by_speaker[speaker].startswith(start)
