"""The canned queries (``queries/*.rq``, read by :mod:`sldkg.canned.catalogue`) as benchmark requests.

The project's server runs a canned query by its URL with the example parameters. The competitors
get the same SPARQL text with the example values bound by a ``VALUES`` block first in the WHERE
group (:func:`sldkg.backends.remote.bind_substitutions`, as the remote-store mode does): writing the
values over the variable names would break every query that also projects a parameter
(``SELECT ?text …`` would become ``SELECT "Normenkontrollrat" …``, a syntax error).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sldkg.backends.remote import bind_substitutions
from sldkg.canned.catalogue import CannedQuery, load_queries


@dataclass(frozen=True)
class BenchQuery:
    slug: str
    form: str
    query: str
    #: (variable, N-Triples term) of the example parameters (and defaults), as the server binds them.
    bindings: tuple[tuple[str, str], ...]
    #: The example parameters as URL query arguments of ``/queries/<slug>``.
    example_args: dict[str, str]

    @classmethod
    def of(cls, canned: CannedQuery) -> BenchQuery:
        examples = canned.example_values()
        return cls(canned.slug, canned.form, canned.query, canned.bind(examples), examples)

    def substitutions(self) -> tuple[tuple[str, str], ...]:
        return self.bindings

    def inlined(self) -> str:
        """The SPARQL text a competitor gets (parameters bound in the text by VALUES)."""
        return bind_substitutions(self.query, self.bindings)


def canned_queries(folder: Path) -> list[BenchQuery]:
    """Every canned query of ``folder`` in file-name order (none when the folder does not exist)."""
    if not Path(folder).is_dir():
        return []
    return [BenchQuery.of(q) for q in load_queries(Path(folder)).values()]
