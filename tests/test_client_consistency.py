"""Consistency for clients (issue 11): every read-only answer has CORS and gzip, errors have one
shape and one set of kinds, a 406 offers only what the URL then serves, format names are spelled
the same everywhere; and the web layer's wiring (one AppState, blueprints that must exist)."""

from __future__ import annotations

import gzip
import hashlib
import re
from urllib.parse import quote

import pytest
import rdflib
from flask import Flask

from sldkg.linked_data import dumps as dump_formats
from sldkg.sparql import negotiation as nego
from sldkg.web import MissingBlueprint, register_blueprints

LAND = "/id/land/DE-BY"
STORED_TEXT = "/id/report/blw-2020-11-03/text"
SELECT = quote("SELECT ?s WHERE { ?s a <https://w3id.org/sldkg/ontology#Land> }")


def dump_url(client, ext: str) -> str:
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    return "/dumps/" + next(d["file"] for d in listing["dumps"] if d["file"].endswith("." + ext))


READS = [
    LAND,
    "/dumps/",
    "DUMP:nt",
    "/dumps/SHA256SUMS",
    "/.well-known/void",
    "/catalog",
    "/ontology",
    "/context.jsonld",
    "/sparql?query=" + SELECT,
    "/queries",
    "/graph/ontology",
]


def resolve(client, path: str) -> str:
    return dump_url(client, path.split(":")[1]) if path.startswith("DUMP:") else path


@pytest.mark.parametrize("path", READS)
def test_every_read_only_answer_allows_any_origin(client, path):
    response = client.get(resolve(client, path), headers={"Origin": "https://example.org"})
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("path", ["/id/land/DE-XX", "/id/land/DE-BY?format=foo", "/dumps/nothing.ttl"])
def test_errors_of_reads_allow_any_origin_too(client, path):
    response = client.get(path)
    assert response.status_code >= 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", READS)
def test_every_read_only_answer_is_gzipped_when_the_client_accepts_it(client, path):
    url = resolve(client, path)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert "Accept-Encoding" in {v.strip() for v in packed.headers["Vary"].split(",")}


def test_a_gzipped_dump_is_its_own_representation_and_revalidates(client):
    url = dump_url(client, "nt")
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert len(packed.data) < len(plain.data) / 3  # the N-Triples dump compresses well
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    assert hashlib.sha256(gzip.decompress(packed.data)).hexdigest() == plain.headers["ETag"].strip('"')
    import base64

    sent = base64.b64encode(hashlib.sha256(packed.data).digest()).decode()
    assert packed.headers["Repr-Digest"] == f"sha-256=:{sent}:"
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_preflight_is_answered(client):
    response = client.options("/id/land/DE-BY", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


# -- one error shape, one set of kinds ----------------------------------------------------------------


@pytest.mark.parametrize("path", [LAND, "/sparql?query=" + SELECT, "/queries/agenda", "/catalog", "/.well-known/void", "/ontology"])
def test_an_unknown_format_is_the_same_error_everywhere(client, path):
    sep = "&" if "?" in path else "?"
    response = client.get(path + sep + "format=foo")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["status"], error["kind"], error["parameter"]) == (400, "bad-parameter", "format")
    assert "foo" in error["message"]


@pytest.mark.parametrize("path", [LAND, STORED_TEXT, "/catalog", "/ontology", "/sparql?query=" + SELECT, "/queries/agenda"])
def test_a_406_offers_only_what_the_same_url_then_serves(client, path):
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    error = refused.get_json()["error"]
    assert error["kind"] == "not-acceptable"
    assert error["offered"]
    for media in error["offered"]:
        served = client.get(path, headers={"Accept": media})
        assert served.status_code == 200, (media, served.data[:200])
        assert served.mimetype == media


def test_a_land_is_not_a_text(client):
    offered = client.get(LAND, headers={"Accept": "image/png"}).get_json()["error"]["offered"]
    assert "text/plain" not in offered
    assert "text/plain" in client.get(STORED_TEXT, headers={"Accept": "image/png"}).get_json()["error"]["offered"]
    # a client that prefers text/plain but takes anything gets a description, not a refusal
    fallback = client.get(LAND, headers={"Accept": "text/plain, */*;q=0.1"})
    assert fallback.status_code == 200 and fallback.mimetype == "text/turtle"


# -- one spelling of format names -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", dump_formats.FORMATS, ids=lambda f: f.name)
def test_a_dump_format_is_named_like_its_file_and_like_format_everywhere(fmt):
    assert fmt.name == fmt.extension == nego.FORMAT_NAMES[fmt.media_type]
    assert nego.format_override(fmt.name, graph=True) == fmt.media_type
    assert dump_formats.formats_named([fmt.name]) == (fmt,)


@pytest.mark.parametrize("name", ["ttl", "jsonld", "nt", "rdf", "turtle", "rdfxml", "json-ld"])
def test_resources_accept_the_same_format_names_as_the_endpoint(client, name):
    response = client.get(LAND, query_string={"format": name})
    assert response.status_code == 200
    assert response.mimetype == nego.format_override(name, graph=True)


def test_export_accepts_rdf_like_the_other_commands(runner, tmp_path):
    from sldkg.cli import main

    result = runner.invoke(main, ["export", "--out", str(tmp_path), "--format", "rdf", "--format", "rdfxml", "--format", "turtle"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in names if n != "SHA256SUMS"] == sorted(n for n in names if re.fullmatch(r"sldkg(-[\d.]+)?\.(rdf|ttl)", n))
    assert {n.rsplit(".", 1)[1] for n in names if n != "SHA256SUMS"} == {"rdf", "ttl"}
    rdflib.Graph().parse(next(tmp_path.glob("*.rdf")), format="xml")
    bad = runner.invoke(main, ["export", "--out", str(tmp_path / "x"), "--format", "csv"])
    assert bad.exit_code == 2 and "csv" in bad.output


@pytest.mark.parametrize("name", ["rdf", "rdfxml"])
def test_query_command_accepts_the_same_names(runner, name):
    from sldkg.cli import main

    result = runner.invoke(main, ["query", "report-metadata", "--format", name])
    assert result.exit_code == 0, result.output
    assert len(rdflib.Graph().parse(data=result.stdout, format="xml")) > 0


def test_the_query_form_and_the_page_links_use_the_canonical_names():
    from sldkg.web.site.pages import TWINS
    from sldkg.web.sparql import _form_formats

    canonical = set(nego.FORMAT_NAMES.values())
    assert {name for name, _ in _form_formats() if name} <= canonical
    for twins in TWINS.values():
        for media, name in twins:
            assert nego.FORMAT_NAMES[media] == name


# -- wiring -----------------------------------------------------------------------------------------------


def test_a_missing_blueprint_stops_start_up():
    with pytest.raises(MissingBlueprint, match="no_such_blueprint"):
        register_blueprints(Flask("t"), names=("no_such_blueprint",))


def test_a_module_without_init_app_is_not_a_blueprint():
    with pytest.raises(MissingBlueprint, match="init_app"):
        register_blueprints(Flask("t"), names=("site.charts",))


def test_all_state_is_on_one_object(app):
    from sldkg.app import AppState

    ours = [key for key in app.extensions if key.startswith("sldkg")]
    assert ours == ["sldkg"]
    assert isinstance(app.extensions["sldkg"], AppState)


def test_the_canned_queries_are_loaded_once(settings, monkeypatch):
    import sldkg.app
    import sldkg.canned.catalogue

    calls = []
    real = sldkg.canned.catalogue.load_queries

    def counting(folder):
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(sldkg.app, "load_queries", counting)
    monkeypatch.setattr(sldkg.canned.catalogue, "load_queries", counting)

    class NoStore:
        kind, version = "fake", "v1"

        @property
        def modified(self):
            import datetime

            return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

        def run(self, job):
            raise AssertionError("not asked")

        def start(self) -> None: ...

        def close(self) -> None: ...

    app = sldkg.app.create_app(settings, backend=NoStore())
    assert len(calls) == 1
    client = app.test_client()
    assert client.get("/queries", headers={"Accept": "application/json"}).status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert len(calls) == 1


# -- the same bytes for the same ETag -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdf"])
def test_a_description_has_the_same_bytes_whenever_its_etag_is_the_same(client, path, fmt):
    first = client.get(path, query_string={"format": fmt})
    second = client.get(path, query_string={"format": fmt})
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.data == second.data


def test_stable_blank_nodes_keep_the_graph_and_never_merge_twins():
    from rdflib.compare import isomorphic

    from sldkg.linked_data.rdf_formats import with_stable_blank_nodes

    data = """@prefix ex: <http://example.org/> .
    ex:a ex:p [ ex:q 1 ], [ ex:q 1 ], [ ex:q 2 ; ex:r [ ex:s "x" ] ] .
    ex:b ex:p [ ex:q 1 ] ."""
    graph = rdflib.Graph().parse(data=data, format="turtle")
    stable = with_stable_blank_nodes(graph)
    assert len(stable) == len(graph) and isomorphic(stable, graph)
    again = with_stable_blank_nodes(rdflib.Graph().parse(data=data, format="turtle"))
    assert stable.serialize(format="nt") == again.serialize(format="nt")
