"""List the messages of an mbox and load one of them.

The mailbox is split by the loader's own splitter (``mbox_message_end``) and each
message's header block is read by the same header parser, so the listing and the
loaded message never disagree. Work is bounded: at most ``MAX_MESSAGES`` entries,
and only the first ``LIST_HEADER_BYTES`` of each header block are parsed for the list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from dataclasses import dataclass

from mailtriage.checks.message.headers import find_header_end, parse_lines, split_lines, unfold
from mailtriage.checks.message.loader import (
    MAX_READ,
    SampleError,
    _line_end,
    _unbom,
    load_bytes,
    mbox_message_end,
    open_regular,
    read_file,
)
from mailtriage.checks.model import Sample
from mailtriage.checks.text import decode_bytes, decode_words, printable

MAX_MESSAGES = 5000
LIST_HEADER_BYTES = 64 * 1024
SNIFF_BYTES = 4096  # what is_mbox looks at
SCAN_BLOCK = 1 << 20
_FIELD_LIMIT = 200


@dataclass(frozen=True)
class MboxEntry:
    """One message of a mailbox, as listed for the picker.

    Attributes:
        index: Position in the mailbox, 1 = first.
        offset: Byte offset of the message's ``From `` envelope line.
        end: Byte offset where the message ends (exclusive).
        date: The Date field, escaped for display ("" when missing).
        from_: The From field, RFC 2047 decoded and escaped.
        subject: The Subject field, RFC 2047 decoded and escaped.
        message_id: The Message-ID field, escaped.
    """

    index: int
    offset: int
    end: int
    date: str
    from_: str
    subject: str
    message_id: str


@dataclass(frozen=True)
class MboxListing:
    """The messages of a mailbox.

    Attributes:
        entries: The messages found, in file order.
        truncated: More messages follow than ``MAX_MESSAGES`` (or the file was cut
            at ``MAX_READ``); they are not listed.
        source: The mailbox's path (raw, for loading; escape it to show it).
    """

    entries: tuple[MboxEntry, ...]
    truncated: bool = False
    source: str = ""


def is_mbox(data: bytes) -> bool:
    """Whether the input starts (after a BOM and blank lines) with a ``From `` envelope line."""
    data = _unbom(data[:4096])
    return data.lstrip(b" \t\r\n").startswith(b"From ")


def _field(headers: dict[str, str], name: str) -> str:
    raw = headers.get(name, "")
    if name in ("from", "subject"):
        raw = decode_words(raw)[0]
    return printable(raw, _FIELD_LIMIT)


def list_messages(data: bytes, limit: int = MAX_MESSAGES) -> MboxListing:
    """List the messages of an mbox in one forward pass.

    Args:
        data: The mailbox bytes (at most ``MAX_READ`` are looked at).
        limit: Most messages to list.

    Returns:
        The listing; empty when the input is not an mbox.
    """
    truncated = len(data) > MAX_READ
    data = _unbom(data[:MAX_READ])
    entries: list[MboxEntry] = []
    pos = data.find(b"From ")
    if pos < 0 or data[:pos].strip(b" \t\r\n"):
        return MboxListing(())
    while pos >= 0:
        if len(entries) >= limit:
            truncated = True
            break
        eol, nl = _line_end(data, pos)
        start = len(data) if eol < 0 else eol + 1
        end, following = mbox_message_end(data, start, nl)
        header_end, _ = find_header_end(data, start, min(end, start + LIST_HEADER_BYTES))
        text = decode_bytes(data[start : min(header_end, end)])
        block = parse_lines(split_lines(text))
        fields: dict[str, str] = {}
        for h in block.headers:
            fields.setdefault(h.name.lower(), unfold(h.raw).strip())
        entries.append(
            MboxEntry(
                index=len(entries) + 1,
                offset=pos,
                end=end,
                date=_field(fields, "date"),
                from_=_field(fields, "from"),
                subject=_field(fields, "subject"),
                message_id=_field(fields, "message-id"),
            )
        )
        pos = following
    return MboxListing(tuple(entries), truncated)


def load_message(data: bytes, number: int, source: str) -> Sample:
    """Load message ``number`` (1 = first) of an mbox.

    Args:
        data: The mailbox bytes.
        number: Which message, counting from 1.
        source: Label of the mailbox; the sample's source becomes ``source#number``.

    Returns:
        The loaded message.

    Raises:
        SampleError: There is no such message, or it is not an email.
    """
    listing = list_messages(data, limit=number)
    if number < 1 or number > len(listing.entries):
        count = len(listing.entries)
        raise SampleError(
            f"{printable(source, 120)}: no message {number} (the mbox holds {count}"
            f"{' or more' if listing.truncated else ''})"
        )
    entry = listing.entries[number - 1]
    data = _unbom(data[:MAX_READ])
    return load_bytes(data[entry.offset : entry.end], f"{source}#{number}")


_NUMBERED = re.compile(r"(.+)#([0-9]{1,6})")


def split_number(path: str) -> tuple[str, int | None]:
    """Split ``FILE.mbox#3`` into the file and the message number.

    A path that exists as written is never split (a file may have ``#`` in its name).

    Returns:
        ``(path, number)``; the number is ``None`` when none was given.
    """
    m = _NUMBERED.fullmatch(path)
    if m is None or os.path.lexists(path):
        return path, None
    return m.group(1), int(m.group(2))


def load_or_list(path: str) -> Sample | MboxListing:
    """Load a sample path, or list the mailbox when it holds several messages.

    ``FILE.mbox#N`` loads message N directly. A mailbox with one message, and any
    other sample, loads as :func:`~mailtriage.checks.message.loader.load_path` would.

    Returns:
        The sample, or the listing of a mailbox holding several messages (for a picker).

    Raises:
        SampleError: The file cannot be read, there is no message N, or it is not an email.
    """
    base, number = split_number(path)
    data, size = read_file(base)
    if number is not None:
        return load_message(data, number, base)
    if is_mbox(data):
        listing = list_messages(data, limit=MAX_MESSAGES)
        if len(listing.entries) > 1:
            return MboxListing(listing.entries, listing.truncated, base)
    return load_bytes(data, base, max(size, len(data)))


@dataclass(frozen=True, slots=True)
class MboxSpan:
    """Where one message of an mbox file lies (from :func:`scan_file`).

    Attributes:
        number: Position in the mailbox, 1 = first.
        offset: Byte offset of the message's ``From `` envelope line.
        end: Byte offset where the message ends (exclusive).
    """

    number: int
    offset: int
    end: int


def scan_file(
    path: str | os.PathLike[str], block: int = SCAN_BLOCK
) -> Generator[MboxSpan, None, None]:
    """Find the messages of an mbox file in one forward pass, without holding the file.

    The file is read in blocks and split by the loader's own splitter
    (``mbox_message_end``), so a span holds exactly the bytes :func:`load_message`
    would load. Memory is bounded by the largest message, however many messages
    the file holds. A file that does not start (after a UTF-8 BOM and blank lines)
    with a ``From `` envelope line within its first ``SNIFF_BYTES`` yields nothing;
    only those bytes are read.

    Args:
        path: The file.
        block: Bytes per read once the file is known to be an mbox.

    Yields:
        One span per message, in file order.

    Raises:
        SampleError: The file cannot be opened or is not a regular file.
    """
    fd, _ = open_regular(path)
    with os.fdopen(fd, "rb") as f:
        buf = f.read(SNIFF_BYTES)
        eof = len(buf) < SNIFF_BYTES
        skip = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
        pos = buf.find(b"From ", skip, SNIFF_BYTES)
        if pos < 0 or buf[skip:pos].strip(b" \t\r\n"):
            return
        base = 0  # file offset of buf[0]
        number = 0
        while True:
            eol, nl = _line_end(buf, pos)
            end = following = -1
            if eol >= 0 and (eof or eol + 1 < len(buf)):  # a CR at the block's end may be CRLF
                end, following = mbox_message_end(buf, eol + 1, nl)
            elif eof:
                end = len(buf)
            if following < 0 and not eof:
                more = f.read(max(block, len(buf)))  # grows with the message: linear time
                eof = not more
                buf += more
                continue
            number += 1
            yield MboxSpan(number, base + pos, base + end)
            if following < 0:
                return
            buf = buf[following:]
            base += following
            pos = 0


def read_span(path: str | os.PathLike[str], span: MboxSpan) -> Sample:
    """Load one message of an mbox file found by :func:`scan_file` (``FILE#N``).

    Raises:
        SampleError: The file cannot be read, or the message is not an email.
    """
    size = span.end - span.offset
    fd, _ = open_regular(path)
    try:
        data = os.pread(fd, min(size, MAX_READ + 1), span.offset)
    except OSError as exc:
        label = printable(os.fspath(path), 200)
        raise SampleError(f"cannot read {label}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return load_bytes(data, f"{os.fspath(path)}#{span.number}", max(size, len(data)))
