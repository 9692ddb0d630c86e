"""The dataset as files and as a store: loading RDF files into named graphs, reading from a
store, canonical Turtle, provenance passages and their anchoring, uploading to another store.

May import: :mod:`sldkg.settings`, :mod:`sldkg.vocabulary`, :mod:`sldkg.locations`, :mod:`sldkg.sparql`. Never Flask or web.
"""
