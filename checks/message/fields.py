"""Derive the interpreted ``Sample`` fields (From, Date, envelope hints...) from headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from mailtriage.checks.message.addresses import make_address, parse_addresses
from mailtriage.checks.message.authres import parse_header
from mailtriage.checks.message.headers import unfold
from mailtriage.checks.model import Address, Header, Problem
from mailtriage.checks.text import decode_words

ENVELOPE_TO_HEADERS = ("delivered-to", "x-original-to", "envelope-to", "x-envelope-to")
_ADDR = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_WORD = r"[\w.'&+/!-]+"
_PLAIN = re.compile(rf"({_WORD}(?:[ \t\r\n]+{_WORD})*)?[ \t\r\n]*<({_ADDR})>|({_ADDR})")
_SPACES = re.compile(r"[ \t\r\n]+")
MAX_PLAIN = 1000
_FOR = re.compile(r"\bfor\s+<?([^\s<>;,()]+@[^\s<>;,()]+?)>?(?=[\s;,()]|$)", re.I)


#: Header fields by lower-cased name, in order (built once per sample).
Index = dict[str, list[Header]]


def index(headers: list[Header]) -> Index:
    """Group header fields by lower-cased name, keeping their order."""
    by_name: Index = {}
    for h in headers:
        by_name.setdefault(h.name.lower(), []).append(h)
    return by_name


def _all(headers: Index, name: str) -> list[Header]:
    return headers.get(name, [])


def _strip_angle(value: str) -> str:
    return value.strip().removeprefix("<").removesuffix(">").strip()


def parse_date(value: str) -> tuple[datetime | None, list[Problem]]:
    """Parse a Date value; a naive result is taken as UTC (with a problem)."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, [Problem("Date", "date could not be parsed")]
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), [Problem("Date", "date has no time zone; UTC assumed")]
    return parsed, []


def _plain_mailbox(value: str) -> Address | None:
    """The Address ``parse_addresses`` gives for one plain mailbox, found much faster.

    Covers ``addr@domain`` and ``Display Name <addr@domain>`` with unquoted words;
    for those the stdlib parser keeps the address as written and joins the name's
    words with one space, and there is nothing to decode or report. Anything else
    (quotes, comments, encoded-words, lists, groups) returns ``None``.
    """
    if len(value) > MAX_PLAIN or "=?" in value:
        return None
    m = _PLAIN.fullmatch(value)
    if m is None:
        return None
    if m.group(3) is not None:
        return make_address("", m.group(3))
    return make_address(_SPACES.sub(" ", m.group(1) or ""), m.group(2))


def _addresses(headers: Index, name: str, label: str) -> tuple[tuple[Address, ...], list]:
    found: list[Address] = []
    problems: list[Problem] = []
    for h in _all(headers, name):
        value = unfold(h.raw)
        plain = _plain_mailbox(value.strip())
        if plain is not None:
            found.append(plain)
            continue
        addrs, issues = parse_addresses(value, label)
        found.extend(addrs)
        problems.extend(issues)
    return tuple(found), problems


def _from(headers: Index) -> tuple[tuple[Address, ...], list[Problem]]:
    addrs, problems = _addresses(headers, "from", "From")
    count = len(_all(headers, "from"))
    if count == 0:
        problems.append(Problem("From", "no From header field"))
    elif count > 1:
        problems.append(Problem("From", f"{count} From header fields"))
    if len(addrs) > 1:
        problems.append(Problem("From", f"From holds {len(addrs)} mailboxes"))
    if addrs and not any(a.domain for a in addrs):
        problems.append(Problem("From", "no domain in the From address"))
    return addrs, problems


def _envelope_from(headers: Index, return_path: str | None) -> str | None:
    if return_path is not None:
        return return_path
    for h in _all(headers, "received-spf"):
        method = parse_header(h).method("spf")
        value = method.prop("envelope-from") if method else None
        if value is not None:
            return _strip_angle(value)
    for h in _all(headers, "authentication-results")[:1]:
        method = parse_header(h).method("spf")
        value = method.prop("smtp.mailfrom") if method else None
        if value is not None:
            return _strip_angle(value)
    return None


def _envelope_to(headers: Index) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for name in ENVELOPE_TO_HEADERS:
        for h in _all(headers, name):
            addr = _strip_angle(h.value)
            if addr:
                found.setdefault(addr.lower(), addr)
    for h in _all(headers, "received"):
        m = _FOR.search(h.value.rpartition(";")[0] or h.value)
        if m:
            found.setdefault(m.group(1).lower(), m.group(1))
    return tuple(found.values())


def derive(headers: list[Header]) -> dict[str, Any]:
    """Compute the interpreted Sample fields from the header list.

    Returns:
        Keyword arguments for ``Sample`` (``problems`` holds this step's problems).
    """
    problems: list[Problem] = []
    by_name = index(headers)
    from_, issues = _from(by_name)
    problems.extend(issues)
    to, issues = _addresses(by_name, "to", "To")
    problems.extend(issues)
    cc, issues = _addresses(by_name, "cc", "Cc")
    problems.extend(issues)
    subject = None
    if s := _all(by_name, "subject"):
        subject, words = decode_words(unfold(s[0].raw))
        problems.extend(Problem("Subject", w) for w in words)
    date = date_raw = None
    if d := _all(by_name, "date"):
        date_raw = d[0].value
        date, issues = parse_date(date_raw)
        problems.extend(issues)
    else:
        problems.append(Problem("Date", "no Date header field"))
    message_id = None
    if mid := _all(by_name, "message-id"):
        message_id = _strip_angle(mid[0].value) or None
    if message_id is None:
        problems.append(Problem("Message-ID", "no Message-ID"))
    rp = _all(by_name, "return-path")
    return_path = _strip_angle(rp[0].value) if rp else None
    return {
        "from_": from_,
        "to": to,
        "cc": cc,
        "subject": subject,
        "date": date,
        "date_raw": date_raw,
        "message_id": message_id,
        "return_path": return_path,
        "envelope_from": _envelope_from(by_name, return_path),
        "envelope_to": _envelope_to(by_name),
        "problems": problems,
    }
