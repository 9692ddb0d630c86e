"""SHACL validation of the data (the oxigraph engine; pySHACL, the reference; rudof) and its report formats (text, JSON, Turtle, JUnit, GitHub).

May import: :mod:`sldkg.graph`, :mod:`sldkg.locations`. Never Flask or web.
"""
