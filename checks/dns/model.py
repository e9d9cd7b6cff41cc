"""Result types and small helpers of the DNS layer (see :mod:`mailtriage.checks.dns.resolver`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dnspython is slow to import; the CLI and UI need these types early
    import dns.rdata

#: Every rcode a :class:`DnsAnswer` can carry.
RCODES = ("NOERROR", "NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED", "TIMEOUT", "DEADLINE", "ERROR")


@dataclass(frozen=True)
class DnsAnswer:
    """The outcome of one lookup; failures are outcomes too, never exceptions.

    Attributes:
        name: The name as asked.
        rdtype: Record type as text, upper-case, e.g. ``"TXT"``.
        rcode: One of :data:`RCODES`. ``"NODATA"`` = NOERROR without an answer,
            ``"DEADLINE"`` = the resolver's overall deadline had run out (nothing sent).
        records: Rendered records: TXT as the concatenation of its strings, MX as
            ``"10 mx.example.com."``, everything else in presentation format.
        rtt_ms: Milliseconds the call took.
        error: A one-line explanation for failures, else ``None``.
        cached: True when no query of its own was sent (cache hit or a shared
            in-flight query).
    """

    name: str
    rdtype: str
    rcode: str
    records: tuple[str, ...]
    rtt_ms: float
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        """True for a definite answer from the DNS (NOERROR, NODATA or NXDOMAIN)."""
        return self.rcode in ("NOERROR", "NODATA", "NXDOMAIN")


#: The preference given to an MX record whose preference cannot be read: tried last.
UNREADABLE_PREFERENCE = 65535


@dataclass(frozen=True)
class MxRecord:
    """One MX record, read from its rendered form (``"10 mx.example.com."``).

    Attributes:
        preference: Lower is tried first; :data:`UNREADABLE_PREFERENCE` when unreadable.
        host: The exchange, lower-case without the final dot; ``"."`` for the root
            (the null MX of RFC 7505, or a record with no exchange).
    """

    preference: int
    host: str

    @property
    def is_root(self) -> bool:
        """Whether the exchange is the root: this record names no host to deliver to."""
        return self.host == "."


def parse_mx(record: str) -> MxRecord:
    """Read one rendered MX record: the one MX reader of the engine (never raises)."""
    words = record.split()
    pref = words[0] if words else ""
    host = words[1].rstrip(".").lower() if len(words) > 1 else ""
    return MxRecord(int(pref) if pref.isdigit() else UNREADABLE_PREFERENCE, host or ".")


def parse_mx_records(records: Iterable[str]) -> tuple[MxRecord, ...]:
    """Read rendered MX records, in the order a sender tries them (preference, then host)."""
    return tuple(sorted(map(parse_mx, records), key=lambda r: (r.preference, r.host)))


def is_null_mx(records: Sequence[MxRecord]) -> bool:
    """Whether an MX answer says the domain accepts no mail (RFC 7505 null MX).

    RFC 7505 ("A "Null MX" No Service Resource Record for Domains That Accept No
    Mail", https://www.rfc-editor.org/rfc/rfc7505), section 3, defines the null MX as
    an MX record whose exchange is the root, ``"."``. When every
    record of the answer names the root there is no host to deliver to at all, so the
    domain takes no mail; a root record beside real hosts is a misconfiguration that
    senders skip, not a null MX.
    """
    return bool(records) and all(r.is_root for r in records)


@dataclass(frozen=True)
class QueryLogEntry:
    """One :meth:`Resolver.query` call, as recorded in the resolver's log.

    Attributes:
        name: The name as asked.
        rdtype: Record type as text.
        rcode: As in :class:`DnsAnswer`.
        answers: The rendered records.
        rtt_ms: Milliseconds the call took.
        error: Failure explanation or ``None``.
        cached: True for cache hits and for joining this resolver's own query in flight.
        started_at: When the call began, in seconds since the epoch (``time.time()``).
        shared: Answered by the same query in flight for another resolver of the session
            (the other copy's run, see :class:`mailtriage.checks.dns.resolver.Flights`):
            a live answer of this moment, for which no query of its own was sent.
    """

    name: str
    rdtype: str
    rcode: str
    answers: tuple[str, ...]
    rtt_ms: float
    error: str | None
    cached: bool
    started_at: float
    shared: bool = False


def render_rdata(rdata: dns.rdata.Rdata) -> str:
    """Render one record the way :class:`DnsAnswer` documents."""
    import dns.rdatatype

    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")  # type: ignore[attr-defined]
    if rdata.rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {rdata.exchange.to_text()}"  # type: ignore[attr-defined]
    return rdata.to_text()
