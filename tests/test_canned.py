"""Canned queries: header parsing, typed binding, /queries, the answer cache, `sldkg query`, the list in
docs/endpoint.md — and every canned query run on the real data with its example parameters, asserting rows
that the seed document states."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF
from repo_paths import REPO_ROOT

from sldkg.answer_cache import AnswerCache
from sldkg.canned import catalogue as canned
from sldkg.canned.catalogue import CannedQueryError, Parameter, ParameterError, load_queries, parse
from sldkg.cli import main
from sldkg.settings import Settings

ID = "https://w3id.org/sldkg/id/"
SLD = "https://w3id.org/sldkg/ontology#"
SCHEMA = rdflib.Namespace("https://schema.org/")
QUERIES = load_queries(Settings().queries_path)
THIRTEEN = {"BW", "BY", "BB", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """#+ title: T
#+ description:
#+   de: D
#+   en: E
#+ tags: [a, b]
#+ parameters:
#+   land:
#+     type: iri
#+     example: https://w3id.org/sldkg/id/land/DE-BY
#+     required: true
#+   n:
#+     type: integer
#+     default: 3
SELECT ?land ?n WHERE { ?land ?p ?n }
"""


# -- header parsing ---------------------------------------------------------------------------------


def test_parse_a_good_header(tmp_path):
    q = parse(write(tmp_path, "my-query.rq", GOOD))
    assert (q.slug, q.title, q.description, q.tags, q.form) == ("my-query", "T", {"de": "D", "en": "E"}, ("a", "b"), "SELECT")
    assert q.parameters == (
        Parameter("land", "iri", "", True, None, "https://w3id.org/sldkg/id/land/DE-BY"),
        Parameter("n", "integer", "", False, "3", None),
    )


@pytest.mark.parametrize(
    "name, text, line, message",
    [
        ("Bad_Name.rq", GOOD, 1, "not a slug"),
        ("q.rq", "#+ title: [unclosed\nSELECT * {}", 1, "not valid YAML"),
        ("q.rq", "#+ description: {de: D, en: E}\nSELECT * {}", 1, "no title"),
        ("q.rq", "#+ title: T\n#+ description: {de: D}\nSELECT * {}", 1, "'de' and 'en'"),
        ("q.rq", "#+ title: T\n#+ description: {de: D, en: E}\nINSERT DATA {}", 3, "update"),
        ("q.rq", GOOD.replace("type: integer", "type: float"), 11, "known types"),
        ("q.rq", "#+ title: T\n#+ description: {de: D, en: E}\n#+ parameters: [land]\nSELECT * {}", 3, "must be a mapping"),
        ("q.rq", GOOD.replace("SELECT ?land ?n WHERE { ?land ?p ?n }", "SELECT ?land WHERE { ?land ?p ?o }"), 11, "not used"),
        ("q.rq", GOOD.replace("required: true", "required: true\n#+     default: x"), 7, "choose one"),
        ("q.rq", GOOD.replace("example: https://w3id.org/sldkg/id/land/DE-BY", "example: DE-BY"), 7, "not an absolute IRI"),
        ("q.rq", GOOD.replace("default: 3", "default: three"), 11, "not an integer"),
        (
            "q.rq",
            GOOD.replace("SELECT ?land ?n WHERE { ?land ?p ?n }", "SELECT ?land ?n WHERE {\n  ?land ?p ?n"),
            16,
            "syntax error",
        ),  # the file ends on line 16
        (
            "q.rq",
            GOOD.replace("SELECT ?land ?n WHERE", "SELECT ?land (COUNT(*) AS ?c) WHERE").replace(
                "?land ?p ?n }", "?land ?p ?n } GROUP BY ?land"
            ),
            14,
            "projected",
        ),
    ],
)
def test_malformed_headers_name_file_and_line(tmp_path, name, text, line, message):
    with pytest.raises(CannedQueryError) as info:
        parse(write(tmp_path, name, text))
    assert f"{name}:{line}:" in str(info.value)
    assert message in str(info.value)


def test_a_bad_query_file_stops_the_server_start_with_exit_2(tmp_path, runner, monkeypatch):
    write(tmp_path, "broken.rq", "#+ title: T\nSELECT * {}")
    monkeypatch.setenv("SLDKG_QUERIES_PATH", str(tmp_path))
    result = runner.invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "broken.rq:1" in result.output


# -- typed binding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, term",
    [
        ("iri", "https://w3id.org/sldkg/id/land/DE-BY", "<https://w3id.org/sldkg/id/land/DE-BY>"),
        ("string", 'Digital "Dörfer"', '"Digital \\"Dörfer\\""'),
        ("string", "x } . ?s ?p ?o #", '"x } . ?s ?p ?o #"'),  # never query text, only a literal
        ("language", "DE", '"de"'),
        ("integer", "+42", '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("date", "2020-11-03", '"2020-11-03"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ],
)
def test_values_become_typed_terms(kind, value, term):
    assert Parameter("p", kind).to_term(value) == term


@pytest.mark.parametrize(
    "kind, value",
    [
        ("iri", "DE-BY"),
        ("iri", "https://a b"),
        ("iri", "http://x/> } INSERT {"),
        ("integer", "4.5"),
        ("integer", "1e3"),
        ("date", "2020-13-01"),
        ("date", "3.11.2020"),
        ("language", "de_DE!"),
        ("string", ""),
    ],
)
def test_ill_typed_values_are_refused_naming_the_parameter(kind, value):
    with pytest.raises(ParameterError) as info:
        Parameter("p", kind).to_term(value)
    assert info.value.parameter == "p" and "'p'" in str(info.value)


def test_bind_applies_defaults_and_refuses_missing_unknown_and_repeated(tmp_path):
    q = parse(write(tmp_path, "q.rq", GOOD))
    land = "https://w3id.org/sldkg/id/land/DE-BY"
    assert q.bind({"land": land, "format": "csv"}) == (
        ("land", f"<{land}>"),
        ("n", '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    )
    for values, parameter in (({}, "land"), ({"land": land, "x": "1"}, "x"), ({"land": [land, land]}, "land")):
        with pytest.raises(ParameterError) as info:
            q.bind(values)
        assert info.value.parameter == parameter


def test_answer_cache_is_a_bounded_lru():
    cache = AnswerCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # evicts b, the least recently used
    assert (cache.get("b"), cache.get("a"), cache.get("c"), len(cache)) == (None, 1, 3, 2)
    assert AnswerCache(0).get("a") is None


# -- the repository's queries -----------------------------------------------------------------------


def test_there_are_at_least_15_documented_queries():
    assert len(QUERIES) >= 15
    for q in QUERIES.values():
        assert q.title and q.description["de"] and q.description["en"] and q.tags
        for p in q.parameters:
            assert p.example is not None or p.default is not None, f"{q.slug}: parameter {p.name} needs an example"


def run(client, slug: str, **params):
    response = client.get(
        f"/queries/{slug}", query_string={**QUERIES[slug].example_values(), **params}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    if "boolean" in body:
        return body["boolean"]
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


def graph_of(client, slug: str) -> rdflib.Graph:
    response = client.get(f"/queries/{slug}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


def check_agenda(client):
    rows = run(client, "agenda")
    assert [int(r["position"]) for r in rows] == list(range(1, 11))  # the ten rows of the programme table
    assert [r["start"][11:16] for r in rows] == ["10:00", "10:15", "10:35", "10:55", "11:00", "11:20", "11:40", "11:50", "12:55", "13:00"]
    assert set(rows[0]["speakers"].split("; ")) == {"Stefan Schnorr", "Alex Dieke"}
    assert rows[1]["speakers"] == "Hannes Kühn" and rows[1]["organisations"] == "Nationaler Normenkontrollrat"
    assert rows[2]["speakers"] == "Kay Ruge" and rows[2]["organisations"] == "Deutscher Landkreistag"
    assert rows[4]["speakers"] == "Alexander Handschuh"
    assert "Thomas Jarzombek" in rows[6]["speakers"]
    assert rows[8]["speakers"] == "Angelika Müller"
    assert rows[9]["title"] == "Ende der Veranstaltung"


def check_speakers(client):
    rows = run(client, "speakers")
    by_name = {(r["name"], r["organisationName"]) for r in rows}
    assert {
        ("Stefan Schnorr", "Bundesministerium für Wirtschaft und Energie"),
        ("Alex Dieke", "Initiative Stadt.Land.Digital"),
        ("Hannes Kühn", "Nationaler Normenkontrollrat"),
        ("Kay Ruge", "Deutscher Landkreistag"),
        ("Alexander Handschuh", "Deutscher Städte- und Gemeindebund"),
        ("Thomas Jarzombek", "Bundesministerium für Wirtschaft und Energie"),
        ("Angelika Müller", "Bundesministerium für Wirtschaft und Energie"),
    } == by_name


def check_quotes(client):
    rows = run(client, "quotes")
    assert len(rows) == 4
    assert {r["speakerName"] for r in rows} == {"Thomas Jarzombek", "Hannes Kühn", "Kay Ruge", "Alexander Handschuh"}
    kuehn = next(r for r in rows if r["speakerName"] == "Hannes Kühn")
    assert (
        kuehn["text"] == "Die digitale Verwaltung ist ein wichtiger Standortfaktor und bietet ein enormes Potenzial für Kosteneinsparungen."
    )


def check_laender_participation(client):
    rows = run(client, "laender-participation")
    assert len(rows) == 16
    took_part = {r["isoCode"][3:] for r in rows if r["participated"] == "true"}
    assert took_part == THIRTEEN
    assert {r["name"] for r in rows if r["participated"] == "false"} == {"Berlin", "Bremen", "Hamburg"}


def check_land_participated(client):
    assert run(client, "land-participated") is True  # example: Thüringen
    assert run(client, "land-participated", land=ID + "land/DE-HH") is False


def check_organisations(client):
    rows = {r["name"]: r for r in run(client, "organisations")}
    assert rows["Bundesministerium für Wirtschaft und Energie"]["abbreviations"] == "BMWi"
    assert rows["Abteilung Digital- und Innovationspolitik"]["parentName"] == "Bundesministerium für Wirtschaft und Energie"
    assert rows["Geschäftsstelle Stadt.Land.Digital"]["parentName"] == "Initiative Stadt.Land.Digital"
    assert {"Nationaler Normenkontrollrat", "Deutscher Landkreistag", "Deutscher Städte- und Gemeindebund", "WIK-Consult GmbH"} <= set(rows)


def check_provenance(client):
    rows = run(client, "provenance")  # example: the quote of Hannes Kühn
    source = (REPO_ROOT / "data/workshops/blw6-2020-11-03/source.txt").read_text(encoding="utf-8")
    assert rows and all(source[int(r["start"]) : int(r["end"])] == r["exact"] for r in rows)
    assert any(r["exact"].startswith("Die digitale Verwaltung ist ein wichtiger Standortfaktor") for r in rows)


def check_label_search(client):
    rows = run(client, "label-search")  # example: "Normenkontrollrat"
    assert ID + "org/nkr" in {r["resource"] for r in rows}
    assert all("normenkontrollrat" in r["label"].lower() for r in rows)
    english = run(client, "label-search", text="regulatory control", lang="en")
    assert ID + "org/nkr" in {r["resource"] for r in english}


def check_topics(client):
    rows = {r["topicName"]: r for r in run(client, "topics")}
    assert {"OZG-Umsetzung", "Digitalagenturen", "Digitalstrategien", "Hackathons"} <= set(rows)
    assert "Tour de table" in rows["Hackathons"]["cameUpIn"]  # hackathons came up in the tour de table


def check_topic(client):
    rows = run(client, "topic")  # example: OZG-Umsetzung
    where = {r["where"] for r in rows}
    assert ID + "event/blw-2020-11-03/agenda/02" in where  # Kühn's talk on the OZG
    assert {ID + "initiative/amt24", ID + "initiative/kommunalportal-nrw"} <= where


def check_report_metadata(client):
    graph = graph_of(client, "report-metadata")
    report = rdflib.URIRef(ID + "report/blw-2020-11-03")
    assert (report, RDF.type, SCHEMA.Report) in graph
    assert graph.value(report, SCHEMA.editor) == rdflib.URIRef(ID + "person/blw-2020-11-03/julia-wielgosch")
    assert graph.value(report, SCHEMA.accountablePerson) == rdflib.URIRef(ID + "person/blw-2020-11-03/alex-dieke")
    assert str(graph.value(report, rdflib.URIRef("http://purl.org/dc/terms/date"))) == "2020-11"
    agents = {
        graph.value(a, rdflib.URIRef("http://www.w3.org/ns/prov#agent"))
        for a in graph.objects(report, rdflib.URIRef("http://www.w3.org/ns/prov#qualifiedAttribution"))
    }
    assert rdflib.URIRef(ID + "person/blw-2020-11-03/karin-wagner") in agents  # Satz und Layout


def check_workshop(client):
    graph = graph_of(client, "workshop")
    event = rdflib.URIRef(ID + "event/blw-2020-11-03")
    assert graph.value(event, rdflib.URIRef(SLD + "participantCount")).toPython() == 46
    assert len(set(graph.objects(event, rdflib.URIRef(SLD + "participatingLand")))) == 13


def check_initiatives_by_land(client):
    rows = run(client, "initiatives-by-land")
    by_name = {r["name"]: r for r in rows}
    assert by_name["Digitale Dörfer"]["landName"] == "Rheinland-Pfalz" and by_name["Digitale Dörfer"]["startYear"] == "2015"
    assert by_name["Kommunal? Digital!"]["landName"] == "Bayern" and by_name["Kommunal? Digital!"]["kinds"] == "Wettbewerb"
    assert by_name["Digitale Modellkommunen"]["landName"] == "Schleswig-Holstein"
    assert by_name["DigitalStarter Saarland"]["kinds"] == "Förderprogramm"
    assert {"Hamburg", "Bremen", "Berlin"}.isdisjoint({r["landName"] for r in rows})


def check_land_report(client):
    rows = run(client, "land-report")  # example: Sachsen-Anhalt
    assert {r["land"] for r in rows} == {ID + "land/DE-ST"}
    names = {r["name"]: r for r in rows}
    assert "#digitalgegencorona – Geschichten aus Sachsen-Anhalt" in names
    centres = names["Regionale Digitalisierungszentren in Sachsen-Anhalt"]
    assert (centres["count"], centres["startYear"]) == ("6", "2019")  # "seit 2019 bereits sechs"
    assert any("Barleben" in n for n in names)


def check_initiatives_by_type(client):
    rows = run(client, "initiatives-by-type")  # example: competitions
    assert {(r["name"], r["landName"]) for r in rows} == {
        ("Digitale Modellkommunen", "Schleswig-Holstein"),
        ("Kommunal? Digital!", "Bayern"),
        ("Gemeinden, Städte und Landkreise 4.0 – Future Communities", "Baden-Württemberg"),
    }
    every_kind = client.get("/queries/initiatives-by-type", headers={"Accept": "application/sparql-results+json"}).get_json()
    assert len(every_kind["results"]["bindings"]) > len(rows)  # without the parameter: all kinds


def check_counts_per_land(client):
    counts = {r["name"]: int(r["initiatives"]) for r in run(client, "counts-per-land")}
    assert len(counts) == 16
    assert counts["Nordrhein-Westfalen"] == 5  # Modellregionen, Kommunalportal, Portalverbund, CDO-Austausch, Broschüre
    assert counts["Bayern"] == 1 and counts["Thüringen"] == 1
    assert counts["Hamburg"] == counts["Bremen"] == counts["Berlin"] == 0


def check_counts_per_type(client):
    counts = {r["type"]: int(r["initiatives"]) for r in run(client, "counts-per-type")}
    assert counts[SLD + "Competition"] == 3
    assert counts[SLD + "Prize"] == 2  # Digital- und Open-Source-Preis Thüringen, #digitalgegencorona


def check_apps_and_platforms(client):
    rows = {r["name"]: r for r in run(client, "apps-and-platforms")}
    for app in ("DorfFunk", "DorfNews"):
        assert (rows[app]["partOfName"], rows[app]["landName"], rows[app]["releasedStatewide"]) == (
            "Digitale Dörfer",
            "Rheinland-Pfalz",
            "2020",
        )
    assert rows["Amt24"]["landName"] == "Sachsen"
    assert rows["Digitalisierungsplattform (Hessen)"]["landName"] == "Hessen"


def check_federal_vs_land(client):
    rows = run(client, "federal-vs-land")
    federal = {r["name"]: r.get("responsible") for r in rows if r["level"] == "Bund"}
    assert federal["Modellprojekte Smart Cities"] == "Bundesministerium des Innern, für Bau und Heimat"
    assert ("Land", "Digitale Dörfer", "Rheinland-Pfalz") in {(r["level"], r["name"], r.get("responsible")) for r in rows}


def check_person_statements(client):
    rows = run(client, "person-statements")  # example: Dr. Kay Ruge
    assert {r["person"] for r in rows} == {ID + "person/blw-2020-11-03/kay-ruge"}
    quote = [r for r in rows if r["kind"] == "Zitat"]
    assert [r["text"] for r in quote] == [
        "Um eine flächendeckende Digitalisierung zu erreichen, muss die kommunale Sicht in den Mittelpunkt gestellt werden."
    ]
    assert any(r["kind"] == "Aussage" for r in rows)


def check_initiatives_since(client):
    rows = run(client, "initiatives-since")  # example: since 2015
    assert {(r["name"], r["startYear"]) for r in rows} >= {
        ("Digitale Dörfer", "2015"),  # "In Rheinland-Pfalz wird seit 2015 das Projekt „Digitale Dörfer“ gefördert"
        ("Regionale Digitalisierungszentren in Sachsen-Anhalt", "2019"),  # "seit 2019 bereits sechs"
    }
    assert [r["name"] for r in run(client, "initiatives-since", year="2016")] == [
        n for n in (r["name"] for r in rows) if n != "Digitale Dörfer"
    ]
    assert run(client, "initiatives-since", year="2020") == []


def check_series_events(client):
    rows = run(client, "series-events")  # example: from 2020-11-03
    assert [(r["event"], r["date"]) for r in rows] == [
        (ID + "event/blw-2020-11-03", "2020-11-03"),
        (ID + "event/blw-2021-04-27", "2021-04-27"),
    ]
    later = run(client, "series-events", **{"from": "2020-11-04"})
    assert [(r["date"], r["tentative"]) for r in later] == [("2021-04-27", "true")]  # "voraussichtlich am 27. April 2021"


def check_statement_provenance(client):
    rows = run(client, "statement-provenance")  # example: the Land of the Beteiligungsportal, read from the sentence before
    assert {r["kind"] for r in rows} == {"inferred"} and all(r["note"] for r in rows)
    assert {r["quote"][:20] for r in rows} == {"So werden in Sachsen", "Über ein digitales B"}
    source = (REPO_ROOT / "data/workshops/blw6-2020-11-03/source.txt").read_text(encoding="utf-8")
    assert all(source[int(r["start"]) : int(r["end"])] == r["quote"] for r in rows)
    count = run(client, "statement-provenance", subject=ID + "event/blw-2020-11-03", predicate=SLD + "participantCount", object="")
    assert [(r["object"], r["quote"], r["kind"]) for r in count] == [("46", "Insgesamt 46 Fachleute nahmen an dem Treffen teil", "stated")]


def check_land_initiatives_per_report(client):
    rows = run(client, "land-initiatives-per-report")  # example: Nordrhein-Westfalen
    assert {r["report"] for r in rows} == {ID + "report/blw-2020-11-03"}
    status = {r["name"]: r.get("statusName") for r in rows}
    assert status == {
        "Digitale Modellregionen in NRW": "laufend",
        "Kommunalportal.NRW": "geplant",
        "Portalverbund.NRW": "in Umsetzung",
        "Landesweiter Austausch der CDOs in NRW": "laufend",
        "Digitale Broschüre über die Modellregionen in NRW": "laufend",
    }


def check_land_participation_per_workshop(client):
    rows = run(client, "land-participation-per-workshop")  # example: Thüringen
    assert [(r["event"], r["participated"]) for r in rows] == [(ID + "event/blw-2020-11-03", "true")]
    hamburg = run(client, "land-participation-per-workshop", land=ID + "land/DE-HH")
    assert [r["participated"] for r in hamburg] == ["false"]  # not among the 13 Länder the report names


def check_people_per_workshop(client):
    rows = run(client, "people-per-workshop")
    assert {r["event"] for r in rows} == {ID + "event/blw-2020-11-03"}
    by_name = {r["name"]: r for r in rows}
    assert len(by_name) == 11  # everyone the report names, the imprint and the photo caption included
    assert by_name["Stefan Schnorr"]["roleName"] == "Abteilungsleitung"
    assert by_name["Stefan Schnorr"]["organisationName"] == "Abteilung Digital- und Innovationspolitik"
    assert by_name["Angelika Müller"]["jobTitle"] == "Referatsleiterin"
    assert "roleName" not in by_name["Kay Ruge"]  # the report names no function for him


def check_report_changes(client):
    assert run(client, "report-changes") == []  # example: the only real report against itself


CHECKS = {name[len("check_") :].replace("_", "-"): f for name, f in globals().items() if name.startswith("check_")}


def test_every_canned_query_has_a_data_test():
    assert set(CHECKS) == set(QUERIES)


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_canned_query_on_the_real_data(client, slug):
    CHECKS[slug](client)


# -- /queries over HTTP (app level) -----------------------------------------------------------------


def test_list_as_json_and_html(client):
    listed = client.get("/queries", headers={"Accept": "application/json"}).get_json()["queries"]
    assert [q["slug"] for q in listed] == list(QUERIES)
    provenance = next(q for q in listed if q["slug"] == "provenance")
    assert provenance["parameters"][0]["type"] == "iri" and provenance["url"].endswith("/queries/provenance")
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert all(f'action="http://localhost/queries/{slug}"' in text for slug in QUERIES)
    assert '<label for="provenance-resource">' in text


@pytest.mark.parametrize(
    "slug, params, parameter",
    [
        ("provenance", {}, "resource"),
        ("provenance", {"resource": "not-an-iri"}, "resource"),
        ("agenda", {"speaker": "x"}, "speaker"),
        ("label-search", {"text": "x", "lang": "d e"}, "lang"),
        ("initiatives-since", {"year": "2015.5"}, "year"),
        ("series-events", {"from": "27.04.2021"}, "from"),
        ("agenda", {"format": "yaml"}, "format"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, slug, params, parameter):
    response = client.get(f"/queries/{slug}", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    assert repr(parameter) in response.get_json()["error"]["message"] or parameter in response.get_json()["error"]["message"]


def test_non_utf8_parameter_is_400(client):
    response = client.get("/queries/label-search?text=%FF")
    assert response.status_code == 400 and response.get_json()["error"]["kind"] == "encoding"


def test_unknown_query_is_404(client):
    assert client.get("/queries/no-such-query").status_code == 404


def test_canned_formats_follow_the_endpoint_rules(client):
    csv_answer = client.get("/queries/quotes", headers={"Accept": "text/csv"})
    assert csv_answer.mimetype == "text/csv" and csv_answer.get_data(as_text=True).startswith("quote,speaker,")
    assert client.get("/queries/quotes", headers={"Accept": "text/turtle"}).status_code == 406
    assert client.get("/queries/workshop", headers={"Accept": "application/sparql-results+json"}).status_code == 406
    nt = client.get("/queries/workshop", query_string={"format": "nt"})
    assert nt.mimetype == "application/n-triples" and len(rdflib.Graph().parse(data=nt.data, format="nt")) > 20


def test_identical_requests_are_answered_from_the_cache(app, client, monkeypatch):
    monkeypatch.setattr(app.extensions["sldkg"], "canned_answers", AnswerCache(16))  # fresh: the app is shared by the session
    backend = app.extensions["sldkg"].backend
    calls = []
    real_run = backend.run
    monkeypatch.setattr(backend, "run", lambda job: calls.append(job) or real_run(job))
    query = {"text": "Digitalagentur"}
    first = client.get("/queries/label-search", query_string=query)
    second = client.get("/queries/label-search", query_string=query)
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert len(calls) == 1
    client.get("/queries/label-search", query_string={"text": "Digitalagentur", "format": "csv"})  # other media type
    client.get("/queries/label-search", query_string={"text": "Portal"})  # other binding
    assert len(calls) == 3
    assert calls[-1].substitutions == (("text", '"Portal"'), ("lang", '"de"'))


def test_large_answers_are_not_cached(app, client, monkeypatch):
    from sldkg.web import queries as queries_view

    monkeypatch.setattr(app.extensions["sldkg"], "canned_answers", AnswerCache(16))
    backend = app.extensions["sldkg"].backend
    calls = []
    real_run = backend.run
    monkeypatch.setattr(backend, "run", lambda job: calls.append(job) or real_run(job))
    monkeypatch.setattr(queries_view, "CACHE_MAX_BODY", 10)
    for _ in range(2):
        assert client.get("/queries/label-search", query_string={"text": "Hessen"}).status_code == 200
    assert len(calls) == 2


def test_canned_revalidation_and_cors(client):
    first = client.get("/queries/quotes")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/queries/quotes", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# -- the command line -------------------------------------------------------------------------------


def test_cli_query_prints_csv_by_default(runner):
    result = runner.invoke(main, ["query", "laender-participation"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "land,isoCode,name,participated" and len(lines) == 17


def test_cli_query_with_parameters_and_format(runner):
    result = runner.invoke(main, ["query", "land-report", "-p", f"land={ID}land/DE-RP", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {b["name"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert names == {"Digitale Dörfer", "Digitale Stadt"}


@pytest.mark.parametrize(
    "args, named",
    [
        (["query", "land-report", "-p", "land=DE-RP"], "'land'"),
        (["query", "land-report"], "'land'"),
        (["query", "land-report", "-p", "lnd=x"], "'lnd'"),
        (["query", "land-report", "-p", "novalue"], "NAME=VALUE"),
        (["query", "no-such-query"], "no canned query"),
        (["query", "workshop", "--format", "csv"], "--format"),
    ],
)
def test_cli_query_bad_input_exits_2_naming_it(runner, args, named):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert named in result.output


# -- the generated list in docs/endpoint.md -------------------------------------------------------

REGENERATE = "python -m sldkg.canned.catalogue --readme --write docs/endpoint.md"


def test_the_endpoint_docs_list_matches_the_query_headers():
    docs = (REPO_ROOT / "docs" / "endpoint.md").read_text(encoding="utf-8")
    section = canned.readme_section_of(docs)
    assert section is not None, f"docs/endpoint.md lacks the generated list; run: {REGENERATE}"
    assert section == canned.readme_list(QUERIES), f"docs/endpoint.md's canned query list drifted; regenerate it with: {REGENERATE}"


def test_the_generated_list_links_every_query_file_from_docs():
    targets = re.findall(r"\]\((\.\./queries/[^)]+)\)", canned.readme_list(QUERIES))
    assert len(targets) == len(QUERIES)
    assert all((REPO_ROOT / "docs" / target).resolve().is_file() for target in targets)


def test_list_generator_prints_the_list(capsys):
    assert canned.main(["--readme"]) == 0
    assert capsys.readouterr().out.strip() == canned.readme_list(QUERIES)


def test_list_generator_rewrites_only_its_section(tmp_path):
    readme = write(tmp_path, "README.md", f"# T\n\n{canned.README_START}\nold\n{canned.README_END}\n\n## After\n")
    assert canned.main(["--readme", "--write", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# T\n\n") and text.endswith("\n\n## After\n")
    assert canned.readme_section_of(text) == canned.readme_list(QUERIES)
    assert canned.main(["--readme", "--write", str(write(tmp_path, "other.md", "no markers"))]) == 2


def test_head_and_preflight_on_canned_queries(client):
    head = client.head("/queries/quotes", headers={"Accept": "text/csv"})
    assert head.status_code == 200 and head.mimetype == "text/csv" and head.data == b""
    preflight = client.options("/queries/quotes", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*" and "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.options("/openapi.json").headers["Access-Control-Allow-Origin"] == "*"
