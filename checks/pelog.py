"""Recognise a Proofpoint Essentials email-log status in what a technician selects or pastes.

Input may be the bare status (any case, with or without parentheses), a row copied
from the Email Logs table (tab-, comma- or pipe-separated, or aligned with spaces),
or a free line of text containing a status. Nothing here raises on odd input;
lines are capped and the patterns are plain alternations of literals.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from mailtriage.checks.model import LAYERS
from mailtriage.checks.pelogtable import (
    EXPECTED_TIMING,
    INBOUND_NOT_LOGGED,
    OUTBOUND_NOT_LOGGED,
    STATUSES,
    StatusExplanation,
)
from mailtriage.checks.text import printable

__all__ = [
    "EXPECTED_TIMING",
    "INBOUND_NOT_LOGGED",
    "LAYERS",
    "OUTBOUND_NOT_LOGGED",
    "STATUSES",
    "LineStatus",
    "StatusExplanation",
    "explain_all",
    "explain_lines",
    "explain_status",
]

MAX_LINE = 4000
MAX_LINES = 20000
_BLANK_WORDS = frozenset({"", "blank", "empty", "-", "—", "none shown", "no status"})
_PUNCT = re.compile(r"[()\[\]<>{}\"'`:;.,!?*]+")
_SPACES = re.compile(r"\s+")
_ALIGNED = re.compile(r" {2,}")


def _key(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


_BY_KEY: dict[str, dict[str, StatusExplanation]] = {}
for _e in STATUSES:
    _BY_KEY.setdefault(_key(_e.status), {})[_e.kind] = _e
_BLANK = _BY_KEY[""]["delivery"]
_PHRASES = sorted((k for k in _BY_KEY if " " in k), key=len, reverse=True)
_WORDS = [k for k in _BY_KEY if k and " " not in k and k != "any"]
_PHRASE_RE = re.compile(r"\b(" + "|".join(map(re.escape, _PHRASES)) + r")\b")
_WORD_RE = re.compile(r"\b(" + "|".join(map(re.escape, _WORDS)) + r")\b")


@dataclass(frozen=True)
class LineStatus:
    """A status recognised on one line of a multi-line paste.

    Attributes:
        line: 1-based line number in the pasted text.
        text: The line as pasted (raw, capped at ``MAX_LINE`` characters).
        explanation: What the status on that line means.
    """

    line: int
    text: str
    explanation: StatusExplanation

    def display(self, limit: int = 200) -> str:
        """Return the pasted line made safe for a terminal."""
        return printable(self.text, limit)


def _pick(key: str, kind: str | None, prefer: str) -> StatusExplanation | None:
    found = _BY_KEY.get(key)
    if not found:
        return None
    return found.get(kind or prefer) or next(iter(found.values()))


def _fields(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    if "," in line:
        try:
            return next(csv.reader([line]), [])
        except csv.Error:
            return line.split(",")
    if "|" in line:
        return line.split("|")
    return _ALIGNED.split(line)


def _from_row(line: str, kind: str | None) -> StatusExplanation | None:
    fields = _fields(line)
    if len(fields) < 2:
        return None
    for field in fields:
        key = _key(field)
        if key and key != "any" and key in _BY_KEY:
            return _pick(key, kind, "delivery")
    return None


def _from_text(line: str, kind: str | None) -> StatusExplanation | None:
    norm = _key(line)
    m = _PHRASE_RE.search(norm) or _WORD_RE.search(norm)
    return _pick(m.group(1), kind, "delivery") if m else None


def _explain_line(line: str, kind: str | None) -> StatusExplanation | None:
    line = line[:MAX_LINE]
    bare = _key(line)
    if bare in _BY_KEY and bare:
        stripped = line.strip().lstrip("([<\"'")
        prefer = "filter" if stripped[:1].isupper() else "delivery"
        return _pick(bare, kind, prefer)
    return _from_row(line, kind) or _from_text(line, kind)


def explain_status(text: str, kind: str | None = None) -> StatusExplanation | None:
    """Explain the Proofpoint Essentials log status in ``text``.

    Accepts the bare status in any case, with or without its parentheses, a copied log
    row, or a line containing a status. Empty text or ``"blank"`` means the blank status
    (still on its first delivery attempt). For a multi-line paste the first recognised
    line wins. ``"quarantined"`` exists in both vocabularies: a bare word starting with a
    capital is taken as the filter status, anything else as the delivery status, unless
    ``kind`` says which.

    Args:
        text: What the technician selected or pasted (untrusted).
        kind: ``"delivery"`` or ``"filter"`` to force one vocabulary, else ``None``.

    Returns:
        The explanation, or ``None`` when no status is recognised.
    """
    short = text.strip()
    if len(short) <= 12 and _key(short) in _BLANK_WORDS:
        return _BLANK
    for line in text.splitlines()[:MAX_LINES]:
        if line.strip():
            found = _explain_line(line, kind)
            if found is not None:
                return found
    return None


def explain_lines(text: str) -> tuple[LineStatus, ...]:
    """Explain every line of a multi-line paste that carries a recognisable status.

    Blank lines and lines without a status (headers, notes) are skipped; at most
    ``MAX_LINES`` lines are read.
    """
    out: list[LineStatus] = []
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if not line.strip():
            continue
        found = _explain_line(line, None)
        if found is not None:
            out.append(LineStatus(number, line[:MAX_LINE], found))
    return tuple(out)


def explain_all(text: str) -> tuple[StatusExplanation, ...]:
    """Return one explanation per recognised line of ``text`` (see :func:`explain_lines`)."""
    return tuple(item.explanation for item in explain_lines(text))
