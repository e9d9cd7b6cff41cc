"""SPF: RFC 7208 check_host() on the async resolver.

``await check_host(ip, domain, sender, helo=..., resolver=...)`` evaluates the
policy of ``domain`` for the client ``ip`` and returns an :class:`SpfResult`
with the result, the expanded explanation, the lookup counters and the full
evaluation tree. Lookups that left-to-right evaluation will need soon are sent
ahead of time (bounded), so the wall time follows the depth of the include
tree rather than the number of lookups; the result and the counters are
exactly those of strict left-to-right evaluation.
"""

from __future__ import annotations

from mailtriage.checks.auth.spf.addr import IP, client_ip, domain_problem
from mailtriage.checks.auth.spf.evaluate import LOOKUP_LIMIT, VOID_LIMIT, Evaluator
from mailtriage.checks.auth.spf.tree import SPF_RESULTS, SpfNode, SpfQuery, SpfResult
from mailtriage.checks.dns.resolver import Resolver

__all__ = [
    "LOOKUP_LIMIT",
    "SPF_RESULTS",
    "VOID_LIMIT",
    "SpfNode",
    "SpfQuery",
    "SpfResult",
    "check_host",
    "identity",
]


def identity(mail_from: str, helo: str) -> tuple[str, str]:
    """The ``(domain, sender)`` to check for an SMTP transaction (RFC 7208 section 2.4).

    An empty MAIL FROM (a bounce) means ``postmaster@<helo>``; a sender without a
    local part gets ``postmaster``.

    Args:
        mail_from: The MAIL FROM address, without angle brackets ("" for bounces).
        helo: The HELO/EHLO name.
    """
    address = mail_from.strip().strip("<>") or f"postmaster@{helo}"
    local, at, domain = address.rpartition("@")
    if not at:
        return address, f"postmaster@{address}"
    return domain, f"{local or 'postmaster'}@{domain}"


async def check_host(
    ip: str | IP,
    domain: str,
    sender: str,
    *,
    helo: str = "",
    resolver: Resolver,
    receiver: str = "unknown",
    speculate: bool = True,
) -> SpfResult:
    """Evaluate the SPF policy of ``domain`` for a message from ``ip``.

    Args:
        ip: The SMTP client address (IPv4, IPv6, or IPv4-mapped IPv6).
        domain: The domain whose policy is checked (MAIL FROM domain or HELO name).
        sender: The sender as ``local-part@domain`` (see :func:`identity`).
        helo: The HELO/EHLO name, for ``%{h}``.
        resolver: Resolver for every lookup; its timeout and deadline bound the run.
        receiver: The receiving host's name, for ``%{r}`` in explanations.
        speculate: False sends every lookup only when its term is reached.

    Returns:
        The result; DNS failures are ``temperror``, bad records ``permerror``.

    Raises:
        ValueError: ``ip`` is not an IP address.
    """
    address = client_ip(ip)
    domain = domain.strip().removesuffix(".")
    if "@" not in sender:
        sender = f"postmaster@{sender or domain}"
    elif sender.startswith("@"):
        sender = "postmaster" + sender
    problem = domain_problem(domain)
    if problem:
        tree = SpfNode("record", "", domain=domain, result="none", error=problem)
        return SpfResult("none", None, 0, 0, tree)
    evaluator = Evaluator(resolver, address, sender, helo, receiver, speculate)
    result, explanation, root = await evaluator.run(domain)
    return SpfResult(result, explanation, evaluator.lookups, evaluator.voids, root.freeze())
