"""sldkg: the Stadt.Land.Digital knowledge graph (data, validation, SPARQL endpoint, linked data)."""

__version__ = "0.1.0"
