"""Per-statement provenance and the series rules of docs/MODEL.md, checked on the real data.

Every fact triple of a report has one rdf:Statement (its IRI the hash of the triple) that names the
passages supporting that very triple and whether they state it or it is inferred; reference data
holds identity only; IRIs follow the series rules (one event rule, report-scoped people, passage
slugs that do not shift); the corrections of the independent review stay applied.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import ModuleType

import pytest
import rdflib
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from sldkg.graph import naming

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
REFERENCE = DATA / "reference"
REPORTS = sorted(p.parent for p in (DATA / "workshops").glob("*/report.ttl"))

ID = "https://w3id.org/sldkg/id/"
KEY = "blw-2020-11-03"
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SLD = Namespace("https://w3id.org/sldkg/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Predicates a reference file may use (identity, names, classification, links): everything a report
#: says about a shared resource lives in that report's folder.
REFERENCE_PREDICATES = {
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    SCHEMA.sameAs,
    SKOS.exactMatch,
    ORG.classification,
    DCTERMS.subject,
}
#: Shared vocabularies in data/reference/ that are not entities of the reports.
VOCABULARY_TYPES = {SLD.Land, SKOS.Concept, SKOS.ConceptScheme, SCHEMA.Audience}


def load_tool() -> ModuleType:
    """The module behind ``sldkg provenance``."""
    from sldkg.graph import provenance

    return provenance


def parse(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    return parse(*sorted(DATA.rglob("*.ttl")))


@pytest.fixture(scope="module")
def facts() -> rdflib.Graph:
    """The fact files of every report (without passages and statements)."""
    tool = load_tool()
    return parse(*[p for r in REPORTS for p in sorted(r.glob("*.ttl")) if p.name not in tool.NOT_FACT_FILES])


def statements_of(data: rdflib.Graph) -> dict[URIRef, tuple[rdflib.term.Node, ...]]:
    return {
        st: (data.value(st, RDF.subject), data.value(st, RDF.predicate), data.value(st, RDF.object))
        for st in data.subjects(RDF.type, RDF.Statement)
    }


def statement(data: rdflib.Graph, s: str, p: URIRef, o: rdflib.term.Node | None = None) -> URIRef:
    found = [
        st
        for st, (ss, pp, oo) in statements_of(data).items()
        if ss == URIRef(ID + s)
        and pp == p
        and (o is None or oo == o)
        and not (isinstance(oo, Literal) and oo.language == "en")  # the German original, not its translation
    ]
    assert len(found) == 1, (s, p, o, found)
    return found[0]


def passages(data: rdflib.Graph, st: URIRef) -> set[str]:
    return {str(p).rsplit("/", 1)[1] for p in data.objects(st, PROV.wasDerivedFrom)}


# --- every fact triple has its statement --------------------------------------------------------


def test_every_fact_triple_has_exactly_one_statement_and_every_statement_a_fact(data, facts):
    tool = load_tool()
    wanted = {(s, p, o) for s, p, o in facts if tool.is_fact(s, p, o, facts)}
    described = list(statements_of(data).values())
    assert len(wanted) > 600
    assert len(described) == len(set(described)), "two statements describe the same triple"
    assert wanted == set(described)


def test_statement_iris_are_the_hash_of_their_triple(data):
    for st, (s, p, o) in statements_of(data).items():
        assert st == naming.statement_iri(KEY, s, p, o), st
        line = f"{s.n3()} {p.n3()} {o.n3()} .".encode()
        assert str(st).endswith("/fact/" + hashlib.sha256(line).hexdigest()[:16])


def test_every_statement_cites_passages_of_its_own_report_and_says_stated_or_inferred(data):
    for st in statements_of(data):
        report = str(st).split("/fact/")[0]
        cited = list(data.objects(st, PROV.wasDerivedFrom))
        assert cited, st
        assert all(str(p).startswith(report + "/passage/") for p in cited), st
        assert all((p, RDF.type, OA.SpecificResource) in data for p in cited), st
        kinds = set(data.objects(st, SLD.supportKind))
        assert len(kinds) == 1 and kinds <= {SLD.Stated, SLD.Inferred}, st
        if SLD.Inferred in kinds:
            assert {n.language for n in data.objects(st, SKOS.note)} == {"de", "en"}, st


def test_a_resources_own_sources_are_the_passages_of_its_statements(data):
    union: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for st, (s, _p, _o) in statements_of(data).items():
        union.setdefault(s, set()).update(data.objects(st, PROV.wasDerivedFrom))
    for resource, cited in union.items():
        assert set(data.objects(resource, PROV.wasDerivedFrom)) == cited, resource


def test_the_tool_check_finds_nothing_to_do():
    assert load_tool().run_all(load_tool().report_folders(REPO / "data"), check=True) == 0


def test_the_shape_lists_every_fact_predicate_and_exempts_what_the_tool_exempts(data, facts):
    """SupportedFactShape names the fact predicates positively (fast); the data must not outgrow it."""
    tool = load_tool()
    shapes = parse(REPO / "shapes" / "provenance.ttl")
    shape = URIRef("https://w3id.org/sldkg/shapes#SupportedFactShape")
    target = shapes.value(shape, SH.target)
    query = str(shapes.value(target, SH.select))
    listed = set(re.search(r"VALUES \?path \{(.*?)\}", query, re.DOTALL).group(1).split())
    prefixes = {p: str(ns) for p, ns in shapes.namespaces()}
    expanded = {URIRef(prefixes[c.split(":")[0]] + c.split(":")[1]) for c in listed}
    used = {p for s, p, o in facts if tool.is_fact(s, p, o, facts)}
    assert used <= expanded, f"fact predicates missing from SupportedFactShape: {sorted(used - expanded)}"
    assert not expanded & tool.NOT_FACTS


# --- what the review asked to mark as inferred ---------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    [
        ("app/dorffunk", SLD.releasedStatewide, None),  # "in diesem Jahr" read as 2020
        ("initiative/beteiligungsportal-sachsen", SLD.land, URIRef(ID + "land/DE-SN")),
        ("initiative/stadt-land-digital", SCHEMA.url, None),  # the https scheme
        ("org/geschaeftsstelle-stadt-land-digital", SLD.operatedBy, URIRef(ID + "org/wik-consult")),  # imprint layout
        (f"statement/{KEY}/schnorr-nutzen-der-workshops", SCHEMA.author, None),  # may be the report's own voice
        (f"statement/{KEY}/geschaeftsstelle-neues-team", SCHEMA.text, None),  # "Seit Sommer dieses Jahres"
    ],
)
def test_what_is_read_between_the_lines_is_marked_inferred(data, subject, predicate, obj):
    st = statement(data, subject, predicate, obj)
    assert data.value(st, SLD.supportKind) == SLD.Inferred
    assert {n.language for n in data.objects(st, SKOS.note)} == {"de", "en"}


def test_the_participant_count_cites_the_sentence_that_gives_it(data):
    st = statement(data, f"event/{KEY}", SLD.participantCount)
    assert passages(data, st) == {"insgesamt-46-fachleute-nahmen-an-dem"}
    assert data.value(st, SLD.supportKind) == SLD.Stated


def test_the_citations_the_review_found_incomplete(data):
    dieke = statement(data, f"statement/{KEY}/dieke-ziele-und-angebote", SCHEMA.author)
    assert "alex-dieke-leiter-der-geschaeftsstelle" in passages(data, dieke)  # the passage that names him
    kuehn = [
        st
        for st, (s, p, o) in statements_of(data).items()
        if s == URIRef(f"{ID}statement/{KEY}/kuehn-wesentliche-herausforderungen") and p == SCHEMA.text
    ]
    for st in kuehn:  # the challenge sentence and its three parts
        assert len(passages(data, st)) == 4, passages(data, st)
    summer = statement(data, f"statement/{KEY}/geschaeftsstelle-neues-team", SCHEMA.text)
    assert passages(data, summer) == {"seit-sommer-dieses-jahres-wird-die", "stand-november-2020"}


# --- adding a report touches only its folder -------------------------------------------------------


@pytest.mark.parametrize("path", sorted(REFERENCE.glob("*.ttl")), ids=lambda p: p.name)
def test_reference_data_holds_identity_only_and_cites_no_report(path):
    graph = parse(path)
    assert not list(graph.triples((None, PROV.wasDerivedFrom, None))), "reference data cites a report"
    for s in set(graph.subjects()):
        if set(graph.objects(s, RDF.type)) & VOCABULARY_TYPES:
            continue
        extra = {p for p in graph.predicates(s) if p not in REFERENCE_PREDICATES}
        assert not extra, f"{s}: facts in reference data belong to a report folder: {sorted(extra)}"


def test_the_series_does_not_list_its_events_each_event_states_its_membership(data):
    series = URIRef(ID + "series/bundeslaenderworkshop")
    assert not list(data.objects(series, SCHEMA.subEvent))
    members = set(data.subjects(SCHEMA.superEvent, series))
    assert {URIRef(f"{ID}event/{KEY}"), URIRef(ID + "event/blw-2021-04-27")} <= members


# --- IRI rules for a series ----------------------------------------------------------------------


def test_every_workshop_of_the_series_follows_one_event_iri_rule(data):
    series = URIRef(ID + "series/bundeslaenderworkshop")
    for event in data.subjects(SCHEMA.superEvent, series):
        match = re.fullmatch(re.escape(ID) + r"event/blw-(\d{4}-\d{2}-\d{2})", str(event))
        assert match, event
        assert str(data.value(event, SCHEMA.startDate)).startswith(match[1]), event


def test_people_are_minted_per_report_so_namesakes_never_merge(data):
    keys = {str(r).split("/report/")[1] for r in data.subjects(RDF.type, SCHEMA.Report) if "/report/blw-" in str(r)}
    for person in data.subjects(RDF.type, SCHEMA.Person):
        match = re.fullmatch(re.escape(ID) + r"person/([a-z0-9-]+)/([a-z0-9-]+)", str(person))
        assert match and match[1] in keys, person
        for st, (s, _p, _o) in statements_of(data).items():
            if s == person:
                assert f"/report/{match[1]}/fact/" in str(st), "a person's facts come from the report that names them"


def test_quotes_are_named_by_speaker_and_their_words_so_a_speaker_can_have_several(data):
    for quote in data.subjects(RDF.type, SCHEMA.Quotation):
        speaker = str(data.value(quote, SCHEMA.spokenByCharacter)).rsplit("/", 1)[1]
        words = "-".join(naming.slug(str(data.value(quote, SCHEMA.text))).split("-")[:3])
        assert str(quote).startswith(f"{ID}quote/{KEY}/{speaker}-{words}"), quote


def test_passage_iris_come_from_their_words_not_from_their_position(data):
    for passage in data.subjects(RDF.type, OA.SpecificResource):
        slug = str(passage).rsplit("/", 1)[1]
        assert not re.fullmatch(r"p\d+", slug), passage
        (quote,) = [s for s in data.objects(passage, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in data]
        expected = naming.slug(str(data.value(quote, OA.exact)))
        assert re.fullmatch(re.escape(expected) + r"(-\d+)?", slug), (slug, expected)


# --- the corrections of the independent review ---------------------------------------------------


def test_review_corrections_stay_applied(data):
    department = URIRef(ID + "org/bmwi-abteilung-digital-und-innovationspolitik")
    assert not list(data.objects(department, SKOS.notation))
    assert Literal("Abteilung VI", lang="de") in set(data.objects(department, SKOS.altLabel))
    assert not list(data.objects(URIRef(f"{ID}event/{KEY}"), SCHEMA.funder))
    assert not list(data.triples((None, OWL.sameAs, None)))
    for audience in data.objects(None, SCHEMA.audience):
        assert (audience, RDF.type, SCHEMA.Audience) in data, audience
    for _s, item in data.subject_objects(SCHEMA.appearance):
        assert (item, RDF.type, SCHEMA.Report) in data, item
    for quote in data.subjects(RDF.type, SCHEMA.Quotation):
        assert not list(data.objects(quote, SCHEMA.about))
    hidden = {str(o) for o in data.objects(None, SKOS.hiddenLabel)}
    assert {"DSTGB", "Kommunalportal. NRW"} <= hidden
    assert not {"DSTGB", "Kommunalportal. NRW"} & {str(o) for o in data.objects(None, SKOS.altLabel)}
    text = URIRef(f"{ID}report/{KEY}/text")
    assert isinstance(data.value(text, DCTERMS.language), URIRef)
    assert isinstance(data.value(text, DCTERMS["format"]), URIRef)
    for person in data.subjects(RDF.type, SCHEMA.Person):
        assert [label.language for label in data.objects(person, RDFS.label)] == ["de"], person
    for initiative in ("digitale-doerfer", "kommunal-digital", "future-communities"):
        names = list(data.objects(URIRef(ID + "initiative/" + initiative), RDFS.label))
        assert all(n.language == "de" for n in names), initiative


def test_the_tool_proposes_a_statement_for_a_changed_fact_and_drops_the_old_one(tmp_path):
    """A contributor edits a fact: --check names the gap, a run replaces the statement, --check is clean."""
    tool = load_tool()
    report = tmp_path / REPORTS[0].name
    report.mkdir()
    for path in REPORTS[0].iterdir():
        (report / path.name).write_bytes(path.read_bytes())
    event = report / "event.ttl"
    event.write_text(event.read_text(encoding="utf-8").replace("sld:participantCount 46", "sld:participantCount 47"), encoding="utf-8")
    assert tool.run_all([report], check=True) == 1
    assert tool.run_all([report]) == 0
    assert tool.run_all([report], check=True) == 0
    graph = parse(report / "provenance.ttl")
    (node,) = graph.subjects(RDF.predicate, SLD.participantCount)
    assert graph.value(node, RDF.object) == Literal(47)
    assert list(graph.objects(node, PROV.wasDerivedFrom))  # a proposal, marked for review: no passage says 47
    assert "# REVIEW" in (report / "provenance.ttl").read_text(encoding="utf-8")
