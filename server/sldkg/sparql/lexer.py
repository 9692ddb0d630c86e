"""The one SPARQL lexer: query text into tokens, in time linear in the text's length; pure.

Used by the safety check (:mod:`sldkg.sparql.safety`), by protocol parsing (the query form and the
dataset clause, :mod:`sldkg.sparql.protocol`) and by the remote backend (where the WHERE group
starts, :mod:`sldkg.backends.remote`). It skips exactly what SPARQL skips — strings in all four
quote forms with escapes, IRIs, comments, escaped characters in prefixed names — and reads
everything else as code.

Token kinds: ``space``, ``comment``, ``string``, ``unterminated`` (a quote that starts no string:
the rest of its line), ``iri``, ``var``, ``lang``, ``bnode``, ``pname`` (a prefixed name, also a
bare ``:``), ``word``, ``number``, ``open`` / ``close`` (any of ``({[`` / ``)}]``) and ``other``.

Why linear. Every alternative of the token expression matches in time bounded by its token,
by its line, or by a constant (prefixes longer than 64 characters are not recognised); an IRI that
does not close stops at the next ``<``, where the next attempt starts. The exception is a
long string (``\"\"\"…\"\"\"``, ``'''…'''``): a regular expression that looks for the closing quotes
scans to the end of the text each time an opener has none, and a text of openers made that
quadratic (issue 12: 12 KB took 31 s). Here the closer is searched by :func:`_long_string_end`,
which remembers how far the last unsuccessful search went: a search that starts inside that stretch
follows the same path (scans synchronise after any character that is not a backslash, and a body
starts after a quote) and fails at the same place, so it is answered without scanning. Every
character is thus scanned a bounded number of times.

``reinterpret`` (offsets of ``<``) reads an IRI-looking ``<…>`` at those offsets as the less-than
operator instead, which the safety check needs to explore the other reading of ``<…'…>``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import NamedTuple

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_VAR_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = _VAR_CHARS + "\\-"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PERCENT = r"%[0-9A-Fa-f]{2}"
_LOCAL_CHAR = rf"(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESCAPE})"

#: Everything after the opener of a long string up to (not including) its closer, or up to where it
#: can go no further (the end of the text, or a backslash before a line break). Possessive: the
#: alternatives exclude each other, so giving characters back could never find another end.
_LONG_BODY = {
    '"': re.compile(r'(?:[^"\\]|\\.|"(?!""))*+'),
    "'": re.compile(r"(?:[^'\\]|\\.|'(?!''))*+"),
}

_REST = (
    r"(?P<space>\s+)",
    r"(?P<comment>#[^\r\n]*)",
    r'(?P<string>"(?:[^"\\\r\n]|\\.)*"' r"|'(?:[^'\\\r\n]|\\.)*')",
    # A quote that starts no string: the parser cannot read this line either (a query with it is a
    # syntax error), and skipping to the end of the line keeps the scan linear.
    r"""(?P<unterminated>["'][^\r\n]*)""",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    rf"(?P<var>[?$][{_VAR_CHARS}]+)",
    r"(?P<lang>@[A-Za-z][A-Za-z0-9-]*)",
    rf"(?P<bnode>_:(?:[{_PN_CHARS}.])*)",
    # A prefixed name: optional prefix, colon, optional local part (which cannot end with a dot).
    # Prefixes longer than 64 characters are not recognised, which keeps the scan linear: their
    # text reads as unknown words, and the safety check refuses the query.
    rf"(?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]{{0,62}}[{_PN_CHARS}])?)?:"
    rf"(?:{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
    r"(?P<open>[({\[])",
    r"(?P<close>[)}\]])",
    r"(?P<other>\^\^|\|\||&&|!=|<=|>=|[\s\S])",
)


def _token_expression(openers: str) -> re.Pattern[str]:
    """The token expression that recognises the long-string openers of ``openers`` (their bodies
    are found by :func:`_long_string_end`); without them, an opener reads as ``""`` and a quote."""
    long = [rf"(?P<long>{'|'.join(quote * 3 for quote in openers)})"] if openers else []
    return re.compile("|".join((*_REST[:2], *long, *_REST[2:])))


#: By the quotes whose long strings may still close: once a search for a closer has reached the end
#: of the text, no later opener of that quote can close either, and the lexer no longer stops at them.
_TOKEN = {openers: _token_expression(openers) for openers in ("\"'", '"', "'", "")}

#: Kinds that carry no meaning (dropped by :func:`tokenize` unless asked for).
SKIPPED = frozenset({"space", "comment"})


class Token(NamedTuple):
    kind: str
    text: str
    offset: int


def tokenize(text: str, reinterpret: Collection[int] = frozenset()) -> list[Token]:
    """The significant tokens of ``text`` (no spaces or comments); see :func:`tokens`."""
    if not reinterpret and '"""' not in text and "'''" not in text:  # the usual case, in one pass of the regex engine
        return [Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN[""].finditer(text) if m.lastgroup not in SKIPPED]
    return [token for token in tokens(text, reinterpret) if token.kind not in SKIPPED]


def tokens(text: str, reinterpret: Collection[int] = frozenset(), start: int = 0) -> Iterator[Token]:
    """Every token of ``text`` in order, spaces and comments included; lazy, so a caller that needs
    only the first few (the query form) pays only for those.

    ``reinterpret``: offsets of ``<`` to read as the less-than operator although an IRI could start there.
    ``start``: where to begin; it must be where a token of ``text`` begins.
    """
    length = len(text)
    # per quote: where the last long-string body that found no closer ended (the end: none can close)
    failed = {quote: -1 if text.find(quote * 3, start) >= 0 else length for quote in "\"'"}
    pos = start
    while pos < length:
        openers = "".join(quote for quote in "\"'" if failed[quote] < length)
        for match in _TOKEN[openers].finditer(text, pos):
            kind = match.lastgroup or "other"
            at = match.start()
            if kind == "long":
                end = _long_string_end(text, at, failed)
                if end is None:  # as the parser does: "" is an empty string, and the next quote starts another
                    short = _TOKEN[""].match(text, at)
                    assert short is not None  # the last alternative matches any character
                    yield Token(short.lastgroup or "other", short.group(), at)
                    pos = short.end()
                else:
                    yield Token("string", text[at:end], at)
                    pos = end
                break
            if kind == "iri" and at in reinterpret:
                yield Token("other", "<", at)
                pos = at + 1
                break
            yield Token(kind, match.group(), at)
        else:
            return


def _long_string_end(text: str, start: int, failed: dict[str, int]) -> int | None:
    """The offset after the closer of the long string opened at ``start``; ``None`` when it has none.

    ``failed[quote]`` is where the last unclosed body of that quote ended. The body of this string
    starts after a quote character; a scan of the last body that reached beyond that character was
    at a character boundary there (only a backslash can put a scan out of step), so from there on
    it is the same scan, and it fails where that one failed. Openers come in text order, so one
    remembered end per quote suffices.
    """
    quote = text[start]
    body = start + 3
    if body <= failed[quote]:
        return None
    match = _LONG_BODY[quote].match(text, body)
    assert match is not None  # the body may be empty
    end = match.end()
    if text.startswith(quote * 3, end):
        return end + 3
    failed[quote] = end
    return None
