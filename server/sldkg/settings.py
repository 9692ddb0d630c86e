"""Settings: defaults, environment overrides (``SLDKG_*``) and the limits of the public endpoint.

Pure: no Flask, no file access beyond looking up the default folders (:mod:`sldkg.locations`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sldkg.locations import default_path

#: Persistent base of every IRI the dataset mints.
BASE_IRI = "https://w3id.org/sldkg/"
RESOURCE_BASE = BASE_IRI + "id/"
ONTOLOGY_IRI = BASE_IRI + "ontology"
GRAPH_BASE = BASE_IRI + "graph/"


#: Memory a server worker itself needs beyond the shared store (Flask, threads, answers in flight).
WORKER_OVERHEAD_BYTES = 64 * 1024**2
#: The smallest share an executor gets, whatever the limit (a query needs some room).
MIN_EXECUTOR_SHARE_BYTES = 32 * 1024**2


def physical_memory_bytes() -> int:
    """The machine's physical memory (0 where the platform does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


@dataclass(frozen=True)
class Settings:
    """Everything the application and the CLI can be configured with.

    Each field can be overridden by an environment variable ``SLDKG_<FIELD NAME IN UPPER CASE>``.
    """

    #: Files or folders to load: Turtle files become one named graph each.
    #: Default: ``ontology/`` and ``data/`` of the working directory, else the bundled copies.
    data_paths: tuple[Path, ...] = field(default_factory=lambda: (default_path("ontology"), default_path("data")))
    shapes_path: Path = field(default_factory=lambda: default_path("shapes"))
    queries_path: Path = field(default_factory=lambda: default_path("queries"))
    #: Public base URL the server answers under (``--base-url``); ``None``: the request's host.
    base_url: str | None = None
    #: URL of an external SPARQL 1.1 store (``--store``); ``None``: the embedded store.
    store_url: str | None = None

    # -- limits of the public endpoint (see README, "Security model and limits") --
    #: Wall-clock limit of one query evaluation in seconds; the evaluating process is killed after it.
    query_timeout: float = 10.0
    #: Maximum number of result rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer.
    max_result_rows: int = 100_000
    #: Maximum size of one serialised answer in bytes.
    max_response_bytes: int = 50 * 1024 * 1024
    #: Maximum size of a request body in bytes (413 above it).
    max_request_bytes: int = 256 * 1024
    #: Maximum length of a query string in characters.
    max_query_chars: int = 100_000
    #: Maximum bracket nesting depth of a query (deeper nesting would overflow the parser's stack).
    max_query_nesting: int = 128
    #: Maximum length of the HTTP request line in bytes (414 above it; checked by ``http_server.RequestLimits``).
    max_request_line: int = 8190
    #: Maximum number of request headers and bytes of one header line (431 above them).
    max_header_fields: int = 100
    max_header_bytes: int = 8190
    #: Query-evaluating processes per server worker.
    executors: int = 4
    #: Seconds a request waits for a free executor before it gets 503.
    executor_wait: float = 5.0
    #: Executors per worker that never run ad-hoc SPARQL, kept for pages, dumps and canned queries.
    reserved_executors: int = 1
    #: Concurrent ad-hoc SPARQL queries one client address may run across the server (0: no limit); 429 beyond.
    max_queries_per_client: int = 2
    #: Memory of the whole server process tree in bytes; 0: ``memory_fraction`` of the machine's memory.
    #: Each executor gets an equal share of what is left after the loaded store and the workers.
    memory_limit_bytes: int = 0
    #: Fraction of the machine's physical memory the tree may use when ``memory_limit_bytes`` is 0.
    memory_fraction: float = 0.5
    #: Entries kept in the per-worker cache of canned-query answers.
    canned_cache_size: int = 512
    #: Entries kept in the per-worker cache of ad-hoc ``/sparql`` answers (embedded store only; 0: off).
    adhoc_cache_size: int = 512

    # -- the production server (``sldkg serve``) --
    #: Open client connections the server holds at once (granian; idle or half-sent ones included).
    max_connections: int = 4096
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 16

    extra: dict[str, str] = field(default_factory=dict)

    def memory_budget_bytes(self) -> int:
        """The bound on the whole process tree: ``memory_limit_bytes``, or the fraction of the machine's memory."""
        if self.memory_limit_bytes > 0:
            return self.memory_limit_bytes
        return int(physical_memory_bytes() * self.memory_fraction)

    def executor_share_bytes(self, loaded_bytes: int) -> int:
        """Each executor's share: the budget less what is loaded (``loaded_bytes``, counted once: the
        workers and executors share its pages) and the workers' own needs, split over every executor."""
        budget = self.memory_budget_bytes()
        if budget <= 0:
            return 0
        executors = max(1, self.workers) * max(1, self.executors)
        free = budget - loaded_bytes - max(1, self.workers) * WORKER_OVERHEAD_BYTES
        return max(MIN_EXECUTOR_SHARE_BYTES, free // executors)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then ``SLDKG_*`` environment variables, then explicit ``overrides``."""
        environ = dict(os.environ if environ is None else environ)
        # Any: each value is coerced to its own field's type, which a single annotation cannot say.
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get("SLDKG_" + f.name.upper())
            if raw is None or f.name == "extra":
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_paths" in values:
            values["data_paths"] = tuple(Path(p) for p in values["data_paths"])
        return replace(cls(), **values)


def _coerce(name: str, type_name: object, raw: str) -> object:
    type_name = str(type_name)
    try:
        if type_name.startswith("tuple"):
            return tuple(Path(p) for p in raw.split(os.pathsep) if p)
        if type_name.startswith("Path"):
            return Path(raw)
        if type_name.startswith("float"):
            return float(raw)
        if type_name.startswith("int"):
            return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable SLDKG_{name.upper()}={raw!r}: {exc}") from None
    return raw or None
