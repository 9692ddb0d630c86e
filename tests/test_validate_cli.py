"""``sldkg validate``: exit codes 0/1/2 and every output format, parsed rather than string-matched."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH
from repo_paths import REPO_ROOT

from sldkg.cli import main

PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .
@prefix land: <https://w3id.org/sldkg/id/land/> .
"""

#: Two faults in one Land (line 7 is its subject line): a Land key out of range and no German name.
BAD_LAND = (
    PREFIXES
    + """
# a contributor's mistake
land:DE-BY a sld:Land ;
    rdfs:label "Bayern"@de ;
    skos:prefLabel "Bavaria"@en ;
    sld:isoCode "DE-BY" ;
    sld:landKey "99" .
"""
)
BAD_LINE = 7

GOOD_LAND = (
    PREFIXES
    + """
land:DE-BY a sld:Land ;
    rdfs:label "Bayern"@de ;
    skos:prefLabel "Bayern"@de , "Bavaria"@en ;
    sld:isoCode "DE-BY" ;
    sld:landKey "09" .
"""
)


@pytest.fixture()
def bad_data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "laender.ttl").write_text(BAD_LAND, encoding="utf-8")
    return folder


def invoke(runner, *args):
    return runner.invoke(main, ["validate", *args], catch_exceptions=False)


def test_the_repository_data_conforms_with_exit_code_0_and_prints_the_time(runner):
    result = invoke(runner)
    assert result.exit_code == 0, result.output
    assert re.search(r"^conforms: no results – \d+ triples in \d+ files, \d+ shape files, validated in \d+\.\d\d s$", result.output, re.M)


def test_good_data_conforms(runner, tmp_path):
    (tmp_path / "laender.ttl").write_text(GOOD_LAND, encoding="utf-8")
    assert invoke(runner, str(tmp_path)).exit_code == 0


def test_text_output_groups_the_results_by_focus_node_under_its_file_and_line(runner, bad_data):
    result = invoke(runner, str(bad_data))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    headers = [line for line in lines if not line.startswith(" ") and line.endswith("land:DE-BY")]
    assert len(headers) == 1 and headers[0].endswith(f"laender.ttl:{BAD_LINE}: land:DE-BY")
    assert "Violation: A Land has exactly one two-digit Land key" in result.output
    assert 'value "99"' in result.output and "sldsh:Land-landKey, PatternConstraintComponent" in result.output
    assert lines[-1].startswith("does not conform: 2 violations")


def test_messages_in_german_on_request(runner, bad_data):
    result = invoke(runner, str(bad_data), "--lang", "de")
    assert "Ein Land hat genau einen zweistelligen Landesschlüssel" in result.output


def test_json_output(runner, bad_data):
    result = invoke(runner, str(bad_data), "--format", "json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["conforms"] is False and body["counts"] == {"Violation": 2}
    found = {(r["sourceShape"], r["sourceConstraintComponent"]) for r in body["results"]}
    assert found == {
        ("sldsh:Land-landKey", "sh:PatternConstraintComponent"),
        ("sldsh:Land-prefLabel", "sh:QualifiedMinCountConstraintComponent"),
    }
    for r in body["results"]:
        assert r["file"].endswith("data/laender.ttl") and r["line"] == BAD_LINE
        assert r["focusNode"] == "land:DE-BY"
        assert set(r["messages"]) == {"de", "en"}


def test_turtle_output_is_a_w3c_validation_report(runner, bad_data):
    result = invoke(runner, str(bad_data), "--format", "turtle")
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 2
    assert all((r, RDF.type, SH.ValidationResult) in report for r in results)


def test_turtle_output_of_conforming_data_says_so(runner, tmp_path):
    (tmp_path / "laender.ttl").write_text(GOOD_LAND, encoding="utf-8")
    result = invoke(runner, str(tmp_path), "--format", "turtle")
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(True)
    assert (node, SH.result, None) not in report


def test_junit_output(runner, bad_data):
    result = invoke(runner, str(bad_data), "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert "ontology/sldkg.ttl" in cases and cases["ontology/sldkg.ttl"].find("failure") is None
    (bad,) = [case for name, case in cases.items() if name.endswith("data/laender.ttl")]
    failure = bad.find("failure")
    assert failure is not None and failure.get("message") == "2 violations"
    assert "Land-landKey" in failure.text and "Land-prefLabel" in failure.text


GITHUB = re.compile(r"^::(error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),title=(?P<title>[^:]+)::(?P<message>.+)$")


def test_github_annotations_point_at_the_subject_line(runner, bad_data):
    result = invoke(runner, str(bad_data), "--format", "github")
    assert result.exit_code == 1
    annotations = [GITHUB.match(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2 and all(annotations)
    for a in annotations:
        assert a["file"].endswith("data/laender.ttl") and int(a["line"]) == BAD_LINE
        assert a["title"] in {"sldsh%3ALand-landKey", "sldsh%3ALand-prefLabel"}
        lines = Path(a["file"] if a["file"].startswith("/") else Path.cwd() / a["file"]).read_text(encoding="utf-8").splitlines()
        assert lines[int(a["line"]) - 1].startswith("land:DE-BY")


def test_a_blank_node_is_located_at_the_subject_that_holds_it(runner, tmp_path):
    (tmp_path / "passage.ttl").write_text(
        """@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/sldkg/id/report/x/passage/p001> a oa:SpecificResource ;
    rdfs:label "Passage"@de ;
    oa:hasSource <https://w3id.org/sldkg/id/report/x/text> ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "" ] , [ a oa:TextPositionSelector ; oa:start 1 ; oa:end 2 ] .
""",
        encoding="utf-8",
    )
    body = json.loads(invoke(runner, str(tmp_path), "--format", "json").stdout)
    blank = [r for r in body["results"] if r["focusNode"].startswith("_:")]
    assert blank and all(r["file"].endswith("passage.ttl") and r["line"] == 4 for r in blank)


def test_a_syntax_error_names_file_and_line_with_exit_code_2(runner, tmp_path):
    (tmp_path / "broken.ttl").write_text(PREFIXES + '\nland:DE-BY a sld:Land ;\n    sld:isoCode "DE-BY\n', encoding="utf-8")
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert re.search(r"broken\.ttl:7:\d+: ", result.output), result.output


def test_a_missing_path_is_named_with_exit_code_2(runner, tmp_path):
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(main, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: no such file or folder" in result.output


def test_a_missing_shapes_folder_is_named_with_exit_code_2(runner, tmp_path):
    result = runner.invoke(main, ["validate", "--shapes", str(tmp_path / "shapes")])
    assert result.exit_code == 2 and "shapes: no such file or folder" in result.output


def test_an_unknown_format_is_refused_with_exit_code_2(runner):
    result = runner.invoke(main, ["validate", "--format", "xml"])
    assert result.exit_code == 2 and "--format" in result.output


def test_validation_makes_no_network_access(runner, tmp_path, monkeypatch):
    # an owl:imports of a remote ontology is not followed: any socket use fails the test
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("validation tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    (tmp_path / "laender.ttl").write_text(
        GOOD_LAND + "\n<https://w3id.org/sldkg/ontology> <http://www.w3.org/2002/07/owl#imports> <http://example.org/remote.ttl> .\n",
        encoding="utf-8",
    )
    assert invoke(runner, str(tmp_path)).exit_code == 0


def test_ontology_and_shapes_options_select_other_files(runner, tmp_path, bad_data):
    # with only the Länder shapes, the same faults are found; the lint runs on the ontology given
    result = invoke(runner, str(bad_data), "--shapes", str(REPO_ROOT / "shapes" / "laender.ttl"), "--format", "json")
    body = json.loads(result.stdout)
    assert body["shapeFiles"] == ["shapes/laender.ttl"] or body["shapeFiles"][0].endswith("shapes/laender.ttl")
    assert body["counts"] == {"Violation": 2}


def test_broken_shapes_exit_2_naming_the_problem(runner, tmp_path):
    (tmp_path / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass <https://w3id.org/sldkg/ontology#Land> ;"
        " sh:property [ sh:path ex:p ; sh:minCount 1 , 2 ] .\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", "--shapes", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot be used" in result.output and "sh:minCount" in result.output


# -- pre-commit hooks and use from an installed package ------------------------------------------


def test_pre_commit_hooks_run_real_commands():
    import shlex

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {"sldkg-validate", "sldkg-fmt"} <= set(hooks)
    assert hooks["sldkg-validate"]["pass_filenames"] is False  # resources refer across files
    for hook in hooks.values():
        program, *args = shlex.split(hook["entry"])
        assert program == "sldkg" and hook["language"] == "python"
        assert re.search(hook["files"], "data/workshops/x/event.ttl") and not re.search(hook["files"], "source.txt")
        from click.testing import CliRunner

        assert CliRunner().invoke(main, [*args, "--help"]).exit_code == 0


def test_validate_in_a_folder_with_data_checks_that_data_and_says_so(runner, tmp_path, monkeypatch, bad_data):
    """The pre-commit case: another repository's data/ against the bundled ontology and shapes.
    It must never print "conforms" about some other checkout."""
    monkeypatch.chdir(bad_data.parent)
    result = invoke(runner)
    assert result.exit_code == 1
    assert f"sldkg: data: {bad_data} (working directory)" in result.stderr
    assert "(bundled)" in result.stderr and "shapes: " in result.stderr
    assert "conforms" not in result.stdout.splitlines()[-1]


def test_validate_in_an_empty_folder_checks_the_bundled_data(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner)
    assert result.exit_code == 0, result.output
    assert "sldkg: data: " in result.stderr and "(bundled)" in result.stderr
    assert str(tmp_path) not in result.stderr


def test_the_validation_docs_document_every_format_and_exit_code():
    from sldkg.validation.report_formats import FORMATS

    docs = (REPO_ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    section = docs.split("\n## `sldkg validate", 1)[1].split("\n## ", 1)[0]
    table = section.split("| `--format` | output |", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"^\| `(\w+)`(?: \(default\))? \|", table, re.MULTILINE)) == set(FORMATS)
    assert all(f"| {code} |" in section for code in (0, 1, 2))


def test_warnings_are_reported_but_do_not_fail(runner, tmp_path, bad_data):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "advice.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/> .

ex:LinkedLand a sh:NodeShape ;
    sh:targetClass sld:Land ;
    sh:property [ sh:path owl:sameAs ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "A Land should link to Wikidata."@en ] .
""",
        encoding="utf-8",
    )
    result = invoke(runner, str(bad_data), "--shapes", str(shapes), "--format", "github")
    assert result.exit_code == 0
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert line.startswith("::warning file=") and line.endswith("A Land should link to Wikidata. (MinCountConstraintComponent)")
    junit = ET.fromstring(invoke(runner, str(bad_data), "--shapes", str(shapes), "--format", "junit").stdout.encode("utf-8"))
    assert junit.get("failures") == "0"
    assert any("should link to Wikidata" in (out.text or "") for out in junit.iter("system-out"))
    text = invoke(runner, str(bad_data), "--shapes", str(shapes)).stdout
    assert "Warning: A Land should link to Wikidata." in text and text.splitlines()[-1].startswith("conforms: 1 warning")
