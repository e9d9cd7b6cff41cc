"""DMARC policy discovery (RFC 7489 section 6.6.3) and evaluation.

:func:`discover` finds the record that governs a From domain: ``_dmarc.<domain>``
first, then ``_dmarc.<organizational domain>`` (Public Suffix List). DMARCbis
(RFC 9989) walks up the DNS tree instead of using the PSL; the two agree for
ordinary domains. :func:`evaluate` (in :mod:`mailtriage.checks.auth.dmarc.evaluate`) combines a
discovered record with SPF and DKIM results given as plain values.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mailtriage.checks.auth.dmarc.evaluate import DmarcVerdict, IdentityCheck, evaluate
from mailtriage.checks.auth.dmarc.record import (
    DmarcRecord,
    DmarcRecordResult,
    Status,
    is_dmarc_record,
    parse_record,
)
from mailtriage.checks.dns.resolver import DnsAnswer, Resolver
from mailtriage.checks.psl import org_domain

__all__ = [
    "DmarcRecord",
    "DmarcRecordResult",
    "DmarcVerdict",
    "IdentityCheck",
    "discover",
    "evaluate",
    "locate",
]


async def discover(from_domain: str, resolver: Resolver) -> DmarcRecordResult:
    """Find the DMARC record that applies to ``from_domain``.

    :func:`locate`, then (for a record inherited from the organizational domain)
    whether the From domain exists, for DMARCbis ``np=``.

    Args:
        from_domain: The RFC 5322 From domain.
        resolver: The resolver to use.

    Returns:
        The result; DNS failures are a ``"temperror"`` status, never exceptions.
    """
    found = await locate(from_domain, resolver)
    if found.status != "found" or not found.inherited:
        return found
    answers = list(found.answers)
    exists = await _exists(found.from_domain, resolver, answers)
    return replace(found, from_exists=exists, answers=tuple(answers))


async def locate(from_domain: str, resolver: Resolver) -> DmarcRecordResult:
    """Find the DMARC record for ``from_domain`` (RFC 7489 section 6.6.3), nothing more.

    ``_dmarc.<domain>`` first, then ``_dmarc.<organizational domain>``. Several
    records at one name, or a record with no valid ``p=`` and no ``rua=``, mean
    no policy applies (status ``"none"``; ``record`` is set in the second case).
    ``from_exists`` is left unknown (see :func:`discover`).

    Args:
        from_domain: The RFC 5322 From domain.
        resolver: The resolver to use.

    Returns:
        The result; DNS failures are a ``"temperror"`` status, never exceptions.
    """
    domain = from_domain.strip().rstrip(".").lower()
    org = org_domain(domain)
    answers: list[DnsAnswer] = []
    warnings: list[str] = []

    def done(status: Status, **kw: object) -> DmarcRecordResult:
        return DmarcRecordResult(
            domain, status, org_domain=org, warnings=tuple(warnings), answers=tuple(answers),
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    if not domain:
        warnings.append("no From domain: nothing to look up")
        return done("none")
    candidates = [domain] + ([org] if org and org != domain else [])
    # Both names are known now, so both are asked at once: when the domain has no record,
    # the organizational domain's answer is already on its way (one query at most is
    # asked for nothing). The answers are still read in order, so the result is the same.
    spare = [asyncio.ensure_future(resolver.query(f"_dmarc.{w}", "TXT")) for w in candidates[1:]]
    asks = [resolver.query(f"_dmarc.{domain}", "TXT"), *spare]  # the domain's goes out first
    try:
        for where, ask in zip(candidates, asks, strict=True):
            answer = await ask
            answers.append(answer)
            if not answer.ok:
                warnings.append(
                    f"_dmarc.{where} TXT lookup failed ({answer.rcode}): DMARC temperror"
                )
                return done("temperror")
            records = [r for r in answer.records if is_dmarc_record(r)]
            if len(records) > 1:
                warnings.append(
                    f"{len(records)} DMARC records at _dmarc.{where}: receivers use none of them"
                )
                return done("none", policy_domain=where)
            if records:
                record = parse_record(records[0])
                warnings.extend(record.warnings)
                if not record.valid:
                    return done("none", policy_domain=where, record=record)
                return done("found", record=record, policy_domain=where)
        return done("none")
    finally:
        for task in spare:
            task.cancel()  # a lookup no longer needed (its answer still fills the cache)


async def _exists(domain: str, resolver: Resolver, answers: list[DnsAnswer]) -> bool | None:
    """Whether ``domain`` has A, AAAA or MX (DMARCbis' test for "non-existent")."""
    got = await asyncio.gather(*(resolver.query(domain, t) for t in ("A", "AAAA", "MX")))
    answers.extend(got)
    if any(a.rcode == "NOERROR" for a in got):
        return True
    if all(a.rcode in ("NXDOMAIN", "NODATA") for a in got):
        return False
    return None
