"""Finding resources by name: labels, alternative and hidden labels in German and English; pure (no Flask).

Matching ignores case and diacritics: ``thuringen`` and ``thueringen`` both find *Thüringen*, ``strasse``
finds *Straße*. Every query word must occur in one label (as a substring); exact matches rank
before prefix matches, prefix matches before the rest, preferred labels before other labels.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

#: German transliterations, so that ``ue`` in a query finds ``ü`` (and ``u`` does too, via stripping).
TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})

#: Types whose resources come after all others in the results (passages of the report quote its text).
LOW_RANK_TYPES = frozenset({"http://www.w3.org/ns/oa#SpecificResource"})

#: Label properties by rank (lower is better); the keys are what the JSON answer calls them.
LABEL_KINDS = ("prefLabel", "label", "name", "altLabel", "hiddenLabel")


def fold(text: str) -> str:
    """Case-folded text without diacritics (``Thüringen`` -> ``thuringen``, ``Straße`` -> ``strasse``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def forms(text: str) -> set[str]:
    """The folded forms a label is found by: diacritics stripped, and umlauts written out."""
    return {fold(text), fold(text.translate(TRANSLITERATE))}


@dataclass(frozen=True)
class Label:
    iri: str
    text: str
    lang: str | None
    kind: str


@dataclass
class Entry:
    """One resource with all its labels and their folded forms."""

    iri: str
    labels: list[Label] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    folded: list[tuple[Label, set[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    iri: str
    label: Label
    matched: Label
    rank: tuple[int, int, int]
    types: tuple[str, ...]


def best_label(labels: Iterable[Label], prefer: tuple[str, ...]) -> Label | None:
    """The label to show: preferred kinds first, then the preferred languages, then language-less ones."""
    order = {lang: i for i, lang in enumerate(prefer)}
    candidates = [lab for lab in labels if lab.kind in ("prefLabel", "label", "name")] or list(labels)
    if not candidates:
        return None
    return min(candidates, key=lambda lab: (order.get(lab.lang or "", len(prefer)), LABEL_KINDS.index(lab.kind), lab.text))


class Index:
    """All labels of the dataset's resources, folded once, searched in memory (the dataset is small)."""

    def __init__(self, labels: Iterable[Label], types: Iterable[tuple[str, str]] = ()):
        self.entries: dict[str, Entry] = {}
        for label in labels:
            entry = self.entries.setdefault(label.iri, Entry(label.iri))
            entry.labels.append(label)
            entry.folded.append((label, forms(label.text)))
        for iri, type_iri in types:
            if iri in self.entries:
                self.entries[iri].types.add(type_iri)

    def label(self, iri: str, prefer: tuple[str, ...]) -> Label | None:
        entry = self.entries.get(iri)
        return best_label(entry.labels, prefer) if entry else None

    def search(self, query: str, prefer: tuple[str, ...], limit: int = 50) -> list[Hit]:
        words = fold(query).split()
        if not words:
            return []
        phrase = " ".join(words)
        hits: list[Hit] = []
        for entry in self.entries.values():
            best: tuple[tuple[int, int, int], Label] | None = None
            for label, folded in entry.folded:
                if not any(all(w in f for w in words) for f in folded):
                    continue
                closeness = 0 if phrase in folded else 1 if any(f.startswith(phrase) for f in folded) else 2
                lang_rank = prefer.index(label.lang) if label.lang in prefer else len(prefer)
                rank = (closeness, LABEL_KINDS.index(label.kind), lang_rank)
                if best is None or rank < best[0]:
                    best = (rank, label)
            if best is not None:
                shown = best_label(entry.labels, prefer) or best[1]
                hits.append(Hit(entry.iri, shown, best[1], best[0], tuple(sorted(entry.types))))
        # things before the passages of the report that mention them (a passage's label quotes its text)
        hits.sort(key=lambda h: (not LOW_RANK_TYPES.isdisjoint(h.types), h.rank[0], h.rank[1], fold(h.label.text), h.iri))
        return hits[:limit]
