"""Split a Received value into its clauses (from, by, via, with, id, for) and date.

Comments (nested parentheses) are kept apart from words, so ``(Postfix, from
userid 1000)`` never starts a ``from`` clause. The date is the text after the
last ``;`` outside comments; without one, a trailing date-like text is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = ("from", "by", "via", "with", "id", "for")
_TRAILING_DATE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6},?\s+)?"
    r"(?:\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}|\d{4}-\d{1,2}-\d{1,2})[\sT]+\d{1,2}:\d{2}"
    r"(?::\d{2})?(?:[.,]\d{1,9})?(?:\s*(?:[+-]\d{4}|[A-Za-z]{1,5})){0,2}(?:\s*\([^()]*\))?\s*$"
)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass
class Clauses:
    """Words and comments per clause keyword, plus the date text."""

    parts: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    all_comments: list[str] = field(default_factory=list)
    date_raw: str | None = None

    def words(self, key: str) -> list[str]:
        """Words of clause ``key`` (empty when absent)."""
        return self.parts.get(key, ([], []))[0]

    def comments(self, key: str) -> list[str]:
        """Comments that follow clause ``key``'s words (``""``: those before any keyword)."""
        return self.parts.get(key, ([], []))[1]

    def notes(self) -> list[str]:
        """Comments outside the ``from`` clause: software names, TLS details, qmail notes."""
        return [c for key, (_, cs) in self.parts.items() if key != "from" for c in cs]

    @property
    def date_text(self) -> str:
        """The date with comments such as ``(UTC)`` removed."""
        text = self.date_raw or ""
        for _ in range(4):
            text = _COMMENT.sub(" ", text)
        return " ".join(text.split())


_WORD_OR_SEMI = re.compile(r";|[^\s(;]+")
_PAREN = re.compile(r"[()]")


def _comment_end(s: str, i: int) -> int:
    """Offset just past the comment opened at ``s[i]`` (nesting allowed; end if unclosed)."""
    depth = 0
    for m in _PAREN.finditer(s, i):
        depth += 1 if m.group() == "(" else -1
        if depth == 0:
            return m.end()
    return len(s)


def _tokens(s: str) -> list[tuple[str, str, int]]:
    """Return ``(kind, text, offset)`` tokens: ``word``, ``comment`` or ``;``."""
    out: list[tuple[str, str, int]] = []
    i, n = 0, len(s)
    while i < n:
        start = s.find("(", i)
        stop = n if start < 0 else start
        out.extend(
            (";" if m.group() == ";" else "word", m.group(), m.start())
            for m in _WORD_OR_SEMI.finditer(s, i, stop)
        )
        if start < 0:
            break
        end = _comment_end(s, start)
        text = s[start + 1 : end - 1] if s[end - 1 : end] == ")" else s[start + 1 : end]
        out.append(("comment", text.strip(), start))
        i = end
    return out


def split_clauses(value: str) -> Clauses:
    """Split an unfolded Received value into clauses and the date."""
    tokens = _tokens(value)
    result = Clauses()
    semis = [k for k, t in enumerate(tokens) if t[0] == ";"]
    if semis:
        last = semis[-1]
        result.date_raw = value[tokens[last][2] + 1 :].strip() or None
        tokens = tokens[:last]
    elif m := _TRAILING_DATE.search(value):
        result.date_raw = m.group().strip()
        tokens = _tokens(value[: m.start()])
    current: tuple[list[str], list[str]] = ([], [])
    result.parts[""] = current  # words and comments before any keyword
    for kind, text, _ in tokens:
        if kind == "comment":
            current[1].append(text)
            result.all_comments.append(text)
        elif kind == "word" and text.lower() in KEYWORDS:
            key = text.lower()
            if key in result.parts:  # a repeated keyword: keep the first clause's words
                key = "+" + key
            current = result.parts.setdefault(key, ([], []))
        elif kind == "word":
            current[0].append(text)
    return result
