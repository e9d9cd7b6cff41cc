"""DNS blocklist (DNSBL) lookups of a sending IP (RFC 5782).

An IP is listed on zone Z when ``<reversed IP>.Z`` has an A record in
127.0.0.0/8; the optional TXT record there gives a reason. The A value is a
return code whose meaning depends on the list (see :mod:`mailtriage.checks.live.dnsblcodes`).
No query is sent when no zones are configured.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mailtriage.checks.dns.resolver import DnsAnswer, Resolver
from mailtriage.checks.live.dnsblcodes import meaning
from mailtriage.checks.live.reverse import parse_ip

Status = Literal["listed", "not-listed", "refused", "error"]


@dataclass(frozen=True)
class DnsblResult:
    """The answer of one blocklist.

    Attributes:
        zone: The list's DNS zone, e.g. ``"zen.spamhaus.org"``.
        query: The name asked, ``<reversed IP>.<zone>``.
        status: ``"listed"``; ``"not-listed"``; ``"refused"`` (the list answered
            with an error code, e.g. Spamhaus refusing queries from public
            resolvers: this is NOT a listing); ``"error"`` (lookup failed or an
            answer outside 127.0.0.0/8, e.g. a resolver that rewrites NXDOMAIN).
        codes: The A records returned.
        meanings: What each code means on this list.
        reason: The TXT text, if the list gave one.
        answers: The DNS answers used.
    """

    zone: str
    query: str
    status: Status
    codes: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()
    reason: str | None = None
    answers: tuple[DnsAnswer, ...] = ()

    @property
    def summary(self) -> str:
        """One line for the technician."""
        if self.status == "not-listed":
            return f"{self.zone}: not listed"
        if self.status == "error":
            return f"{self.zone}: could not be checked ({'; '.join(self.meanings) or 'no answer'})"
        text = f"{self.zone}: {self.status} ({'; '.join(self.meanings)})"
        return f"{text}: {self.reason}" if self.reason else text


def dnsbl_name(ip: str, zone: str) -> str:
    """The query name for ``ip`` on ``zone`` (IPv6 in nibble format).

    Raises:
        ValueError: ``ip`` is not an IP address.
    """
    addr = parse_ip(ip)
    reverse = addr.reverse_pointer.removesuffix(".in-addr.arpa").removesuffix(".ip6.arpa")
    return f"{reverse}.{zone.strip().strip('.').lower()}"


async def check_dnsbl(ip: str, zones: Sequence[str], resolver: Resolver) -> tuple[DnsblResult, ...]:
    """Ask every blocklist zone about ``ip`` concurrently.

    Args:
        ip: The sending IP (header forms such as ``[1.2.3.4]`` accepted).
        zones: Blocklist zones; empty = no lookups at all.
        resolver: The resolver to use.

    Returns:
        One result per zone, in the order given.

    Raises:
        ValueError: ``ip`` is not an IP address.
    """
    parse_ip(ip)
    unique = list(dict.fromkeys(z.strip().strip(".").lower() for z in zones if z.strip(" .")))
    return tuple(await asyncio.gather(*(_one(ip, zone, resolver) for zone in unique)))


async def _one(ip: str, zone: str, resolver: Resolver) -> DnsblResult:
    name = dnsbl_name(ip, zone)
    answer = await resolver.query(name, "A")
    if answer.rcode in ("NXDOMAIN", "NODATA"):
        return DnsblResult(zone, name, "not-listed", answers=(answer,))
    if not answer.ok:
        return DnsblResult(zone, name, "error", meanings=(answer.rcode,), answers=(answer,))
    codes = answer.records
    meanings = tuple(meaning(zone, code) for code in codes)
    if not all(_loopback(code) for code in codes):
        why = "answer outside 127.0.0.0/8: the resolver may rewrite NXDOMAIN"
        return DnsblResult(zone, name, "error", codes, (why,), answers=(answer,))
    if all(m.startswith("not a listing") for m in meanings):
        return DnsblResult(zone, name, "refused", codes, meanings, answers=(answer,))
    txt = await resolver.query(name, "TXT")
    reason = " / ".join(txt.records) if txt.rcode == "NOERROR" else None
    return DnsblResult(zone, name, "listed", codes, meanings, reason, (answer, txt))


def _loopback(code: str) -> bool:
    try:
        return ipaddress.IPv4Address(code) in ipaddress.IPv4Network("127.0.0.0/8")
    except ValueError:
        return False
