"""Derive the interpreted ``Sample`` fields (From, Date, envelope hints...) from headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from checks.addresses import parse_addresses
from checks.authres import parse_header
from checks.headerblock import unfold
from checks.model import Address, Header, Problem
from checks.text import decode_words

ENVELOPE_TO_HEADERS = ("delivered-to", "x-original-to", "envelope-to", "x-envelope-to")
_FOR = re.compile(r"\bfor\s+<?([^\s<>;,()]+@[^\s<>;,()]+?)>?(?=[\s;,()]|$)", re.I)


def _all(headers: list[Header], name: str) -> list[Header]:
    return [h for h in headers if len(h.name) == len(name) and h.name.lower() == name]


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


def _addresses(headers: list[Header], name: str, label: str) -> tuple[tuple[Address, ...], list]:
    found: list[Address] = []
    problems: list[Problem] = []
    for h in _all(headers, name):
        addrs, issues = parse_addresses(unfold(h.raw), label)
        found.extend(addrs)
        problems.extend(issues)
    return tuple(found), problems


def _from(headers: list[Header]) -> tuple[tuple[Address, ...], list[Problem]]:
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


def _envelope_from(headers: list[Header], return_path: str | None) -> str | None:
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


def _envelope_to(headers: list[Header]) -> tuple[str, ...]:
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
    from_, issues = _from(headers)
    problems.extend(issues)
    to, issues = _addresses(headers, "to", "To")
    problems.extend(issues)
    cc, issues = _addresses(headers, "cc", "Cc")
    problems.extend(issues)
    subject = None
    if s := _all(headers, "subject"):
        subject, words = decode_words(unfold(s[0].raw))
        problems.extend(Problem("Subject", w) for w in words)
    date = date_raw = None
    if d := _all(headers, "date"):
        date_raw = d[0].value
        date, issues = parse_date(date_raw)
        problems.extend(issues)
    else:
        problems.append(Problem("Date", "no Date header field"))
    message_id = None
    if mid := _all(headers, "message-id"):
        message_id = _strip_angle(mid[0].value) or None
    if message_id is None:
        problems.append(Problem("Message-ID", "no Message-ID"))
    rp = _all(headers, "return-path")
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
        "envelope_from": _envelope_from(headers, return_path),
        "envelope_to": _envelope_to(headers),
        "problems": problems,
    }
