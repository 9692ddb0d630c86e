"""Facets over the reported initiatives (Land, kind, status, year, report), like datasette's; pure (no Flask).

An initiative is a record with a set of values per facet. The chosen values come from the URL
(``?land=…&kind=…``; several values of one facet widen the choice, values of different facets
narrow it). Counts of a facet are taken over the records that match the choices of the *other*
facets, so every count says how many records a click on that value would show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Facet names in display order; they are also the URL parameter names.
FACETS = ("land", "kind", "status", "year", "report")


@dataclass
class Record:
    iri: str
    values: dict[str, set[str]] = field(default_factory=lambda: {name: set() for name in FACETS})


@dataclass(frozen=True)
class Choice:
    value: str
    count: int
    selected: bool


def matches(record: Record, chosen: Mapping[str, Sequence[str]], skip: str | None = None) -> bool:
    return all(not values or record.values[name] & set(values) for name, values in chosen.items() if name != skip)


def select(records: Sequence[Record], chosen: Mapping[str, Sequence[str]]) -> list[Record]:
    return [r for r in records if matches(r, chosen)]


def counts(records: Sequence[Record], chosen: Mapping[str, Sequence[str]]) -> dict[str, list[Choice]]:
    """Per facet: each value with the number of records a choice of it would show (most first)."""
    out: dict[str, list[Choice]] = {}
    for name in FACETS:
        counter: Counter[str] = Counter()
        for record in records:
            if matches(record, chosen, skip=name):
                counter.update(record.values[name])
        picked = set(chosen.get(name, ()))
        for value in picked - set(counter):
            counter[value] = 0  # a chosen value stays visible (and can be unchosen) even when nothing matches
        out[name] = [Choice(v, n, v in picked) for v, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]
    return out
