"""The Accept parser and the media-type tables (pure functions, table tests)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sldkg.sparql import negotiation as nego
from sldkg.sparql.negotiation import (
    CSV,
    JSON_LD,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    RESULTS_JSON,
    RESULTS_XML,
    TRIG,
    TSV,
    TURTLE,
    MediaRange,
    UnknownFormat,
    acceptable_types,
    format_override,
    negotiate,
    parse_accept,
    prefers_html,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, [MediaRange("*", "*")]),
        ("", [MediaRange("*", "*")]),
        ("text/csv", [MediaRange("text", "csv")]),
        ("TEXT/CSV", [MediaRange("text", "csv")]),
        ("text/*;q=0.5, text/csv", [MediaRange("text", "csv"), MediaRange("text", "*", 0.5)]),
        # equal q: the more specific range first, then the header order
        ("*/*, text/*, text/turtle", [MediaRange("text", "turtle"), MediaRange("text", "*"), MediaRange("*", "*")]),
        ("a/b;q=2", [MediaRange("a", "b", 1.0)]),  # q clamped to 1
        ("a/b;q=-1", [MediaRange("a", "b", 0.0)]),
        ("a/b;charset=utf-8;q=0.3", [MediaRange("a", "b", 0.3, (("charset", "utf-8"),))]),
        ("garbage, /x, */json, text/csv", [MediaRange("text", "csv")]),  # malformed elements are skipped
    ],
)
def test_parse_accept(header, expected):
    assert parse_accept(header) == expected


RESULTS = (nego.RESULTS_TYPES, nego.RESULTS_ALIASES)
GRAPHS = (nego.GRAPH_TYPES, nego.GRAPH_ALIASES)


@pytest.mark.parametrize(
    "header, table, expected_first, expected_len",
    [
        (None, RESULTS, RESULTS_JSON, 4),
        ("*/*", RESULTS, RESULTS_JSON, 4),
        ("*/*", GRAPHS, TURTLE, 6),
        ("text/csv", RESULTS, CSV, 1),
        ("text/tab-separated-values", RESULTS, TSV, 1),
        ("application/sparql-results+xml", RESULTS, RESULTS_XML, 1),
        ("application/json", RESULTS, RESULTS_JSON, 1),  # alias
        ("application/xml", RESULTS, RESULTS_XML, 1),  # alias
        ("application/json", GRAPHS, JSON_LD, 1),  # the same alias means JSON-LD for graphs
        ("application/xml", GRAPHS, RDF_XML, 1),
        ("text/plain", GRAPHS, N_TRIPLES, 1),
        ("application/n-quads", GRAPHS, N_QUADS, 1),
        ("application/trig", GRAPHS, TRIG, 1),
        ("text/*", RESULTS, CSV, 2),  # csv before tsv: server order breaks the tie
        ("text/*", GRAPHS, TURTLE, 1),  # aliases never match through a wildcard
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", RESULTS, RESULTS_XML, 2),
        ("text/turtle;q=0.1, application/ld+json", GRAPHS, JSON_LD, 2),
        ("*/*;q=0.1, text/csv;q=0", RESULTS, RESULTS_JSON, 3),  # q=0 excludes csv even with */*
        ("text/turtle", RESULTS, None, 0),  # nothing acceptable: 406
        ("application/sparql-results+json", GRAPHS, None, 0),
        ("image/png", RESULTS, None, 0),
        ("text/n3", GRAPHS, TURTLE, 1),
    ],
)
def test_negotiate(header, table, expected_first, expected_len):
    offered, aliases = table
    chosen = negotiate(header, offered, aliases)
    assert len(chosen) == expected_len
    assert (chosen[0] if chosen else None) == expected_first
    assert all(m in offered for m in chosen)


@pytest.mark.parametrize(
    "value, graph, expected",
    [
        ("json", False, RESULTS_JSON),
        ("json", True, JSON_LD),
        ("xml", False, RESULTS_XML),
        ("xml", True, RDF_XML),
        ("CSV", False, CSV),
        ("tsv", False, TSV),
        ("ttl", True, TURTLE),
        ("turtle", True, TURTLE),
        ("nt", True, N_TRIPLES),
        ("jsonld", True, JSON_LD),
        ("rdf", True, RDF_XML),
        ("nq", True, N_QUADS),
        ("trig", True, TRIG),
        ("text/csv", False, CSV),
        ("application/trig", True, TRIG),
        ("json-ld,application/ld+json,application/x-json+ld", True, JSON_LD),  # SPARQLWrapper's repeated values
        ("foo,tsv", False, TSV),  # unknown alternatives are ignored while one is known
        ("csv,tsv", False, CSV),  # the first that applies wins
        ("csv,ttl", True, TURTLE),
        ("csv", True, None),  # a results format asked of a graph: 406
        ("ttl", False, None),  # a graph format asked of SELECT: 406
    ],
)
def test_format_override(value, graph, expected):
    assert format_override(value, graph=graph) == expected


@pytest.mark.parametrize("value", ["yaml", "html", "application/pdf", "t t l", "yaml,pdf"])
def test_unknown_format_names_the_value(value):
    with pytest.raises(UnknownFormat) as info:
        format_override(value, graph=False)
    assert repr(value) in str(info.value) and "known formats" in str(info.value)


def test_format_parameter_overrides_accept():
    assert acceptable_types("text/csv", "ttl") == ((), (TURTLE,))
    assert acceptable_types("text/csv", None) == ((CSV,), ())
    assert acceptable_types("text/csv", "  ") == ((CSV,), ())  # an empty format is no override


@pytest.mark.parametrize(
    "header, html",
    [
        (BROWSER, True),
        ("text/html", True),
        (None, False),
        ("*/*", False),
        ("text/turtle", False),
        ("text/html;q=0.5, text/turtle", False),
        ("application/sparql-results+json, text/html;q=0.1", False),
    ],
)
def test_prefers_html(header, html):
    assert prefers_html(header) is html


def test_every_canonical_type_has_an_extension_and_charset():
    for media in nego.RESULTS_TYPES + nego.GRAPH_TYPES:
        assert media in nego.EXTENSIONS
        assert nego.with_charset(media).endswith("charset=utf-8")


# -- robustness: any header parses, nothing raises --------------------------------------------------


ACCEPT_ALPHABET = st.sampled_from(list('abcdefghijklmnopqrstuvwxyz*/;=,.+- \t"0123456789q'))


@settings(max_examples=300, deadline=None)
@given(st.text(ACCEPT_ALPHABET, max_size=80))
def test_any_accept_header_parses_into_sane_ranges(header):
    ranges = parse_accept(header)
    assert all(0.0 <= r.q <= 1.0 and r.type and r.subtype for r in ranges)
    assert [r.q for r in ranges] == sorted((r.q for r in ranges), reverse=True)
    for offered, aliases in (RESULTS, GRAPHS):
        chosen = negotiate(header, offered, aliases)
        assert len(set(chosen)) == len(chosen) and set(chosen) <= set(offered)


# -- representations of a resource (/id/…, /ontology, VoID, DCAT): the same parser and table --------------

HTML, TEXT = nego.HTML, nego.PLAIN_TEXT
RESOURCE = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)


@pytest.mark.parametrize(
    ("header", "fmt", "offered", "expected"),
    [
        (None, None, RESOURCE, TURTLE),
        ("*/*", None, RESOURCE, TURTLE),
        (BROWSER, None, RESOURCE, HTML),
        ("application/ld+json;q=0.5, text/turtle;q=0.4", None, RESOURCE, JSON_LD),
        ("application/json", None, RESOURCE, JSON_LD),
        ("application/xhtml+xml", None, RESOURCE, HTML),
        ("text/turtle;q=0, */*;q=0.1", None, RESOURCE, HTML),
        ("text/html", "nt", RESOURCE, N_TRIPLES),
        ("image/png", "rdf", RESOURCE, RDF_XML),
        (None, "turtle", RESOURCE, TURTLE),  # the names of format= on /sparql work here too
        (None, "RDFXML", RESOURCE, RDF_XML),
        (None, "json-ld", RESOURCE, JSON_LD),
        (None, "application/n-triples", RESOURCE, N_TRIPLES),
        (None, "txt", (*RESOURCE, TEXT), TEXT),
        ("text/plain", None, (*RESOURCE, TEXT), TEXT),
        ("text/plain, */*;q=0.1", None, RESOURCE, TURTLE),  # text/plain is not N-Triples on a resource
    ],
)
def test_choose_representation(header, fmt, offered, expected):
    assert nego.choose_representation(header, fmt, offered) == expected


@pytest.mark.parametrize(
    ("header", "fmt", "offered", "error"),
    [
        ("image/png", None, RESOURCE, nego.NotAcceptable),
        ("text/plain", None, RESOURCE, nego.NotAcceptable),
        (None, "txt", RESOURCE, nego.NotAcceptable),  # a known name this resource cannot send: 406
        (None, "nq", RESOURCE, nego.NotAcceptable),
        (None, "csv", RESOURCE, UnknownFormat),  # a results format names no representation: 400
        (None, "yaml", RESOURCE, UnknownFormat),
    ],
)
def test_choose_representation_refuses(header, fmt, offered, error):
    with pytest.raises(error) as info:
        nego.choose_representation(header, fmt, offered)
    if isinstance(info.value, nego.NotAcceptable):
        assert info.value.offered == list(offered)
    else:
        assert "ttl" in info.value.known and "csv" not in info.value.known


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, nego.JSON),
        ("*/*", nego.JSON),
        ("text/plain", TEXT),
        ("text/*", TEXT),
        (BROWSER, HTML),
        ("application/xhtml+xml", HTML),
        ("image/png", nego.JSON),  # nothing acceptable: an error body is still sent, as JSON
        ("text/html;q=0.5, application/json", nego.JSON),
    ],
)
def test_preferred_error_body(header, expected):
    assert nego.preferred(header, (nego.JSON, TEXT, HTML), {nego.XHTML: HTML}) == expected


def test_prefers_html_counts_xhtml_but_not_wildcards():
    assert prefers_html("application/xhtml+xml")
    assert not prefers_html("*/*")
    assert not prefers_html("text/*")


def test_one_name_per_media_type():
    """Every canonical name maps back to its media type through the format= tables."""
    for media, name in nego.FORMAT_NAMES.items():
        if media in nego.GRAPH_TYPES:
            assert format_override(name, graph=True) == media
            assert nego.representation_format(name) == media
        elif media in nego.RESULTS_TYPES:
            assert format_override(name, graph=False) == media
        else:
            assert nego.representation_format(name) == media
    assert len(set(nego.FORMAT_NAMES.values())) == len(nego.FORMAT_NAMES)


def test_acceptable_types_is_memoised_but_never_remembers_a_refusal():
    acceptable_types.cache_clear()
    first = acceptable_types("text/csv, application/ld+json;q=0.5", None)
    assert acceptable_types("text/csv, application/ld+json;q=0.5", None) is first
    assert acceptable_types.cache_info().hits == 1
    for _ in range(2):  # an unknown format is refused every time, not only the first
        with pytest.raises(UnknownFormat):
            acceptable_types(None, "yaml")
    for n in range(nego.NEGOTIATION_MEMO + 10):  # made-up headers only evict: the memo stays bounded
        acceptable_types(f"application/x-{n}", None)
    assert acceptable_types.cache_info().currsize == nego.NEGOTIATION_MEMO
