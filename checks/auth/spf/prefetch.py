"""Speculative prefetching for the SPF evaluation.

While terms are evaluated strictly left to right, the primary lookups of the
record's remaining DNS-costing terms are already sent; so are, once an included
or redirected-to record arrives, the lookups of its terms, and once an ``mx``
term's MX set arrives, the addresses of its hosts (at most :data:`MX_LIMIT`).
Targets with macros are expanded with the same
:func:`mailtriage.checks.auth.spf.macro.expand` and the same context the
evaluation uses; a term whose target needs ``%{p}`` (a PTR lookup) is never
prefetched. The resolver's cache and single-flight make the real, in-order
lookup reuse them; nothing here touches the counters or the tree, so the
result is exactly the sequential one.

Speculation starts only when the evaluation is about to wait for a lookup of
its own (a term matching without DNS sends nothing), is bounded by a window per
record and a total budget of :data:`BUDGET` queries per evaluation, and stops
when the evaluation ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from mailtriage.checks.auth.spf.addr import domain_problem, shorten
from mailtriage.checks.auth.spf.macro import MacroContext, SpfSyntaxError, expand
from mailtriage.checks.auth.spf.mechanisms import MX_LIMIT
from mailtriage.checks.auth.spf.record import Record, Term, is_spf_record, parse_record
from mailtriage.checks.dns.model import parse_mx
from mailtriage.checks.dns.resolver import Resolver

#: DNS-costing terms prefetched per record: ``None`` = all of them (within the budget).
WINDOW: int | None = None
BUDGET = 16


class Speculator:
    """Sends bounded look-ahead queries for one check_host() run.

    Args:
        resolver: The resolver the evaluation uses (its cache makes reuse work).
        ipv6: True when the client address is IPv6 (``a`` terms then need AAAA).
        context: The evaluation's macro values for a record of a given domain;
            without it, terms with macros are not prefetched.
        window: How many DNS-costing terms from the current one to prefetch
            (``None``: the rest of the record; 0 turns speculation off).
        budget: Most speculative queries in total.
    """

    def __init__(
        self,
        resolver: Resolver,
        ipv6: bool,
        context: Callable[[str], MacroContext] | None = None,
        window: int | None = WINDOW,
        budget: int = BUDGET,
    ) -> None:
        self.resolver, self.ipv6, self.context = resolver, ipv6, context
        self.window, self.budget = window, budget
        self._sent: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def sent(self) -> int:
        """How many speculative queries were sent."""
        return len(self._sent)

    def ahead(self, record: Record, start: int, domain: str) -> None:
        """Prefetch the DNS-costing terms of ``record`` from ``record.terms[start]`` on."""
        if self._stopped or self.window == 0:
            return
        has_all = any(t.name == "all" for t in record.terms)
        taken = 0
        for term in record.terms[start:]:
            if (
                not term.counts
                or term.name == "ptr"
                or (term.is_modifier and term.name != "redirect")
                or (term.name == "redirect" and has_all)
            ):
                continue
            taken += 1
            if self.window is not None and taken > self.window:
                return
            if len(self._sent) >= self.budget:
                return
            target = self._target(term, domain)
            if target is None:
                continue
            if term.name in ("include", "redirect"):
                self._send(target, "TXT", nested=True)
            elif term.name == "mx":
                self._send(target, "MX", hosts=True)
            elif term.name == "exists":
                self._send(target, "A")
            else:
                self._send(target, "AAAA" if self.ipv6 else "A")

    def _target(self, term: Term, domain: str) -> str | None:
        """The name the evaluation will look up for ``term``, or ``None`` to skip it."""
        if term.arg is None:
            target = domain
        elif "%" not in term.arg:
            target = term.arg
        elif self.context is None or "%{p" in term.arg.lower():
            return None
        else:
            try:
                target = shorten(expand(term.arg, self.context(domain)))
            except SpfSyntaxError:
                return None
        single = term.name not in ("include", "redirect")
        if domain_problem(target, multi_label=not single):
            return None
        return target.rstrip(".").lower()

    def _send(self, name: str, rdtype: str, nested: bool = False, hosts: bool = False) -> None:
        key = (name, rdtype)
        if key in self._sent or len(self._sent) >= self.budget or not name:
            return
        self._sent.add(key)
        fetch = self._fetch(name, rdtype, nested, hosts)
        task = asyncio.get_running_loop().create_task(fetch)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fetch(self, name: str, rdtype: str, nested: bool, hosts: bool) -> None:
        answer = await self.resolver.query(name, rdtype)
        if self._stopped:
            return
        if hosts and len(answer.records) <= MX_LIMIT:
            # The mx term will need every host's addresses (the evaluator asks for
            # all of them at once); the same limit keeps a huge MX set unasked.
            address = "AAAA" if self.ipv6 else "A"
            for mx in map(parse_mx, answer.records):
                if not mx.is_root:
                    self._send(mx.host, address)
        if not nested:
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
