"""Lenient parsing of address header fields (From, To, Cc...) into ``Address`` records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses

from mailtriage.checks.model import Address, Problem
from mailtriage.checks.text import decode_words

_EW_RUN = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)*")
_EMPTY_GROUP = re.compile(r"[^:;<>@]*:\s*;?")
MAX_ADDRESSES = 1000
MAX_VALUE = 32 * 1024


def quoted_spans(value: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each complete quoted string in ``value``, left to right.

    One pass over the text (linear time even for an unterminated quote full of
    escaped quotes, which a backtracking regex scans again from every quote). A
    quote that is never closed, or whose backslash escapes a line break, does not
    start a quoted string; the scan goes on after the point where it failed.
    """
    spans: list[tuple[int, int]] = []
    find = value.find
    n = len(value)
    start = find('"')
    while start >= 0:
        i = start + 1
        end = -1
        while i < n:
            c = value[i]
            if c == '"':
                end = i + 1
                break
            if c == "\\":
                if i + 1 >= n or value[i + 1] == "\n":
                    break
                i += 2
                continue
            i += 1
        if end < 0:
            start = find('"', i + 1)
            continue
        spans.append((start, end))
        start = find('"', end)
    return spans


def _protect(value: str) -> str:
    """Quote runs of encoded-words outside quoted strings.

    A decoded display name may hold commas or angle brackets, so encoded-words
    are kept encoded (but quoted) while the list is split, and decoded after.
    """
    out: list[str] = []
    pos = 0
    for start, end in quoted_spans(value):
        out.append(_EW_RUN.sub(lambda w: f'"{w.group()}"', value[pos:start]))
        out.append(value[start:end])
        pos = end
    out.append(_EW_RUN.sub(lambda w: f'"{w.group()}"', value[pos:]))
    return "".join(out)


def make_address(display: str, addr: str) -> Address:
    """Build an ``Address``, deriving the lower-cased domain from ``addr``."""
    addr = addr.strip()
    domain = addr.rpartition("@")[2].strip().rstrip(".").lower() if "@" in addr else ""
    return Address(display=display, addr=addr, domain=domain)


def parse_addresses(value: str, where: str) -> tuple[tuple[Address, ...], list[Problem]]:
    """Parse an address list such as a From or To value.

    Args:
        value: The unfolded header value (RFC 2047 words still encoded).
        where: Header name used in problem messages.

    Returns:
        The mailboxes found (groups flattened, empty groups dropped) and problems.
    """
    problems: list[Problem] = []
    value = value.strip()
    if not value:
        return (), problems
    if len(value) > MAX_VALUE:
        problems.append(Problem(where, f"longer than {MAX_VALUE // 1024} KB; only the start read"))
        value = value[:MAX_VALUE]
    try:
        pairs = getaddresses([_protect(value)])
    except Exception:
        pairs = []
    found: list[Address] = []
    for display, addr in pairs[:MAX_ADDRESSES]:
        if not display and not addr:
            continue
        text, issues = decode_words(display)
        problems.extend(Problem(where, msg) for msg in dict.fromkeys(issues))
        found.append(make_address(text, addr))
    if len(pairs) > MAX_ADDRESSES:
        problems.append(Problem(where, f"more than {MAX_ADDRESSES} addresses; the rest ignored"))
    if not found and not _EMPTY_GROUP.fullmatch(value):
        text, _ = decode_words(value)
        problems.append(Problem(where, "no address could be parsed"))
        found.append(Address(display=text, addr="", domain=""))
    return tuple(found), problems


@dataclass(frozen=True)
class Rewritten:
    """An envelope sender that a forwarder or the sender's own MTA rewrote.

    Attributes:
        kind: ``"SRS"`` (Sender Rewriting Scheme: a forwarder re-sends the message
            under its own domain) or ``"BATV"`` (Bounce Address Tag Validation:
            the sender's MTA tags its own local part).
        domain: The real domain behind the rewrite: the original sender's domain
            for SRS, the address's own domain for BATV.
        local: The original local part, when the rewrite keeps it (else ``""``).
        via: The domain the rewritten address is under (for SRS the forwarder's).
    """

    kind: str
    domain: str
    local: str
    via: str

    @property
    def address(self) -> str:
        """The address the rewrite stands for, e.g. ``"ann@fabrikam.example"``."""
        return f"{self.local}@{self.domain}" if self.local else self.domain


# SRS (Shevek's "Sender Rewriting Scheme" paper, libsrs2): SRS0=HHH=TT=domain=local@forwarder;
# SRS1=HHH=first-forwarder==HHH=TT=domain=local@forwarder. The separator after SRS0/SRS1
# may be "=", "+" or "-".
_SRS0 = re.compile(r"^srs0[=+-][^=]*=[^=]*=(?P<domain>[^=@]+)=(?P<local>.+)$", re.I)
_SRS1 = re.compile(r"^srs1[=+-][^=]*=[^=]+==[^=]*=[^=]*=(?P<domain>[^=@]+)=(?P<local>.+)$", re.I)
# BATV (draft-levine-smtp-batv): prvs=tag-val=loc-core@domain; some MTAs write
# loc-core=tag-val after prvs= or use btv1==tag==local.
_PRVS = re.compile(r"^prvs=(?P<a>[^=]+)=(?P<b>.+)$", re.I)
_BTV1 = re.compile(r"^btv1==[^=]+==(?P<local>.+)$", re.I)
_TAG = re.compile(r"^[0-9][0-9a-f]{3}[0-9a-f]{6}$", re.I)


def rewritten_sender(addr: str | None) -> Rewritten | None:
    """Recognise an SRS or BATV envelope sender and name the real sender behind it.

    Args:
        addr: An envelope sender (``smtp.mailfrom``, Return-Path), brackets allowed.

    Returns:
        The rewrite, or ``None`` for an ordinary address.
    """
    text = (addr or "").strip().strip("<>").strip()
    local, at, via = text.rpartition("@")
    if not at or not local:
        return None
    via = via.strip().rstrip(".").lower()
    for pattern in (_SRS1, _SRS0):
        if m := pattern.match(local):
            return Rewritten("SRS", m["domain"].strip().rstrip(".").lower(), m["local"], via)
    if m := _PRVS.match(local):
        # prvs=tag=local (the draft) or prvs=local=tag (older MTAs): the tag is 10 hex-ish chars.
        real = m["a"] if _TAG.match(m["b"]) and not _TAG.match(m["a"]) else m["b"]
        return Rewritten("BATV", via, real, via)
    if m := _BTV1.match(local):
        return Rewritten("BATV", via, m["local"], via)
    return None
