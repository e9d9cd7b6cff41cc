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
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}"
    r"(?::\d{2})?(?:\.\d+)?\s*(?:[+-]\d{4}|[A-Za-z]{1,5})?(?:\s*\([^()]*\))?\s*$"
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
        """Comments that follow clause ``key``'s words."""
        return self.parts.get(key, ([], []))[1]

    @property
    def date_text(self) -> str:
        """The date with comments such as ``(UTC)`` removed."""
        text = self.date_raw or ""
        for _ in range(4):
            text = _COMMENT.sub(" ", text)
        return " ".join(text.split())


def _tokens(s: str) -> tuple[list[tuple[str, str]], int]:
    """Return ``(kind, text)`` tokens and the offset of the last top-level ``;``."""
    out: list[tuple[str, str]] = []
    i, n, last_semi = 0, len(s), -1
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "(":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"(": 1, ")": -1}.get(s[j], 0)
                j += 1
            out.append(("comment", s[i + 1 : j - 1 if depth == 0 else j].strip()))
            i = j
        elif c == ";":
            last_semi = i
            out.append((";", c))
            i += 1
        else:
            j = i
            while j < n and not s[j].isspace() and s[j] not in "(;":
                j += 1
            out.append(("word", s[i:j]))
            i = j
    return out, last_semi


def split_clauses(value: str) -> Clauses:
    """Split an unfolded Received value into clauses and the date."""
    tokens, last_semi = _tokens(value)
    result = Clauses()
    if last_semi >= 0:
        result.date_raw = value[last_semi + 1 :].strip() or None
        tokens, _ = _tokens(value[:last_semi])
    elif m := _TRAILING_DATE.search(value):
        result.date_raw = m.group().strip()
        tokens, _ = _tokens(value[: m.start()])
    current: tuple[list[str], list[str]] = ([], [])
    for kind, text in tokens:
        if kind == "comment":
            current[1].append(text)
            result.all_comments.append(text)
        elif kind == "word" and text.lower() in KEYWORDS and text.lower() not in result.parts:
            current = ([], [])
            result.parts[text.lower()] = current
        elif kind == "word":
            current[0].append(text)
    return result
