"""The dataset's release version (``2026.1``): where it is stated and how it is read; pure (no Flask).

The release is stated once, as ``owl:versionInfo`` of the ontology (``ontology/sldkg.ttl``), so it
travels with the graph: the store, every dump and a remote store all carry it, and a paper can
ask the endpoint which release it queried. The ontology's ``owl:versionIRI`` is
``https://w3id.org/sldkg/ontology/<release>``. VoID, DCAT, the dump file names, the home page and
``sldkg export`` read it from the loaded graph; ``CITATION.cff`` and ``CHANGELOG.md`` repeat it,
and ``tests/test_release_version.py`` fails when any of them disagrees.

Releases are numbered ``<year>.<n>``: the n-th release of that year (see docs/citing.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from sldkg.settings import ONTOLOGY_IRI

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
#: ``<year>.<n>``, e.g. ``2026.1``.
RELEASE_PATTERN = re.compile(r"[0-9]{4}\.[1-9][0-9]*")
#: The release as one row (``?release``), or no row when the loaded graph states none.
RELEASE_QUERY = f"SELECT ?release WHERE {{ GRAPH ?g {{ <{ONTOLOGY_IRI}> <{OWL_VERSION_INFO}> ?release }} }} ORDER BY ?release LIMIT 1"


def version_iri(release: str) -> str:
    """The ontology's ``owl:versionIRI`` of ``release``."""
    return f"{ONTOLOGY_IRI}/{release}"


def release_of(quads: Iterable[ox.Quad]) -> str | None:
    """The release the quads state (``owl:versionInfo`` of the ontology), ``None`` when they state none."""
    subject, predicate = ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode(OWL_VERSION_INFO)
    found = sorted(q.object.value for q in quads if q.subject == subject and q.predicate == predicate and isinstance(q.object, ox.Literal))
    return found[0] if found else None
