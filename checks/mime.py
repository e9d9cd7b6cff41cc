"""Summaries of MIME leaf parts: type, file name, decoded size and SHA-256.

Bodies are decoded one part at a time and dropped right after hashing, so a
30 MB message costs little memory. The walk is bounded (parts, depth) and
never raises: anything odd becomes a ``Problem``.
"""

from __future__ import annotations

import binascii
import hashlib
import itertools
from email.message import Message
from email.utils import collapse_rfc2231_value

from checks.headerblock import find_header_end, parse_block
from checks.model import Header, MimePart, Problem
from checks.text import decode_words

MAX_PARTS = 500
MAX_DEPTH = 16
MAX_ENTITIES = 2000
MAX_PARAMS = 4096
_B64_JUNK = b" \t\r\n"


def _meta(headers: list[Header]) -> Message:
    msg = Message()
    for h in headers:
        lname = h.name.lower()
        if lname in ("content-type", "content-disposition", "content-transfer-encoding"):
            msg[h.name] = h.value[:MAX_PARAMS]
    return msg


def _filename(msg: Message) -> str | None:
    try:
        name = msg.get_filename()
    except Exception:
        return None
    if name is None:
        return None
    return decode_words(str(name))[0]


def _decode(body: bytes, cte: str, problems: list[Problem]) -> bytes:
    if cte == "base64":
        clean = body.translate(None, _B64_JUNK)
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            problems.append(Problem("MIME", "bad base64 in a part; decoded what could be"))
            clean = clean.rstrip(b"=")
            clean = clean[: len(clean) - len(clean) % 4]
            try:
                return binascii.a2b_base64(clean)
            except binascii.Error:
                return b""
    if cte == "quoted-printable":
        return binascii.a2b_qp(body)
    if cte not in ("", "7bit", "8bit", "binary"):
        problems.append(Problem("MIME", f"unknown transfer encoding {cte[:40]!r}; hashed as is"))
    return body


def _leaf(msg: Message, body: bytes, problems: list[Problem]) -> MimePart:
    cte = str(msg.get("Content-Transfer-Encoding", "")).strip().lower()
    data = _decode(body, cte, problems)
    disposition = msg.get_content_disposition()
    return MimePart(
        content_type=msg.get_content_type(),
        filename=_filename(msg),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        disposition=disposition if disposition in ("attachment", "inline") else None,
    )


def _split(body: bytes, boundary: bytes, problems: list[Problem]) -> list[bytes]:
    """Return the bodies between delimiter lines (preamble and epilogue dropped)."""
    delim = b"--" + boundary
    starts: list[tuple[int, int]] = []  # (line start, content start)
    closed = False
    pos = 0
    while True:
        i = body.find(delim, pos)
        if i < 0:
            break
        pos = i + len(delim)
        if i and body[i - 1 : i] not in (b"\n", b"\r"):
            continue
        eol = body.find(b"\n", pos)
        eol = len(body) if eol < 0 else eol + 1
        rest = body[pos:eol].strip()
        if rest.startswith(b"--"):
            starts.append((i, eol))
            closed = True
            break
        if rest:
            continue
        starts.append((i, eol))
        if len(starts) > MAX_ENTITIES:
            closed = True  # the part cap reports this
            break
    if not starts:
        problems.append(Problem("MIME", "multipart boundary never found; parts not listed"))
        return []
    if not closed:
        problems.append(Problem("MIME", "multipart has no closing boundary (truncated?)"))
        starts.append((len(body), len(body)))
    out = []
    for (_, begin), (end, _) in itertools.pairwise(starts):
        chunk = body[begin:end]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith((b"\n", b"\r")):
            chunk = chunk[:-1]
        out.append(chunk)
    return out


def _child(chunk: bytes) -> tuple[list[Header], bytes]:
    if chunk.startswith(b"\r\n"):
        return [], chunk[2:]
    if chunk.startswith((b"\n", b"\r")):
        return [], chunk[1:]
    end, start = find_header_end(chunk)
    return parse_block(chunk[:end]).headers, chunk[start:]


def _entity(
    headers: list[Header],
    data: bytes,
    depth: int,
    parts: list[MimePart],
    stack: list[tuple[list[Header], bytes, int]],
    problems: list[Problem],
) -> None:
    """Summarise one leaf, or push a multipart's children onto ``stack``."""
    msg = _meta(headers)
    boundary = msg.get_param("boundary") if msg.get_content_maintype() == "multipart" else None
    if isinstance(boundary, tuple):
        boundary = collapse_rfc2231_value(boundary)
    if not isinstance(boundary, str) or not boundary:
        if msg.get_content_maintype() == "multipart":
            problems.append(Problem("MIME", "multipart without a boundary; kept as one part"))
        parts.append(_leaf(msg, data, problems))
        return
    if depth >= MAX_DEPTH:
        problems.append(Problem("MIME", f"parts nested deeper than {MAX_DEPTH}; not listed"))
        return
    children = [
        (*_child(chunk), depth + 1)
        for chunk in _split(data, boundary.encode("utf-8", "replace"), problems)
    ]
    stack.extend(reversed(children))


def summarise(top: list[Header], body: bytes) -> tuple[list[MimePart], list[Problem]]:
    """Summarise every leaf part of a message body.

    Args:
        top: The message's own header fields (for Content-Type and friends).
        body: The bytes after the header block.

    Returns:
        Leaf part summaries in document order, and problems found on the way.
    """
    problems: list[Problem] = []
    parts: list[MimePart] = []
    stack: list[tuple[list[Header], bytes, int]] = [(top, body, 0)]
    entities = 0
    while stack:
        headers, data, depth = stack.pop()
        entities += 1
        if len(parts) >= MAX_PARTS or entities > MAX_ENTITIES:
            problems.append(Problem("MIME", f"more than {MAX_PARTS} parts; the rest not listed"))
            break
        try:
            _entity(headers, data, depth, parts, stack, problems)
        except Exception as exc:  # last-resort guard: a hostile part never stops loading
            problems.append(Problem("MIME", f"a part could not be read ({type(exc).__name__})"))
    return parts, problems
