"""Around the message, checked now: reverse DNS of the sending IP, the recipient
domain's MX against the gateway seen in the Received chain, and DNSBL listings.

DNSBL zones are queried only when the technician configured some (many lists
forbid queries through public resolvers or need a key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.dnsbl import DnsblResult, check_dnsbl
from mailtriage.checks.live.mx import MxCheck, mx_vs_gateway
from mailtriage.checks.live.reverse import ReverseResult, reverse_dns
from mailtriage.checks.route.gateways import find_gateway


@dataclass(frozen=True)
class Around:
    """Checks around one sample (each ``None`` when it could not be asked).

    Attributes:
        reverse: PTR and forward-confirmed reverse DNS of the connecting IP.
        mx: The recipient domain's MX compared with the gateway that received it.
        dnsbl: One result per configured DNSBL zone (empty when none configured).
        notes: What was not checked and why.
    """

    reverse: ReverseResult | None
    mx: MxCheck | None
    dnsbl: tuple[DnsblResult, ...]
    notes: tuple[str, ...]


def recipient_domain(analysis: Analysis) -> str | None:
    """The domain the message was delivered to (envelope first, then To)."""
    s = analysis.sample
    for addr in (*s.envelope_to, *(a.addr for a in s.to)):
        if "@" in addr:
            return addr.rpartition("@")[2].strip().strip(">").lower() or None
    return None


async def _none() -> None:
    return None


async def live_around(
    analysis: Analysis, resolver: Resolver, dnsbl_zones: Sequence[str] = ()
) -> Around:
    """Run the around-the-message checks concurrently; never raises for DNS outcomes.

    Args:
        analysis: The sample's offline analysis (connecting IP, hops).
        resolver: Every lookup goes through it.
        dnsbl_zones: DNSBL zones to ask about the connecting IP (none by default).
    """
    ip = analysis.connecting_ip
    notes: list[str] = []
    domain = recipient_domain(analysis)
    gateway = find_gateway(analysis.hops)
    hosts = [gateway[1]] if gateway and gateway[1] else []
    if not ip:
        notes.append("No connecting IP in the Received chain: no reverse DNS or DNSBL check.")
    if not domain:
        notes.append("No recipient address: the recipient MX was not checked.")
    if not dnsbl_zones:
        notes.append("No DNSBL zones configured (dnsbl_zones in config.toml): none queried.")
    reverse, mx, listed = await asyncio.gather(
        reverse_dns(ip, resolver) if ip else _none(),
        mx_vs_gateway(domain, hosts, resolver) if domain else _none(),
        check_dnsbl(ip, dnsbl_zones, resolver) if ip and dnsbl_zones else _empty(),
    )
    return Around(reverse=reverse, mx=mx, dnsbl=tuple(listed), notes=tuple(notes))


async def _empty() -> tuple[DnsblResult, ...]:
    return ()
