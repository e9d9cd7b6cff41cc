"""Speculative prefetching for the SPF evaluation.

While terms are evaluated strictly left to right, the primary lookups of the next
few DNS-costing terms (and, once an included record arrives, of its first few
terms) are already sent. The resolver's cache and single-flight make the real,
in-order lookup reuse them; nothing here touches the counters or the tree, so the
result is exactly the sequential one. Speculation is bounded by a window per
record and a total budget, and stops when the evaluation ends.
"""

from __future__ import annotations

import asyncio
import contextlib

from checks.dns import Resolver
from checks.spfmacro import SpfSyntaxError
from checks.spfterms import Record, is_spf_record, parse_record

WINDOW = 3
BUDGET = 16


class Speculator:
    """Sends bounded look-ahead queries for one check_host() run.

    Args:
        resolver: The resolver the evaluation uses (its cache makes reuse work).
        ipv6: True when the client address is IPv6 (``a`` terms then need AAAA).
        window: How many DNS-costing terms ahead of the current one to prefetch.
        budget: Most speculative queries in total.
    """

    def __init__(
        self, resolver: Resolver, ipv6: bool, window: int = WINDOW, budget: int = BUDGET
    ) -> None:
        self.resolver, self.ipv6 = resolver, ipv6
        self.window, self.budget = window, budget
        self._sent: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def sent(self) -> int:
        """How many speculative queries were sent."""
        return len(self._sent)

    def ahead(self, record: Record, start: int, domain: str) -> None:
        """Prefetch the next ``window`` DNS-costing terms from ``record.terms[start]``."""
        if self._stopped or self.window <= 0:
            return
        taken = 0
        for term in record.terms[start:]:
            if (
                not term.counts
                or term.name == "ptr"
                or (term.is_modifier and term.name != "redirect")
            ):
                continue
            if term.name == "redirect" and any(t.name == "all" for t in record.terms):
                continue
            taken += 1
            if taken > self.window:
                return
            target = term.arg if term.arg is not None else domain
            if "%" in target:
                continue
            target = target.rstrip(".").lower()
            if term.name in ("include", "redirect"):
                self._send(target, "TXT", nested=True)
            elif term.name == "mx":
                self._send(target, "MX")
            elif term.name == "exists":
                self._send(target, "A")
            else:
                self._send(target, "AAAA" if self.ipv6 else "A")

    def _send(self, name: str, rdtype: str, nested: bool = False) -> None:
        key = (name, rdtype)
        if key in self._sent or len(self._sent) >= self.budget or not name:
            return
        self._sent.add(key)
        task = asyncio.get_running_loop().create_task(self._fetch(name, rdtype, nested))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fetch(self, name: str, rdtype: str, nested: bool) -> None:
        answer = await self.resolver.query(name, rdtype)
        if not nested or self._stopped:
            return
        found = [r for r in answer.records if is_spf_record(r)]
        if len(found) == 1:
            with contextlib.suppress(SpfSyntaxError):
                self.ahead(parse_record(found[0]), 0, name)

    async def stop(self) -> None:
        """Stop speculating and cancel the look-ahead still waiting."""
        self._stopped = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
