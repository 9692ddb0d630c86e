"""The figures VoID and DCAT state about the served graph, read once per data version; pure (no Flask).

:func:`collect_statistics` reads them through a backend (so they are right for a remote store too);
:class:`StatisticsCache` keeps the last result until the backend's data version changes.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from sldkg.backends.base import Backend
from sldkg.graph import reads as graph_reads
from sldkg.linked_data import void_dcat


def collect_statistics(backend: Backend) -> void_dcat.Statistics:
    """Triples, entities, classes, properties, links, Länder and release of the served graph (raises ``graph_reads.Refused``)."""

    def select(name: str) -> list[ox.QuerySolution]:
        return graph_reads.select(backend, void_dcat.STATISTICS_QUERIES[name])

    def number(row: ox.QuerySolution, name: str) -> int:
        return int(graph_reads.value(row, name) or 0)

    def text(row: ox.QuerySolution, name: str) -> str:
        return graph_reads.value(row, name) or ""

    stats = void_dcat.Statistics()
    stats.triples = number(select("triples")[0], "n")
    stats.entities = number(select("entities")[0], "n")
    stats.classes = [(text(r, "class"), number(r, "n"), text(r, "example")) for r in select("classes")]
    stats.properties = [(text(r, "p"), number(r, "n")) for r in select("properties")]
    stats.links = void_dcat.link_counts([(text(r, "o"), 1) for r in select("links")])
    states = [(text(r, "key"), graph_reads.value(r, "participating") == "true") for r in select("states")]
    participating = [key for key, took_part in states if took_part]
    stats.state_keys = participating or [key for key, _ in states]
    stats.modified = backend.modified
    stats.release = next((graph_reads.value(r, "release") for r in select("release")), None)
    return stats


class StatisticsCache:
    """The statistics of the backend's current data version, collected on first use (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version: str | None = None
        self.value: void_dcat.Statistics | None = None

    def get(self, backend: Backend) -> void_dcat.Statistics:
        with self._lock:
            if self.value is None or self.version != backend.version:
                self.value = collect_statistics(backend)
                self.version = backend.version
            return self.value
