"""Frozen data model shared by every engine module.

Everything the engine hands to the UI or to ``mailtriage report`` is one of these
immutable dataclasses. Raw values from the sample are kept verbatim (as ``str``
decoded leniently from bytes); nothing here is ever interpreted as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The layers a message passes and a finding can point at (the guides' order).
LAYERS = (
    "policy",
    "quarantine/release",
    "authentication",
    "verdict",
    "routing/connector",
    "downstream/mailbox",
)
#: The same layers, causes before effects: which one a tie (or a choice between the
#: recipients of one bounce) goes to.
LAYER_PRECEDENCE = (
    "authentication",
    "policy",
    "verdict",
    "routing/connector",
    "quarantine/release",
    "downstream/mailbox",
)


@dataclass(frozen=True)
class Problem:
    """Something in a sample that could not be parsed, or was parsed with a guess.

    Attributes:
        where: What was being parsed, e.g. ``"Date"`` or ``"Authentication-Results #2"``.
        message: One line saying what went wrong, in plain words.
    """

    where: str
    message: str


@dataclass(frozen=True)
class Header:
    """One header field in the order it appears in the sample.

    Attributes:
        name: Field name as written (case preserved).
        raw: The raw value, folding kept, leniently decoded (never RFC 2047 decoded).
        value: The unfolded value with runs of whitespace collapsed.
        index: Position among all header fields, 0 = topmost.
    """

    name: str
    raw: str
    value: str
    index: int


@dataclass(frozen=True)
class Address:
    """A mailbox from an address header.

    Attributes:
        display: Display name after RFC 2047 decoding ("" when absent).
        addr: The addr-spec, e.g. ``"ann@example.com"`` ("" when unparseable).
        domain: Lower-cased domain part of ``addr`` ("" when absent).
    """

    display: str
    addr: str
    domain: str


@dataclass(frozen=True)
class MimePart:
    """Summary of one leaf MIME part (bodies themselves are never kept).

    Attributes:
        content_type: e.g. ``"application/pdf"``.
        filename: Attachment file name, decoded, or ``None``.
        size: Decoded size in bytes (transfer encoding removed).
        sha256: Hex digest of the decoded content.
        disposition: ``"attachment"``, ``"inline"`` or ``None``.
    """

    content_type: str
    filename: str | None
    size: int
    sha256: str
    disposition: str | None


@dataclass(frozen=True)
class Sample:
    """One loaded message (full .eml or just pasted headers).

    Attributes:
        source: Path, ``"-"`` for stdin, or a label such as ``"demo:blocked"``.
        headers: All header fields, topmost first.
        from_: Parsed From mailboxes (may be empty or hold several).
        to: Parsed To mailboxes.
        cc: Parsed Cc mailboxes.
        subject: Decoded Subject or ``None``.
        date: Parsed Date (timezone-aware) or ``None``.
        date_raw: The Date header as written, or ``None``.
        message_id: Message-ID without angle brackets, or ``None``.
        return_path: Return-Path address without brackets, or ``None``.
        envelope_from: Best envelope sender hint (Return-Path, Received-SPF
            envelope-from, smtp.mailfrom), or ``None``.
        envelope_to: Envelope recipient hints (Delivered-To, X-Original-To,
            Received ``for``), de-duplicated, in order.
        size: Size of the input in bytes.
        has_body: Whether a body followed the header block.
        parts: Leaf MIME part summaries (empty for headers-only input).
        problems: Everything that could not be parsed.
        raw: The message bytes as read (mbox envelope line removed), for the checks
            that need them byte for byte (DKIM, ARC). Not part of equality.
        forwarded_in: For a message that arrived attached to a customer's forward, the
            outer message's source; ``None`` for a message read as it is.
        outer: The customer's forward this message was attached to (kept so views can
            show it), or ``None``. Not part of equality.
    """

    source: str
    headers: tuple[Header, ...]
    from_: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str | None = None
    date: datetime | None = None
    date_raw: str | None = None
    message_id: str | None = None
    return_path: str | None = None
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()
    size: int = 0
    has_body: bool = False
    parts: tuple[MimePart, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    raw: bytes = field(default=b"", repr=False, compare=False, hash=False)
    forwarded_in: str | None = None
    outer: Sample | None = field(default=None, repr=False, compare=False, hash=False)

    def all(self, name: str) -> tuple[Header, ...]:
        """Return every header field with this name (case-insensitive), topmost first."""
        lname = name.lower()
        return tuple(h for h in self.headers if h.name.lower() == lname)

    def first(self, name: str) -> str | None:
        """Return the unfolded value of the topmost field with this name, or ``None``."""
        found = self.all(name)
        return found[0].value if found else None

    @property
    def from_domain(self) -> str | None:
        """Domain of the first From mailbox (the RFC5322.From identity), if any."""
        for a in self.from_:
            if a.domain:
                return a.domain
        return None


@dataclass(frozen=True)
class AuthMethod:
    """One method result inside an Authentication-Results style header.

    Attributes:
        method: Lower-cased method name, e.g. ``"spf"``, ``"dkim"``, ``"dmarc"``, ``"arc"``,
            ``"compauth"``.
        result: Lower-cased result, e.g. ``"pass"``, ``"fail"``, ``"none"``.
        reason: The ``reason=`` text or the trailing comment, if any.
        props: ``(ptype.property, value)`` pairs such as ``("header.d", "example.com")``,
            plus non-RFC ``key=value`` pairs (Microsoft's ``action``, ``header.from``...).
        raw: The text this method was parsed from.
    """

    method: str
    result: str
    reason: str | None = None
    props: tuple[tuple[str, str], ...] = ()
    raw: str = ""

    def prop(self, key: str) -> str | None:
        """Return the first property value for ``key`` (case-insensitive), or ``None``."""
        k = key.lower()
        for name, value in self.props:
            if name.lower() == k:
                return value
        return None


@dataclass(frozen=True)
class AuthResults:
    """One recorded authentication header, parsed leniently.

    Attributes:
        header: Which header it came from: ``"Authentication-Results"``,
            ``"ARC-Authentication-Results"`` or ``"Received-SPF"``.
        authserv_id: The authserv-id (the host that recorded the verdict), or ``""``.
        methods: Parsed method results, in order.
        index: Position of the header among all headers (0 = topmost, newest).
        instance: ARC instance ``i=`` for ARC-Authentication-Results, else ``None``.
        raw: The unfolded header value.
        problems: What could not be parsed in this header.
    """

    header: str
    authserv_id: str
    methods: tuple[AuthMethod, ...]
    index: int
    instance: int | None = None
    raw: str = ""
    problems: tuple[Problem, ...] = ()

    def method(self, name: str) -> AuthMethod | None:
        """Return the first result for method ``name``, or ``None``."""
        for m in self.methods:
            if m.method == name:
                return m
        return None


@dataclass(frozen=True)
class Finding:
    """One thing the sample shows.

    Attributes:
        layer: The layer it belongs to (same names as :class:`mailtriage.checks.diff.DiffRow`).
        severity: ``"high"``, ``"medium"``, ``"low"`` or ``"info"``.
        title: One short line.
        evidence: The header text (or fact) that shows it, display-safe.
        next_step: What to do about it, in plain words.
    """

    layer: str
    severity: str
    title: str
    evidence: str
    next_step: str
