"""Re-check a sample's authentication now: SPF, DKIM, ARC and DMARC against live DNS.

:func:`live_auth` evaluates SPF for the IP the boundary gateway received the
message from, verifies the DKIM signatures and the ARC chain from the message
bytes, and evaluates DMARC for the From domain with those live results. The
independent parts run concurrently; every DNS outcome (timeouts, the
resolver's overall deadline) becomes a result or a note, never an exception.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.auth.arc import ArcResult, verify_arc
from mailtriage.checks.auth.dkim import DkimInputError, DkimSignatureResult, verify_dkim
from mailtriage.checks.auth.dmarc.discover import (
    DmarcRecordResult,
    DmarcVerdict,
    discover,
    evaluate,
)
from mailtriage.checks.auth.spf.check import SpfResult, check_host, identity
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.model import clean_domain

__all__ = ["LiveAuth", "live_auth", "sending_helo"]


@dataclass(frozen=True)
class LiveAuth:
    """Today's authentication verdicts for one sample.

    Attributes:
        spf: SPF evaluated now, or ``None`` when it could not be (see ``notes``).
        spf_inputs: ``(ip, domain, sender, helo)`` SPF was evaluated with, or ``None``.
        dkim: One result per DKIM-Signature, topmost first (``()`` when unsigned or unchecked).
        arc: The ARC chain result, or ``None`` when the message bytes were not available.
        dmarc_record: DMARC policy discovery for the From domain, or ``None``.
        dmarc: DMARC evaluated with the live SPF and DKIM results, or ``None``.
        notes: Plain-language caveats, one line each (what was not checked and why).
        message_date: The message's Date header, for then-vs-now comparisons.
        checked_at: When this live check ran (UTC).
        has_body: Whether the sample had its body (DKIM body hashes need it).
    """

    spf: SpfResult | None
    spf_inputs: tuple[str, str, str, str] | None
    dkim: tuple[DkimSignatureResult, ...]
    arc: ArcResult | None
    dmarc_record: DmarcRecordResult | None
    dmarc: DmarcVerdict | None
    notes: tuple[str, ...]
    message_date: datetime | None = None
    checked_at: datetime | None = None
    has_body: bool = True


def sending_helo(analysis: Analysis) -> str:
    """The HELO name the sending server announced to the boundary gateway ("" if unknown).

    It is the ``from`` name of the oldest hop whose connecting IP is
    :attr:`Analysis.connecting_ip`.
    """
    ip = analysis.connecting_ip
    for hop in analysis.hops:
        if ip and hop.from_ip == ip and hop.from_host:
            return hop.from_host.strip().rstrip(".").lower()
    return ""


async def _spf(analysis: Analysis, resolver: Resolver, notes: list[str]
               ) -> tuple[SpfResult | None, tuple[str, str, str, str] | None]:  # fmt: skip
    ip = analysis.connecting_ip
    if not ip:
        notes.append("SPF not evaluated: no Received header shows the IP the gateway "
                     "received the message from.")  # fmt: skip
        return None, None
    helo = sending_helo(analysis)
    mail_from = (analysis.sample.envelope_from or "").strip().strip("<>")
    if not mail_from and not helo:
        notes.append("SPF not evaluated: the envelope sender is empty and no HELO name is known.")
        return None, None
    domain, sender = identity(mail_from, helo)
    if not mail_from:
        notes.append(f"Empty envelope sender (a bounce): SPF checks postmaster@{helo}.")
    inputs = (ip, domain, sender, helo)
    try:
        result = await check_host(ip, domain, sender, helo=helo, resolver=resolver)
    except ValueError as exc:
        notes.append(f"SPF not evaluated: {exc}")
        return None, inputs
    return result, inputs


#: Loop turns the DKIM and ARC re-checks let pass before they parse the message. A row's
#: first query is sent a few turns after the row starts (its own tasks, the resolver's,
#: the socket); parsing first would hold back the start of every chain of lookups
#: (reverse DNS, DNSBL) by the time the parse takes. Their own key lookups lose nothing:
#: the planned DKIM rows ask for the same keys from the start.
_TURNS_BEFORE_PARSING = 8


async def _after_first_queries() -> None:
    """Let the other rows' first queries go out before a CPU-bound step."""
    for _ in range(_TURNS_BEFORE_PARSING):
        await asyncio.sleep(0)


async def _dkim(raw: bytes, resolver: Resolver, notes: list[str]
                ) -> tuple[DkimSignatureResult, ...]:  # fmt: skip
    if not raw:
        return ()
    await _after_first_queries()
    try:
        return await verify_dkim(raw, resolver)
    except DkimInputError as exc:
        notes.append(f"DKIM not verified: {exc}")
        return ()


async def _arc(raw: bytes, resolver: Resolver, notes: list[str]) -> ArcResult | None:
    if not raw:
        return None
    await _after_first_queries()
    try:
        return await verify_arc(raw, resolver)
    except DkimInputError as exc:
        notes.append(f"ARC not validated: {exc}")
        return None


async def _discover(domains: list[str], resolver: Resolver) -> DmarcRecordResult | None:
    if len(set(domains)) != 1:
        return None
    return await discover(domains[0], resolver)


async def live_auth(analysis: Analysis, resolver: Resolver) -> LiveAuth:
    """Re-check SPF, DKIM, ARC and DMARC of one sample against DNS as it is now.

    Args:
        analysis: The sample's offline analysis (connecting IP, hops, sample bytes).
        resolver: Every lookup goes through it; its timeout and deadline bound the run.

    Returns:
        The live verdicts; DNS failures show as ``temperror`` results, never exceptions.
    """
    sample = analysis.sample
    notes: list[str] = []
    raw = sample.raw
    if not raw:
        notes.append("The message bytes are not available: DKIM and ARC not verified.")
    elif not sample.has_body:
        notes.append("Headers-only sample: without the body, DKIM body hashes cannot match, "
                     "so signatures fail here even if they were valid on delivery.")  # fmt: skip
    domains = [d for d in (clean_domain(a.addr) for a in sample.from_) if d]
    if not domains:
        notes.append("No From domain: DMARC has nothing to check.")
    elif len(set(domains)) > 1:
        notes.append("The From header names several domains: DMARC is not evaluated cleanly.")
    spf_notes: list[str] = []
    (spf, inputs), dkim, arc, record = await asyncio.gather(
        _spf(analysis, resolver, spf_notes),
        _dkim(raw, resolver, notes),
        _arc(raw, resolver, notes),
        _discover(domains, resolver),
    )
    notes[:0] = spf_notes
    dmarc = None
    if domains:
        dmarc = evaluate(
            domains,
            spf.result if spf else None,
            inputs[1] if spf and inputs else None,
            [(s.domain, s.result) for s in dkim],
            record,
        )
    if (
        (spf is not None and spf.result == "temperror")
        or any(s.result == "temperror" for s in dkim)
        or (arc is not None and arc.temporary)
        or (record is not None and record.status == "temperror")
    ):
        notes.append("Some lookups failed or ran past the DNS deadline: temperror results "
                     "may change on a re-run.")  # fmt: skip
    return LiveAuth(
        spf=spf,
        spf_inputs=inputs,
        dkim=dkim,
        arc=arc,
        dmarc_record=record,
        dmarc=dmarc,
        notes=tuple(notes),
        message_date=sample.date,
        checked_at=datetime.now(UTC),
        has_body=bool(raw) and sample.has_body,
    )
