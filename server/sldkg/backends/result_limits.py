"""Row and byte limits around pyoxigraph's native serialisers; pure.

pyoxigraph writes results much faster than Python can (about 15x for SELECT), but it cannot stop at
a row limit. So its output goes into a :class:`LimitedSink`, a binary writer that

* raises :class:`TooLarge` as soon as the output passes ``max_bytes``, and
* counts rows by a marker that the format writes exactly once per row, and raises once the count
  passes ``max_rows``.

The markers: TSV ``\\n`` (literals escape newlines: exact), XML ``<result>`` (text escapes ``<``:
exact), CSV ``\\r\\n`` and JSON ``},{`` (between rows). The last two can also occur inside a literal
value; then the count is too high, never too low, so a limit is never exceeded unnoticed.

Graphs (CONSTRUCT/DESCRIBE) are counted while they are fed to the native writer (:class:`Counted`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sldkg.sparql import negotiation as nego

T = TypeVar("T")


class TooLarge(Exception):
    def __init__(self, what: str, **limits: int):
        self.what = what
        self.limits = limits
        super().__init__(what)


@dataclass(frozen=True)
class RowMarker:
    marker: bytes
    #: rows = marker count + offset (header lines count -1; JSON separators +1).
    offset: int


ROW_MARKERS: dict[str, RowMarker] = {
    nego.TSV: RowMarker(b"\n", -1),
    nego.CSV: RowMarker(b"\r\n", -1),
    nego.RESULTS_XML: RowMarker(b"<result>", 0),
    nego.RESULTS_JSON: RowMarker(b"},{", 1),
}


class LimitedSink:
    """A binary writer (``write(bytes)``) that keeps the output and enforces the limits."""

    def __init__(self, max_bytes: int, max_rows: int | None = None, marker: RowMarker | None = None):
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.marker = marker
        self.chunks: list[bytes] = []
        self.size = 0
        self.count = 0
        self._tail = b""

    def write(self, chunk: bytes) -> int:
        chunk = bytes(chunk)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge("bytes", limit_bytes=self.max_bytes)
        self.chunks.append(chunk)
        if self.marker is not None and self.max_rows is not None:
            window = self._tail + chunk
            self.count += window.count(self.marker.marker)
            self._tail = window[-(len(self.marker.marker) - 1) :] if len(self.marker.marker) > 1 else b""
            if self.count > 0 and self.count + self.marker.offset > self.max_rows:
                raise TooLarge("rows", limit_rows=self.max_rows)
        return len(chunk)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)

    def rows(self, body: bytes) -> int:
        """The number of rows of the finished ``body`` (exact, or an upper bound; see the module doc)."""
        if self.marker is None:
            return 0
        if self.marker.marker == b"},{":
            return 0 if body.rstrip().endswith(b'"bindings":[]}}') else self.count + 1
        return max(0, self.count + self.marker.offset)


class Counted(Iterator[T]):
    """``items``, counted, raising :class:`TooLarge` when there are more than ``max_rows``."""

    def __init__(self, items: Iterable[T], max_rows: int):
        self._items = iter(items)
        self.max_rows = max_rows
        self.n = 0

    def __iter__(self) -> Counted[T]:
        return self

    def __next__(self) -> T:
        item = next(self._items)
        self.n += 1
        if self.n > self.max_rows:
            raise TooLarge("triples", limit_rows=self.max_rows)
        return item
