"""The namespaces of the data, written once.

:data:`NAMESPACES` is the prefix table that every Turtle file of the project uses (``sldkg fmt``
keeps it, :mod:`sldkg.graph.canonical_turtle`); answers and pages pick their prefixes from it.
The :class:`rdflib.Namespace` objects are for code that builds or reads triples. Imports only
:mod:`sldkg.settings` and rdflib, so every subpackage may import it.
"""

from __future__ import annotations

from rdflib import Namespace

from sldkg.settings import ONTOLOGY_IRI, RESOURCE_BASE

#: Prefix names that mean the same namespace in every file of the project.
NAMESPACES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "m8g": "http://data.europa.eu/m8g/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sld": ONTOLOGY_IRI + "#",
    "sldsh": "https://w3id.org/sldkg/shapes#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: The IRIs of the resources (``id/event/…``, ``id/report/…``; docs/MODEL.md, "IRI rules").
ID = RESOURCE_BASE

SLD = Namespace(NAMESPACES["sld"])
SCHEMA = Namespace(NAMESPACES["schema"])
OA = Namespace(NAMESPACES["oa"])
PROV = Namespace(NAMESPACES["prov"])
ORG = Namespace(NAMESPACES["org"])
DCTERMS = Namespace(NAMESPACES["dcterms"])


def prefixes(*names: str) -> dict[str, str]:
    """The namespaces of ``names``, in that order (for the prefix block of an answer)."""
    return {name: NAMESPACES[name] for name in names}


__all__ = ["DCTERMS", "ID", "NAMESPACES", "OA", "ORG", "PROV", "SCHEMA", "SLD", "prefixes"]
