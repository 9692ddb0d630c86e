"""Paths of this checkout, for tests that read the repository's own files (README, data, queries)."""

from pathlib import Path

#: The repository root (holds ontology/, data/, shapes/, queries/, server/).
REPO_ROOT = Path(__file__).resolve().parent.parent
