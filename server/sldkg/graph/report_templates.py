"""The templates of a new report folder (``sldkg new-report``), all in one place.

A report folder ``data/workshops/<folder>/`` holds the byte-identical ``source.txt`` and one Turtle
file per kind of fact (:data:`FACT_FILES`). The scaffold fills :data:`REPORT`, :data:`EVENT` (and
:data:`EVENT_NAMING` where no other report names the event yet) and, in the series model,
:data:`STATEMENT` once per fact triple; every other file starts as its header comment alone.
``passages.ttl`` is written by the renderer of ``sldkg anchor`` (:func:`sldkg.graph.anchor.render`).
Placeholders are :class:`string.Template` names (``$report``); values are N3 terms, already escaped.
Pure: strings only.
"""

from __future__ import annotations

from string import Template

#: The prefixes every template may use (the canonical formatter drops the unused ones).
PREFIXES = """\
@prefix dcmitype: <http://purl.org/dc/dcmitype/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sld: <https://w3id.org/sldkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: The files of a report folder that hold facts, with the header comment each starts with.
FACT_FILES: dict[str, str] = {
    "event.ttl": "# The workshop this report documents (member of the Bundesländerworkshop series), its agenda-free core.",
    "report.ttl": "# The report itself and its stored text (source.txt with its SHA-256 checksum).",
    "agenda.ttl": "# The programme of the workshop: agenda items (schema:Event + sld:AgendaItem) in order.",
    "people.ttl": "# People as of this workshop: names, roles and affiliations (org:Membership) the report gives.",
    "organisations.ttl": "# Organisations this report introduces or says something about as of the workshop.",
    "statements.ttl": "# Quotes (schema:Quotation) and statements (sld:Statement) of this report.",
    "tour-de-table.ttl": "# Initiatives the Länder reported (sld:Initiative), with status, counts and target years as reported.",
    # passages.ttl: written by `sldkg anchor`'s own renderer (sldkg.graph.anchor.render), header included
    "provenance.ttl": (
        "# Per-statement provenance of this report: one rdf:Statement per fact triple, with the passages\n"
        "# that support it and whether they state it (sld:Stated) or it is inferred (sld:Inferred, with a\n"
        "# skos:note saying how)."
    ),
}

#: The report (``schema:Report``) and its stored text (``dcmitype:Text``).
REPORT = Template("""\
$report a prov:Entity , schema:Report ;
    prov:wasDerivedFrom $passages ;
    rdfs:label $title ;
    schema:name $title ;
    schema:about $event ;
    schema:encoding $text .

$text a dcmitype:Text , schema:MediaObject ;
    dcterms:format $text_format ;
    dcterms:identifier $path ;
    dcterms:language $text_language ;
    dcterms:source $report ;
    prov:wasDerivedFrom $report ;
    rdfs:label "Text des Berichts (source.txt)"@de , "Text of the report (source.txt)"@en ;
    schema:encodesCreativeWork $report ;
    schema:encodingFormat "text/plain; charset=utf-8" ;
    schema:name "source.txt" ;
    schema:sha256 $sha256 .
""")

#: The event: always typed and derived from the report's passages.
EVENT = Template("""\
$event a schema:Event ;
    prov:wasDerivedFrom $passages .
""")

#: Name, date and series membership of the event, unless another report already states them
#: (a workshop an earlier report announced, e.g. ``event/blw-2021-04-27``).
EVENT_NAMING = Template("""\
$event rdfs:label $title ;
    schema:name $title ;
    schema:startDate $date ;
    schema:superEvent $series .
""")

#: One fact triple's provenance (series model, docs/MODEL.md "Statements and their provenance").
STATEMENT = Template("""\
$statement a rdf:Statement ;
    rdf:subject $subject ;
    rdf:predicate $predicate ;
    rdf:object $object ;
    prov:wasDerivedFrom $passages ;
    sld:supportKind $kind$note .
""")


def header(file_name: str) -> str:
    """The prefixes and header comment that ``file_name`` (one of :data:`FACT_FILES`) starts with."""
    return f"{PREFIXES}\n{FACT_FILES[file_name]}\n"
