"""Pull the readable parts out of a bounce: notification text, status reports, original headers.

Only what bounce parsing needs is decoded: ``text/*`` parts, ``message/*-status``
and ``message/feedback-report`` reports, and the header block of an attached
original (``message/rfc822`` or ``text/rfc822-headers``); attachments are skipped.
The walk is bounded (bytes read, parts, depth, text per part) and never raises.
A multipart whose boundary never appears is read as one text part, which is how
broken bounces (no MIME headers, wrong boundary) still give up their contents.
Only ``Content-Type`` and ``Content-Transfer-Encoding`` are read from part
headers, by hand: the stdlib ``email`` parser would cost more than the rest.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass

from mailtriage.checks.bounce import text as bouncetext
from mailtriage.checks.message.headers import find_header_end
from mailtriage.checks.model import Header
from mailtriage.checks.text import decode_bytes

MAX_SCAN = 1024 * 1024
MAX_TEXT = 64 * 1024
MAX_HEADERS_TEXT = 32 * 1024
MAX_PARTS = 64
MAX_DEPTH = 8
REPORT_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
    }
)
ORIGINAL_TYPES = frozenset(
    {
        "message/rfc822",
        "text/rfc822-headers",
        "message/global",
        "message/global-headers",
    }
)
_B64_JUNK = b" \t\r\n"
_MIME_FIELDS = ("content-type", "content-transfer-encoding")
_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_CHARSET = re.compile(r'charset\s*=\s*(?:"([^"]{1,60})"|([^\s;"]{1,60}))', re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One readable part of a bounce.

    Attributes:
        ctype: Lower-cased content type, e.g. ``"message/delivery-status"``.
        text: Decoded text (for an attached original: its header block only; for
            ``text/html``: the text with tags dropped and entities decoded; a
            message with HTML and no plain text has its HTML as ``text/plain``).
    """

    ctype: str
    text: str


def _param(value: str, pattern: re.Pattern[str]) -> str | None:
    m = pattern.search(value)
    if m is None:
        return None
    return (m.group(1) if m.group(1) is not None else m.group(2)).strip() or None


def _mime(fields: dict[str, str]) -> tuple[str, str, str]:
    """``(content type, full Content-Type value, transfer encoding)`` of one entity."""
    value = fields.get("content-type", "")
    ctype = value.split(";", 1)[0].strip().lower()
    if "/" not in ctype:
        ctype = "text/plain"
    return ctype, value, fields.get("content-transfer-encoding", "").strip().lower()


def _decode_cte(body: bytes, cte: str) -> bytes:
    if cte == "base64":
        clean = body.translate(None, _B64_JUNK)
        clean = clean[: len(clean) - len(clean) % 4]
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            return body
    if cte == "quoted-printable":
        return binascii.a2b_qp(body)
    return body


def _text_of(value: str, cte: str, body: bytes) -> str:
    data = _decode_cte(body[: MAX_TEXT * 2], cte)[:MAX_TEXT]
    charset = _param(value, _CHARSET)
    if charset:
        try:
            codecs.lookup(charset)
            return data.decode(charset, errors="replace")
        except (LookupError, ValueError):
            pass
    return decode_bytes(data)


def _split(body: bytes, boundary: bytes) -> list[bytes]:
    """Bodies between delimiter lines; ``[]`` when the boundary never appears."""
    delim = b"--" + boundary
    marks: list[tuple[int, int]] = []
    pos, closed = 0, False
    while len(marks) <= MAX_PARTS and not closed:
        i = body.find(delim, pos)
        if i < 0:
            break
        pos = i + len(delim)
        if i and body[i - 1 : i] not in (b"\n", b"\r"):
            continue
        eol = body.find(b"\n", pos)
        eol = len(body) if eol < 0 else eol + 1
        marks.append((i, eol))
        closed = body[pos : pos + 2] == b"--"
    if not marks:
        return []
    ends = [start for start, _ in marks[1:]] + [len(body)]
    chunks = [body[begin:end].rstrip(b"\r\n") for (_, begin), end in zip(marks, ends, strict=True)]
    return chunks[:-1] if closed and len(chunks) > 1 else chunks  # drop the epilogue


def _fields(block: bytes) -> dict[str, str]:
    """Content-Type and Content-Transfer-Encoding of a part's header block (unfolded)."""
    out: dict[str, str] = {}
    name: str | None = None
    for line in decode_bytes(block[:16384]).splitlines():
        if line[:1] in (" ", "\t"):
            if name is not None:
                out[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        name = key if sep and key in _MIME_FIELDS and key not in out else None
        if name is not None:
            out[name] = value.strip()
    return out


def _child(chunk: bytes) -> tuple[dict[str, str], bytes]:
    if chunk.startswith((b"\r\n", b"\n")):
        return {}, chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:]
    end, start = find_header_end(chunk)
    return _fields(chunk[:end]), chunk[start:]


def _header_text(body: bytes) -> str:
    end, _ = find_header_end(body[:MAX_HEADERS_TEXT])
    return decode_bytes(body[:end])


def walk(top: tuple[Header, ...], raw: bytes) -> tuple[list[Part], list[str]]:
    """Readable parts of a message, in document order.

    Args:
        top: The message's header fields.
        raw: The whole message (header block and body) as bytes.

    Returns:
        The parts and one-line notes on what was odd (missing boundary, truncation).
    """
    notes: list[str] = []
    _, body_start = find_header_end(raw)
    body = raw[body_start : body_start + MAX_SCAN]
    if len(raw) - body_start > MAX_SCAN:
        notes.append(f"body longer than {MAX_SCAN >> 10} KB; only the start was read")
    first: dict[str, str] = {}
    for h in top:
        key = h.name.lower()
        if key in _MIME_FIELDS and key not in first:
            first[key] = h.value
    parts: list[Part] = []
    stack: list[tuple[dict[str, str], bytes, int]] = [(first, body, 0)]
    while stack and len(parts) < MAX_PARTS:
        fields, data, depth = stack.pop()
        ctype, value, cte = _mime(fields)
        if ctype.startswith("multipart/") and depth < MAX_DEPTH:
            boundary = _param(value, _BOUNDARY)
            chunks = _split(data, boundary.encode("utf-8", "replace")) if boundary else []
            if chunks:
                stack.extend((*_child(c), depth + 1) for c in reversed(chunks))
                continue
            notes.append("multipart body without its boundary; read as plain text")
            parts.append(Part("text/plain", _text_of("", "", data)))
        elif ctype in ORIGINAL_TYPES:
            parts.append(Part(ctype, _header_text(data)))
        elif ctype in REPORT_TYPES or ctype.startswith("text/"):
            parts.append(Part(ctype, _text_of(value, cte, data)))
    plain = iter(bouncetext.html_texts([p.text for p in parts if p.ctype == "text/html"]))
    if not any(p.ctype == "text/plain" for p in parts):
        parts = [Part("text/plain", next(plain)) if p.ctype == "text/html" else p for p in parts]
    else:  # kept beside the plain text, as text: Exchange's HTML may say more than its plain part
        parts = [Part("text/html", next(plain)) if p.ctype == "text/html" else p for p in parts]
    return parts, notes
