"""SPARQL 1.1 Protocol request parsing and query-form detection (pure; the HTTP side is in test_protocol.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sldkg.sparql.protocol import ProtocolError, QueryRequest, declares_dataset, parse_query_string, parse_request, query_form

ASK = "ASK {}"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def test_get_with_query_and_dataset():
    parsed = parse_request(
        "GET",
        None,
        [("query", ASK), ("default-graph-uri", "http://a/g1"), ("named-graph-uri", "http://a/g2"), ("named-graph-uri", "http://a/g3")],
        b"",
    )
    assert parsed == QueryRequest(ASK, ("http://a/g1",), ("http://a/g2", "http://a/g3"), None, "ASK")


def test_get_without_query_is_the_service_description():
    assert parse_request("GET", None, [], b"") is None
    assert parse_request("HEAD", None, [("format", "ttl")], b"") is None


def test_form_post_reads_the_body_and_the_format():
    parsed = parse_request(
        "POST", FORM + "; charset=UTF-8", [], b"query=SELECT%20*%20%7B%7D&format=csv&default-graph-uri=http%3A%2F%2Fa%2Fg"
    )
    assert (parsed.query, parsed.format, parsed.default_graphs, parsed.form) == ("SELECT * {}", "csv", ("http://a/g",), "SELECT")


def test_direct_post_reads_the_body_and_the_url_dataset():
    parsed = parse_request("POST", DIRECT, [("named-graph-uri", "http://a/g")], 'ASK { ?s ?p "ä" }'.encode())
    assert (parsed.query, parsed.named_graphs) == ('ASK { ?s ?p "ä" }', ("http://a/g",))


@pytest.mark.parametrize(
    "method, content_type, params, body, status, kind",
    [
        ("GET", None, [("query", ASK), ("query", ASK)], b"", 400, "multiple-queries"),
        ("POST", FORM, [], b"query=ASK%7B%7D&query=ASK%7B%7D", 400, "multiple-queries"),
        ("POST", FORM, [("query", ASK)], b"query=ASK%7B%7D", 400, "multiple-queries"),
        ("POST", DIRECT, [("query", ASK)], ASK.encode(), 400, "multiple-queries"),
        ("POST", "text/plain", [], ASK.encode(), 415, "unsupported-media-type"),
        ("POST", None, [], b"query=ASK%7B%7D", 415, "unsupported-media-type"),  # missing form type
        ("POST", None, [], ASK.encode(), 415, "unsupported-media-type"),  # missing direct type
        ("POST", DIRECT + "; charset=UTF-16", [], ASK.encode("utf-16"), 415, "unsupported-media-type"),
        ("POST", DIRECT, [], ASK.encode("utf-16"), 400, "encoding"),
        ("POST", FORM, [], b"query=ASK%20%7B%FF%7D", 400, "encoding"),
        ("GET", None, [("query", "  ")], b"", 400, "missing-query"),
        ("GET", None, [("default-graph-uri", "http://a/g")], b"", 400, "missing-query"),
        ("POST", FORM, [], b"format=json", 400, "missing-query"),
        ("GET", None, [("update", "CLEAR ALL")], b"", 400, "update-not-accepted"),
        ("POST", FORM, [], b"update=CLEAR%20ALL", 400, "update-not-accepted"),
        ("POST", "application/sparql-update", [], b"CLEAR ALL", 400, "update-not-accepted"),
        ("POST", DIRECT, [], b"INSERT DATA { <http://a> <http://b> <http://c> }", 400, "update-not-accepted"),
        ("GET", None, [("query", ASK), ("default-graph-uri", "not an iri")], b"", 400, "bad-parameter"),
        ("PUT", DIRECT, [], ASK.encode(), 405, "method-not-allowed"),
    ],
)
def test_protocol_errors(method, content_type, params, body, status, kind):
    with pytest.raises(ProtocolError) as info:
        parse_request(method, content_type, params, body)
    assert (info.value.status, info.value.kind) == (status, kind)
    assert info.value.message


def test_repeated_format_values_are_alternatives():
    parsed = parse_request(
        "GET", None, [("query", ASK), ("format", "tsv"), ("format", "text/tab-separated-values"), ("format", "tsv")], b""
    )
    assert parsed.format == "tsv,text/tab-separated-values"


def test_query_length_limit_is_414_on_get_and_413_on_post():
    long_query = "ASK {}" + " " * 100
    with pytest.raises(ProtocolError) as get:
        parse_request("GET", None, [("query", long_query)], b"", max_query_chars=50)
    with pytest.raises(ProtocolError) as post:
        parse_request("POST", DIRECT, [], long_query.encode(), max_query_chars=50)
    assert (get.value.status, post.value.status) == (414, 413)
    assert get.value.details == {"limit": 50}


def test_non_utf8_url_parameter_is_refused():
    assert parse_query_string(b"query=ASK%20%7B%7D&x=%C3%A4") == [("query", "ASK {}"), ("x", "ä")]
    with pytest.raises(ProtocolError) as info:
        parse_query_string(b"query=%FF")
    assert info.value.status == 400


@pytest.mark.parametrize(
    "query, form",
    [
        ("SELECT * {}", "SELECT"),
        ("select * {}", "SELECT"),
        ("ASK{}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://a>", "DESCRIBE"),
        ("PREFIX : <http://a/> SELECT * {}", "SELECT"),
        ("PREFIX :<http://a/> ASK {}", "ASK"),
        ("BASE <http://a/> PREFIX ex: <x#> DESCRIBE ex:y", "DESCRIBE"),
        ("# INSERT in a comment\nSELECT * {}", "SELECT"),
        ("PREFIX insert: <http://a/> SELECT * {}", "SELECT"),
        ("{ broken", None),
        ("", None),
        ("FOO", None),
    ],
)
def test_query_form(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/x.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://a>",
        "CREATE GRAPH <http://a>",
        "COPY DEFAULT TO <http://a>",
        "MOVE <http://a> TO <http://b>",
        "ADD <http://a> TO <http://b>",
        "PREFIX ex: <http://e/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "# comment\n  insert data {}",
    ],
)
def test_updates_are_detected(update):
    with pytest.raises(ProtocolError) as info:
        query_form(update)
    assert info.value.status == 400 and info.value.kind == "update-not-accepted"
    assert "updates are not accepted" in info.value.message


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "HEAD"]),
    content_type=st.sampled_from(
        [None, "", FORM, DIRECT, DIRECT + "; charset=latin-1", "application/sparql-update", "text/plain", "multipart/form-data"]
    ),
    params=st.lists(
        st.tuples(st.sampled_from(["query", "update", "format", "default-graph-uri", "named-graph-uri", "x"]), st.text(max_size=30)),
        max_size=4,
    ),
    body=st.binary(max_size=60),
)
def test_any_request_is_parsed_or_refused_with_a_4xx(method, content_type, params, body):
    try:
        parsed = parse_request(method, content_type, params, body)
    except ProtocolError as exc:
        assert 400 <= exc.status < 500 and exc.message and exc.kind
    else:
        assert parsed is None or (isinstance(parsed, QueryRequest) and parsed.query.strip())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_query_form_never_fails_except_for_updates(text):
    try:
        form = query_form(text)
    except ProtocolError as exc:
        assert exc.kind == "update-not-accepted"
    else:
        assert form in (None, "SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@pytest.mark.parametrize(
    "query, declared",
    [
        ("SELECT * FROM <http://a/g> {}", True),
        ("select * from named <http://a/g> {}", True),
        ("SELECT ?from WHERE { ?s ?p ?from }", False),
        ("SELECT $from {}", False),
        ('SELECT * { ?s <http://a/from> "FROM" } # FROM', False),
        ("PREFIX from: <http://a/> SELECT * { ?s from:x ?o }", False),
    ],
)
def test_declares_dataset(query, declared):
    assert declares_dataset(query) is declared


def test_query_form_memo_gives_the_same_answers_and_keeps_refusing_updates():
    from sldkg.sparql import protocol

    prologue = "PREFIX ex: <http://example.org/>\n"
    short = prologue + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    long = prologue + "# " + "x" * protocol.FORM_MEMO_CHARS + "\nASK {}"  # over the bound: lexed every time
    assert query_form(short) == query_form(short) == "CONSTRUCT"
    assert query_form(long) == "ASK"
    for _ in range(2):
        with pytest.raises(ProtocolError):
            query_form(prologue + "INSERT DATA { ex:a ex:b ex:c }")
