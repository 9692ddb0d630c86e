"""A wheel works on its own: built from this checkout, installed alone and run in an empty folder,
``sldkg`` serves, validates and queries the bundled dataset (issue 10)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from conftest import LiveServer
from repo_paths import REPO_ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """The wheel installed into a folder of its own; the environment that imports sldkg from there only."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    assert "would be ignored" not in build.stderr  # setuptools' packaging warning for data folders
    (wheel,) = out.glob("sldkg-*.whl")
    target = out / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)], check=True, timeout=300
    )
    # The checkout's editable install sits behind PYTHONPATH on sys.path: the wheel's copy wins.
    return {**os.environ, "PYTHONPATH": str(target), "wheel": str(wheel), "target": str(target)}


def sldkg(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sldkg", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_wheel_carries_the_dataset_and_the_page_templates(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for needed in (
        "sldkg/bundled/ontology/sldkg.ttl",
        "sldkg/bundled/shapes/laender.ttl",
        "sldkg/bundled/queries/agenda.rq",
        "sldkg/bundled/data/reference/laender.ttl",
        "sldkg/web/templates/base.html",
        "sldkg/web/translations/de/LC_MESSAGES/messages.mo",
        "sldkg/web/geodata/lander.json",
        "sldkg/web/static/table-sort.js",
        "sldkg/py.typed",
    ):
        assert needed in names
    assert not any(name.startswith(("server/", "tests/")) for name in names)


def test_validate_in_an_empty_folder_validates_the_bundled_data(installed, tmp_path):
    result = sldkg(installed, tmp_path, "validate")
    assert result.returncode == 0, result.stderr
    assert f"data: {installed['target']}/sldkg/bundled/data (bundled)" in result.stderr
    assert str(REPO_ROOT) not in result.stderr + result.stdout
    assert result.stdout.startswith("conforms")


def test_query_agenda_in_an_empty_folder(installed, tmp_path):
    result = sldkg(installed, tmp_path, "query", "agenda")
    assert result.returncode == 0, result.stderr
    assert "Begrüßung" in result.stdout and len(result.stdout.splitlines()) > 5


def test_serve_in_an_empty_folder_serves_the_bundled_dataset(installed, tmp_path):
    env = {"PYTHONPATH": installed["PYTHONPATH"]}
    server = LiveServer(env=env, cwd=tmp_path)
    try:
        assert requests.get(server.url + "queries/agenda", headers={"Accept": "text/csv"}, timeout=10).status_code == 200
        page = requests.get(server.url, timeout=10)
        assert page.status_code == 200 and "<html" in page.text
        assert "(bundled)" in server.log.read_text(encoding="utf-8")
    finally:
        server.stop()
