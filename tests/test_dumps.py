"""Dumps: /dumps/ at stable URLs named after the release (sldkg-2026.1.ttl) with checksums, generated
once per data version; the names without a release redirect; and `sldkg export`."""

from __future__ import annotations

import base64
import hashlib
import warnings

import pytest
import rdflib
from rdflib.namespace import OWL
from repo_paths import REPO_ROOT

from sldkg.app import create_app
from sldkg.backends.evaluation import execute
from sldkg.cli import main
from sldkg.graph.store import load
from sldkg.settings import ONTOLOGY_IRI, Settings

#: The release the repository's ontology states (the single source, see server/release.py).
RELEASE = str(rdflib.Graph().parse(REPO_ROOT / "ontology" / "sldkg.ttl").value(rdflib.URIRef(ONTOLOGY_IRI), OWL.versionInfo))
EXTENSIONS = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nq": ("application/n-quads", "nquads"),
    "trig": ("application/trig", "trig"),
}
FILES = {f"sldkg-{RELEASE}.{ext}": media for ext, media in EXTENSIONS.items()}
QUAD_FILES = {f"sldkg-{RELEASE}.nq", f"sldkg-{RELEASE}.trig"}
NQ = f"sldkg-{RELEASE}.nq"


def parse(body: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own parsers use its deprecated graph API
        dataset.parse(data=body.decode("utf-8"), format=fmt)
    return dataset


@pytest.fixture(scope="module")
def store():
    return load(Settings().data_paths)


def distinct_triples(store) -> int:
    return len({(q.subject, q.predicate, q.object) for q in store.oxigraph})


@pytest.mark.parametrize("name", FILES)
def test_every_dump_parses_and_holds_the_whole_dataset(client, store, name):
    media, fmt = FILES[name]
    response = client.get("/dumps/" + name)
    assert response.status_code == 200 and response.mimetype == media
    dataset = parse(response.data, fmt)
    if name in QUAD_FILES:
        graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert graphs == set(store.graphs)
        assert sum(len(g) for g in dataset.graphs()) == len(store)
    else:
        assert len(dataset) == distinct_triples(store)


@pytest.mark.parametrize("name", FILES)
def test_dump_headers_carry_its_sha256(client, name):
    response = client.get("/dumps/" + name)
    digest = hashlib.sha256(response.data).digest()
    assert response.headers["ETag"] == f'"{digest.hex()}"'
    assert response.headers["Digest"] == "sha-256=" + base64.b64encode(digest).decode()
    assert response.headers["Repr-Digest"] == "sha-256=:" + base64.b64encode(digest).decode() + ":"
    again = client.get("/dumps/" + name, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_sums_file_lists_every_dump(client):
    sums = client.get("/dumps/SHA256SUMS")
    assert sums.status_code == 200 and sums.mimetype == "text/plain"
    lines = dict(reversed(line.split("  ")) for line in sums.get_data(as_text=True).splitlines())
    assert set(lines) == set(FILES)
    for name, expected in lines.items():
        assert hashlib.sha256(client.get("/dumps/" + name).data).hexdigest() == expected


def test_listing_for_machines_and_browsers(client):
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert listing["release"] == RELEASE
    assert {d["file"] for d in listing["dumps"]} == set(FILES)
    assert all(d["named_graphs"] == (d["file"] in QUAD_FILES) for d in listing["dumps"])
    html = client.get("/dumps/", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and "SHA256SUMS" in html.get_data(as_text=True)
    assert f'<strong class="release">{RELEASE}</strong>' in html.get_data(as_text=True)


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_names_without_a_release_redirect_to_the_served_release(client, ext):
    """The URLs of the dumps before releases were numbered keep working, and say which release they give."""
    response = client.get(f"/dumps/sldkg.{ext}")
    assert response.status_code == 302
    assert response.headers["Location"].rsplit("/", 1)[-1] == f"sldkg-{RELEASE}.{ext}"
    assert client.get(f"/dumps/sldkg.{ext}", follow_redirects=True).data == client.get(f"/dumps/sldkg-{RELEASE}.{ext}").data


@pytest.mark.parametrize(
    "name", ["sldkg.xml", "..%2Fpyproject.toml", "sldkg", "SHA256SUMS.txt", "sldkg-1999.1.ttl", f"sldkg-{RELEASE}.xml"]
)
def test_unknown_dumps_are_404(client, name):
    assert client.get("/dumps/" + name).status_code == 404


class CountingBackend:
    kind = "counting"

    def __init__(self, store):
        self.store, self.version, self.modified, self.jobs = store, store.version, store.modified, 0

    def run(self, job):
        self.jobs += 1
        return execute(self.store, job)

    def start(self):
        pass

    def close(self):
        pass


def test_dumps_are_generated_once_per_data_version(store):
    backend = CountingBackend(store)
    client = create_app(Settings.from_env({}), backend=backend).test_client()
    first = client.get("/dumps/" + NQ).data
    reads = backend.jobs
    assert reads == 1  # one read of every quad makes all six dumps
    for name in FILES:
        client.get("/dumps/" + name)
    client.get("/dumps/SHA256SUMS")
    assert backend.jobs == reads
    backend.version = "another-version"
    assert client.get("/dumps/" + NQ).data == first
    assert backend.jobs == reads + 1


def test_export_writes_the_same_bytes_the_server_offers(client, runner, tmp_path):
    result = runner.invoke(main, ["export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILES, "SHA256SUMS"])
    for name in FILES:
        assert (tmp_path / name).read_bytes() == client.get("/dumps/" + name).data, name
    assert (tmp_path / "SHA256SUMS").read_bytes() == client.get("/dumps/SHA256SUMS").data


def test_export_of_chosen_formats_keeps_named_graphs_in_quad_formats(runner, tmp_path):
    data = tmp_path / "data"
    (data / "a").mkdir(parents=True)
    (data / "a" / "one.ttl").write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    (data / "two.ttl").write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["export", "--format", "trig", "--format", "nt", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "sldkg.nt", "sldkg.trig"]  # no ontology, so no release in the names
    trig = parse((out / "sldkg.trig").read_bytes(), "trig")
    assert {str(g.identifier) for g in trig.graphs() if len(g)} == {
        "https://w3id.org/sldkg/graph/a/one",
        "https://w3id.org/sldkg/graph/two",
    }
    assert len(parse((out / "sldkg.nt").read_bytes(), "nt")) == 1  # the union holds the shared triple once


def test_export_exit_codes(runner, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/s> <http://example.org/p> .\n", encoding="utf-8")
    result = runner.invoke(main, ["export", "--data", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "bad.ttl:1" in result.output
    result = runner.invoke(main, ["export", "--format", "yaml", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "yaml" in result.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["export", "--out", str(blocker / "sub")])
    assert result.exit_code == 2 and "cannot write" in result.output
