"""Inbound gateways: which known filtering service received the message, and from where.

A tenant's MX often points at a filtering gateway (Proofpoint, Mimecast...) that
then relays to the mailbox service. The hop that gateway wrote carries the IP
of the real sending server; later hops only show the gateway itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.model import Sample
from mailtriage.checks.route.hops import Hop, connecting_ip

# (host suffix, product) of inbound gateways, matched against Received "by" hosts.
GATEWAYS: tuple[tuple[str, str], ...] = (
    ("pphosted.com", "Proofpoint"),
    ("ppe-hosted.com", "Proofpoint Essentials"),
    ("mimecast.com", "Mimecast"),
    ("mimecast-offshore.com", "Mimecast"),
    ("mimecast.co.za", "Mimecast"),
    ("iphmx.com", "Cisco Secure Email"),
    ("barracudanetworks.com", "Barracuda"),
    ("messagelabs.com", "Symantec"),
    ("mailcontrol.com", "Forcepoint"),
    ("hes.trendmicro.com", "Trend Micro"),
    ("tmes.trendmicro.com", "Trend Micro"),
    ("tmes.trendmicro.eu", "Trend Micro"),
    ("tmes.trendmicro.co.jp", "Trend Micro"),
    ("tmes-anz.trendmicro.com", "Trend Micro"),
    ("tmes-sg.trendmicro.com", "Trend Micro"),
    ("tmes-in.trendmicro.com", "Trend Micro"),
    ("tmes-uae.trendmicro.com", "Trend Micro"),
    ("hydra.sophos.com", "Sophos"),
    ("mail.protection.outlook.com", "Microsoft EOP"),
    ("mx.google.com", "Google"),
)


_BY_SUFFIX = {suffix: product for suffix, product in reversed(GATEWAYS)}


def suffix_lookup(host: str | None, table: dict[str, str]) -> str | None:
    """Return the value of the longest suffix of ``host`` (whole labels) found in ``table``."""
    name = (host or "").lower().rstrip(".")
    start = name.find(".") + 1  # a single label is never a suffix match
    if not start:
        return None
    if found := table.get(name):
        return found
    while dot := name.find(".", start) + 1:
        if found := table.get(name[start:]):
            return found
        start = dot
    return None


def gateway_product(host: str | None) -> str | None:
    """Return the gateway product whose host suffix ``host`` carries, or ``None``."""
    return suffix_lookup(host, _BY_SUFFIX)


def gateway_hop(hops: Sequence[Hop]) -> tuple[str, Hop] | None:
    """Return ``(product, hop)`` for the oldest hop received by a known gateway.

    Args:
        hops: Received hops, oldest first.
    """
    for hop in hops:
        if product := gateway_product(hop.by_host):
            return product, hop
    return None


def find_gateway(hops: Sequence[Hop]) -> tuple[str, str] | None:
    """Return ``(product, host)`` of the oldest hop received by a known gateway.

    Args:
        hops: Received hops, oldest first.

    Returns:
        The gateway product and its host name, or ``None``.
    """
    found = gateway_hop(hops)
    return (found[0], found[1].by_host or "") if found else None


def sending_ip(sample: Sample, hops: tuple[Hop, ...]) -> str | None:
    """The IP the first known gateway received the message from.

    Falls back to :func:`mailtriage.checks.route.hops.connecting_ip` when no known gateway hop
    names one. Comparing this (not the IP a mailbox server behind the gateway saw)
    is what tells two sending sources apart.
    """
    found = gateway_hop(hops)
    if found is not None and found[1].from_ip:
        return found[1].from_ip
    return connecting_ip(sample, hops)
