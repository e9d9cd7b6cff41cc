"""Decode a message trace export and recognise its columns.

Exports come as UTF-8 (with or without a byte-order mark) or UTF-16 (historical
search reports are usually UTF-16LE with a BOM, sometimes without one). Header
names differ between the new Exchange admin center ("Sender address",
"Date (UTC)"), ``Get-MessageTrace | Export-Csv`` (``SenderAddress``) and the
historical search reports (``sender_address``); they are matched after folding
case and dropping spaces, underscores and parenthesised notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailtriage.checks.text import decode_bytes

# Preferred column names first; the first one present wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "received": (
        "received",
        "date",
        "datetime",
        "receiveddatetime",
        "origintimestamputc",
        "origintimestamp",
        "datetimeutc",
        "timestamp",
        "time",
    ),
    "sender": ("senderaddress", "sender", "fromaddress", "from"),
    "recipient": ("recipientaddress", "recipient", "recipients", "toaddress", "to"),
    "subject": ("subject", "messagesubject"),
    "status": ("status", "deliverystatus", "eventid", "event"),
    "message_id": ("messageid", "internetmessageid"),
    "from_ip": ("fromip", "originalclientip", "clientip", "senderip"),
    "to_ip": ("toip", "destinationip"),
    "size": ("size", "totalbytes", "messagesize", "sizebytes"),
    "trace_id": ("messagetraceid", "networkmessageid", "traceid"),
    "recipient_status": ("recipientstatus",),
}
_PS_ONLY = frozenset({"pscomputername", "runspaceid", "psshowcomputername"})
_PAREN = re.compile(r"\([^()]{0,80}\)")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_UNITS = {"b": 1, "kb": 1024, "mb": 1024 * 1024, "gb": 1024**3}
_OFFSET = re.compile(r"UTC\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def decode_export(data: bytes) -> tuple[str, str]:
    """Decode export bytes, returning ``(text, encoding name)``; never raises.

    A UTF-8 BOM, a UTF-16 BOM, or (without BOM) UTF-16 text recognised by its zero
    bytes decides the codec; anything else is UTF-8 with a cp1252 fallback per line.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            body = data[2:]
            return body[: len(body) & ~1].decode(codec, errors="replace"), codec
    head = data[:512]
    pairs = len(head) // 2
    if pairs >= 4:
        odd = head[1::2].count(0)
        even = head[0::2].count(0)
        if odd > pairs * 0.6 and even < pairs * 0.1:
            return data[: len(data) & ~1].decode("utf-16-le", errors="replace"), "utf-16-le"
        if even > pairs * 0.6 and odd < pairs * 0.1:
            return data[: len(data) & ~1].decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return decode_bytes(data), "cp1252"


def fold(header: str) -> str:
    """Fold a column name for matching: ``"Date (UTC)"`` -> ``"date"``."""
    return _NOT_ALNUM.sub("", _PAREN.sub("", header[:200]).lower())


def map_columns(headers: list[str]) -> dict[str, int]:
    """Map our field names to column positions, using :data:`ALIASES`."""
    folded = [fold(h) for h in headers]
    position: dict[str, int] = {}
    for i, name in enumerate(folded):
        position.setdefault(name, i)
    found: dict[str, int] = {}
    for field, names in ALIASES.items():
        for name in names:
            if name in position and position[name] not in found.values():
                found[field] = position[name]
                break
    return found


def guess_format(headers: list[str], had_type_line: bool) -> str:
    """Name the export's shape from its header row.

    Returns:
        ``"get-messagetrace"``, ``"historical-summary"``, ``"historical-extended"`` or
        ``"eac"``.
    """
    folded = {fold(h) for h in headers}
    if had_type_line or folded & _PS_ONLY:
        return "get-messagetrace"
    if any("_" in h for h in headers):
        extended = "eventid" in folded or "datetimeutc" in folded
        return "historical-extended" if extended else "historical-summary"
    if any(" " in h.strip() for h in headers):
        return "eac"
    return "get-messagetrace"


def utc_offset_minutes(header: str) -> int:
    """Return the offset a date column names, e.g. ``"Date (UTC+01:00)"`` -> 60, else 0."""
    m = _OFFSET.search(header[:200])
    if not m:
        return 0
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    if minutes >= 24 * 60:  # no real zone is that far from UTC: ignore the label
        return 0
    return -minutes if m.group(1) == "-" else minutes


def sniff_delimiter(header_line: str) -> str:
    """Pick the delimiter of a header line: comma, semicolon (``-UseCulture``) or tab."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def parse_size(text: str) -> int | None:
    """Read a size column: plain bytes (``"48213"``, ``"48,213"``) or ``"47 KB"``/``"1.2 MB"``."""
    if text.isdigit() and len(text) < 19:
        return int(text)
    s = text.strip().replace(",", "").replace(" ", "").lower()[:24]
    if s.isdigit():
        return int(s)
    for unit in ("kb", "mb", "gb", "b"):
        if s.endswith(unit):
            try:
                return int(float(s[: -len(unit)]) * _UNITS[unit])
            except (ValueError, OverflowError):
                return None
    return None


def iter_lines(text: str, start: int) -> Iterator[str]:
    """Yield lines (newline kept) from ``start`` without copying the whole text."""
    find = text.find
    while start < len(text):
        end = find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def skip_preamble(text: str) -> tuple[int, bool, str | None, str]:
    """Skip the ``#TYPE`` / ``sep=`` preamble.

    Returns:
        ``(offset of the header line, had #TYPE, delimiter from sep= or None, header line)``.
    """
    had_type, delim = False, None
    chunk = text[:4096]
    pos = len(chunk) - len(chunk.lstrip("\ufeff\r\n \t"))
    first = ""
    for _ in range(3):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        first = text[pos:end]
        low = first.strip().lower()
        if low.startswith("#type"):
            had_type = True
        elif low.startswith("sep=") and len(low) == 5:
            delim = first.strip()[4]
        else:
            break
        pos = end + 1
    return pos, had_type, delim, first
