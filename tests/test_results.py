"""sldkg.backends.evaluation.execute on a small fixture store: every format, the row and byte limits, substitutions,
syntax errors (runs in-process; the executors run the same function)."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import rdflib

from sldkg.backends.evaluation import RESULTS_FORMATS, BadSubstitution, execute, parse_term, syntax_position
from sldkg.backends.result_limits import LimitedSink, RowMarker, TooLarge
from sldkg.graph.store import load
from sldkg.sparql import negotiation as nego
from sldkg.sparql.jobs import QueryJob

TRICKY = 'a},{"b\r\nc<result>\td'  # the row markers of every format inside one literal


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    lines = [f'<http://ex.org/s{i}> <http://ex.org/p> "value {i}"@de .' for i in range(10)]
    lines.append(f"<http://ex.org/t> <http://ex.org/q> {ox.Literal(TRICKY)} .")
    lines.append('<http://ex.org/t> <http://ex.org/q> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    (folder / "small.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load([folder])


def solutions(answer) -> list[dict[str, str]]:
    if answer.media_type == nego.CSV:  # lossy: pyoxigraph does not read it back; the csv module does
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(io.StringIO(answer.body.decode("utf-8"), newline=""))]
    parsed = ox.parse_query_results(answer.body, format=RESULTS_FORMATS[answer.media_type])
    names = [v.value for v in parsed.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in parsed]


@pytest.mark.parametrize("media", nego.RESULTS_TYPES)
def test_select_in_every_results_format(store, media):
    answer = execute(store, QueryJob("SELECT ?o WHERE { <http://ex.org/t> <http://ex.org/q> ?o } ORDER BY ?o", results_types=(media,)))
    assert (answer.status, answer.media_type, answer.form) == (200, media, "SELECT")
    values = {row["o"] for row in solutions(answer)}
    if media == nego.CSV:  # CSV keeps only the lexical forms
        assert values == {TRICKY, "7"}
    else:
        assert values == {str(ox.Literal(TRICKY)), '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'}


@pytest.mark.parametrize("media", nego.RESULTS_TYPES)
def test_row_limit_is_exact_at_the_boundary(store, media):
    query = "SELECT ?s WHERE { ?s <http://ex.org/p> ?o }"  # 10 rows
    fits = execute(store, QueryJob(query, results_types=(media,), max_rows=10))
    assert (fits.status, fits.rows, len(solutions(fits))) == (200, 10, 10)
    over = execute(store, QueryJob(query, results_types=(media,), max_rows=9))
    assert (over.status, over.error, over.details) == (422, "result-too-large", {"limit_rows": 9})


@pytest.mark.parametrize("media", nego.RESULTS_TYPES)
def test_empty_results_count_zero_rows(store, media):
    answer = execute(store, QueryJob("SELECT ?s WHERE { ?s <http://ex.org/none> ?o }", results_types=(media,), max_rows=0))
    assert (answer.status, answer.rows, solutions(answer)) == (200, 0, [])


@pytest.mark.parametrize("media", [nego.RESULTS_JSON, nego.CSV])
def test_markers_inside_literals_can_only_overcount(store, media):
    query = "SELECT ?o WHERE { <http://ex.org/t> <http://ex.org/q> ?o }"  # 2 rows, one literal holds the markers
    assert execute(store, QueryJob(query, results_types=(media,), max_rows=1)).status == 422
    assert execute(store, QueryJob(query, results_types=(media,), max_rows=100)).rows >= 2


def test_byte_limit(store):
    answer = execute(store, QueryJob("SELECT * WHERE { ?s ?p ?o }", max_bytes=200))
    assert (answer.status, answer.details) == (422, {"limit_bytes": 200})
    graph = execute(store, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", graph_types=(nego.TURTLE,), max_bytes=100))
    assert (graph.status, graph.details) == (422, {"limit_bytes": 100})


RDFLIB_FORMATS = {
    nego.TURTLE: "turtle",
    nego.N_TRIPLES: "nt",
    nego.JSON_LD: "json-ld",
    nego.RDF_XML: "xml",
    nego.N_QUADS: "nquads",
    nego.TRIG: "trig",
}


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's own TriG/N-Quads/JSON-LD parsers
@pytest.mark.parametrize("media", nego.GRAPH_TYPES)
def test_construct_in_every_graph_format_with_exact_triple_limit(store, media):
    query = "CONSTRUCT WHERE { ?s <http://ex.org/p> ?o }"  # 10 triples
    answer = execute(store, QueryJob(query, graph_types=(media,), max_rows=10))
    assert (answer.status, answer.media_type, answer.form, answer.rows) == (200, media, "CONSTRUCT", 10)
    parsed = rdflib.Dataset().parse(data=answer.body, format=RDFLIB_FORMATS[media])
    assert len(list(parsed.quads((None, None, None, None)))) == 10
    over = execute(store, QueryJob(query, graph_types=(media,), max_rows=9))
    assert (over.status, over.details) == (422, {"limit_rows": 9})


def test_describe_is_a_graph_answer_and_results_types_do_not_fit(store):
    answer = execute(store, QueryJob("DESCRIBE <http://ex.org/s1>", results_types=(nego.RESULTS_JSON,), graph_types=(nego.N_TRIPLES,)))
    assert (answer.status, answer.form, answer.media_type) == (200, "DESCRIBE", nego.N_TRIPLES)
    refused = execute(store, QueryJob("DESCRIBE <http://ex.org/s1>", results_types=(nego.RESULTS_JSON,), graph_types=()))
    assert (refused.status, refused.error) == (406, "not-acceptable")
    assert execute(store, QueryJob("ASK {}", results_types=())).status == 406


def test_ask(store):
    answer = execute(store, QueryJob("ASK { ?s <http://ex.org/p> ?o }", results_types=(nego.RESULTS_XML,)))
    assert bool(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.XML)) is True


def test_syntax_error_has_line_and_column(store):
    answer = execute(store, QueryJob("SELECT *\nWHERE { ?s ?p }"))
    assert (answer.status, answer.error) == (400, "syntax")
    assert answer.details["line"] == 2 and answer.details["column"] > 0
    assert syntax_position("error at 3:7: expected") == {"line": 3, "column": 7}
    assert syntax_position("no position") == {}
    assert answer.message.startswith("SPARQL syntax error at line 2, column ")


def test_long_syntax_messages_are_cut_short(store):
    answer = execute(store, QueryJob("SELECT * {"))
    assert answer.message.startswith("SPARQL syntax error at line 1, column 11: expected one of")
    assert len(answer.message) < 400 and answer.message.endswith(", …")


def test_substitutions_are_bound_as_terms(store):
    query = "SELECT ?s ?o WHERE { ?s <http://ex.org/p> ?o }"
    answer = execute(store, QueryJob(query, substitutions=(("o", '"value 3"@de'),)))
    assert [row["s"] for row in solutions(answer)] == ["<http://ex.org/s3>"]
    nothing = execute(store, QueryJob(query, substitutions=(("o", '"value 3"'),)))  # a plain string is another term
    assert solutions(nothing) == []
    bad = execute(store, QueryJob(query, substitutions=(("o", "value 3"),)))
    assert (bad.status, bad.error) == (400, "bad-parameter")


@pytest.mark.parametrize(
    "text, term",
    [
        ("<http://ex.org/a>", ox.NamedNode("http://ex.org/a")),
        ('"x"@de', ox.Literal("x", language="de")),
        (
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
            ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
    ],
)
def test_parse_term(text, term):
    assert parse_term(text) == term


@pytest.mark.parametrize("text", ["x", "_:b0", "<a> <b>", '"x" . <http://a> <http://b> <http://c>'])
def test_parse_term_refuses_anything_but_one_iri_or_literal(text):
    with pytest.raises(BadSubstitution):
        parse_term(text)


def test_limited_sink_counts_markers_across_chunk_borders():
    sink = LimitedSink(1000, 2, RowMarker(b"<result>", 0))
    for chunk in (b"<res", b"ult>x<r", b"esult><", b"result", b">"):
        try:
            sink.write(chunk)
        except TooLarge as exc:
            assert exc.limits == {"limit_rows": 2} and sink.count == 3
            break
    else:
        pytest.fail("the third row was not noticed")


@pytest.fixture(scope="module")
def two_graphs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("graphs")
    (folder / "a.nt").write_text("<http://ex.org/x> <http://ex.org/in> <http://ex.org/A> .\n", encoding="utf-8")
    (folder / "b.nt").write_text("<http://ex.org/x> <http://ex.org/in> <http://ex.org/B> .\n", encoding="utf-8")
    return load([folder]), {f.path.stem: f.graph for f in load([folder]).files}


def objects(answer) -> set[str]:
    return {row["o"] for row in solutions(answer)}


def test_dataset_of_the_query_and_of_the_protocol(two_graphs):
    store, graph = two_graphs
    query = "SELECT ?o {from} WHERE {{ ?s <http://ex.org/in> ?o }}"
    assert objects(execute(store, QueryJob(query.format(**{"from": ""})))) == {"<http://ex.org/A>", "<http://ex.org/B>"}  # union
    assert objects(execute(store, QueryJob(query.format(**{"from": f"FROM <{graph['a']}>"})))) == {"<http://ex.org/A>"}
    assert (
        objects(execute(store, QueryJob(query.format(**{"from": f"FROM NAMED <{graph['a']}>"})))) == set()
    )  # no FROM: empty default graph
    overridden = QueryJob(query.format(**{"from": f"FROM <{graph['a']}>"}), default_graphs=(graph["b"],))
    assert objects(execute(store, overridden)) == {"<http://ex.org/B>"}  # the protocol's dataset wins
    named = "SELECT ?g ?o FROM NAMED <{a}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}".format(**graph)
    assert {row["g"] for row in solutions(execute(store, QueryJob(named)))} == {f"<{graph['a']}>"}
    variable = "SELECT ?o ?from WHERE { ?s <http://ex.org/in> ?o OPTIONAL { ?s <http://ex.org/none> ?from } }"
    assert len(objects(execute(store, QueryJob(variable)))) == 2  # a variable named ?from is no dataset clause
