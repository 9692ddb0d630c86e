"""The one SPARQL lexer (server/sldkg/sparql/lexer.py): the same tokens as the plain regular
expression it replaced (kept here as the oracle; correct, but quadratic on unclosed long strings),
for any text and any reinterpreted ``<``."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sldkg.sparql import lexer
from sldkg.sparql.lexer import Token, tokenize, tokens

_LOCAL_CHAR = rf"(?:[{lexer._PN_CHARS}:]|{lexer._PERCENT}|{lexer._LOCAL_ESCAPE})"
ORACLE = re.compile(
    "|".join(
        (
            r"(?P<space>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
            r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
            r'|"(?:[^"\\\r\n]|\\.)*"'
            r"|'(?:[^'\\\r\n]|\\.)*')",
            r"""(?P<unterminated>["'][^\r\n]*)""",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            rf"(?P<var>[?$][{lexer._VAR_CHARS}]+)",
            r"(?P<lang>@[A-Za-z][A-Za-z0-9-]*)",
            rf"(?P<bnode>_:(?:[{lexer._PN_CHARS}.])*)",
            rf"(?P<pname>(?:[{lexer._PN_CHARS_BASE}](?:[{lexer._PN_CHARS}.]{{0,62}}[{lexer._PN_CHARS}])?)?:"
            rf"(?:{_LOCAL_CHAR}(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
            r"(?P<open>[({\[])",
            r"(?P<close>[)}\]])",
            r"(?P<other>\^\^|\|\||&&|!=|<=|>=|[\s\S])",
        )
    )
)


def oracle(text: str, reinterpret: frozenset[int] = frozenset()) -> list[Token]:
    found, pos = [], 0
    while pos < len(text):
        match = ORACLE.match(text, pos)
        assert match is not None
        kind = match.lastgroup or "other"
        if kind == "iri" and pos in reinterpret:
            found.append(Token("other", "<", pos))
            pos += 1
            continue
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group(), pos))
        pos = match.end()
    return found


PIECES = ['"""', "'''", '"', "'", "\\", '\\"', "\n", " ", "<", ">", "<a'b>", "a", ":", ".", "#", "{", "?x", "@de", "_:b", "1.5", "%2", "é"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_the_same_tokens_as_the_plain_expression(text):
    assert tokenize(text) == oracle(text)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_the_same_tokens_with_reinterpreted_iris(text, data):
    iris = [t.offset for t in oracle(text) if t.kind == "iri"]
    chosen = frozenset(data.draw(st.lists(st.sampled_from(iris), max_size=3))) if iris else frozenset()
    assert tokenize(text, chosen) == oracle(text, chosen)


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.data())
def test_tokens_from_any_token_start_are_the_rest(text, data):
    everything = list(tokens(text))
    if not everything:
        return
    i = data.draw(st.integers(0, len(everything) - 1))
    assert list(tokens(text, start=everything[i].offset)) == everything[i:]


def test_long_strings_with_and_without_closers():
    assert [t.kind for t in tokenize('"""a\n"b"""')] == ["string"]
    assert [t.text for t in tokenize('\\"""\n\\"""\n')] == ["\\", '""', '"', "\\", '""', '"']
    assert [t.kind for t in tokenize("'''x''' '''y")] == ["string", "string", "unterminated"]
