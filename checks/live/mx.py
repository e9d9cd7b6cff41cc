"""Does the gateway that received the message match the recipient domain's MX?

When mail arrives through a host that is not (or no longer) one of the
recipient domain's MX hosts, the domain's filtering gateway was bypassed, or
the MX changed since: both explain "blocked here, delivered there" puzzles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mailtriage.checks.dns.model import is_null_mx, parse_mx_records
from mailtriage.checks.dns.resolver import DnsAnswer, Resolver
from mailtriage.checks.psl import org_domain
from mailtriage.checks.vendors import host_vendor


@dataclass(frozen=True)
class GatewayMatch:
    """How one gateway host relates to the MX hosts.

    Attributes:
        gateway: The gateway host as given (lower-case, no final dot).
        mx: The MX host it matched, or ``None``.
        how: ``"same host"``, ``"same vendor (<name>)"``, ``"same domain"`` or ``"no match"``.
    """

    gateway: str
    mx: str | None
    how: str


@dataclass(frozen=True)
class MxCheck:
    """The MX hosts of a recipient domain compared with the gateways seen.

    Attributes:
        domain: The recipient domain.
        status: ``"ok"`` (MX records found), ``"no-mx"`` (none: mail goes to the
            domain's own address), ``"null-mx"`` (RFC 7505: the domain takes no
            mail), ``"no-domain"`` (NXDOMAIN) or ``"error"``.
        mx_hosts: ``(preference, host)`` pairs, lowest preference first.
        matches: One entry per gateway host given.
        answers: The DNS answers used.
    """

    domain: str
    status: Literal["ok", "no-mx", "null-mx", "no-domain", "error"]
    mx_hosts: tuple[tuple[int, str], ...] = ()
    matches: tuple[GatewayMatch, ...] = ()
    answers: tuple[DnsAnswer, ...] = ()

    @property
    def matched(self) -> bool | None:
        """True if any gateway matches an MX host; ``None`` when nothing to compare."""
        if not self.mx_hosts or not self.matches:
            return None
        return any(m.mx is not None for m in self.matches)

    @property
    def summary(self) -> str:
        """One line for the technician."""
        if self.status != "ok":
            return {
                "no-mx": f"{self.domain} has no MX records",
                "null-mx": f"{self.domain} publishes a null MX: it accepts no mail",
                "no-domain": f"{self.domain} does not exist in DNS",
                "error": f"MX lookup for {self.domain} failed",
            }[self.status]
        hosts = ", ".join(h for _, h in self.mx_hosts)
        if self.matched is None:
            return f"MX of {self.domain}: {hosts}"
        if self.matched:
            hit = next(m for m in self.matches if m.mx is not None)
            return f"gateway {hit.gateway} matches MX {hit.mx} ({hit.how})"
        seen = ", ".join(m.gateway for m in self.matches)
        return f"gateway {seen} is not one of the MX hosts ({hosts}): MX bypassed or changed"


def vendor_of(host: str) -> str | None:
    """The vendor (company) a host name belongs to, if known.

    Any host suffix of any product in :data:`mailtriage.checks.vendors.VENDORS`
    counts, gateway or not: hosts of one company count as the same service.
    """
    found = host_vendor(host.strip())
    return found.company if found is not None else None


def compare(gateway: str, mx_hosts: Sequence[str]) -> GatewayMatch:
    """Match one gateway host against MX hosts: same host, then vendor, then domain."""
    gw = gateway.strip().rstrip(".").lower()
    hosts = [h.strip().rstrip(".").lower() for h in mx_hosts]
    if gw in hosts:
        return GatewayMatch(gw, gw, "same host")
    vendor = vendor_of(gw)
    for mx in hosts:
        if vendor is not None and vendor_of(mx) == vendor:
            return GatewayMatch(gw, mx, f"same vendor ({vendor})")
    org = org_domain(gw)
    for mx in hosts:
        if org is not None and org_domain(mx) == org:
            return GatewayMatch(gw, mx, "same domain")
    return GatewayMatch(gw, None, "no match")


async def mx_vs_gateway(
    recipient_domain: str, gateway_hosts: Sequence[str], resolver: Resolver
) -> MxCheck:
    """Fetch the MX of ``recipient_domain`` and compare ``gateway_hosts`` with it.

    Args:
        recipient_domain: The domain the message was addressed to.
        gateway_hosts: Hosts seen receiving the message (Received ``by``), any order.
        resolver: The resolver to use.

    Returns:
        The comparison; DNS failures are a status, never exceptions.
    """
    domain = recipient_domain.strip().rstrip(".").lower()
    answer = await resolver.query(domain, "MX")
    if not answer.ok:
        return MxCheck(domain, "error", answers=(answer,))
    if answer.rcode != "NOERROR":
        status: Literal["no-mx", "no-domain"] = (
            "no-domain" if answer.rcode == "NXDOMAIN" else "no-mx"
        )
        return MxCheck(domain, status, answers=(answer,))
    records = parse_mx_records(answer.records)
    mx = tuple((r.preference, r.host) for r in records)
    if is_null_mx(records):
        return MxCheck(domain, "null-mx", mx, answers=(answer,))
    hosts = [h for _, h in mx]
    gws = [g for g in dict.fromkeys(g.strip().rstrip(".").lower() for g in gateway_hosts) if g]
    matches = tuple(compare(g, hosts) for g in gws)
    return MxCheck(domain, "ok", mx, matches, (answer,))
