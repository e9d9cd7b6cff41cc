"""Inbound gateways: which known filtering service received the message, and from where.

A tenant's MX often points at a filtering gateway (Proofpoint, Mimecast...) that
then relays to the mailbox service; the gateways' host suffixes are in
:mod:`mailtriage.checks.vendors`. The hop that gateway wrote carries the IP
of the real sending server; later hops only show the gateway itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.model import AuthResults
from mailtriage.checks.route.hops import Hop, connecting_ip
from mailtriage.checks.vendors import gateway_vendor


def gateway_product(host: str | None) -> str | None:
    """Return the gateway product whose host suffix ``host`` carries, or ``None``.

    The suffixes are the ``gateway_hosts`` of :data:`mailtriage.checks.vendors.VENDORS`.
    """
    found = gateway_vendor(host)
    return found.name if found is not None else None


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


def sending_ip(
    recorded: Sequence[AuthResults], hops: Sequence[Hop], microsoft_cip: Sequence[str] = ()
) -> str | None:
    """The IP the first known gateway received the message from.

    Falls back to :func:`mailtriage.checks.route.hops.connecting_ip` when no known gateway hop
    names one. Comparing this (not the IP a mailbox server behind the gateway saw)
    is what tells two sending sources apart.
    """
    found = gateway_hop(hops)
    if found is not None and found[1].from_ip:
        return found[1].from_ip
    return connecting_ip(recorded, hops, microsoft_cip)
