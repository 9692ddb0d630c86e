"""Benchmarks of the sldkg endpoint against Oxigraph server and rdflib-endpoint (``python -m benchmarks.run``).

Not run by ``make test`` (``tests/test_benchmarks_smoke.py`` runs a two-second smoke version).
"""
