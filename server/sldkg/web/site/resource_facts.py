"""The "at a glance" part of a resource page: values grouped by meaning (an initiative's Land, kind,
status, years, website, source; a Land's participation and the initiatives it reported), taken
from the resource view. The raw property table stays below it on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext

from sldkg.linked_data.resource_view import Link, Literal, ResourceView
from sldkg.vocabulary import NAMESPACES

SLD, SCHEMA, DCTERMS, FOAF = (NAMESPACES[name] for name in ("sld", "schema", "dcterms", "foaf"))

#: Groups of outgoing values: (title, predicates), in display order.
OUTGOING = (
    (lazy_gettext("Land"), (SLD + "land",)),
    (lazy_gettext("Status"), (SLD + "status",)),
    (lazy_gettext("Years"), (SCHEMA + "startDate", SCHEMA + "endDate", SLD + "targetYear", SLD + "releasedStatewide")),
    (lazy_gettext("Website"), (SCHEMA + "url", FOAF + "homepage")),
    (lazy_gettext("Reported at"), (SLD + "reportedAt",)),
    (lazy_gettext("Part of"), (SCHEMA + "isPartOf",)),
    (lazy_gettext("Topics"), (DCTERMS + "subject",)),
    (lazy_gettext("Identifiers"), (SLD + "isoCode", SLD + "landKey")),
    (lazy_gettext("Description"), (SCHEMA + "description",)),
)
#: Groups of incoming links: (title, predicates): resources that point here.
INCOMING = (
    (lazy_gettext("Took part in"), (SLD + "participatingLand",)),
    (lazy_gettext("Initiatives reported"), (SLD + "land",)),
)


@dataclass(frozen=True)
class Fact:
    title: str
    values: tuple[Link | Literal, ...]


def kinds(view: ResourceView) -> tuple[Link, ...]:
    """The types of the resource that this dataset's ontology defines (``Programme``, ``Land`` …)."""
    return tuple(t for t in view.types if t.iri.startswith(SLD))


def facts(view: ResourceView, prefer_lang: str) -> list[Fact]:
    out: list[Fact] = []
    own = kinds(view)
    if own:
        out.append(Fact(str(lazy_gettext("Kind")), own))
    by_predicate = {p.iri: values for p, values in view.properties}
    for title, predicates in OUTGOING:
        values = [v for p in predicates for v in by_predicate.get(p, [])]
        langs = {v.lang for v in values if isinstance(v, Literal) and v.lang}
        if prefer_lang in langs:  # a text in several languages: the interface language only
            values = [v for v in values if not (isinstance(v, Literal) and v.lang and v.lang != prefer_lang)]
        if values:
            out.append(Fact(str(title), tuple(values)))
    for title, predicates in INCOMING:
        sources = tuple(s for s, p in view.incoming if p.iri in predicates)
        if sources:
            out.append(Fact(str(title), sources))
    return out
