"""The OpenAPI 3 document of the query API: ``/sparql`` and one operation per canned query; pure."""

from __future__ import annotations

from collections.abc import Iterable

from sldkg.canned.catalogue import SCHEMAS, CannedQuery
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import ASK, SELECT

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "kind", "message"],
            "properties": {
                "status": {"type": "integer"},
                "kind": {"type": "string"},
                "message": {"type": "string"},
                "parameter": {"type": "string", "description": "the parameter at fault (400 bad-parameter)"},
                "known": {"type": "array", "items": {"type": "string"}, "description": "the format names known here (unknown format)"},
                "offered": {"type": "array", "items": {"type": "string"}, "description": "the media types this URL can send (406)"},
            },
            "additionalProperties": True,
        }
    },
}
ERROR = {"$ref": "#/components/schemas/Error"}


def _content(types: Iterable[str]) -> dict[str, object]:
    return {t: {"schema": {"type": "string"}} for t in types}


def _errors(*statuses: int) -> dict[str, object]:
    texts = {
        400: "Bad request: a parameter is missing, unknown or ill-typed, or the query is malformed (the body names what)",
        404: "No such canned query",
        406: "None of the acceptable media types fits the query form",
        413: "Request body too large",
        415: "Unsupported Content-Type of a POST",
        422: "The answer is over the row or byte limit (add LIMIT)",
        429: "This client already runs as many queries at once as allowed (Retry-After says when to retry)",
        503: "Time limit or memory share exceeded, or all executors busy",
    }
    return {str(s): {"description": texts[s], "content": {"application/json": {"schema": ERROR}}} for s in statuses}


FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Overrides Accept: json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld, rdf, nq, trig (CONSTRUCT/DESCRIBE)",
    "schema": {"type": "string"},
}


def canned_operation(q: CannedQuery) -> dict[str, object]:
    types = nego.RESULTS_TYPES if q.form in (SELECT, ASK) else nego.GRAPH_TYPES
    parameters = []
    for p in q.parameters:
        schema: dict[str, object] = dict(SCHEMAS[p.type])
        if p.default is not None:
            schema["default"] = int(p.default) if p.type == "integer" else p.default
        entry: dict[str, object] = {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} (bound as an RDF term of type {p.type})".strip(),
            "schema": schema,
        }
        if p.example is not None:
            entry["example"] = int(p.example) if p.type == "integer" else p.example
        parameters.append(entry)
    parameters.append(FORMAT_PARAMETER)
    responses: dict[str, object] = {
        "200": {"description": f"The {q.form} answer", "content": _content(types)},
        "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
    }
    responses.update(_errors(400, 406, 422, 503))
    return {
        "get": {
            "operationId": q.slug,
            "summary": q.title,
            "description": f"{q.description['en']}\n\n{q.description['de']}",
            "tags": list(q.tags) or ["canned"],
            "parameters": parameters,
            "responses": responses,
        }
    }


def sparql_operations() -> dict[str, object]:
    all_types = nego.RESULTS_TYPES + nego.GRAPH_TYPES
    graph_params = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "explode": True,
        }
        for name in ("default-graph-uri", "named-graph-uri")
    ]
    responses = {
        "200": {
            "description": "SELECT/ASK results or CONSTRUCT/DESCRIBE RDF, negotiated by Accept or format",
            "content": _content(all_types),
        },
        **_errors(400, 406, 413, 415, 422, 429, 503),
    }
    return {
        "get": {
            "operationId": "sparqlQueryGet",
            "summary": "SPARQL 1.1 query via GET (without query: the service description)",
            "tags": ["sparql"],
            "parameters": [
                {
                    "name": "query",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                },
                *graph_params,
                FORMAT_PARAMETER,
            ],
            "responses": responses,
        },
        "post": {
            "operationId": "sparqlQueryPost",
            "summary": "SPARQL 1.1 query via POST (form-encoded or application/sparql-query)",
            "tags": ["sparql"],
            "parameters": [*graph_params, FORMAT_PARAMETER],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["query"],
                            "properties": {
                                "query": {"type": "string"},
                                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                },
            },
            "responses": responses,
        },
    }


def openapi_document(queries: Iterable[CannedQuery], server_url: str) -> dict[str, object]:
    paths: dict[str, object] = {"/sparql": sparql_operations()}
    queries = list(queries)
    paths["/queries"] = {
        "get": {
            "operationId": "listQueries",
            "summary": "The canned queries (JSON; HTML for browsers)",
            "tags": ["canned"],
            "responses": {
                "200": {"description": "The list", "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {}}}
            },
        }
    }
    for q in queries:
        paths[f"/queries/{q.slug}"] = canned_operation(q)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "sldkg – Stadt.Land.Digital knowledge graph: SPARQL endpoint and canned queries",
            "version": "1",
            "description": (
                "Read-only SPARQL 1.1 endpoint and canned queries over the documentation of the 6th Bundesländerworkshop (3 November 2020)."
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
    }
