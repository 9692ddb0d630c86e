"""Which folders a command uses: an option, else the working directory's folder, else the bundled
copy (sldkg.locations) — and every command says which it used (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sldkg import locations
from sldkg.cli import main
from sldkg.settings import Settings


def test_a_folder_of_the_working_directory_wins_over_the_bundled_one(tmp_path):
    (tmp_path / "data").mkdir()
    found = locations.find("data", cwd=tmp_path)
    assert found == locations.Folder("data", tmp_path / "data", "working directory")
    shapes = locations.find("shapes", cwd=tmp_path)
    assert shapes.origin == "bundled" and (shapes.path / "laender.ttl").is_file()


def test_every_bundled_folder_exists_and_holds_its_files():
    for name, pattern in (("ontology", "*.ttl"), ("data", "**/*.ttl"), ("shapes", "*.ttl"), ("queries", "*.rq")):
        assert list(locations.bundled(name).glob(pattern)), name


def test_an_unknown_folder_name_is_refused():
    with pytest.raises(ValueError, match="unknown dataset folder 'tools'"):
        locations.bundled("tools")


def test_settings_default_to_the_working_directory_at_construction_time(tmp_path, monkeypatch):
    (tmp_path / "queries").mkdir()
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.queries_path == tmp_path / "queries"
    assert settings.data_paths == (locations.bundled("ontology"), locations.bundled("data"))


def test_export_says_which_folders_it_loads(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["export", "--format", "nt", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"sldkg: loading {locations.bundled('ontology')} (bundled)" in result.stderr
    assert f"sldkg: loading {locations.bundled('data')} (bundled)" in result.stderr


def test_query_says_which_queries_folder_it_uses(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["query", "agenda"])
    assert result.exit_code == 0, result.output
    assert f"sldkg: queries: {locations.bundled('queries')} (bundled)" in result.stderr


def test_fmt_reports_its_folders_and_never_rewrites_the_bundled_files(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checked = runner.invoke(main, ["fmt", "--check"])
    assert checked.exit_code == 0, checked.output
    assert "sldkg: shapes: " in checked.stderr and "(bundled)" in checked.stderr
    refused = runner.invoke(main, ["fmt"])
    assert refused.exit_code == 2
    assert "refusing to rewrite the files bundled with the package" in refused.output


def test_fmt_in_a_data_repository_formats_its_own_files(runner, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.ttl").write_text("<http://example.org/a>   <http://example.org/b> <http://example.org/c>.\n", encoding="utf-8")
    for name in ("ontology", "shapes"):
        (tmp_path / name).mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["fmt"])
    assert result.exit_code == 0, result.output
    assert f"sldkg: data: {data} (working directory)" in result.stderr
    assert Path(data / "x.ttl").read_text(encoding="utf-8") != "<http://example.org/a>   <http://example.org/b> <http://example.org/c>.\n"
