"""Domain-spec and explanation expansion for the SPF evaluator (RFC 7208 6.2, 7)."""

from __future__ import annotations

from mailtriage.checks.auth.spf.addr import IP, domain_problem, shorten
from mailtriage.checks.auth.spf.macro import MacroContext, SpfSyntaxError, expand
from mailtriage.checks.auth.spf.mechanisms import Mechanisms
from mailtriage.checks.auth.spf.record import Term
from mailtriage.checks.auth.spf.tree import Draft
from mailtriage.checks.dns.resolver import Resolver


class Targets(Mechanisms):
    """Macro expansion of term targets and ``exp=`` texts.

    Args:
        resolver: The resolver for every lookup.
        ip: The client address.
        sender: ``local-part@domain`` of the checked identity.
        helo: The HELO/EHLO name.
        receiver: The receiving host for ``%{r}``.
    """

    def __init__(self, resolver: Resolver, ip: IP, sender: str, helo: str, receiver: str) -> None:
        super().__init__(resolver, ip)
        self.sender, self.helo, self.receiver = sender, helo, receiver

    def context(self, domain: str, validated: str | None = None) -> MacroContext:
        """The macro values for a term of ``domain``'s record."""
        return MacroContext(self.ip, self.sender, domain, self.helo, self.receiver, validated)

    async def explain(self, term: Term, domain: str, node: Draft) -> str | None:
        """The expanded ``exp=`` text for a fail of ``domain``'s record, or ``None``."""
        draft = Draft("modifier", term.text, "", domain)
        node.children.append(draft)
        target = await self.target(term, domain, draft)
        if target is None:
            return None
        draft.target = target
        answer = draft.add(await self.resolver.query(target, "TXT"))
        if len(answer.records) != 1:
            draft.error = "explanation needs exactly one TXT record"
            return None
        text = answer.records[0]
        validated = await self.validated_for(domain, draft) if "%{p" in text.lower() else None
        try:
            return expand(text, self.context(domain, validated), exp=True)
        except SpfSyntaxError as exc:
            draft.error = str(exc)
            return None

    async def target(self, term: Term, domain: str, draft: Draft) -> str | None:
        """Expand the term's domain-spec (or use ``domain``); ``None`` = permerror."""
        if term.arg is None:
            return domain
        validated = None
        if "%{p" in term.arg.lower():
            validated = await self.validated_for(domain, draft)
        try:
            target = shorten(expand(term.arg, self.context(domain, validated)))
        except SpfSyntaxError as exc:
            draft.error = str(exc)
            return None
        if term.name in ("include", "redirect"):
            return target
        problem = domain_problem(target, multi_label=False)
        if problem:
            draft.error = problem
            return None
        return target
