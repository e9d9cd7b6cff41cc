"""Reverse DNS of a sending IP: PTR names and forward-confirmed reverse DNS (FCrDNS).

Receivers distrust senders whose IP has no PTR record, or whose PTR name does
not resolve back to the same IP. IPv4 uses ``in-addr.arpa``, IPv6 the nibble
format under ``ip6.arpa`` (RFC 3596).
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Literal

from mailtriage.checks.dns.resolver import DnsAnswer, Resolver

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_MAX_NAMES = 10  # forward-check at most this many PTR names (as SPF's ptr mechanism does)


@dataclass(frozen=True)
class ReverseResult:
    """The reverse DNS of one IP.

    Attributes:
        ip: The address, normalized (an IPv4-mapped IPv6 address becomes IPv4).
        reverse_name: The PTR query name, e.g. ``"4.3.2.1.in-addr.arpa"``.
        status: ``"ok"`` (PTR found), ``"no-ptr"`` (NXDOMAIN/NODATA) or ``"error"``.
        ptr_names: The PTR targets, lower-case without the final dot.
        confirmed: The PTR names whose A/AAAA records contain ``ip``.
        warnings: Problems found, one line each.
        answers: Every DNS answer used.
    """

    ip: str
    reverse_name: str
    status: Literal["ok", "no-ptr", "error"]
    ptr_names: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    answers: tuple[DnsAnswer, ...] = ()

    @property
    def fcrdns(self) -> bool:
        """True when at least one PTR name resolves back to the IP."""
        return bool(self.confirmed)

    @property
    def summary(self) -> str:
        """One line for the technician."""
        if self.status == "error":
            return f"reverse DNS of {self.ip} could not be checked"
        if self.status == "no-ptr":
            return f"{self.ip} has no PTR record (many receivers distrust such senders)"
        if self.confirmed:
            return f"{self.ip} is {self.confirmed[0]} (forward-confirmed)"
        return f"{self.ip} claims to be {self.ptr_names[0]}, which does not resolve back to it"


def parse_ip(text: str) -> IpAddress:
    """Parse an IP as found in mail headers (``[1.2.3.4]``, ``IPv6:2001:db8::1``).

    Raises:
        ValueError: ``text`` is not an IP address.
    """
    t = text.strip().strip("[]")
    if t[:5].lower() == "ipv6:":
        t = t[5:]
    ip = ipaddress.ip_address(t)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


async def reverse_dns(ip: str, resolver: Resolver) -> ReverseResult:
    """Look up the PTR names of ``ip`` and check that they resolve back to it.

    Args:
        ip: IPv4 or IPv6 address (header forms accepted, see :func:`parse_ip`).
        resolver: The resolver to use.

    Returns:
        The result; DNS failures are ``status="error"`` or warnings, never exceptions.

    Raises:
        ValueError: ``ip`` is not an IP address.
    """
    addr = parse_ip(ip)
    rname = addr.reverse_pointer
    ptr = await resolver.query(rname, "PTR")
    answers = [ptr]
    warnings: list[str] = []
    if ptr.rcode in ("NXDOMAIN", "NODATA"):
        return ReverseResult(str(addr), rname, "no-ptr", answers=(ptr,))
    if not ptr.ok:
        warnings.append(f"PTR lookup for {rname} failed ({ptr.rcode})")
        return ReverseResult(str(addr), rname, "error", warnings=tuple(warnings), answers=(ptr,))
    names = tuple(dict.fromkeys(r.rstrip(".").lower() for r in ptr.records))
    if len(names) > 1:
        warnings.append(f"{len(names)} PTR records; one is usual and some receivers use the first")
    if len(names) > _MAX_NAMES:
        warnings.append(f"only the first {_MAX_NAMES} PTR names were forward-checked")
    rdtype = "A" if addr.version == 4 else "AAAA"
    forward = await asyncio.gather(*(resolver.query(n, rdtype) for n in names[:_MAX_NAMES]))
    answers += forward
    confirmed = []
    for name, answer in zip(names, forward, strict=False):
        if not answer.ok:
            warnings.append(f"{rdtype} lookup for {name} failed ({answer.rcode})")
        elif addr in {_addr(r) for r in answer.records}:
            confirmed.append(name)
    return ReverseResult(
        str(addr), rname, "ok", names, tuple(confirmed), tuple(warnings), tuple(answers)
    )


def _addr(text: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
