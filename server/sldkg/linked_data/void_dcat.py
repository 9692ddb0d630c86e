"""The dataset described for machines: VoID (``/.well-known/void``) and a DCAT-AP.de 3.0 catalogue
record (``/catalog``); pure (no Flask).

The figures come from queries (:data:`STATISTICS_QUERIES`, run by the web layer through the
backend) and the dumps; nothing is invented: the maintainers are "sldkg contributors", the
source report's publisher is named as in the report's imprint, and the only date is the data
version's modification time. The release (``dcat:version``) is the one the loaded graph states
(:mod:`sldkg.linked_data.release`).

The record follows DCAT-AP.de 3.0 and is checked by the official GovData shapes
(tests/test_dcat_ap_de_official.py): no property DCAT-AP.de 3.0 deprecates
(``dcatde:politicalGeocodingURI`` -> ``dcterms:spatial``; ``dcatde:originator`` ->
``geodcatap:originator``; ``owl:versionInfo`` -> ``dcat:version``), and every coded value from the
vocabulary DCAT-AP.de names: EU file types, languages and data themes, the DCAT-AP.de licences and
political geocoding levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from sldkg.linked_data.description_queries import PREFIXES as SPARQL_PREFIXES
from sldkg.linked_data.dumps import Dump
from sldkg.linked_data.rdf_formats import PREFIXES
from sldkg.linked_data.release import RELEASE_QUERY
from sldkg.settings import BASE_IRI, RESOURCE_BASE
from sldkg.vocabulary import PROV

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: DCAT 3's dcat:version (rdflib's DCAT namespace object predates it).
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
GEODCATAP = Namespace("http://data.europa.eu/930/")
ADMS = Namespace("http://www.w3.org/ns/adms#")

#: Persistent IRIs of the descriptions (their documents are served at these paths).
DATASET = URIRef(BASE_IRI + ".well-known/void#dataset")
CATALOG = URIRef(BASE_IRI + "catalog")
DATA_SERVICE = URIRef(BASE_IRI + "catalog#sparql-endpoint")
CATALOG_RECORD_AGENT = URIRef(BASE_IRI + "catalog#sldkg-contributors")
SOURCE_PUBLISHER = URIRef(BASE_IRI + "catalog#source-publisher")
REPORT = URIRef(RESOURCE_BASE + "report/blw-2020-11-03")

LICENCE = URIRef("http://dcat-ap.de/def/licenses/cc-by/4.0")
ATTRIBUTION = (
    "sldkg contributors, Stadt.Land.Digital-Wissensgraph; Quelle: Geschäftsstelle Stadt.Land.Digital, "
    "Ergebnisdokumentation 6. Bundesländerworkshop der Initiative Stadt.Land.Digital (Stand: November 2020)"
)
MAINTAINERS = "sldkg contributors"
#: The report's imprint (source.txt, "Impressum – Herausgeber").
SOURCE_PUBLISHER_NAME = "Geschäftsstelle Stadt.Land.Digital"
THEME_GOVE = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
GERMANY = URIRef("http://publications.europa.eu/resource/authority/country/DEU")
STATE_KEY_BASE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/"
#: DCAT-AP.de's political geocoding level "Land" (vocabulary http://dcat-ap.de/def/politicalGeocoding/Level).
STATE_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/state")
LANGUAGE_DE = URIRef("http://publications.europa.eu/resource/authority/language/DEU")
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPES = {
    "ttl": "RDF_TURTLE",
    "nt": "RDF_N_TRIPLES",
    "jsonld": "JSON_LD",
    "rdf": "RDF_XML",
    "nq": "RDF_N_QUADS",
    "trig": "RDF_TRIG",
}
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
#: Link targets of the linksets: name -> (IRI prefix of the target, its home page).
#: The predicate of the links to Wikidata and GeoNames (a page that identifies the same thing; not
#: owl:sameAs, see docs/MODEL.md "Links to Wikidata and GeoNames").
LINK_PREDICATE = URIRef("https://schema.org/sameAs")

LINK_TARGETS = {
    "wikidata": ("http://www.wikidata.org/entity/", "https://www.wikidata.org/"),
    "geonames": ("https://sws.geonames.org/", "https://www.geonames.org/"),
}

STATISTICS_QUERIES = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    "entities": f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{RESOURCE_BASE}")) }}',
    "classes": f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) (MIN(STR(?s)) AS ?example) WHERE {{
  ?s a ?class FILTER(STRSTARTS(STR(?s), "{RESOURCE_BASE}")) }} GROUP BY ?class ORDER BY ?class""",
    "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?p ORDER BY ?p",
    "links": """SELECT DISTINCT ?s ?o WHERE { ?s <https://schema.org/sameAs> ?o FILTER(isIRI(?o)) }""",
    "states": SPARQL_PREFIXES
    + f"""PREFIX sld: <https://w3id.org/sldkg/ontology#>
SELECT DISTINCT ?key ?participating WHERE {{
  ?land a sld:Land ; skos:exactMatch ?key .
  FILTER(STRSTARTS(STR(?key), "{STATE_KEY_BASE}"))
  BIND(EXISTS {{ ?event sld:participatingLand ?land }} AS ?participating)
}} ORDER BY ?key""",
    "release": RELEASE_QUERY,
}


@dataclass
class Statistics:
    triples: int = 0
    entities: int = 0
    #: (class IRI, number of resources, one example resource)
    classes: list[tuple[str, int, str]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    #: linkset name (``LINK_TARGETS``) -> number of schema:sameAs links into it (docs/MODEL.md: no owl:sameAs)
    links: dict[str, int] = field(default_factory=dict)
    #: DCAT-AP.de state keys of the Länder the data covers (those that took part, or all described)
    state_keys: list[str] = field(default_factory=list)
    modified: datetime | None = None
    #: The release the loaded graph states (``owl:versionInfo`` of the ontology), ``None`` when it states none.
    release: str | None = None


def link_counts(objects_with_counts: list[tuple[str, int]]) -> dict[str, int]:
    """Sum ``schema:sameAs`` link counts per linkset from (object IRI or prefix, count) pairs."""
    counts: dict[str, int] = {}
    for iri, n in objects_with_counts:
        for name, (prefix, _) in LINK_TARGETS.items():
            if iri.startswith(prefix):
                counts[name] = counts.get(name, 0) + n
    return counts


def _graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("spdx", SPDX)
    graph.bind("sd", SD)
    graph.bind("geodcatap", GEODCATAP)
    graph.bind("adms", ADMS)
    return graph


def _describe_dataset_core(graph: rdflib.Graph, stats: Statistics, base: str) -> None:
    graph.add((DATASET, DCTERMS.title, Literal("Stadt.Land.Digital-Wissensgraph: 6. Bundesländerworkshop (3. November 2020)", lang="de")))
    graph.add(
        (DATASET, DCTERMS.title, Literal("Stadt.Land.Digital knowledge graph: 6th Bundesländerworkshop (3 November 2020)", lang="en"))
    )
    graph.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "Die Ergebnisdokumentation des 6. Bundesländerworkshops der Initiative Stadt.Land.Digital (online, 3. November 2020) "
                "als Linked Open Data: Tagesordnung, Vortragende, Organisationen, teilnehmende Länder, berichtete Initiativen, Zitate "
                "und Aussagen, jede Angabe mit der Textstelle des Berichts, aus der sie stammt.",
                lang="de",
            ),
        )
    )
    graph.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "The results documentation of the 6th Bundesländerworkshop of the initiative Stadt.Land.Digital (online, "
                "3 November 2020) as linked open data: agenda, speakers, organisations, participating Länder, reported initiatives, "
                "quotes and statements, each fact with the passage of the report it came from.",
                lang="en",
            ),
        )
    )
    graph.add((DATASET, DCTERMS.license, LICENCE))
    graph.add((DATASET, DCTERMS.publisher, CATALOG_RECORD_AGENT))
    graph.add((CATALOG_RECORD_AGENT, RDF.type, FOAF.Agent))
    graph.add((CATALOG_RECORD_AGENT, FOAF.name, Literal(MAINTAINERS)))
    graph.add((DATASET, PROV.wasDerivedFrom, REPORT))
    graph.add((DATASET, FOAF.homepage, URIRef(base)))
    if stats.release is not None:
        graph.add((DATASET, DCAT_VERSION, Literal(stats.release)))
    if stats.modified is not None:
        graph.add((DATASET, DCTERMS.modified, Literal(stats.modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))


def build_void(stats: Statistics, dumps: list[Dump], base: str) -> rdflib.Graph:
    """The VoID description: uriSpace, figures, class and property partitions, endpoint, dumps, linksets."""
    graph = _graph()
    graph.add((DATASET, RDF.type, VOID.Dataset))
    _describe_dataset_core(graph, stats, base)
    graph.add((DATASET, DCTERMS.source, REPORT))  # VoID's way to name what a dataset was derived from
    graph.add((DATASET, VOID.uriSpace, Literal(RESOURCE_BASE)))
    graph.add((DATASET, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    graph.add((DATASET, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    graph.add((DATASET, VOID.classes, Literal(len(stats.classes), datatype=XSD.integer)))
    graph.add((DATASET, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    graph.add((DATASET, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    graph.add((DATASET, VOID.rootResource, URIRef(RESOURCE_BASE + "event/blw-2020-11-03")))
    for vocabulary in (
        "https://schema.org/",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/ns/oa#",
        "https://w3id.org/sldkg/ontology#",
    ):
        graph.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for dump in dumps:
        graph.add((DATASET, VOID.dataDump, URIRef(base + "dumps/" + dump.file_name)))
    examples = []
    for cls, n, example in stats.classes:
        partition = BNode()
        graph.add((DATASET, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(n, datatype=XSD.integer)))
        examples.append(example)
    for example in sorted(set(examples))[:12]:
        graph.add((DATASET, VOID.exampleResource, URIRef(example)))
    for prop, n in stats.properties:
        partition = BNode()
        graph.add((DATASET, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, Literal(n, datatype=XSD.integer)))
    for name, (prefix, homepage) in LINK_TARGETS.items():
        count = stats.links.get(name, 0)
        if not count:
            continue
        linkset = URIRef(f"{DATASET}-{name}-links")
        target = URIRef(f"{BASE_IRI}.well-known/void#{name}")
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, DATASET))
        graph.add((linkset, VOID.objectsTarget, target))
        graph.add((linkset, VOID.linkPredicate, LINK_PREDICATE))
        graph.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
        graph.add((DATASET, VOID.subset, linkset))
        graph.add((target, RDF.type, VOID.Dataset))
        graph.add((target, VOID.uriSpace, Literal(prefix)))
        graph.add((target, FOAF.homepage, URIRef(homepage)))
    return graph


def build_dcat(stats: Statistics, dumps: list[Dump], base: str) -> rdflib.Graph:
    """The DCAT-AP.de record: catalogue, dataset, one distribution per dump, the endpoint as data service."""
    graph = _graph()
    graph.add((CATALOG, RDF.type, DCAT.Catalog))
    graph.add((CATALOG, DCTERMS.title, Literal("Stadt.Land.Digital-Wissensgraph", lang="de")))
    graph.add((CATALOG, DCTERMS.title, Literal("Stadt.Land.Digital knowledge graph", lang="en")))
    graph.add(
        (
            CATALOG,
            DCTERMS.description,
            Literal(
                "Katalog der Linked-Open-Data-Veröffentlichung der Dokumentation von Bundesländerworkshops"
                " der Initiative Stadt.Land.Digital.",
                lang="de",
            ),
        )
    )
    graph.add(
        (
            CATALOG,
            DCTERMS.description,
            Literal(
                "Catalogue of the linked open data publication of the documentation of Bundesländerworkshops"
                " of the initiative Stadt.Land.Digital.",
                lang="en",
            ),
        )
    )
    graph.add((CATALOG, DCTERMS.publisher, CATALOG_RECORD_AGENT))
    graph.add((CATALOG, DCTERMS.license, LICENCE))
    graph.add((CATALOG, DCTERMS.language, LANGUAGE_DE))
    graph.add((CATALOG, FOAF.homepage, URIRef(base)))
    graph.add((CATALOG, DCAT.dataset, DATASET))
    graph.add((CATALOG, DCAT.service, DATA_SERVICE))

    graph.add((DATASET, RDF.type, DCAT.Dataset))
    _describe_dataset_core(graph, stats, base)
    graph.add((DATASET, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
    if stats.release is not None:
        graph.add(
            (
                DATASET,
                ADMS.versionNotes,
                Literal(f"Veröffentlichung {stats.release}; was sich geändert hat, steht in CHANGELOG.md unter dieser Nummer.", lang="de"),
            )
        )
        graph.add(
            (
                DATASET,
                ADMS.versionNotes,
                Literal(f"Release {stats.release}; what changed is listed in CHANGELOG.md under this number.", lang="en"),
            )
        )
    # DCAT-AP.de 3.0: the originator ("Urheber") of what the data were made from, in place of dcatde:originator
    graph.add((DATASET, GEODCATAP.originator, SOURCE_PUBLISHER))
    graph.add((SOURCE_PUBLISHER, RDF.type, FOAF.Agent))
    graph.add((SOURCE_PUBLISHER, FOAF.name, Literal(SOURCE_PUBLISHER_NAME, lang="de")))
    graph.add((DATASET, DCAT.theme, THEME_GOVE))
    graph.add((DATASET, DCTERMS.language, LANGUAGE_DE))
    graph.add((DATASET, DCAT.keyword, Literal("Digitalisierung", lang="de")))
    graph.add((DATASET, DCAT.keyword, Literal("Kommunen", lang="de")))
    graph.add((DATASET, DCAT.keyword, Literal("Bundesländer", lang="de")))
    graph.add((DATASET, DCAT.landingPage, URIRef(base)))
    # DCAT-AP.de 3.0 names the Länder in dcterms:spatial (dcatde:politicalGeocodingURI is deprecated)
    for place in (GERMANY, *(URIRef(key) for key in stats.state_keys)):
        graph.add((DATASET, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
    graph.add((DATASET, DCATDE.politicalGeocodingLevelURI, STATE_LEVEL))
    for dump in dumps:
        fmt = dump.format
        distribution = URIRef(f"{CATALOG}#distribution-{fmt.name}")
        url = URIRef(base + "dumps/" + dump.file_name)
        graph.add((DATASET, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(f"Gesamtabzug ({fmt.media_type})", lang="de")))
        graph.add((distribution, DCTERMS.title, Literal(f"Full dump ({fmt.media_type})", lang="en")))
        graph.add((distribution, DCAT.accessURL, url))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        graph.add((distribution, DCTERMS["format"], URIRef(FILE_TYPE_BASE + FILE_TYPES[fmt.name])))
        graph.add((distribution, DCTERMS.license, LICENCE))
        graph.add((distribution, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
        graph.add((distribution, DCAT.byteSize, Literal(len(dump.body), datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{CATALOG}#checksum-{fmt.name}")
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    endpoint = URIRef(base + "sparql")
    distribution = URIRef(f"{CATALOG}#distribution-sparql")
    graph.add((DATASET, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal("SPARQL-Endpunkt", lang="de")))
    graph.add((distribution, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    graph.add((distribution, DCAT.accessURL, endpoint))
    graph.add((distribution, DCAT.accessService, DATA_SERVICE))
    graph.add((distribution, DCTERMS.license, LICENCE))
    graph.add((distribution, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
    graph.add((DATA_SERVICE, RDF.type, DCAT.DataService))
    graph.add((DATA_SERVICE, DCTERMS.title, Literal("SPARQL-1.1-Endpunkt des Stadt.Land.Digital-Wissensgraphen", lang="de")))
    graph.add((DATA_SERVICE, DCTERMS.title, Literal("SPARQL 1.1 endpoint of the Stadt.Land.Digital knowledge graph", lang="en")))
    graph.add((DATA_SERVICE, DCAT.endpointURL, endpoint))
    graph.add((DATA_SERVICE, DCAT.endpointDescription, endpoint))
    graph.add((DATA_SERVICE, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    graph.add((DATA_SERVICE, DCAT.servesDataset, DATASET))
    graph.add((DATA_SERVICE, DCTERMS.license, LICENCE))
    graph.add((DATA_SERVICE, DCTERMS.publisher, CATALOG_RECORD_AGENT))
    return graph
