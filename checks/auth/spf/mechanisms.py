"""The SPF mechanisms that need no recursion: all, ip4, ip6, a, mx, ptr, exists.

Each returns ``True``/``False`` for match / no match, or ``"temperror"`` /
``"permerror"``. The address lookups of all MX hosts (and of all PTR names) run
concurrently; the outcome does not depend on their order.
"""

from __future__ import annotations

import asyncio

from mailtriage.checks.auth.spf.addr import (
    IP,
    address_type,
    in_network,
    reverse_name,
    same_or_sub,
)
from mailtriage.checks.auth.spf.record import Term
from mailtriage.checks.auth.spf.tree import Draft
from mailtriage.checks.dns.model import DnsAnswer, parse_mx
from mailtriage.checks.dns.resolver import Resolver

MX_LIMIT = 10
PTR_LIMIT = 10


class Mechanisms:
    """Mechanism evaluation for one client address; the base of the evaluator.

    Args:
        resolver: The resolver for every lookup.
        ip: The client address.
    """

    def __init__(self, resolver: Resolver, ip: IP) -> None:
        self.resolver, self.ip = resolver, ip
        self._validated: list[str] | None = None

    def void(self, draft: Draft) -> None:
        """Count a void lookup (the evaluator enforces the limit)."""

    def static(self, term: Term) -> bool:
        """``all``, ``ip4`` and ``ip6``: no DNS needed."""
        if term.name == "all":
            return True
        assert term.arg is not None
        if (term.name == "ip4") != (self.ip.version == 4):
            return False
        return in_network(self.ip, term.arg, term.cidr4, term.cidr6)

    def _matches(self, answer: DnsAnswer, term: Term) -> bool:
        return any(in_network(self.ip, r, term.cidr4, term.cidr6) for r in answer.records)

    async def lookup_mechanism(self, term: Term, target: str, draft: Draft) -> bool | str:
        """Evaluate ``a``, ``mx``, ``ptr`` or ``exists`` against ``target``."""
        if term.name == "ptr":
            names = await self.validated_names(draft, count_void=True)
            draft.matched = any(same_or_sub(n, target) for n in names)
            return draft.matched
        rdtype = {"a": address_type(self.ip), "exists": "A", "mx": "MX"}[term.name]
        answer = draft.add(await self.resolver.query(target, rdtype))
        if not answer.ok:
            draft.error = f"{rdtype} lookup failed: {answer.error or answer.rcode}"
            return "temperror"
        if not answer.records:
            self.void(draft)
            return False
        if term.name == "exists":
            return True
        if term.name == "a":
            return self._matches(answer, term)
        return await self._mx(answer, term, draft)

    async def _mx(self, answer: DnsAnswer, term: Term, draft: Draft) -> bool | str:
        if len(answer.records) > MX_LIMIT:
            draft.error = f"{len(answer.records)} MX records (at most {MX_LIMIT} may be looked up)"
            return "permerror"
        hosts = [mx.host for mx in map(parse_mx, answer.records) if not mx.is_root]
        rdtype = address_type(self.ip)
        found = await asyncio.gather(*(self.resolver.query(h, rdtype) for h in hosts))
        for got in found:
            draft.add(got)
        if any(self._matches(got, term) for got in found):
            return True
        failed = [got for got in found if not got.ok]
        if failed:
            draft.error = f"address lookup of MX host {failed[0].name} failed: {failed[0].rcode}"
            return "temperror"
        return False

    async def validated_names(self, draft: Draft, count_void: bool = False) -> list[str]:
        """The client's validated host names (PTR names whose addresses include it)."""
        answer = draft.add(await self.resolver.query(reverse_name(self.ip), "PTR"))
        if answer.ok and not answer.records and count_void:
            self.void(draft)
        if self._validated is not None:
            return self._validated
        names = [r.rstrip(".") for r in answer.records][:PTR_LIMIT]
        rdtype = address_type(self.ip)
        found = await asyncio.gather(*(self.resolver.query(n, rdtype) for n in names))
        validated = []
        for name, got in zip(names, found, strict=True):
            draft.add(got)
            if any(in_network(self.ip, r, 32, 128) for r in got.records):
                validated.append(name)
        if answer.ok:
            self._validated = validated
        return validated

    async def validated_for(self, domain: str, draft: Draft) -> str | None:
        """The ``%{p}`` value: a validated name, preferring ``domain`` or its subdomains."""
        names = await self.validated_names(draft)
        for pick in (lambda n: n.lower() == domain.lower(), lambda n: same_or_sub(n, domain)):
            for name in names:
                if pick(name):
                    return name
        return names[0] if names else None
