"""Wire-level answering for the embedded DNS server (no sockets here).

:class:`WireResponder` turns one query datagram into response bytes: it counts
and logs every query, applies the test hooks (hang, delay, SERVFAIL), answers
from a :class:`ZoneSet`, truncates oversized UDP answers with the TC bit, and
answers unparseable queries with FORMERR when they still have a header.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
from mailtriage.checks.dns.zonedata import ZoneSet

NameTypePredicate = Callable[[str, str], bool]
_LOG_LIMIT = 10_000


@dataclass(frozen=True)
class ServedQuery:
    """One query the server received.

    Attributes:
        name: Query name, lower-case, without the final dot ("" if unparseable).
        rdtype: Query type as text, e.g. ``"TXT"`` ("" if unparseable).
        transport: ``"udp"`` or ``"tcp"``.
    """

    name: str
    rdtype: str
    transport: str


class WireResponder:
    """Answers wire-format queries from zones; the base of :class:`ZoneServer`.

    Args:
        zones: The zones to answer from.
        delay: Seconds to wait before every answer.
        hang: ``hang(name, rdtype)`` -> True means never answer that query.
        servfail: ``servfail(name, rdtype)`` -> True means answer SERVFAIL.
    """

    def __init__(
        self,
        zones: ZoneSet,
        delay: float = 0.0,
        hang: NameTypePredicate | None = None,
        servfail: NameTypePredicate | None = None,
    ) -> None:
        self.zones = zones
        self.delay, self.hang, self.servfail = delay, hang, servfail
        self._lock = threading.Lock()
        self._count = 0
        self._log: deque[ServedQuery] = deque(maxlen=_LOG_LIMIT)

    @property
    def queries(self) -> int:
        """How many queries (UDP and TCP, parseable or not) arrived so far."""
        with self._lock:
            return self._count

    @property
    def query_log(self) -> tuple[ServedQuery, ...]:
        """The most recent received queries (up to 10,000), oldest first."""
        with self._lock:
            return tuple(self._log)

    async def reply(self, wire: bytes, transport: str, came: float | None = None) -> bytes | None:
        """Answer one wire-format query; ``None`` means send nothing.

        With a ``delay``, the answer is made at once and handed back ``delay`` seconds
        after the query came, as a distant server's would arrive: a burst of queries
        gets its answers together, not one answer-making time apart.

        Args:
            wire: The query as received.
            transport: ``"udp"`` or ``"tcp"`` (the size limit of the answer).
            came: When the query arrived (``time.monotonic()``); now when not given.
        """
        came = time.monotonic() if came is None else came
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            self._record("", "", transport)
            return formerr(wire)
        name = rdtype = ""
        if query.question:
            name = query.question[0].name.to_text(omit_final_dot=True).lower()
            rdtype = dns.rdatatype.to_text(query.question[0].rdtype)
        self._record(name, rdtype, transport)
        if query.flags & dns.flags.QR or _hook(self.hang, name, rdtype):
            return None
        out = self._answer(query, name, rdtype, transport)
        if self.delay > 0:
            due = came + self.delay
            if (coarse := due - time.monotonic() - _FINE) > 0:
                await asyncio.sleep(coarse)
            if (fine := due - time.monotonic()) > 0:
                # The loop's timers wake on whole milliseconds (epoll), up to 1 ms late
                # per round trip; the last stretch is slept with the system's own timer.
                time.sleep(fine)
        return out

    def _answer(
        self, query: dns.message.Message, name: str, rdtype: str, transport: str
    ) -> bytes | None:
        try:
            resp = self.zones.respond(query, servfail=_hook(self.servfail, name, rdtype))
        except Exception:
            resp = dns.message.make_response(query)
            resp.set_rcode(dns.rcode.SERVFAIL)
        limit = 65535 if transport == "tcp" else max(512, query.payload if query.edns >= 0 else 0)
        try:
            return resp.to_wire(max_size=limit)
        except dns.exception.TooBig:
            resp.answer.clear()
            resp.authority.clear()
            resp.additional.clear()
            resp.flags |= dns.flags.TC
            return resp.to_wire(max_size=limit)

    def _record(self, name: str, rdtype: str, transport: str) -> None:
        with self._lock:
            self._count += 1
            self._log.append(ServedQuery(name, rdtype, transport))


#: The last stretch of a delay slept precisely (blocking this server's loop that long).
_FINE = 0.002


def _hook(hook: NameTypePredicate | None, name: str, rdtype: str) -> bool:
    """Call a test hook; a hook that raises counts as False."""
    try:
        return hook is not None and bool(hook(name, rdtype))
    except Exception:
        return False


def formerr(wire: bytes) -> bytes | None:
    """FORMERR for an unparseable query that still has a header; else nothing."""
    if len(wire) < 12 or wire[2] & 0x80:
        return None
    qid, flags = struct.unpack("!HH", wire[:4])
    return struct.pack("!HHHHHH", qid, 0x8000 | (flags & 0x7800) | dns.rcode.FORMERR, 0, 0, 0, 0)


def bind_pair(host: str, port: int) -> tuple[socket.socket, socket.socket]:
    """Bind a UDP and a TCP socket to the same (possibly ephemeral) port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        try:
            udp.bind((host, port))
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, udp.getsockname()[1]))
            tcp.listen(64)
            return udp, tcp
        except OSError:
            udp.close()
            tcp.close()
            if port:
                raise
    raise OSError(f"no free port shared by UDP and TCP on {host}")
