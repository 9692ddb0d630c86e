"""The dataset description: VoID at /.well-known/void and the DCAT-AP.de record at /catalog,
checked for content against the data and the dumps, and the record validated against
shapes/dcat-ap-de.ttl."""

from __future__ import annotations

import hashlib
import warnings

import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID
from repo_paths import REPO_ROOT

from sldkg.settings import BASE_IRI

DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
GEODCATAP = rdflib.Namespace("http://data.europa.eu/930/")
SLD = rdflib.Namespace("https://w3id.org/sldkg/ontology#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DATASET = rdflib.URIRef("https://w3id.org/sldkg/.well-known/void#dataset")
CC_BY = rdflib.URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")
SHAPES = REPO_ROOT / "shapes" / "dcat-ap-de.ttl"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}


def parse(response) -> rdflib.Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser uses its own deprecated API
        return rdflib.Graph().parse(data=response.get_data(as_text=True), format=FORMATS[response.mimetype])


@pytest.fixture(scope="module")
def catalog(app):
    return parse(app.test_client().get("/catalog", headers={"Accept": "text/turtle"}))


@pytest.fixture(scope="module")
def void(app):
    return parse(app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"}))


def local_path(url) -> str:
    """The path on this server: persistent IRIs below the base IRI, or server URLs as they are."""
    url = str(url)
    if url.startswith(BASE_IRI):
        return "/" + url[len(BASE_IRI) :]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# ---------------------------------------------------------------------------------- DCAT-AP.de


def test_catalogue_record_conforms_to_the_dcat_ap_de_shapes(catalog):
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _, text = pyshacl.validate(catalog, shacl_graph=shapes, inference="none", do_owl_imports=False)
    assert conforms, text


def test_the_shapes_really_look_at_the_record(catalog):
    """Remove the licence of one distribution: the same shapes must now fail."""
    broken = rdflib.Graph()
    broken += catalog
    distribution = next(catalog.subjects(RDF.type, DCAT.Distribution))
    broken.remove((distribution, DCTERMS.license, None))
    conforms, report, _ = pyshacl.validate(broken, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    assert not conforms
    assert (
        None,
        rdflib.URIRef("http://www.w3.org/ns/shacl#sourceShape"),
        rdflib.URIRef("https://w3id.org/sldkg/shapes#DcatDistribution-license"),
    ) in report


def test_catalogue_names_licence_attribution_and_publishers_without_inventing(catalog):
    assert (DATASET, RDF.type, DCAT.Dataset) in catalog
    assert (DATASET, DCTERMS.license, CC_BY) in catalog
    assert catalog.value(DATASET, DCATDE.licenseAttributionByText) is not None
    publisher = catalog.value(DATASET, DCTERMS.publisher)
    assert str(catalog.value(publisher, FOAF.name)) == "sldkg contributors"
    originator = catalog.value(DATASET, GEODCATAP.originator)  # DCAT-AP.de 3.0, in place of dcatde:originator
    assert str(catalog.value(originator, FOAF.name)) == "Geschäftsstelle Stadt.Land.Digital"
    assert (DATASET, DCAT.theme, rdflib.URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")) in catalog
    # no people and no made-up dates: the only date is the data version's modification time
    assert not list(catalog.subjects(RDF.type, FOAF.Person))
    assert {p for p in catalog.predicates() if "date" in str(p).lower() or "issued" in str(p)} == set()


def test_spatial_coverage_is_germany_and_the_participating_laender(app, catalog):
    store = app.extensions["sldkg"].store
    rows = store.query(
        "PREFIX sld: <https://w3id.org/sldkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?key WHERE { ?e sld:participatingLand ?land . ?land skos:exactMatch ?key "
        'FILTER(STRSTARTS(STR(?key), "http://dcat-ap.de/def/politicalGeocoding/stateKey/")) }'
    )
    keys = {r["key"].value for r in rows}
    assert len(keys) == 13
    spatial = {str(o) for o in catalog.objects(DATASET, DCTERMS.spatial)}
    assert spatial == keys | {"http://publications.europa.eu/resource/authority/country/DEU"}
    assert not list(catalog.objects(DATASET, DCATDE.politicalGeocodingURI))  # deprecated in DCAT-AP.de 3.0
    assert catalog.value(DATASET, DCATDE.politicalGeocodingLevelURI) == rdflib.URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/state"
    )


def test_every_dump_is_a_distribution_whose_checksum_matches_the_download(client, catalog):
    downloads = list(catalog.objects(None, DCAT.downloadURL))
    assert len(downloads) == 6
    for distribution in catalog.subjects(DCAT.downloadURL, None):
        url = catalog.value(distribution, DCAT.downloadURL)
        body = client.get(local_path(url)).data
        checksum = catalog.value(distribution, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert int(catalog.value(distribution, DCAT.byteSize)) == len(body)


def test_sparql_endpoint_is_a_data_service(client, catalog):
    service = next(catalog.subjects(RDF.type, DCAT.DataService))
    endpoint = catalog.value(service, DCAT.endpointURL)
    assert str(endpoint) == "http://localhost/sparql"
    assert (service, DCAT.servesDataset, DATASET) in catalog
    answer = client.get(local_path(endpoint) + "?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200


# ---------------------------------------------------------------------------------- VoID


def test_void_figures_match_the_data(app, void):
    store = app.extensions["sldkg"].store
    triples = len({(q.subject, q.predicate, q.object) for q in store.oxigraph})
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert str(void.value(DATASET, VOID.uriSpace)) == "https://w3id.org/sldkg/id/"
    assert int(void.value(DATASET, VOID.triples)) == triples
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities)) for p in void.objects(DATASET, VOID.classPartition)}
    assert partitions[SLD.Land] == 16
    properties = [int(void.value(p, VOID.triples)) for p in void.objects(DATASET, VOID.propertyPartition)]
    assert sum(properties) == triples


def test_void_links_endpoint_dumps_and_examples_that_resolve(client, void):
    assert str(void.value(DATASET, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    dumps = list(void.objects(DATASET, VOID.dataDump))
    assert len(dumps) == 6
    for dump in dumps:
        assert client.get(local_path(dump)).status_code == 200
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert examples
    for example in examples:
        assert client.get(local_path(example), headers={"Accept": "text/turtle"}).status_code == 200


def test_linksets_count_the_same_as_links(app, void):
    store = app.extensions["sldkg"].store
    expected = {
        "http://www.wikidata.org/entity/": 0,
        "https://sws.geonames.org/": 0,
    }
    for row in store.query("SELECT DISTINCT ?s ?o WHERE { ?s <https://schema.org/sameAs> ?o }"):
        for prefix in expected:
            if row["o"].value.startswith(prefix):
                expected[prefix] += 1
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 2
    for linkset in linksets:
        assert void.value(linkset, VOID.linkPredicate) == rdflib.URIRef("https://schema.org/sameAs")
        target = void.value(linkset, VOID.objectsTarget)
        space = str(void.value(target, VOID.uriSpace))
        assert int(void.value(linkset, VOID.triples)) == expected[space] > 0


# ---------------------------------------------------------------------------------- negotiation


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
@pytest.mark.parametrize("media", list(FORMATS))
def test_descriptions_in_every_rdf_format(client, path, media):
    response = client.get(path, headers={"Accept": media})
    assert response.status_code == 200 and response.mimetype == media
    assert "Accept" in {v.strip() for v in response.headers["Vary"].split(",")}
    assert len(parse(response)) > 50


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
def test_descriptions_for_browsers_and_refusals(client, path):
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and "@prefix" in html.get_data(as_text=True)
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406
    assert client.get(path + "?format=xlsx").status_code == 400
