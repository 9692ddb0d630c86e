"""Provenance passages on resource pages: finding the stored text and marking the quoted span; pure.

A passage is an ``oa:SpecificResource`` on a report's stored text with an
``oa:TextPositionSelector`` (Unicode code point offsets, end exclusive) and an
``oa:TextQuoteSelector`` (``oa:exact``). The page shows the paragraph of the text that holds the
span, with the span itself marked. The text file lies beside the report's data files:
its ``dcterms:identifier`` (a repository path), or else ``source.txt`` beside the report's data files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sldkg.settings import GRAPH_BASE

SOURCE_FILE_NAME = "source.txt"


@dataclass(frozen=True)
class Excerpt:
    """A paragraph of a source text split around the quoted span."""

    before: str
    marked: str
    after: str
    start: int
    end: int
    #: False when the stored offsets disagreed with ``oa:exact`` and the quote was located by search.
    offsets_agree: bool = True


def source_file(identifiers: Iterable[str], graph_iris: Iterable[str], data_roots: Iterable[Path]) -> Path | None:
    """The stored text file of a text resource.

    First its ``dcterms:identifier`` (a path relative to the repository, e.g.
    ``data/workshops/blw6-2020-11-03/source.txt``), then ``source.txt`` beside the data files of
    ``graph_iris``. Only files inside one of ``data_roots`` are ever read.
    """
    roots = [Path(r).resolve() for r in data_roots if Path(r).is_dir()]
    candidates: list[Path] = []
    for identifier in identifiers:
        relative = Path(identifier)
        if relative.is_absolute():
            continue
        candidates.extend(root.parent / relative for root in roots)
    for graph in graph_iris:
        if graph.startswith(GRAPH_BASE):
            folder = Path(graph[len(GRAPH_BASE) :]).parent
            if not folder.is_absolute():
                candidates.extend(root / folder / SOURCE_FILE_NAME for root in roots)
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and any(resolved.is_relative_to(root) for root in roots):
            return resolved
    return None


@lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def read_text(path: Path) -> str:
    """The text of ``path`` (cached while the file is unchanged)."""
    return _read(path, path.stat().st_mtime)


def excerpt(text: str, start: int | None, end: int | None, exact: str | None) -> Excerpt | None:
    """The paragraph(s) of ``text`` around ``[start, end)``, or around ``exact`` when the offsets do not fit.

    Paragraphs are separated by blank lines. ``None`` when the span can be found neither way.
    """
    agree = True
    if start is None or end is None or not (0 <= start < end <= len(text)) or (exact and text[start:end] != exact):
        if not exact or exact not in text:
            return None
        start = text.index(exact)
        end = start + len(exact)
        agree = False
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    return Excerpt(text[para_start:start], text[start:end], text[end:para_end], start, end, agree)
