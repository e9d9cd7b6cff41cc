"""Bare SMTP replies: unwrap, unfold multi-line replies, find reply and enhanced codes.

A reply may be pasted as several ``550-5.1.1 ...`` lines, wrapped in Exchange's
``Remote Server returned '...'``, prefixed by a sendmail transcript's ``<<<`` or
re-wrapped by Postfix so the ``550 5.7.1`` of a continuation line lands mid-text.
:func:`parse` turns any of these into one clean line plus the codes it carries.
Every pattern is linear: the input is untrusted and may be long.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MAX_REPLY = 20000
#: Reply codes that really occur in SMTP answers (a bare three-digit number is only
#: taken as a reply code when it is one of these and not part of a longer number).
REPLY_CODES = frozenset(
    "421 450 451 452 454 455 458 500 501 502 503 504 521 523 530 534 535 538 541 "  # noqa: SIM905
    "550 551 552 553 554 555 556 557".split()
)
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_PAIR = re.compile(r"(?<![\d.])([245]\d\d)[ \-]+#?([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_REPLY = re.compile(r"(?<![\d.\w])([245]\d\d)(?![\d.\w])")
_LINE_PREFIX = re.compile(
    r"[ \t]*(?:<<<[ \t]*)?#?([245]\d\d)([ \-])(?:#?([245]\.\d{1,3}\.\d{1,3})[ \t])?"
)
_WRAPPED = re.compile(r"remote server (?:returned|replied)[ \t]*'([^']{3,2000})'", re.IGNORECASE)
_WS = re.compile(r"\s+")
_IP_EQ = re.compile(r"\bip=([0-9A-Fa-f:.]+)")
_IP_FROM = re.compile(r"\bfrom \[?([0-9A-Fa-f:.]{7,})\]?")
_IP_BRACKET = re.compile(r"\[([0-9A-Fa-f:.]{7,})\]")


@dataclass(frozen=True)
class Reply:
    """What one SMTP reply (or a diagnostic text holding one) says.

    Attributes:
        reply_code: The three-digit reply code, or ``None``.
        status: The enhanced status code (``"5.7.1"``), or ``None``.
        text: The reply on one line: continuation prefixes removed, whitespace collapsed.
        statuses: Every enhanced status code in the text, in order.
        pairs: Every ``(reply_code, status)`` written side by side, in order.
    """

    reply_code: str | None
    status: str | None
    text: str
    statuses: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()


def _unfold_lines(text: str) -> str:
    """Join a multi-line reply, dropping the repeated ``550-5.1.1`` line prefixes."""
    lines = text.splitlines()
    if len(lines) < 2:
        return text
    out: list[str] = []
    first: tuple[str, str | None] | None = None
    for line in lines:
        m = _LINE_PREFIX.match(line)
        if m is not None:
            key = (m.group(1), m.group(3))
            if first is None:
                first = key
            elif key[0] == first[0]:
                line = line[m.end() :]
        out.append(line.strip())
    return " ".join(part for part in out if part)


def _drop_repeats(text: str) -> str:
    """Remove ``550 5.7.1`` pairs repeated mid-text after the first one."""
    seen: list[str] = []

    def keep_first(m: re.Match[str]) -> str:
        pair = f"{m.group(1)} {m.group(2)}"
        if pair in seen:
            return ""
        seen.append(pair)
        return m.group(0)

    return _PAIR.sub(keep_first, text)


def clean(text: str) -> str:
    """Return the reply text on one line (unwrapped, unfolded, whitespace collapsed)."""
    text = text[:MAX_REPLY]
    wrapped = _WRAPPED.search(text)
    if wrapped is not None:
        text = wrapped.group(1)
    text = _unfold_lines(text.strip())
    return _WS.sub(" ", _drop_repeats(text)).strip()


def statuses(text: str) -> tuple[str, ...]:
    """Every enhanced status code in ``text``, in order."""
    return tuple(".".join(m.groups()) for m in _ENHANCED.finditer(text[:MAX_REPLY]))


def pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Every ``(reply_code, status)`` pair written side by side in ``text``."""
    return tuple((m.group(1), m.group(2)) for m in _PAIR.finditer(text[:MAX_REPLY]))


def refused_ip(text: str) -> str:
    """The sending IP a rejection names (``ip=``, ``from [IP]``, then a bracketed IP), or ``""``."""
    text = text[:MAX_REPLY]
    for pattern in (_IP_EQ, _IP_FROM, _IP_BRACKET):
        for m in pattern.finditer(text):
            try:
                return str(ipaddress.ip_address(m.group(1).rstrip(".")))
            except ValueError:
                continue
    return ""


def first_reply_code(text: str) -> str | None:
    """The first plausible three-digit SMTP reply code in ``text``, or ``None``."""
    for m in _REPLY.finditer(text[:MAX_REPLY]):
        if m.group(1) in REPLY_CODES:
            return m.group(1)
    return None


def parse(text: str) -> Reply:
    """Parse a bare SMTP reply or a diagnostic text that holds one.

    Args:
        text: Untrusted text, e.g. ``"550-5.1.1 The email account...\\n550 5.1.1 ..."``.

    Returns:
        The cleaned text with the first reply code and enhanced status it carries.
    """
    line = clean(text)
    found = statuses(line)
    side_by_side = pairs(line)
    reply: str | None = side_by_side[0][0] if side_by_side else first_reply_code(line)
    status: str | None = side_by_side[0][1] if side_by_side else (found[0] if found else None)
    return Reply(reply, status, line, found, side_by_side)
