"""Load one email sample (.eml, pasted headers, an mbox's first message, .msg) into a ``Sample``.

Input is hostile: it may be huge, truncated, mis-encoded or not an email at all.
Fatal cases raise ``SampleError`` with a one-line message; everything else loads
with the oddities listed in ``Sample.problems``. Files are only ever read.
"""

from __future__ import annotations

import os
import re
import stat
import sys

from mailtriage.checks.message.fields import derive
from mailtriage.checks.message.headers import HEADER_LINE, find_header_end, parse_lines, split_lines
from mailtriage.checks.message.mime import summarise
from mailtriage.checks.model import MimePart, Problem, Sample
from mailtriage.checks.text import decode_bytes, printable

MAX_READ = 64 * 1024 * 1024
MAX_HEADER_BLOCK = 4 * 1024 * 1024
KNOWN_HEADERS = frozenset(
    "from to cc bcc subject date received message-id return-path mime-version "  # noqa: SIM905
    "content-type content-transfer-encoding delivered-to authentication-results "
    "received-spf reply-to sender x-mailer x-originating-ip thread-topic thread-index "
    "in-reply-to references list-unsubscribe list-id x-original-to envelope-to importance "
    "user-agent".split()
)
KNOWN_PREFIXES = ("arc-", "dkim-", "x-ms-", "x-microsoft-", "x-forefront-", "x-google-", "x-spam-")
_CONTROLS = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x1B)) + bytes(range(0x1C, 0x20))
_NOT_UTF8 = (
    "some header lines are not UTF-8; they were read as Windows-1252 or Latin-1 "
    "and may show the wrong characters"
)
_LEADING_BLANK = re.compile(rb"(?:[ \t]*(?:\r\n|\n|\r))*")
_NON_SPACE = re.compile(rb"\S")


class SampleError(Exception):
    """The input cannot be used as a sample; the message is one line for the user."""


def _not_email(source: str, why: str) -> SampleError:
    return SampleError(f"{printable(source, 120)}: not an email message: {why}")


def _unbom(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data


def _is_binary(region: bytes) -> bool:
    controls = len(region) - len(region.translate(None, _CONTROLS + b"\x7f"))
    return controls > 16 and controls * 50 > len(region)


def _dedent_all(lines: list[str], indent: str) -> bool:
    """Whether copy-paste indented every header line (not just the first)."""
    indented = plain = 0
    for line in lines[:400]:
        if line.startswith(indent) and HEADER_LINE.match(line[len(indent) :]):
            indented += 1
        elif HEADER_LINE.match(line):
            plain += 1
    return indented >= plain


def _line_end(data: bytes, start: int) -> tuple[int, bytes]:
    """Where the line starting at ``start`` ends, and the file's line break.

    Returns ``(offset of the line's last byte, b"\\n")`` for LF and CRLF files and
    ``(offset of the CR, b"\\r")`` for CR-only files (old Mac, some exports); the
    offset is -1 when the line never ends.
    """
    lf = data.find(b"\n", start)
    cr = data.find(b"\r", start, lf if lf >= 0 else len(data))
    if cr >= 0 and data[cr + 1 : cr + 2] != b"\n":
        return cr, b"\r"
    return lf, b"\n"


def mbox_message_end(data: bytes, start: int, nl: bytes) -> tuple[int, int]:
    """Where the mbox message whose headers begin at ``start`` ends: the one mbox splitter.

    A message ends before the next line that starts with ``From `` (quoted body
    lines such as ``>From `` never split); the blank line mbox writes before that
    separator is not part of the message.

    Args:
        data: The whole mailbox.
        start: Offset just after the message's ``From `` envelope line.
        nl: The file's line break, as returned by ``_line_end``.

    Returns:
        ``(end, next_from)``: the message's end offset and the offset of the next
        ``From `` line, or ``(len(data), -1)`` for the last message.
    """
    following = data.find(nl + b"From ", start)
    if following < 0:
        return len(data), -1
    end = following + 1
    blanks = (b"\r\n\r\n", b"\n\n") if nl == b"\n" else (b"\r\r",)
    for blank in blanks:  # mbox puts a blank line before "From "
        if data.endswith(blank, start, end):
            end -= len(blank) // 2
            break
    return end, following + len(nl)


def _familiar(name: str) -> bool:
    lname = name.lower()
    return lname in KNOWN_HEADERS or lname.startswith(KNOWN_PREFIXES)


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""How an OLE2 compound file starts: what an Outlook .msg is."""


def is_msg(data: bytes) -> bool:
    """Whether ``data`` starts like an OLE2 compound file (what a .msg is)."""
    return data[:8] == OLE_MAGIC


def _load_outlook(data: bytes, source: str, size: int) -> Sample:
    # The .msg reader (and its tables) loads only for a .msg: 2 to 3 ms less at start.
    from mailtriage.checks.message.outlook_msg import MsgError, load_msg

    if len(data) > MAX_READ or size > len(data):
        raise _not_email(source, f"an Outlook .msg larger than {MAX_READ >> 20} MB is not read")
    try:
        return load_msg(data, source, size)
    except MsgError as exc:
        raise _not_email(source, str(exc)) from None


def load_bytes(data: bytes, source: str, size: int | None = None) -> Sample:
    """Parse a sample from bytes.

    An Outlook .msg is recognised by its OLE2 signature (not its name) and read
    by :mod:`mailtriage.checks.message.outlook_msg`.

    Args:
        data: The raw input (.eml, pasted headers, mbox, Outlook .msg...).
        source: Label for the sample (a path, ``"-"``, ``"demo:blocked"``).
        size: Real input size when ``data`` was already cut short; default ``len(data)``.

    Returns:
        The loaded sample.

    Raises:
        SampleError: The input is empty, binary, has no recognisable header fields, or
            is an Outlook .msg that is damaged or holds no email.
    """
    total = len(data) if size is None else size
    if is_msg(data):
        return _load_outlook(data, source, total)
    problems: list[Problem] = []
    if len(data) > MAX_READ or total > len(data):
        problems.append(Problem("Input", f"input larger than {MAX_READ >> 20} MB; rest not read"))
        data = data[:MAX_READ]
    data = _unbom(data)
    start = _LEADING_BLANK.match(data).end()  # type: ignore[union-attr]
    if _NON_SPACE.search(data, start) is None:
        raise _not_email(source, "the input is empty")
    if data.startswith(b"From ", start):
        eol, nl = _line_end(data, start)
        start = len(data) if eol < 0 else eol + 1
        end, following = mbox_message_end(data, start, nl)
        if following >= 0:
            data = data[:end]
            problems.append(Problem("Input", "mbox with several messages; only the first was read"))
            total = len(data) - start  # the size of the message read, not of the mailbox
    limit = start + MAX_HEADER_BLOCK
    header_end, body_start = find_header_end(data, start, limit)
    if header_end >= limit and len(data) > limit:
        problems.append(Problem("Input", "header block longer than 4 MB; the rest was ignored"))
    region = data[start:header_end]
    if _is_binary(region):
        raise _not_email(source, "binary data where the header fields should be")
    try:
        text = region.decode("utf-8")
    except UnicodeDecodeError:
        text = decode_bytes(region)
        problems.append(Problem("Input", _NOT_UTF8))
    lines = split_lines(text)
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip(" \t"))] if lines else ""
    block = parse_lines(lines, indent, bool(indent) and _dedent_all(lines, indent))
    if not block.headers:
        raise _not_email(source, "no header fields found")
    if not any(_familiar(h.name) for h in block.headers):
        raise _not_email(source, "no familiar header fields (From, Received, Subject...)")
    problems.extend(block.problems)
    fields = derive(block.headers)
    problems.extend(fields.pop("problems"))
    has_body = body_start < len(data) and _NON_SPACE.search(data, body_start) is not None
    parts: list[MimePart] = []
    if has_body:
        parts, issues = summarise(block.headers, data, body_start)
        problems.extend(issues)
    return Sample(
        source=source,
        headers=tuple(block.headers),
        size=total,
        has_body=has_body,
        parts=tuple(parts),
        problems=tuple(problems),
        raw=data[start:],
        **fields,
    )


_NOT_REGULAR = (
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
    (stat.S_ISCHR, "it is a device, not a regular file"),
    (stat.S_ISBLK, "it is a device, not a regular file"),
)


def read_file(path: str | os.PathLike[str], limit: int = MAX_READ + 1) -> tuple[bytes, int]:
    """Read the start of a regular file: the one way sample and trace files are read.

    The file is opened without blocking and checked before any byte is read, so a
    named pipe, socket or device is refused at once instead of hanging the reader
    (``open()`` on a FIFO waits forever for a writer). Files are only ever read.

    Args:
        path: The file.
        limit: Most bytes to read (read one byte past a cap to tell that it was cut).

    Returns:
        ``(data, size)``: at most ``limit`` bytes and the file's size on disk.

    Raises:
        SampleError: The path cannot be opened, is a directory or is not a regular
            file (one line naming it).
    """
    fd, size = open_regular(path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit)
    except OSError as exc:
        label = printable(os.fspath(path), 200)
        raise SampleError(f"cannot read {label}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return data, size


def open_regular(path: str | os.PathLike[str]) -> tuple[int, int]:
    """Open a regular file for reading without blocking: the one opener of sample files.

    A named pipe, socket, device or directory is refused before any byte is read.

    Returns:
        ``(fd, size)``: an open file descriptor (the caller closes it) and the size on disk.

    Raises:
        SampleError: The path cannot be opened or is not a regular file (one line naming it).
    """
    name = os.fspath(path)
    label = printable(name, 200)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        raise SampleError(f"cannot read {label}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SampleError(f"cannot read {label}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            why = next((w for test, w in _NOT_REGULAR if test(info.st_mode)), "not a regular file")
            raise SampleError(f"cannot read {label}: {why}")
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def load_path(path: str | os.PathLike[str]) -> Sample:
    """Read a sample file (never modified) and parse it.

    Raises:
        SampleError: The file cannot be read, is a directory or not a regular file
            (a FIFO, socket or device: refused, never waited on), or is not an email.
    """
    data, size = read_file(path)
    return load_bytes(data, os.fspath(path), max(size, len(data)))


def read_stdin() -> bytes:
    """Read standard input's bytes (at most ``MAX_READ + 1``), unparsed.

    Raises:
        SampleError: Standard input is missing or unreadable.
    """
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise SampleError("cannot read standard input: it is not available")
    try:
        data: bytes = stream.read(MAX_READ + 1)
    except OSError as exc:
        raise SampleError(f"cannot read standard input: {exc.strerror or exc}") from None
    return data


def load_stdin() -> Sample:
    """Read a sample from standard input (source ``"-"``).

    Raises:
        SampleError: Standard input is missing, unreadable, or not an email.
    """
    return load_bytes(read_stdin(), "-")


PASTED_PREFIX = "pasted into "
"""Source label of a pasted sample: ``pasted into A at 10:30 UTC``."""

MAX_PASTE = 8 * 1024 * 1024
"""Most characters of pasted text taken as a sample; a larger paste belongs in a file."""


def load_text(text: str, source: str) -> Sample:
    """Parse pasted text (headers, with or without a body) as a sample.

    The text goes through :func:`load_bytes`, the same parser as a file: mixed line
    breaks, headers whose folding was lost and Outlook's layouts are handled there.

    Args:
        text: What was pasted.
        source: Label for the sample (e.g. ``"pasted into A at 10:30 UTC"``).

    Returns:
        The loaded sample.

    Raises:
        SampleError: The text is larger than ``MAX_PASTE`` characters, or is not
            an email (empty, binary, no header fields).
    """
    if len(text) > MAX_PASTE:
        raise SampleError(
            f"{printable(source, 120)}: {-(-len(text) >> 20)} MB is too large to paste "
            f"(at most {MAX_PASTE >> 20} MB); save it to a file and open that instead"
        )
    return load_bytes(paste_line_breaks(text).encode("utf-8", errors="replace"), source)


_CR_RUN = re.compile(r"\r+")


def paste_line_breaks(text: str) -> str:
    """Undo what a terminal's paste did to line breaks, so the header block ends in its place.

    Terminals (xterm, tmux) send every LF of a paste as a CR, so a CRLF copied from
    Windows arrives as CR CR, which the parser would read as the blank line ending
    the header block. Text that has any LF is returned as it is (the loader handles
    CRLF, LF and CR). In text with CRs only: when every run of CRs has an even
    length, each pair was one CRLF; when lengths are mixed, a pair followed by a
    header field or a folded line is one break while the header block lasts, and
    the first other pair (or a longer run) is the blank line that ends it.

    Args:
        text: Pasted text.

    Returns:
        The text with LF line breaks when it was CR-only, else ``text`` unchanged.
    """
    if "\n" in text or "\r\r" not in text:
        return text
    runs = list(_CR_RUN.finditer(text))
    if all(len(m.group()) % 2 == 0 for m in runs):
        return text.replace("\r\r", "\n")
    out: list[str] = []
    pos = 0
    in_headers = True
    for m in runs:
        out.append(text[pos : m.start()])
        n = len(m.group())
        following = text[m.end() : m.end() + 200]
        if in_headers and n == 2 and (following[:1] in (" ", "\t") or HEADER_LINE.match(following)):
            out.append("\n")
        else:
            if n >= 2 and in_headers:
                in_headers = False
                n = 2  # one blank line ends the header block
            out.append("\n" * n)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)
