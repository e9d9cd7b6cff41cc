"""Read a Microsoft 365 message trace CSV export into a :class:`Trace`.

Handles the new Exchange admin center export, ``Get-MessageTrace`` /
``Get-MessageTraceV2 | Export-Csv`` (with or without its ``#TYPE`` line) and the
historical search summary and extended reports. Malformed rows are skipped and
counted, fields are capped, and the import stops at ``MAX_ROWS`` rows or
``MAX_TRACE_BYTES`` of input.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from operator import itemgetter

from mailtriage.checks.model import Problem
from mailtriage.checks.msgtrace.columns import (
    decode_export,
    guess_format,
    iter_lines,
    map_columns,
    parse_size,
    skip_preamble,
    sniff_delimiter,
)
from mailtriage.checks.msgtrace.model import Trace, TraceError, TraceRow
from mailtriage.checks.msgtrace.status import canonical_status
from mailtriage.checks.text import printable

MAX_TRACE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
MAX_FIELD = 2000
MAX_RECIPIENTS = 1000
_NEEDED = ("received", "sender", "recipient", "status", "message_id", "trace_id")
_LONE_CR = re.compile(r"\r(?!\n)")


_ORDER = (
    "received", "sender", "recipient", "subject", "status", "message_id",
    "from_ip", "to_ip", "size", "trace_id", "recipient_status",
)  # fmt: skip


class _Builder:
    """Collects rows and counts the fields it had to cut."""

    def __init__(self, headers: list[str], cols: dict[str, int]) -> None:
        self.width = len(headers)
        self.has_recipient = "recipient" in cols
        # A missing column reads the "" appended after the row's last field.
        self.pick = itemgetter(*(cols.get(name, self.width) for name in _ORDER))
        used = set(cols.values())
        rest = [i for i in range(self.width) if i not in used]
        self.extra_names = [headers[i] for i in rest]
        self.extra_pick = itemgetter(*rest) if len(rest) > 1 else None
        self.extra_one = rest[0] if len(rest) == 1 else None
        self.rows: list[TraceRow] = []
        self.cut = 0

    def _extra(self, fields: list[str]) -> tuple[tuple[str, str], ...]:
        if self.extra_pick is not None:
            values = self.extra_pick(fields)
        elif self.extra_one is not None:
            values = (fields[self.extra_one],)
        else:
            return ()
        pairs = tuple(zip(self.extra_names, values, strict=True))
        return pairs if all(values) else tuple(p for p in pairs if p[1])

    def add(self, fields: list[str]) -> None:
        if len(fields) != self.width:
            fields = (fields + [""] * self.width)[: self.width]
        if max(map(len, fields)) > MAX_FIELD:
            self.cut += sum(len(f) > MAX_FIELD for f in fields)
            fields = [f[:MAX_FIELD] for f in fields]
        fields.append("")
        picked = self.pick(fields)
        received, sender, recipient, subject, status, message_id = picked[:6]
        from_ip, to_ip, size, trace_id, pairs = picked[6:]
        tail = (sys.intern(from_ip), sys.intern(to_ip), parse_size(size), trace_id)
        extra = self._extra(fields)
        sender = sys.intern(sender)
        if self.has_recipient or not pairs:
            if not status and pairs:
                status = pairs.rpartition("##")[2]
            targets = [(recipient, status)]
        else:
            targets = [
                (addr.strip(), status or events)
                for addr, _sep, events in (c.partition("##") for c in pairs.split(";"))
            ][:MAX_RECIPIENTS]
        for to, st in targets:
            head = (received, sender, to, subject, canonical_status(st), message_id)
            self.rows.append(TraceRow(*head, *tail, extra))


def _more(reader: Iterator[list[str]]) -> bool:
    try:
        return next(reader, None) is not None
    except csv.Error:
        return True


def _lone_cr_to_lf(text: str) -> str:
    """Lone CR line ends (classic Mac, some Excel exports) as LF; CRLF is left alone."""
    crs = text.count("\r")
    return _LONE_CR.sub("\n", text) if crs and crs != text.count("\r\n") else text


def _problem(source: str, message: str) -> Problem:
    return Problem(printable(source, 120), message)


def load_trace(data: bytes, source: str) -> Trace:
    """Parse a message trace export.

    Args:
        data: The file's bytes (any of the supported encodings).
        source: Label for messages, e.g. the file name.

    Returns:
        The trace, with skipped rows, cut fields and caps listed in ``problems``.

    Raises:
        TraceError: The input is empty, binary, or has no message trace columns.
    """
    label = printable(source, 120)
    problems: list[Problem] = []
    truncated = len(data) > MAX_TRACE_BYTES
    if truncated:
        data = data[:MAX_TRACE_BYTES]
        problems.append(_problem(source, f"file over {MAX_TRACE_BYTES >> 20} MB; rest not read"))
    text, encoding = decode_export(data)
    text = _lone_cr_to_lf(text)
    if truncated:
        text = text[: text.rfind("\n") + 1]
    if text[:4096].count("\x00") > 8:
        raise TraceError(f"{label}: not a message trace export: binary data")
    start, had_type, delim, header_line = skip_preamble(text)
    reader = csv.reader(iter_lines(text, start), delimiter=delim or sniff_delimiter(header_line))
    try:
        headers = [h.strip().strip("\ufeff") for h in next(reader, [])]
    except csv.Error as e:
        raise TraceError(f"{label}: not a message trace export: unreadable header ({e})") from e
    cols = map_columns(headers)
    have = [n for n in _NEEDED if n in cols or (n == "recipient" and "recipient_status" in cols)]
    keyed = {"status", "message_id", "trace_id", "recipient_status"} & set(cols)
    if len(have) < 2 or not keyed:
        shown = ", ".join(printable(h, 40) for h in headers[:8]) or "nothing"
        raise TraceError(
            f"{label}: not a message trace export: no Received/Sender/Recipient/Status/"
            f"Message ID columns (header: {shown})"
        )
    if "message_id" not in cols:
        problems.append(_problem(source, "no Message ID column: samples match by sender+subject"))
    builder = _Builder(headers, cols)
    skipped: list[int] = []
    ragged = 0
    while len(builder.rows) < MAX_ROWS:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            skipped.append(reader.line_num)
            continue
        if not fields or not any(f.strip() for f in fields):
            continue
        if len(fields) != len(headers):
            if len(fields) == 1 < len(headers):
                skipped.append(reader.line_num)
                continue
            ragged += 1
        builder.add(fields)
    else:
        if _more(reader):
            truncated = True
            problems.append(_problem(source, f"more than {MAX_ROWS} rows; the rest not read"))
    if skipped:
        lines = ", ".join(str(n) for n in skipped[:10]) + ("…" if len(skipped) > 10 else "")
        problems.append(_problem(source, f"{len(skipped)} malformed row(s) skipped (line {lines})"))
    if ragged:
        problems.append(_problem(source, f"{ragged} row(s) had a different number of columns"))
    if builder.cut:
        problems.append(_problem(source, f"{builder.cut} field(s) cut to {MAX_FIELD} characters"))
    return Trace(
        rows=tuple(builder.rows[:MAX_ROWS]),
        format=guess_format(headers, had_type),
        problems=tuple(problems),
        source=source,
        columns=tuple(headers),
        encoding=encoding,
        truncated=truncated,
    )
