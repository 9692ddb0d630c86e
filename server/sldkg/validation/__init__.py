"""SHACL validation of the data and its report formats (text, JSON, Turtle, JUnit, GitHub).

Engines: oxigraph (the default), pySHACL (the reference), rudof.

May import: :mod:`sldkg.graph`, :mod:`sldkg.locations`. Never Flask or web.
"""
