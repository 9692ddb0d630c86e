"""Loading files into the embedded store: named graphs, union default graph, all-or-nothing errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_paths import REPO_ROOT

from sldkg.graph.store import LoadError, discover, graph_iri, load
from sldkg.settings import GRAPH_BASE

GOOD = "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_file_becomes_a_named_graph_and_the_default_graph_is_their_union(tmp_path):
    write(tmp_path / "one.ttl", GOOD)
    write(tmp_path / "sub" / "two.ttl", "@prefix ex: <http://example.org/> .\nex:c ex:p ex:d .\n")
    store = load([tmp_path])
    assert store.graphs == (GRAPH_BASE + "one", GRAPH_BASE + "sub/two")
    assert [f.triples for f in store.files] == [1, 1]
    rows = list(store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"))
    assert [r["s"].value for r in rows] == ["http://example.org/a", "http://example.org/c"]
    only_two = list(store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[GRAPH_BASE + "sub/two"]))
    assert [r["s"].value for r in only_two] == ["http://example.org/c"]


def test_rdflib_view_sees_the_same_data(tmp_path):
    write(tmp_path / "one.ttl", GOOD)
    store = load([tmp_path])
    assert len(store.dataset) == 1
    assert {str(s) for s, _, _ in store.dataset.triples((None, None, None))} == {"http://example.org/a"}


def test_a_syntax_error_names_file_line_and_column_and_nothing_is_returned(tmp_path):
    write(tmp_path / "a.ttl", GOOD)
    bad = write(tmp_path / "b.ttl", GOOD + 'ex:a ex:p "unterminated\n')
    with pytest.raises(LoadError) as info:
        load([tmp_path])
    assert info.value.path == bad
    assert info.value.line == 3
    assert str(info.value).startswith(f"{bad}:3:")


def test_a_relative_iri_is_an_error_not_a_local_file_url(tmp_path):
    write(tmp_path / "rel.ttl", "<a> <http://example.org/p> <b> .\n")
    with pytest.raises(LoadError, match=r"rel\.ttl:1"):
        load([tmp_path])


def test_missing_paths_and_unknown_files_are_named(tmp_path):
    with pytest.raises(LoadError, match="no such file or folder") as info:
        load([tmp_path / "missing"])
    assert info.value.path == tmp_path / "missing"
    with pytest.raises(LoadError, match="not an RDF file"):
        discover([write(tmp_path / "x.csv", "a,b\n")])
    with pytest.raises(LoadError, match="no RDF files"):
        load([])


def test_the_version_changes_with_the_content(tmp_path):
    file = write(tmp_path / "one.ttl", GOOD)
    first = load([tmp_path]).version
    assert load([tmp_path]).version == first
    file.write_text(GOOD.replace("ex:b", "ex:c"), encoding="utf-8")
    assert load([tmp_path]).version != first


def test_repository_graph_names():
    assert graph_iri(REPO_ROOT / "ontology" / "sldkg.ttl", REPO_ROOT / "ontology") == GRAPH_BASE + "ontology"
    assert graph_iri(REPO_ROOT / "data" / "reference" / "laender.ttl", REPO_ROOT / "data") == GRAPH_BASE + "reference/laender"
