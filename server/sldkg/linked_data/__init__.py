"""Linked data: resource descriptions and pages' view models, the RDF formats, whole-dataset
dumps, VoID and DCAT, the ontology documentation and the IRI <-> URL mapping.

May import: :mod:`sldkg.sparql`, :mod:`sldkg.graph`, :mod:`sldkg.settings`, :mod:`sldkg.vocabulary`. Never Flask or web.
"""
