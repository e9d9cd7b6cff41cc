"""Data model for an imported Microsoft 365 message trace and its matches to samples.

Every text value is stored as read from the export (raw, length-capped): an
export row can carry a hostile subject or address. UI code shows values through
the ``display`` accessors, which pass them through :func:`mailtriage.checks.text.printable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from mailtriage.checks.model import Problem
from mailtriage.checks.text import printable

MAX_ID = 998


class TraceError(Exception):
    """The input is not a message trace export; the message is one line for the user."""


def normalise_message_id(text: str | None) -> str:
    """Return a Message-ID (or trace GUID) in the form used to compare exports and samples.

    Whitespace (folding) is removed, one pair of surrounding angle brackets, quotes or
    braces is dropped and the result is lower-cased: trace tools compare IDs without
    regard to case, and spreadsheets sometimes add or drop the brackets.

    Args:
        text: A Message-ID as written in a header or a trace column.

    Returns:
        The comparable form, ``""`` when nothing is left.
    """
    if not text:
        return ""
    s = text[: MAX_ID * 2]
    if " " in s or "\t" in s or "\n" in s or "\r" in s:
        s = "".join(s.split())
    s = s.strip("\"'")
    if len(s) >= 2 and (s[0], s[-1]) in (("<", ">"), ("{", "}")):
        s = s[1:-1]
    return s[:MAX_ID].lower()


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One row of a message trace (one message to one recipient, or one event).

    Attributes:
        received: When the service received it, as written in the export (UTC
            unless the export's date column names another offset).
        sender: Sender address.
        recipient: Recipient address.
        subject: Subject as exported.
        status: Delivery status, canonical where recognised (``"Delivered"``,
            ``"FilteredAsSpam"``, ``"GettingStatus"``...), otherwise as written.
        message_id: The Message-ID column as written (brackets kept).
        from_ip: Connecting or original client IP.
        to_ip: Destination IP (outbound mail).
        size: Size in bytes, or ``None`` when absent or unreadable.
        trace_id: Message trace ID / network message ID.
        extra: Other columns as ``(column name, value)`` pairs.
    """

    received: str
    sender: str
    recipient: str
    subject: str
    status: str
    message_id: str
    from_ip: str = ""
    to_ip: str = ""
    size: int | None = None
    trace_id: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    def display(self, name: str, limit: int = 120) -> str:
        """Return one field made safe for a terminal (controls and bidi escaped).

        Args:
            name: A field name such as ``"subject"``, or an ``extra`` column name.
            limit: Most characters to return.
        """
        if name in _ROW_FIELDS:
            value = getattr(self, name)
        else:
            value = next((v for k, v in self.extra if k == name), "")
        return printable("" if value is None else str(value), limit)


_ROW_FIELDS = frozenset(TraceRow.__dataclass_fields__) - {"extra"}


@dataclass(frozen=True)
class Trace:
    """An imported message trace export.

    Attributes:
        rows: Parsed rows in file order (at most ``MAX_ROWS``).
        format: ``"eac"``, ``"get-messagetrace"``, ``"historical-summary"`` or
            ``"historical-extended"``.
        problems: Skipped rows, cut fields, caps reached, missing columns.
        source: Label of the imported file.
        columns: The header row as written.
        encoding: The text encoding detected, e.g. ``"utf-16-le"``.
        truncated: Whether the row or size cap stopped the import early.
    """

    rows: tuple[TraceRow, ...]
    format: str
    problems: tuple[Problem, ...] = ()
    source: str = ""
    columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    truncated: bool = False
    _span: list[tuple[datetime, datetime] | None] = field(
        default_factory=list, repr=False, compare=False, hash=False
    )

    @property
    def has_message_ids(self) -> bool:
        """Whether the export carries a Message-ID column with any value in it."""
        return bool(self.index())

    def _collect(self, attr: str) -> dict[str, tuple[int, ...]]:
        found: dict[str, list[int]] = {}
        for i, row in enumerate(self.rows):
            value = getattr(row, attr)
            if value:
                found.setdefault(normalise_message_id(value), []).append(i)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def _by_message_id(self) -> dict[str, tuple[int, ...]]:
        return self._collect("message_id")

    @cached_property
    def _by_trace_id(self) -> dict[str, tuple[int, ...]]:
        return self._collect("trace_id")

    def index(self) -> dict[str, tuple[int, ...]]:
        """Map normalised Message-ID to row positions (built once, on first use)."""
        return self._by_message_id

    def find_trace_id(self, trace_id: str | None) -> tuple[TraceRow, ...]:
        """Return the rows whose message trace ID / network message ID is ``trace_id``."""
        key = normalise_message_id(trace_id)
        found = self._by_trace_id.get(key, ()) if key else ()
        return tuple(self.rows[i] for i in found)

    def find(self, message_id: str | None) -> tuple[TraceRow, ...]:
        """Return the rows whose Message-ID matches ``message_id`` (any bracket/case form)."""
        key = normalise_message_id(message_id)
        return tuple(self.rows[i] for i in self.index().get(key, ())) if key else ()

    def display_source(self, limit: int = 120) -> str:
        """Return the source label made safe for a terminal."""
        return printable(self.source, limit)


@dataclass(frozen=True)
class TraceMatch:
    """What the trace says about one loaded sample, and whether the mailbox agrees.

    Attributes:
        sample_source: The sample's ``source`` label.
        message_id: The sample's Message-ID (without brackets), ``""`` when it has none.
        rows: The trace rows that belong to this sample (for its recipients when known).
        status_summary: One line, e.g. ``"Delivered"`` or ``"Expanded, Delivered ×2"``.
        disagreement: How the trace (portal) and the sample's own headers (mailbox) tell
            different stories, or why the trace has no row at all; ``None`` when they
            agree. One sentence without a "Portal and mailbox disagree" prefix: the UI
            adds its own label.
        layer: The layer to look at: ``"policy"``, ``"quarantine/release"``,
            ``"verdict"``, ``"routing/connector"`` or ``"downstream/mailbox"``.
        next_step: What to do next, in plain words.
        status: The status that decided the judgement (``""`` when no row matched).
        matched_by: ``"message-id"``, ``"network-message-id"``, ``"sender+subject"`` or ``""``.
        mailbox: What the sample's Microsoft headers say about mailbox placement, or ``""``.
    """

    sample_source: str
    message_id: str
    rows: tuple[TraceRow, ...]
    status_summary: str
    disagreement: str | None
    layer: str
    next_step: str
    status: str = ""
    matched_by: str = ""
    mailbox: str = ""
