"""Canned queries: ``queries/*.rq`` files with a grlc-style ``#+`` YAML header, their typed
parameters bound as RDF terms, the answer cache and the library side of ``sldkg query``.

May import: :mod:`sldkg.sparql`, :mod:`sldkg.graph`, :mod:`sldkg.backends`. Never Flask or web.
"""
