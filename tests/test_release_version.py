"""The dataset release (e.g. 2026.1) is stated once, as owl:versionInfo of the ontology in
ontology/sldkg.ttl, and every place that shows it agrees: the ontology's version IRI, VoID, DCAT,
the dump file names and SHA256SUMS, the dumps' content, the home page, the dump list,
`sldkg export`, CITATION.cff (valid CFF 1.2.0) and CHANGELOG.md. See docs/citing.md."""

from __future__ import annotations

import json
import re
import tomllib
import warnings
from pathlib import Path

import jsonschema
import pytest
import rdflib
import yaml
from rdflib.namespace import DCAT, OWL, VOID
from repo_paths import REPO_ROOT

from sldkg.cli import main
from sldkg.linked_data.dumps import FORMATS
from sldkg.settings import ONTOLOGY_IRI

ONTOLOGY = rdflib.URIRef(ONTOLOGY_IRI)
DATASET = rdflib.URIRef("https://w3id.org/sldkg/.well-known/void#dataset")
DCAT_VERSION = rdflib.URIRef(str(DCAT) + "version")
ADMS_VERSION_NOTES = rdflib.URIRef("http://www.w3.org/ns/adms#versionNotes")
CFF_SCHEMA = Path(__file__).parent / "vendor" / "citation-file-format" / "schema-1.2.0.json"


def the_release() -> str:
    """The single source: owl:versionInfo of the ontology, read from the file."""
    graph = rdflib.Graph().parse(REPO_ROOT / "ontology" / "sldkg.ttl", format="turtle")
    values = [str(v) for v in graph.objects(ONTOLOGY, OWL.versionInfo)]
    assert len(values) == 1, values
    return values[0]


RELEASE = the_release()


def turtle(client, path: str) -> rdflib.Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, path
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_the_release_has_the_documented_form_and_names_the_version_iri():
    assert re.fullmatch(r"[0-9]{4}\.[1-9][0-9]*", RELEASE), RELEASE
    graph = rdflib.Graph().parse(REPO_ROOT / "ontology" / "sldkg.ttl", format="turtle")
    assert graph.value(ONTOLOGY, OWL.versionIRI) == rdflib.URIRef(f"{ONTOLOGY_IRI}/{RELEASE}")


def test_the_served_ontology_and_its_version_iri(client):
    ontology = turtle(client, "/ontology")
    assert str(ontology.value(ONTOLOGY, OWL.versionInfo)) == RELEASE
    assert (ONTOLOGY, OWL.versionIRI, rdflib.URIRef(f"{ONTOLOGY_IRI}/{RELEASE}")) in turtle(client, f"/ontology/{RELEASE}")


def test_void_and_dcat_state_the_release(client):
    void = turtle(client, "/.well-known/void")
    assert [str(v) for v in void.objects(DATASET, DCAT_VERSION)] == [RELEASE]
    dumps = [str(u) for u in void.objects(DATASET, VOID.dataDump)]
    assert dumps and all(u.rsplit("/", 1)[-1].startswith(f"sldkg-{RELEASE}.") for u in dumps)

    catalog = turtle(client, "/catalog")
    assert [str(v) for v in catalog.objects(DATASET, DCAT_VERSION)] == [RELEASE]
    notes = [str(n) for n in catalog.objects(DATASET, ADMS_VERSION_NOTES)]
    assert notes and all(RELEASE in n for n in notes)
    downloads = [str(u) for u in catalog.objects(None, DCAT.downloadURL)]
    assert len(downloads) == len(FORMATS)
    assert all(u.rsplit("/", 1)[-1].startswith(f"sldkg-{RELEASE}.") for u in downloads)


def test_dump_names_sums_and_content_state_the_release(client):
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert listing["release"] == RELEASE
    assert sorted(d["file"] for d in listing["dumps"]) == sorted(f"sldkg-{RELEASE}.{f.extension}" for f in FORMATS)
    sums = client.get("/dumps/SHA256SUMS").get_data(as_text=True)
    assert sorted(line.split("  ")[1] for line in sums.splitlines()) == sorted(d["file"] for d in listing["dumps"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own parsers use its deprecated graph API
        dump = rdflib.Dataset().parse(data=client.get(f"/dumps/sldkg-{RELEASE}.nq").get_data(as_text=True), format="nquads")
    assert (ONTOLOGY, OWL.versionInfo, rdflib.Literal(RELEASE)) in {(s, p, o) for s, p, o, _ in dump.quads()}


def test_pages_show_the_release(client):
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<strong class="release">{RELEASE}</strong>' in home
    assert f"{ONTOLOGY_IRI}/{RELEASE}" in home
    dumps = client.get("/dumps/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<strong class="release">{RELEASE}</strong>' in dumps


def test_export_names_files_after_the_release(runner, tmp_path):
    result = runner.invoke(main, ["export", "--format", "ttl", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SHA256SUMS", f"sldkg-{RELEASE}.ttl"]


@pytest.fixture(scope="module")
def citation() -> dict:
    return yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_cff_1_2_0(citation):
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(citation)
    assert citation["cff-version"] == "1.2.0"


def test_citation_cff_cites_this_release_and_this_software_version(citation):
    dataset = citation["preferred-citation"]
    assert dataset["type"] == "data"
    assert dataset["version"] == RELEASE
    assert dataset["license"] == "CC-BY-4.0"
    assert {i["value"] for i in dataset["identifiers"]} == {f"{ONTOLOGY_IRI}/{RELEASE}"}
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert citation["version"] == pyproject["version"]
    assert citation["license"] == pyproject["license"] == "MIT"


def test_the_changelog_starts_with_this_release():
    text = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert versions and versions[0] == RELEASE
    newest = text.split(f"## [{RELEASE}]", 1)[1].split("\n## [", 1)[0]
    assert "### Data" in newest and "### Code" in newest  # data changes listed apart from code changes
