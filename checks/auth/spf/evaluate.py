"""The check_host() evaluation of RFC 7208: records, limits, include and redirect.

Terms are evaluated strictly left to right; the mechanisms themselves live in
:mod:`checks.auth.spf.mechanisms`. When the 10-lookup or the 2-void-lookup limit runs out the
result is fixed to ``permerror`` at that point, and evaluation goes on only to
fill the tree (nodes marked ``beyond_limit``), bounded by :data:`DISPLAY_EXTRA`
further lookups and by stopping at include/redirect loops.
"""

from __future__ import annotations

from mailtriage.checks.auth.spf.addr import IP, domain_problem
from mailtriage.checks.auth.spf.macro import SpfSyntaxError
from mailtriage.checks.auth.spf.prefetch import Speculator
from mailtriage.checks.auth.spf.record import Record, Term, is_spf_record, parse_record
from mailtriage.checks.auth.spf.targets import Targets
from mailtriage.checks.auth.spf.tree import Draft
from mailtriage.checks.dns.resolver import Resolver

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
DISPLAY_EXTRA = 20
_QUALIFIED = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_INCLUDED = {"pass": True, "fail": False, "softfail": False, "neutral": False}


class Evaluator(Targets):
    """One check_host() run; holds the counters shared by all nested records.

    Args:
        resolver: The resolver for every lookup.
        ip: The client address (IPv4-mapped addresses already unwrapped).
        sender: ``local-part@domain`` of the checked identity.
        helo: The HELO/EHLO name.
        receiver: The receiving host for ``%{r}``.
        speculate: False turns the look-ahead off (strictly sequential lookups).
    """

    def __init__(
        self, resolver: Resolver, ip: IP, sender: str, helo: str, receiver: str,
        speculate: bool = True,
    ) -> None:  # fmt: skip
        super().__init__(resolver, ip, sender, helo, receiver)
        self.lookups = self.voids = self.extra = 0
        self.limited: str | None = None
        self.spec = Speculator(
            resolver, ip.version == 6, self.context, window=None if speculate else 0
        )

    async def run(self, domain: str) -> tuple[str, str | None, Draft]:
        """Evaluate ``domain``'s policy; returns ``(result, explanation, tree)``."""
        root = Draft("record", "", domain=domain)
        try:
            result, explanation = await self.check(domain, root, True, ())
        finally:
            await self.spec.stop()
        if self.limited:
            return "permerror", None, root
        return result, explanation, root

    async def check(
        self, domain: str, node: Draft, want_exp: bool, chain: tuple[str, ...]
    ) -> tuple[str, str | None]:
        """check_host() for one domain, filling the record node ``node``.

        Returns the result evaluation goes on with; when a limit ran out during this
        call, the node itself shows ``permerror`` (the RFC's answer at this level).
        """
        was_limited = self.limited is not None
        result, explanation = await self._check(domain, node, want_exp, chain)
        node.result = "permerror" if self.limited and not was_limited else result
        node.matched = node.result not in ("none", "permerror", "temperror")
        return result, explanation

    async def _check(
        self, domain: str, node: Draft, want_exp: bool, chain: tuple[str, ...]
    ) -> tuple[str, str | None]:
        problem = domain_problem(domain)
        if problem:
            node.error = problem
            return "none", None
        answer = node.add(await self.resolver.query(domain, "TXT"))
        if not answer.ok:
            node.error = f"TXT lookup failed: {answer.error or answer.rcode}"
            return "temperror", None
        found = [r for r in answer.records if is_spf_record(r)]
        if not found:
            node.error = "no v=spf1 record"
            return "none", None
        if len(found) > 1:
            node.error = f"{len(found)} v=spf1 records (exactly one allowed)"
            return "permerror", None
        node.term = found[0]
        try:
            record = parse_record(found[0])
        except SpfSyntaxError as exc:
            node.error = str(exc)
            return "permerror", None
        return await self._evaluate(record, domain, node, want_exp, (*chain, domain.lower()))

    async def _evaluate(
        self, record: Record, domain: str, node: Draft, want_exp: bool, chain: tuple[str, ...]
    ) -> tuple[str, str | None]:
        for index, term in enumerate(record.terms):
            if term.is_modifier:
                continue
            draft = Draft("mechanism", term.text, term.qualifier, domain,
                          beyond_limit=self.limited is not None)  # fmt: skip
            node.children.append(draft)
            if term.counts:  # about to wait for DNS: look ahead from here
                self.spec.ahead(record, index, domain)
            outcome = await self._mechanism(term, domain, draft, chain)
            if isinstance(outcome, str):
                draft.result = outcome
                return outcome, None
            draft.matched = outcome
            if outcome:
                result = _QUALIFIED[term.qualifier]
                if result == "fail" and want_exp and record.exp and not self.limited:
                    return result, await self.explain(record.exp, domain, node)
                return result, None
        if record.redirect is None or any(t.name == "all" for t in record.terms):
            return "neutral", None
        return await self._redirect(record.redirect, domain, node, want_exp, chain)

    async def _mechanism(
        self, term: Term, domain: str, draft: Draft, chain: tuple[str, ...]
    ) -> bool | str:
        if not term.counts:
            return self.static(term)
        stop = self.count(draft)
        if stop:
            return stop
        target = await self.target(term, domain, draft)
        if target is None:
            return "permerror"
        draft.target = target
        if term.name != "include":
            return await self.lookup_mechanism(term, target, draft)
        child = Draft("record", "", domain=target)
        draft.children.append(child)
        if self.limited and target.lower() in chain:
            draft.error = "include loop (display stops here)"
            return "permerror"
        result, _ = await self.check(target, child, False, chain)
        draft.result = child.result
        if result in _INCLUDED:
            return _INCLUDED[result]
        if result == "none":
            draft.error = f"included domain {target} has no SPF record"
            return "permerror"
        return result

    async def _redirect(
        self, term: Term, domain: str, node: Draft, want_exp: bool, chain: tuple[str, ...]
    ) -> tuple[str, str | None]:
        draft = Draft("modifier", term.text, "", domain, beyond_limit=self.limited is not None)
        node.children.append(draft)
        stop = self.count(draft)
        target = None if stop else await self.target(term, domain, draft)
        if target is None:
            draft.result = "permerror"
            return "permerror", None
        draft.target = target
        child = Draft("record", "", domain=target)
        draft.children.append(child)
        if self.limited and target.lower() in chain:
            draft.error, draft.result = "redirect loop (display stops here)", "permerror"
            return "permerror", None
        result, explanation = await self.check(target, child, want_exp, chain)
        if result == "none":
            draft.error = f"redirect target {target} has no SPF record"
            result = "permerror"
        draft.result = "permerror" if result == "permerror" else child.result
        draft.matched = True
        return result, explanation

    def count(self, draft: Draft) -> str | None:
        """Count one DNS-costing term; returns ``"permerror"`` when display must stop."""
        if self.limited:
            self.extra += 1
            if self.extra > DISPLAY_EXTRA:
                draft.error = f"display stopped after {DISPLAY_EXTRA} lookups over the limit"
                return "permerror"
            return None
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            self.limited = draft.limit = "lookups"
            draft.beyond_limit = True
            draft.error = f"more than {LOOKUP_LIMIT} DNS-costing terms: permerror"
        return None

    def void(self, draft: Draft) -> None:
        """Count a term whose lookup found nothing (NXDOMAIN or no records)."""
        if self.limited:
            return
        self.voids += 1
        if self.voids > VOID_LIMIT:
            self.limited = draft.limit = "void"
            draft.error = f"more than {VOID_LIMIT} void lookups: permerror"
