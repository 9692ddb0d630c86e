"""Benchmarks of the sldkg endpoint against Oxigraph server and rdflib-endpoint (``python -m benchmarks.run``).

Not run by ``make test`` (``tests/test_benchmarks_smoke.py`` runs a two-second smoke version).
"""

from pathlib import Path

#: The repository root: the benchmarks measure this checkout's data and queries.
REPO_ROOT = Path(__file__).resolve().parent.parent
