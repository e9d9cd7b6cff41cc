"""Asynchronous DNS lookups that never raise for DNS outcomes.

:class:`Resolver` wraps dnspython's asyncio resolver with a per-query timeout,
an overall deadline, a small cache, single-flight de-duplication of identical
concurrent queries, and a log of every call (which the UI shows live). One
resolver belongs to one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import dns.asyncbackend
import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
from mailtriage.checks.dns.model import RCODES, DnsAnswer, QueryLogEntry, render_rdata
from mailtriage.checks.dns.spec import DnsError, check_address, parse_spec

__all__ = ["RCODES", "DnsAnswer", "DnsError", "Flights", "QueryLogEntry", "Resolver", "preload"]

Listener = Callable[[QueryLogEntry], None]
_CACHEABLE = ("NOERROR", "NODATA", "NXDOMAIN")
_NEGATIVE_TTL = 60.0
#: The record types the live checks ask for or get back (CNAME, SOA in answers).
_READ_TYPES = ("TXT", "A", "AAAA", "MX", "PTR", "CNAME", "SOA", "NS")


def preload() -> None:
    """Import what dnspython loads on its first query: its asyncio backend and the
    readers of the record types the live checks see.

    Calling it in a thread before a first run keeps those imports off the run's
    round trips; a run works the same without it.
    """
    dns.asyncbackend.get_backend("asyncio")
    for rdtype in _READ_TYPES:
        dns.rdata.get_rdata_class(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype))


#: A lookup in flight: its servers and port, the name (lower-case, no final dot), the type.
_FlightKey = tuple[tuple[str, ...], int, str, str]


class Flights:
    """The lookups in flight, shared by the resolvers of one session (one event loop).

    The dashboard checks two copies at once, usually from one sender domain: their runs
    ask many of the same names (the SPF record, the DMARC policy, the recipient's MX).
    A lookup that one run has in flight is joined by the other instead of being sent
    again, so the burst of answers to read is smaller. Each resolver keeps its own
    cache, deadline and query log (a joined lookup is logged as cached there).
    """

    def __init__(self) -> None:
        self.tasks: dict[_FlightKey, tuple[asyncio.Task[tuple[DnsAnswer, float]], object]] = {}

    def joinable(
        self, key: _FlightKey
    ) -> tuple[asyncio.Task[tuple[DnsAnswer, float]], object] | None:
        """The task fetching ``key`` now and the resolver it fetches for (on this loop)."""
        flight = self.tasks.get(key)
        if flight is None or flight[0].done():
            return None
        return flight if flight[0].get_loop() is asyncio.get_running_loop() else None


class Resolver:
    """DNS resolver for the live checks.

    Args:
        nameservers: IP addresses to ask; ``None`` = the system's from /etc/resolv.conf.
        port: Port of every nameserver.
        timeout: Seconds one :meth:`query` may take.
        deadline: Seconds all queries together may take, counted from the first
            query after construction or after :meth:`restart_deadline`.
        flights: Lookups in flight shared with other resolvers (see :class:`Flights`);
            by default this resolver's own.

    Raises:
        DnsError: A nameserver is not an IP address, limits are not positive, or
            the system resolvers cannot be read.
    """

    parse_spec = staticmethod(parse_spec)

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        port: int = 53,
        timeout: float = 2.0,
        deadline: float = 10.0,
        flights: Flights | None = None,
    ) -> None:
        if timeout <= 0 or deadline <= 0:
            raise DnsError("timeout and deadline must be positive")
        if nameservers is None:
            try:
                res = dns.asyncresolver.Resolver(configure=True)
            except (dns.exception.DNSException, OSError) as exc:
                raise DnsError(
                    f"cannot read the system resolvers from /etc/resolv.conf ({exc}); "
                    "give one with --resolver HOST[:PORT]"
                ) from exc
        else:
            if not nameservers:
                raise DnsError("no nameservers given")
            res = dns.asyncresolver.Resolver(configure=False)
            res.nameservers = [check_address(ns) for ns in nameservers]
        res.port = port
        res.timeout = timeout
        res.lifetime = timeout
        self._res = res
        self.timeout, self.deadline = timeout, deadline
        self._deadline_at: float | None = None
        self._cache: dict[tuple[str, str], tuple[DnsAnswer, float]] = {}
        self._flights = flights if flights is not None else Flights()
        self._joining: set[tuple[str, str]] = set()  # other resolvers' lookups it awaits
        self._servers = (tuple(str(ns) for ns in res.nameservers), int(res.port))
        self._log: list[QueryLogEntry] = []
        self._listeners: list[Listener] = []

    @property
    def nameservers(self) -> tuple[str, ...]:
        """The nameserver addresses in use."""
        return tuple(str(ns) for ns in self._res.nameservers)

    @property
    def port(self) -> int:
        """The port queries go to."""
        return int(self._res.port)

    @property
    def log(self) -> tuple[QueryLogEntry, ...]:
        """Every :meth:`query` call so far, in completion order."""
        return tuple(self._log)

    def add_listener(self, callback: Listener) -> None:
        """Call ``callback(entry)`` for every new log entry (exceptions are ignored)."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Listener) -> None:
        """Stop calling ``callback``; unknown callbacks are ignored."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(callback)

    def restart_deadline(self) -> None:
        """Start a new overall deadline at the next query (e.g. for a re-run)."""
        self._deadline_at = None

    def clear_cache(self) -> None:
        """Forget cached answers (in-flight queries still complete)."""
        self._cache.clear()

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Look up ``name``/``rdtype``; every DNS outcome is returned, not raised.

        Args:
            name: Domain name (a final dot is optional; case does not matter).
            rdtype: Record type as text, e.g. ``"TXT"``.

        Returns:
            The answer; see :class:`DnsAnswer` for the rcodes.
        """
        started, t0 = time.time(), time.monotonic()
        key = (name.strip().rstrip(".").lower(), rdtype.strip().upper())
        if self._deadline_at is None:
            self._deadline_at = t0 + self.deadline
        flight = (*self._servers, *key)
        hit = self._cache.get(key)
        shared = False
        if hit is not None and hit[1] > t0:
            answer = replace(hit[0], cached=True, rtt_ms=_ms(t0))
        elif (joined := self._flights.joinable(flight)) is not None:
            task, owner = joined
            # The other run's query (as live as its own would be), the first time this run
            # joins it; asking again while it is in flight is this run's own repeat.
            shared = owner is not self and key not in self._joining
            if shared:
                self._joining.add(key)
            try:
                answer = self._keep(key, *await asyncio.shield(task))
            finally:
                if shared:
                    self._joining.discard(key)
            answer = replace(answer, cached=not shared, rtt_ms=_ms(t0))
        elif (remaining := self._deadline_at - t0) <= 0:
            error = f"overall DNS deadline of {self.deadline:g}s ran out; query not sent"
            answer = DnsAnswer(name, key[1], "DEADLINE", (), 0.0, error)
        else:
            task = asyncio.get_running_loop().create_task(
                self._fetch(flight, min(self.timeout, remaining))
            )
            self._flights.tasks[flight] = (task, self)
            answer = self._keep(key, *await asyncio.shield(task))
        answer = replace(answer, name=name)
        entry = QueryLogEntry(
            name, answer.rdtype, answer.rcode, answer.records, answer.rtt_ms,
            answer.error, answer.cached, started, shared,
        )  # fmt: skip
        self._log.append(entry)
        for callback in list(self._listeners):
            with contextlib.suppress(Exception):
                callback(entry)
        return answer

    def _keep(self, key: tuple[str, str], answer: DnsAnswer, ttl: float) -> DnsAnswer:
        """Cache a definite answer (for its TTL) and return it."""
        if answer.rcode in _CACHEABLE:
            self._cache[key] = (answer, time.monotonic() + ttl)
        return answer

    async def _fetch(self, flight: _FlightKey, lifetime: float) -> tuple[DnsAnswer, float]:
        """Send the query and leave the in-flight table: ``(answer, ttl)``."""
        try:
            return await self._lookup(flight[2], flight[3], lifetime)
        finally:
            mine = self._flights.tasks.get(flight)
            if mine is not None and mine[0] is asyncio.current_task():
                del self._flights.tasks[flight]

    async def _lookup(self, name: str, rdtype: str, lifetime: float) -> tuple[DnsAnswer, float]:
        t0 = time.monotonic()

        def out(rcode: str, records: tuple[str, ...] = (), error: str | None = None) -> DnsAnswer:
            return DnsAnswer(name, rdtype, rcode, records, _ms(t0), error)

        try:
            qname = dns.name.from_text(name)
            qtype = dns.rdatatype.from_text(rdtype)
        except Exception as exc:
            return out("ERROR", error=f"bad query {name!r}/{rdtype!r}: {exc}"), 0.0
        try:
            answer = await asyncio.wait_for(
                self._res.resolve(
                    qname, qtype, raise_on_no_answer=False, lifetime=lifetime, search=False
                ),
                lifetime + 1.0,
            )
        except dns.resolver.NXDOMAIN:
            return out("NXDOMAIN"), _NEGATIVE_TTL
        except (dns.exception.Timeout, TimeoutError):
            return out("TIMEOUT", error=f"no answer within {lifetime:.2g}s"), 0.0
        except dns.resolver.NoNameservers as exc:
            return out(*_failed(exc)), 0.0
        except Exception as exc:
            return out("ERROR", error=_one_line(exc)), 0.0
        ttl = min(max(answer.expiration - time.time(), 5.0), 3600.0)
        if answer.rrset is None:
            return out("NODATA"), ttl
        # An RRset has no order; sorting makes logs, reports and screens reproducible.
        return out("NOERROR", tuple(sorted(render_rdata(rd) for rd in answer.rrset))), ttl


def _failed(exc: dns.resolver.NoNameservers) -> tuple[str, tuple[str, ...], str]:
    """``(rcode, (), error)`` for "all nameservers failed": SERVFAIL/REFUSED or ERROR."""
    errors = exc.kwargs.get("errors", [])
    said = [(str(e[0]).removeprefix("Do53:"), e[3]) for e in errors if isinstance(e[3], str)]
    for rcode in ("SERVFAIL", "REFUSED"):
        servers = sorted({server for server, got in said if got == rcode})
        if servers:
            return rcode, (), f"{', '.join(servers)} answered {rcode}"
    details = "; ".join(f"{err[0]}: {_one_line(err[3])}" for err in errors)
    return "ERROR", (), details or _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _ms(t0: float) -> float:
    return (time.monotonic() - t0) * 1000.0
