"""Canonical Turtle (``sldkg fmt``): deterministic, idempotent, never changes data, keeps comments."""

from __future__ import annotations

import random
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic
from repo_paths import REPO_ROOT

from sldkg.cli import main
from sldkg.graph import canonical_turtle as formatting
from sldkg.graph.canonical_turtle import FormatError, canonicalize_turtle, format_file, parse

#: The folders CI keeps canonical.
CANONICAL_FOLDERS = ("ontology", "data", "shapes")

SAMPLE = """@prefix s: <https://schema.org/> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# File header: what this file holds.

# About b.
ex:b s:name "B"@de ;   # an inline remark
    ex:count "01"^^xsd:integer ;
    ex:list ( ex:z ex:y "x" ) ;
    ex:shape [ ex:path ex:p ; ex:min 1 ] ;
    a ex:Thing , s:Thing .

ex:a a s:Thing ; s:name "A" ; ex:flag true ; ex:ratio 0.5 ; ex:text "line one\\nline two" .

# Trailing remark.
"""


def as_graph(text: str) -> Graph:
    return formatting._as_rdflib(parse(text)[0])


def test_sample_is_formatted_canonically():
    out = canonicalize_turtle(SAMPLE)
    assert (
        out
        == """@prefix ex: <http://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# File header: what this file holds.

ex:a a schema:Thing ;
    ex:flag true ;
    ex:ratio 0.5 ;
    ex:text \"\"\"line one
line two\"\"\" ;
    schema:name "A" .

# About b.
# an inline remark
ex:b a ex:Thing , schema:Thing ;
    ex:count "01"^^xsd:integer ;
    ex:list ( ex:z ex:y "x" ) ;
    ex:shape [ ex:min 1 ; ex:path ex:p ] ;
    schema:name "B"@de .

# Trailing remark.
"""
    )


def test_formatting_keeps_the_graph_with_literals_exactly_as_written():
    out = canonicalize_turtle(SAMPLE)
    assert isomorphic(as_graph(out), as_graph(SAMPLE))
    assert '"01"^^xsd:integer' in out  # not normalised to 1


def test_formatting_is_idempotent_and_independent_of_statement_order():
    out = canonicalize_turtle(SAMPLE)
    assert canonicalize_turtle(out) == out
    statements = [
        "ex:a a s:Thing .",
        'ex:a s:name "A" .',
        "ex:a ex:flag true .",
        "ex:a ex:ratio 0.5 .",
        'ex:a ex:text "line one\\nline two" .',
        "ex:b a ex:Thing , s:Thing .",
        'ex:b s:name "B"@de .',
        'ex:b ex:count "01"^^xsd:integer .',
        'ex:b ex:list ( ex:z ex:y "x" ) .',
        "ex:b ex:shape [ ex:path ex:p ; ex:min 1 ] .",
    ]
    head = "\n".join(SAMPLE.splitlines()[:3]) + "\n\n"
    outputs = set()
    for seed in range(5):
        random.Random(seed).shuffle(statements)
        outputs.add(canonicalize_turtle(head + "\n".join(statements) + "\n"))
    assert len(outputs) == 1
    assert outputs.pop() == without_comments(out)


def without_comments(text: str) -> str:
    kept = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return re.sub(r"\n{3,}", "\n\n", kept).strip() + "\n"


def test_prefixes_are_the_fixed_project_names_and_only_those_used():
    out = canonicalize_turtle("@prefix s: <https://schema.org/> .\n@prefix unused: <http://unused.example/> .\n<http://e/x> a s:Thing .\n")
    assert out.startswith("@prefix schema: <https://schema.org/> .\n\n")
    assert "unused" not in out and "@prefix s:" not in out


def test_local_names_that_turtle_cannot_abbreviate_are_written_in_full():
    out = canonicalize_turtle("@prefix p: <http://e/passage/> .\n<http://e/passage/p1/quote> <http://e/q> <http://e/passage/p1> .\n")
    assert "<http://e/passage/p1/quote>" in out and "p:p1 ." in out


def test_a_blank_node_used_twice_keeps_a_label_and_the_graph():
    text = "@prefix ex: <http://e/> .\nex:a ex:p _:x .\nex:b ex:p _:x .\n_:x ex:q 1 .\n"
    out = canonicalize_turtle(text)
    assert isomorphic(as_graph(out), as_graph(text))
    assert out.count("_:b0") == 3


def test_a_syntax_error_is_reported_with_the_line():
    with pytest.raises(FormatError) as info:
        canonicalize_turtle("@prefix ex: <http://e/> .\n\nex:a ex:p .\n", "broken.ttl")
    assert info.value.line == 3 and str(info.value).startswith("broken.ttl:3: ")


def test_the_formatter_refuses_to_write_a_result_that_would_change_the_data(tmp_path, monkeypatch):
    path = tmp_path / "a.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    real = formatting.serialize
    monkeypatch.setattr(formatting, "serialize", lambda *a, **k: real(*a, **k).replace('"A"', '"changed"'))
    with pytest.raises(FormatError, match="would change the data"):
        format_file(path)
    assert path.read_text(encoding="utf-8") == SAMPLE


def test_format_file_rewrites_atomically_and_keeps_the_file_mode(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    path.chmod(0o640)
    assert format_file(path).changed
    assert path.read_text(encoding="utf-8") == canonicalize_turtle(SAMPLE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.ttl"]  # no temporary file left behind
    assert not format_file(path).changed


# -- the command --------------------------------------------------------------------------------


def test_fmt_check_lists_unformatted_files_and_exits_1_without_changing_them(runner, tmp_path):
    (tmp_path / "messy.ttl").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "clean.ttl").write_text(canonicalize_turtle(SAMPLE), encoding="utf-8")
    result = runner.invoke(main, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert re.search(r"^would reformat: .*messy\.ttl$", result.output, re.M)
    assert "clean.ttl" not in result.output.replace("1 of 2", "")
    assert (tmp_path / "messy.ttl").read_text(encoding="utf-8") == SAMPLE


def test_fmt_rewrites_then_check_is_clean(runner, tmp_path):
    (tmp_path / "messy.ttl").write_text(SAMPLE, encoding="utf-8")
    assert runner.invoke(main, ["fmt", str(tmp_path)]).exit_code == 0
    result = runner.invoke(main, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 0 and "would reformat" not in result.output


def test_fmt_exits_2_naming_the_file_and_line_it_cannot_parse(runner, tmp_path):
    (tmp_path / "broken.ttl").write_text("@prefix ex: <http://e/> .\nex:a ex:p .\n", encoding="utf-8")
    (tmp_path / "messy.ttl").write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 2
    assert re.search(r"broken\.ttl:2: ", result.output)


def test_fmt_names_a_missing_path_with_exit_code_2(runner, tmp_path):
    result = runner.invoke(main, ["fmt", "--check", str(tmp_path / "gone")])
    assert result.exit_code == 2 and "gone: no such file or folder" in result.output


@pytest.mark.parametrize("folder", CANONICAL_FOLDERS)
def test_the_repository_files_are_canonical(runner, folder):
    result = runner.invoke(main, ["fmt", "--check", str(REPO_ROOT / folder)])
    assert result.exit_code == 0, f"run `sldkg fmt {folder}`:\n{result.output}"


@pytest.mark.parametrize(
    "path",
    sorted(p for folder in ("ontology", "data", "shapes") for p in (REPO_ROOT / folder).rglob("*.ttl")),
    ids=lambda p: str(p.relative_to(REPO_ROOT)),
)
def test_every_repository_file_formats_to_the_same_graph_idempotently(path):
    text = path.read_text(encoding="utf-8")
    out = canonicalize_turtle(text, path)
    assert isomorphic(as_graph(out), as_graph(text))
    assert canonicalize_turtle(out, path) == out
    comments = [line.split("#", 1)[1].strip() for line in text.splitlines() if line.lstrip().startswith("#")]
    assert all(c in out for c in comments), "a whole-line comment was lost"


# -- property: any graph survives formatting --------------------------------------------------------

IRIS = st.sampled_from(["http://e/a", "http://e/b", "https://schema.org/name", "http://e/p/q/r", "http://e/x-1", "urn:x:y"])
LITERALS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=12).map(lambda s: ("str", s)),
    st.integers(-1000, 1000).map(lambda i: ("int", str(i))),
    st.sampled_from(["01", "+5", "true", "false", "0.50", "1e3"]).map(lambda s: ("typed", s)),
    st.tuples(st.text(alphabet='abc \n"\\', min_size=1, max_size=8), st.sampled_from(["de", "en"])).map(lambda t: ("lang", t)),
)


def _object(value) -> str:
    kind, v = value
    if kind == "int":
        return v
    if kind == "typed":
        return f'"{v}"^^<http://www.w3.org/2001/XMLSchema#integer>'
    if kind == "lang":
        text, lang = v
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + f'"@{lang}'
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(IRIS, st.sampled_from(["_:x", "_:y"])),
            IRIS,
            st.one_of(IRIS.map(lambda i: ("iri", i)), LITERALS, st.sampled_from([("bn", "_:x"), ("bn", "_:y")])),
        ),
        max_size=12,
    )
)
def test_any_graph_survives_formatting(triples):
    lines = []
    for s, p, o in triples:
        subject = s if s.startswith("_:") else f"<{s}>"
        obj = f"<{o[1]}>" if o[0] == "iri" else (o[1] if o[0] == "bn" else _object(o))
        lines.append(f"{subject} <{p}> {obj} .")
    text = "@prefix schema: <https://schema.org/> .\n" + "\n".join(lines) + "\n"
    out = canonicalize_turtle(text)
    assert isomorphic(as_graph(out), as_graph(text))
    assert canonicalize_turtle(out) == out


def test_hypothesis_strategies_cover_blank_nodes_and_literals():
    # the property test above is only meaningful if it can produce both kinds of tricky terms
    assert "_:x" in _object(("str", "_:x")) and _object(("lang", ("a\nb", "de"))) == '"a\\nb"@de'
    assert Path(formatting.__file__).name == "canonical_turtle.py"
