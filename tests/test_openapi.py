"""/openapi.json: a valid OpenAPI 3 document with one operation per canned query plus /sparql."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from sldkg.canned.catalogue import load_queries
from sldkg.settings import Settings

QUERIES = load_queries(Settings().queries_path)


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(document):
    validate(document)  # raises on any violation of the OpenAPI 3.0 schema
    assert document["openapi"].startswith("3.")


def test_every_canned_query_is_an_operation(document):
    operations = {path: spec["get"] for path, spec in document["paths"].items() if path.startswith("/queries/")}
    assert set(operations) == {f"/queries/{slug}" for slug in QUERIES}
    for slug, q in QUERIES.items():
        operation = operations[f"/queries/{slug}"]
        assert operation["operationId"] == slug and operation["summary"] == q.title
        assert q.description["en"] in operation["description"] and q.description["de"] in operation["description"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {p.name for p in q.parameters} | {"format"}
        for p in q.parameters:
            assert params[p.name]["required"] is p.required
            assert params[p.name]["schema"]["type"] == ("integer" if p.type == "integer" else "string")
            if p.example is not None:
                assert str(params[p.name]["example"]) == p.example
        media = set(operation["responses"]["200"]["content"])
        if q.form in ("SELECT", "ASK"):
            assert media == {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"}
        else:
            assert "text/turtle" in media and "application/sparql-results+json" not in media
        assert {"400", "406"} <= set(operation["responses"])


def test_iri_parameters_are_uris(document):
    schema = next(p for p in document["paths"]["/queries/provenance"]["get"]["parameters"] if p["name"] == "resource")["schema"]
    assert schema == {"type": "string", "format": "uri"}


def test_sparql_endpoint_is_described(document):
    sparql = document["paths"]["/sparql"]
    assert {"get", "post"} <= set(sparql)
    assert set(sparql["post"]["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "application/sparql-query"}
    assert {"text/turtle", "application/sparql-results+json", "application/trig"} <= set(sparql["get"]["responses"]["200"]["content"])
    assert {"400", "406", "415"} <= set(sparql["post"]["responses"])
