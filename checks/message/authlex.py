"""Tokenizer for Authentication-Results style values (RFC 8601 / RFC 7208 9.1).

The value is cut into ``;``-separated segments of items. An item is either
``key=value`` or a bare word, with the comments that follow it. Quoted strings
are unquoted, comments may nest, and nothing here ever raises: an unclosed
quote or comment simply runs to the end of the value and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESULTS = frozenset(
    "pass fail softfail neutral none temperror permerror policy hardfail softpass "  # noqa: SIM905
    "bestguesspass unknown error invalid skipped".split()
)
"""Result words accepted without a problem (RFC 8601 / RFC 7208 plus common vendor ones)."""
_SPECIALS = frozenset(' \t\r\n(";=')


@dataclass
class Token:
    """One lexical token: kind is ``word``, ``quoted``, ``comment``, ``=`` or ``;``."""

    kind: str
    text: str
    start: int
    end: int
    space_before: bool


@dataclass
class Item:
    """``key=value`` (``key`` set) or a bare word (``key`` is ``None``), plus comments."""

    key: str | None
    value: str
    start: int
    end: int
    comments: list[str] = field(default_factory=list)


def _delimited(s: str, i: int, close: str, nest: bool) -> tuple[str, int, bool]:
    """Read a quoted string or comment starting after its opening character."""
    out: list[str] = []
    depth = 1
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            out.append(s[i + 1])
            i += 2
            continue
        if nest and c == "(":
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1, True
        out.append(c)
        i += 1
    return "".join(out), n, False


def tokenize(s: str, problems: list[str]) -> list[Token]:
    """Split a header value into tokens, noting unclosed quotes or comments."""
    tokens: list[Token] = []
    i, n, space = 0, len(s), False
    while i < n:
        c = s[i]
        if c in " \t\r\n":
            space = True
            i += 1
            continue
        start = i
        if c in '("':
            text, i, ok = _delimited(s, i + 1, ")" if c == "(" else '"', c == "(")
            if not ok:
                problems.append("unclosed comment" if c == "(" else "unclosed quoted string")
            kind = "comment" if c == "(" else "quoted"
        elif c in ";=":
            kind, text, i = c, c, i + 1
        else:
            while i < n and s[i] not in _SPECIALS:
                i += 1
            kind, text = "word", s[start:i]
        tokens.append(Token(kind, text.strip() if kind == "comment" else text, start, i, space))
        space = False
    return tokens


def _value(tokens: list[Token], i: int) -> tuple[str, int]:
    """Join the value tokens after ``=``: the first may follow a space, the rest are glued."""
    parts: list[str] = []
    n = len(tokens)
    while i < n and tokens[i].kind in ("word", "quoted", "="):
        if parts and tokens[i].space_before:
            break
        parts.append(tokens[i].text)
        i += 1
    return "".join(parts), i


def segments(s: str, problems: list[str]) -> list[list[Item]]:
    """Parse a value into ``;``-separated segments of items (empty segments dropped)."""
    segs: list[list[Item]] = []
    items: list[Item] = []
    leading: list[str] = []
    tokens = tokenize(s, problems)
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        if t.kind == ";":
            if items:
                segs.append(items)
            items, leading = [], []
            i += 1
        elif t.kind == "comment":
            (items[-1].comments if items else leading).append(t.text)
            i += 1
        elif t.kind == "=":
            problems.append(f"stray '=' at character {t.start + 1}")
            i += 1
        elif i + 1 < n and tokens[i + 1].kind == "=" and t.kind == "word":
            value, j = _value(tokens, i + 2)
            end = tokens[j - 1].end
            items.append(Item(t.text, value, t.start, end, leading))
            leading = []
            i = j
        else:
            items.append(Item(None, t.text, t.start, t.end, leading))
            leading = []
            i += 1
    if items:
        segs.append(items)
    return segs
