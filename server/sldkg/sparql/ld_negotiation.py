"""Choosing the representation of a linked-data resource (HTML page or one RDF format); pure.

Rules (README, "Linked data"): ``?format=`` overrides the Accept header; otherwise the client's
best match by q-value, ties going to the order of the offers (Turtle first); no Accept header or
``*/*`` gives the first offer; when nothing offered is acceptable the caller answers 406.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept


class NotAcceptable(Exception):
    def __init__(self, offered: list[str]):
        super().__init__("none of the offered media types is acceptable: " + ", ".join(offered))
        self.offered = offered


class UnknownFormat(Exception):
    def __init__(self, value: str, known: list[str]):
        super().__init__(f"unknown format {value!r}; known formats: {', '.join(known)}")
        self.value = value
        self.known = known


#: Extra media types a client may send that mean one of our offers.
ALIASES = {"application/xhtml+xml": "text/html", "application/json": "application/ld+json"}


def negotiate(accept: MIMEAccept, format_param: str | None, offers: dict[str, str]) -> str:
    """The name (key of ``offers``, e.g. ``"ttl"``) of the representation to send.

    ``offers`` maps format names to media types in the server's order of preference.
    """
    if format_param is not None:
        if format_param not in offers:
            raise UnknownFormat(format_param, list(offers))
        return format_param
    names = list(offers)
    if not accept:
        return names[0]
    candidates = list(offers.values()) + [alias for alias, target in ALIASES.items() if target in offers.values()]
    best = accept.best_match(candidates)
    if best is None:
        raise NotAcceptable(list(offers.values()))
    best = ALIASES.get(best, best)
    return next(name for name, media in offers.items() if media == best)
