"""The served DCAT record (/catalog) against the OFFICIAL DCAT-AP.de 3.0 shapes, vendored under
tests/vendor/dcat-ap-de/ (source, commit and licences in its README): the GovData profile
"DCAT-AP.de 3.0 - Spezifikation" = the DCAT-AP 3.0.0 shapes, their German messages and
corrections, the German additions, the deprecation rules and the controlled-vocabulary checks.

The record must give no result at all: no violation, no warning (a deprecated property such as
dcatde:politicalGeocodingURI is a warning), no info. The validator's owl:imports of whole
vocabularies are replaced by the few vocabulary facts in vocabularies.ttl (the tests run offline).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF

VENDOR = Path(__file__).parent / "vendor" / "dcat-ap-de"
#: The files of the GovData profile "v30_de_spec" (validator/resources/config.properties), without the imports file.
PROFILE = (
    VENDOR / "dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl",
    VENDOR / "govdata" / "dcat-ap-SHACL-DE.ttl",
    VENDOR / "govdata" / "dcat-ap-de-deprecated.ttl",
    VENDOR / "govdata" / "dcat-ap-spec-german-additions.ttl",
    VENDOR / "govdata" / "dcat-ap-de-controlledvocabularies.ttl",
)
VOCABULARIES = VENDOR / "vocabularies.ttl"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")
DATASET = rdflib.URIRef("https://w3id.org/sldkg/.well-known/void#dataset")
DCAT_VERSION = rdflib.URIRef("http://www.w3.org/ns/dcat#version")


@pytest.fixture(scope="module")
def official_shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    for file in PROFILE:
        shapes.parse(file, format="turtle")
    return shapes


@pytest.fixture(scope="module")
def record(app) -> rdflib.Graph:
    response = app.test_client().get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")


def validate(record: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    data = rdflib.Graph()
    data += record
    data.parse(VOCABULARIES, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", do_owl_imports=False, allow_warnings=True)
    return report


def results(report: rdflib.Graph) -> Iterator[tuple[str, str, str, str]]:
    """(severity, source shape, path, message) of every validation result."""
    for result in report.subjects(RDF.type, SH.ValidationResult):
        yield (
            str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.resultPath)),
            str(report.value(result, SH.resultMessage)),
        )


def test_the_served_record_gives_no_violation_and_no_warning(record, official_shapes):
    found = sorted(results(validate(record, official_shapes)))
    assert found == [], "\n".join(" | ".join(r) for r in found)


def test_the_record_uses_the_dcat_ap_de_3_replacements(record):
    assert not list(record.triples((None, DCATDE.politicalGeocodingURI, None)))
    assert not list(record.triples((None, DCATDE.originator, None)))
    assert not list(record.triples((DATASET, rdflib.OWL.versionInfo, None)))
    assert record.value(DATASET, rdflib.URIRef("http://data.europa.eu/930/originator")) is not None
    keys = {str(o) for o in record.objects(DATASET, DCTERMS.spatial) if "/stateKey/" in str(o)}
    assert keys and all(k.startswith("http://dcat-ap.de/def/politicalGeocoding/stateKey/") for k in keys)
    assert record.value(DATASET, DCAT_VERSION) is not None


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        (DCATDE.politicalGeocodingURI, rdflib.URIRef("http://dcat-ap.de/def/politicalGeocoding/stateKey/09")),
        (DCATDE.originator, rdflib.URIRef("https://w3id.org/sldkg/catalog#source-publisher")),
    ],
)
def test_the_deprecation_rules_flag_the_2_0_properties(record, official_shapes, prop, value):
    """What /catalog served before DCAT-AP.de 3.0: the same shapes must warn about it."""
    old = rdflib.Graph()
    old += record
    old.add((DATASET, prop, value))
    found = [(severity, path, message.split(":")[0]) for severity, _, path, message in results(validate(old, official_shapes))]
    assert found == [("Warning", str(prop), "Deprecated")]


def test_a_value_outside_the_controlled_vocabulary_is_a_violation(record, official_shapes):
    changed = rdflib.Graph()
    changed += record
    distribution = next(record.subjects(DCTERMS["format"], None))
    changed.remove((distribution, DCTERMS["format"], None))
    changed.add((distribution, DCTERMS["format"], rdflib.URIRef("http://example.org/file-type/TURTLE")))
    found = list(results(validate(changed, official_shapes)))
    assert [(severity, path) for severity, _, path, _ in found] == [("Violation", str(rdflib.SKOS.inScheme))]
