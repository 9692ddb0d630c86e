"""How the resources of a report are named (docs/MODEL.md, "IRI rules"): one place for the rules
that ``sldkg new-report`` and ``sldkg provenance`` both apply, and the German date forms both look
for in a report's text. Pure; imports :mod:`sldkg.vocabulary` only.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef
from rdflib.term import Node

from sldkg.vocabulary import ID

#: Passage and quote slugs: the first words of the text, at most this long.
SLUG_LENGTH = 40
#: The month names of German dates ("3. November 2020").
GERMAN_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember")


def statement_iri(report_key: str, subject: Node, predicate: Node, obj: Node) -> URIRef:
    """``id/report/{key}/fact/{16 hex digits of the SHA-256 of the triple's N-Triples line}``."""
    line = f"{subject.n3()} {predicate.n3()} {obj.n3()} .".encode()
    return URIRef(f"{ID}report/{report_key}/fact/{hashlib.sha256(line).hexdigest()[:16]}")


def slug(text: str, limit: int = SLUG_LENGTH) -> str:
    """The slug of the first words of ``text`` (lower-case ASCII, hyphens, at most ``limit`` characters
    at a word boundary; a longer first word is kept whole): passages and quotes are named by their
    words, so inserting another passage never renames them. ``passage`` for text without a word."""
    folded = text.replace("*", "").lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        folded = folded.replace(umlaut, ascii_)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    found = ""
    for word in (w for w in re.sub(r"[^a-z0-9]+", "-", folded).split("-") if w):
        candidate = f"{found}-{word}" if found else word
        if len(candidate) > limit and found:
            break
        found = candidate
    return found or "passage"


__all__ = ["GERMAN_MONTHS", "SLUG_LENGTH", "slug", "statement_iri"]
