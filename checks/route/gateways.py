"""Inbound gateways: which known filtering service received the message, and from where.

A tenant's MX often points at a filtering gateway (Proofpoint, Mimecast...) that
then relays to the mailbox service; the gateways' host suffixes are in
:mod:`mailtriage.checks.vendors`. The hop that gateway wrote carries the IP
of the real sending server; later hops only show the gateway itself.

This module holds the one rule for which hop is "the gateway" (:func:`hop_gateway`,
:func:`gateway_at`): a hop is a gateway's when its receiving host carries an inbound
gateway host suffix of the vendor table. A vendor word in a Received comment
(``(PPS)``, ``IronPort``) names the hop's system but never makes it a gateway: anyone
can write that comment, and on-premises appliances use the customer's own host names.
The hop systems, the timeline split, the findings, the diff and the two-copy
decision all take the gateway from here.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.model import AuthResults
from mailtriage.checks.route.hops import Hop, connecting_ip
from mailtriage.checks.vendors import Vendor, gateway_vendor


def gateway_product(host: str | None) -> str | None:
    """Return the gateway product whose host suffix ``host`` carries, or ``None``.

    The suffixes are the ``gateway_hosts`` of :data:`mailtriage.checks.vendors.VENDORS`.
    """
    found = gateway_vendor(host)
    return found.name if found is not None else None


def hop_gateway(hop: Hop) -> Vendor | None:
    """The vendor whose inbound gateway received ``hop``, or ``None``: the one gateway rule.

    Only the receiving host (``by``) decides, through the vendor table's gateway
    hosts; comments and protocol words do not.
    """
    return gateway_vendor(hop.by_host)


def gateway_at(hops: Sequence[Hop], *, third_party: bool = False) -> tuple[int, Vendor] | None:
    """Return ``(index, vendor)`` of the oldest hop received by a known gateway.

    Args:
        hops: Received hops, oldest first.
        third_party: Only a third-party filtering service (vendor role
            ``"gateway"``: Proofpoint, Mimecast...) counts, not the mailbox
            provider's own front door (Microsoft EOP, Google's MX).

    Returns:
        The hop's index and its gateway vendor (see :func:`hop_gateway`), or ``None``.
    """
    for i, hop in enumerate(hops):
        found = hop_gateway(hop)
        if found is not None and (not third_party or found.role == "gateway"):
            return i, found
    return None


def gateway_hop(hops: Sequence[Hop]) -> tuple[str, Hop] | None:
    """Return ``(product, hop)`` for the oldest hop received by a known gateway.

    Args:
        hops: Received hops, oldest first.
    """
    found = gateway_at(hops)
    return (found[1].name, hops[found[0]]) if found else None


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
