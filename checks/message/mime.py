"""Summaries of MIME leaf parts: type, file name, decoded size and SHA-256.

Parts are found by offset in the message bytes and decoded a slice at a time
while hashing (:mod:`mailtriage.checks.message.mimedigest`), so a 30 MB message costs little
memory beyond its own bytes. The walk is bounded (parts, depth) and
never raises: anything odd becomes a ``Problem``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from mailtriage.checks.message.headers import find_header_end, parse_block
from mailtriage.checks.message.mimedigest import decode, digest
from mailtriage.checks.message.mimemeta import Meta, meta_of
from mailtriage.checks.model import Header, MimePart, Problem, Sample

MAX_PARTS = 500
MAX_DEPTH = 16
MAX_ENTITIES = 2000


class Span(NamedTuple):
    """A part's bytes: ``buf[start:end]``, never copied out."""

    buf: bytes
    start: int
    end: int


def _leaf(meta: Meta, span: Span, problems: list[Problem]) -> MimePart:
    size, sha256 = digest(span.buf, span.start, span.end, meta.cte, problems)
    return MimePart(
        content_type=meta.content_type,
        filename=meta.filename,
        size=size,
        sha256=sha256,
        disposition=meta.disposition,
    )


def _split(span: Span, boundary: bytes, problems: list[Problem]) -> list[Span]:
    """Return the bodies between delimiter lines (preamble and epilogue dropped)."""
    buf, start, end = span
    delim = b"--" + boundary
    starts: list[tuple[int, int]] = []  # (line start, content start)
    closed = False
    pos = start
    while True:
        i = buf.find(delim, pos, end)
        if i < 0:
            break
        pos = i + len(delim)
        if i > start and buf[i - 1 : i] not in (b"\n", b"\r"):
            continue
        eol = buf.find(b"\n", pos, end)
        eol = end if eol < 0 else eol + 1
        rest = buf[pos:eol].strip()
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
        starts.append((end, end))
    out = []
    for (_, begin), (stop, _) in itertools.pairwise(starts):
        stop = max(stop, begin)
        if stop - begin >= 2 and buf[stop - 2 : stop] == b"\r\n":
            stop -= 2
        elif stop > begin and buf[stop - 1 : stop] in (b"\n", b"\r"):
            stop -= 1
        out.append(Span(buf, begin, stop))
    return out


def _child(span: Span) -> tuple[list[Header], Span]:
    buf, start, end = span
    if buf.startswith(b"\r\n", start, end):
        return [], Span(buf, start + 2, end)
    if buf.startswith((b"\n", b"\r"), start, end):
        return [], Span(buf, start + 1, end)
    header_end, body_start = find_header_end(buf, start, end)
    return parse_block(buf[start:header_end]).headers, Span(buf, body_start, end)


def _entity(
    headers: list[Header],
    span: Span,
    depth: int,
    parts: list[MimePart],
    stack: list[tuple[list[Header], Span, int]],
    problems: list[Problem],
) -> None:
    """Summarise one leaf, or push a multipart's children onto ``stack``."""
    meta = meta_of(headers)
    if meta.boundary is None:
        if meta.multipart:
            problems.append(Problem("MIME", "multipart without a boundary; kept as one part"))
        parts.append(_leaf(meta, span, problems))
        return
    if depth >= MAX_DEPTH:
        problems.append(Problem("MIME", f"parts nested deeper than {MAX_DEPTH}; not listed"))
        return
    children = [
        (*_child(chunk), depth + 1)
        for chunk in _split(span, meta.boundary.encode("utf-8", "replace"), problems)
    ]
    stack.extend(reversed(children))


def summarise(
    top: list[Header], body: bytes, start: int = 0
) -> tuple[list[MimePart], list[Problem]]:
    """Summarise every leaf part of a message body.

    Parts are located by offset: no part body is copied, and each is decoded
    and hashed in slices.

    Args:
        top: The message's own header fields (for Content-Type and friends).
        body: The bytes of the body, or of the whole message when ``start`` is given.
        start: Where the body starts in ``body``.

    Returns:
        Leaf part summaries in document order, and problems found on the way.
    """
    problems: list[Problem] = []
    parts: list[MimePart] = []
    stack: list[tuple[list[Header], Span, int]] = [(top, Span(body, start, len(body)), 0)]
    entities = 0
    while stack:
        headers, span, depth = stack.pop()
        entities += 1
        if len(parts) >= MAX_PARTS or entities > MAX_ENTITIES:
            problems.append(Problem("MIME", f"more than {MAX_PARTS} parts; the rest not listed"))
            break
        try:
            _entity(headers, span, depth, parts, stack, problems)
        except Exception as exc:  # last-resort guard: a hostile part never stops loading
            problems.append(Problem("MIME", f"a part could not be read ({type(exc).__name__})"))
    return parts, _once(problems)


def _once(problems: list[Problem]) -> list[Problem]:
    """One entry per distinct problem (a hostile message repeats one a thousand times)."""
    counts: dict[Problem, int] = {}
    for p in problems:
        counts[p] = counts.get(p, 0) + 1
    return [
        p if n == 1 else Problem(p.where, f"{p.message} ({n} times)") for p, n in counts.items()
    ]


def is_attachment(part: MimePart) -> bool:
    """Whether ``part`` is an attachment: the one rule every count and list uses.

    A part is one when it says ``Content-Disposition: attachment``, or carries a
    file name without saying ``inline`` (many clients name an attachment only in
    the Content-Type ``name=``). An inline part with a file name (a logo in the
    HTML) is shown in the body, not attached.
    """
    return part.disposition == "attachment" or bool(part.filename and part.disposition != "inline")


def attachments(parts: Sequence[MimePart]) -> tuple[MimePart, ...]:
    """The attachments among ``parts`` (see :func:`is_attachment`), in order."""
    return tuple(p for p in parts if is_attachment(p))


def attachment_count(sample: Sample) -> int | None:
    """How many attachments ``sample`` carries, or ``None`` when it has no body to count."""
    return len(attachments(sample.parts)) if sample.has_body else None


def has_attachments(sample: Sample) -> bool:
    """Whether ``sample`` carries attachments.

    Its MIME parts decide (:func:`is_attachment`); Microsoft's ``X-MS-Has-Attach: yes``
    says so too, for a header block without its body.
    """
    if attachments(sample.parts):
        return True
    return (sample.first("x-ms-has-attach") or "").strip().lower() == "yes"


#: Content types of a part that is itself a whole message (RFC 2046 §5.2.1 and the
#: way Outlook names an attached .msg file).
MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})
MSG_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-ole-storage"})
#: Containers whose messages are not a forward: a delivery or feedback report returns
#: the original (RFC 3464, RFC 5965) and a digest bundles a list's posts (RFC 2046 §5.1.5).
NOT_FORWARDS = frozenset({"multipart/report", "multipart/digest"})


class AttachedMessage(NamedTuple):
    """A message carried whole inside another one (a forward as attachment).

    Attributes:
        data: The attached message's bytes, transfer encoding removed.
        content_type: The part's ``type/subtype``.
        filename: The part's file name, if any.
        more: How many further attached messages were seen (not opened).
    """

    data: bytes
    content_type: str
    filename: str | None
    more: int


def _is_message(meta: Meta) -> bool:
    if meta.content_type in MESSAGE_TYPES:
        return True
    name = (meta.filename or "").lower()
    return meta.content_type in MSG_TYPES or name.endswith((".msg", ".eml"))


def attached_messages(top: list[Header], body: bytes, start: int = 0) -> AttachedMessage | None:
    """Find the outermost message attached to a message body (the same walk as :func:`summarise`).

    Parts are visited breadth first, so the attachment nearest the top wins; a
    message attached inside that one is not looked into, nor are the messages of a
    report (a bounce's returned original) or a digest. The walk is bounded like
    :func:`summarise` and never raises.

    Args:
        top: The message's own header fields.
        body: The message bytes.
        start: Where the body starts in ``body``.

    Returns:
        The first attached message, or ``None`` when the body holds none.
    """
    problems: list[Problem] = []
    queue: list[tuple[list[Header], Span, int]] = [(top, Span(body, start, len(body)), 0)]
    found: list[tuple[Meta, Span]] = []
    seen = 0
    try:
        while seen < len(queue) and seen < MAX_ENTITIES:
            headers, span, depth = queue[seen]
            seen += 1
            meta = meta_of(headers)
            if depth > 0 and _is_message(meta):
                found.append((meta, span))
                continue
            if meta.boundary is None or depth >= MAX_DEPTH or meta.content_type in NOT_FORWARDS:
                continue
            boundary = meta.boundary.encode("utf-8", "replace")
            queue.extend((*_child(c), depth + 1) for c in _split(span, boundary, problems))
    except Exception:  # a hostile part never stops loading; what was found stands
        pass
    if not found:
        return None
    meta, (buf, begin, end) = found[0]
    data = decode(buf[begin:end], meta.cte, problems)
    return AttachedMessage(data, meta.content_type, meta.filename, len(found) - 1)
