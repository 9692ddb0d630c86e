"""The series queries across two reports: the real 2020 report and a FICTIONAL second one
(tests/fixtures/FICTIONAL-blw-2099-05-05.ttl, made up for this test and never served) that gives another
status of the same initiative, another set of Länder and a namesake of a 2020 speaker."""

from __future__ import annotations

import json

import pytest
from repo_paths import REPO_ROOT

from sldkg.cli import main

ID = "https://w3id.org/sldkg/id/"
SLD = "https://w3id.org/sldkg/ontology#"
FICTIONAL = REPO_ROOT / "tests" / "fixtures" / "FICTIONAL-blw-2099-05-05.ttl"
REAL, MADE_UP = ID + "report/blw-2020-11-03", ID + "report/blw-2099-05-05"


def ask(runner, slug: str, **params: str) -> list[dict[str, str]]:
    args = [
        "query",
        slug,
        "--format",
        "json",
        "--data",
        str(REPO_ROOT / "ontology"),
        "--data",
        str(REPO_ROOT / "data"),
        "--data",
        str(FICTIONAL),
    ]
    for name, value in params.items():
        args += ["-p", f"{name}={value}"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]


def test_a_lands_initiatives_per_report_newest_first_each_with_its_own_status(runner):
    rows = ask(runner, "land-initiatives-per-report", land=ID + "land/DE-SN")
    amt24 = [(r["report"], r["status"]) for r in rows if r["initiative"] == ID + "initiative/amt24"]
    assert amt24 == [(MADE_UP, SLD + "InProgress"), (REAL, SLD + "Running")]
    assert rows[0]["report"] == MADE_UP  # newest first
    assert {r["name"] for r in rows if r["report"] == REAL} >= {"Amt24", "Digitalagentur (Sachsen, geplant)"}


def test_a_lands_participation_per_workshop(runner):
    hamburg = [(r["date"], r["participated"]) for r in ask(runner, "land-participation-per-workshop", land=ID + "land/DE-HH")]
    assert hamburg == [("2099-05-05", "true"), ("2020-11-03", "false")]
    thueringen = [(r["date"], r["participated"]) for r in ask(runner, "land-participation-per-workshop", land=ID + "land/DE-TH")]
    assert thueringen == [("2099-05-05", "false"), ("2020-11-03", "true")]


def test_people_per_workshop_keep_namesakes_apart(runner):
    rows = ask(runner, "people-per-workshop")
    schnorr = {(r["report"], r["person"], r.get("jobTitle")) for r in rows if r["name"] == "Stefan Schnorr"}
    assert schnorr == {
        (MADE_UP, ID + "person/blw-2099-05-05/stefan-schnorr", "FIKTIVE Funktion"),
        (REAL, ID + "person/blw-2020-11-03/stefan-schnorr", "Leiter der Abteilung Digital- und Innovationspolitik im BMWi"),
    }


def test_what_changed_between_the_two_reports(runner):
    rows = ask(runner, "report-changes", first=REAL, second=MADE_UP)
    assert {(r["subject"], r["predicate"], r["change"], r["value"]) for r in rows} == {
        (ID + "initiative/amt24", SLD + "status", "removed", SLD + "Running"),
        (ID + "initiative/amt24", SLD + "status", "added", SLD + "InProgress"),
    }


@pytest.mark.parametrize("report", [REAL, MADE_UP])
def test_nothing_changed_between_a_report_and_itself(runner, report):
    assert ask(runner, "report-changes", first=report, second=report) == []


def test_statement_provenance_answers_per_report(runner):
    rows = ask(runner, "statement-provenance", subject=ID + "initiative/amt24", predicate=SLD + "status")
    assert {(r["object"], r["report"], r["kind"]) for r in rows} == {
        (SLD + "Running", REAL, "stated"),
        (SLD + "InProgress", MADE_UP, "stated"),
    }
