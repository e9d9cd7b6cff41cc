"""Live DNS checks for a sample: plan them, run one, or run many concurrently.

The plan comes from the sample alone (envelope sender, From, DKIM-Signature
d=/s=, recipient); running needs an injected :class:`mailtriage.checks.dns.resolver.Resolver`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

from mailtriage.checks.auth.dkimsig import read_signatures
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.live.dmarc import run_dmarc
from mailtriage.checks.live.keys import run_dkim
from mailtriage.checks.live.model import KINDS, LiveResult, LiveSpec, clean_domain, clean_selector
from mailtriage.checks.live.records import run_mx, run_spf
from mailtriage.checks.model import Sample

_T = TypeVar("_T")

__all__ = ["KINDS", "LiveResult", "LiveSpec", "plan", "run", "run_all"]

_RUNNERS: dict[str, Callable[[LiveSpec, Resolver], Awaitable[LiveResult]]] = {
    "spf": run_spf,
    "dmarc": run_dmarc,
    "mx": run_mx,
    "dkim": run_dkim,
}


def plan(sample: Sample) -> tuple[LiveSpec, ...]:
    """Decide which live checks a sample calls for.

    SPF for the envelope sender's domain (and the From domain if different), DMARC
    for the From domain, the DKIM key of every DKIM-Signature (d=/s=), and MX for
    the recipient domain (first envelope recipient, else first To). Unusable
    domains from hostile headers are skipped.

    Args:
        sample: The loaded sample.

    Returns:
        De-duplicated specs in that stable order.
    """
    specs: list[LiveSpec] = []
    envelope = clean_domain(sample.envelope_from)
    from_domain = clean_domain(sample.from_domain)
    if envelope:
        both = " and From" if envelope == from_domain else ""
        specs.append(LiveSpec("spf", envelope, why=f"envelope sender{both} domain"))
    if from_domain and from_domain != envelope:
        specs.append(LiveSpec("spf", from_domain, why="From domain"))
    if from_domain:
        specs.append(LiveSpec("dmarc", from_domain, why="From domain"))
    for sig in read_signatures(sample):  # the verifier's reader: the same d= and s=
        domain, selector = clean_domain(sig.domain), clean_selector(sig.selector)
        if domain and selector:
            why = f"DKIM-Signature d={domain} s={selector}"
            specs.append(LiveSpec("dkim", domain, selector, why=why))
    recipients = [*sample.envelope_to, *(a.addr or a.domain for a in sample.to)]
    recipient = next((d for d in map(clean_domain, recipients) if d), None)
    if recipient:
        specs.append(LiveSpec("mx", recipient, why="recipient domain"))
    unique: dict[tuple[str, str, str | None], LiveSpec] = {}
    for spec in specs:
        unique.setdefault((spec.kind, spec.domain, spec.selector), spec)
    return tuple(unique.values())


async def run(spec: LiveSpec, resolver: Resolver) -> LiveResult:
    """Run one live check; DNS failures become ``status="error"``, never exceptions.

    Args:
        spec: What to check.
        resolver: The resolver to use.

    Returns:
        The result.
    """
    try:
        return await _RUNNERS[spec.kind](spec, resolver)
    except Exception as exc:  # a bug must not take the dashboard down
        summary = f"{spec.kind} check failed unexpectedly: {type(exc).__name__}: {exc}"
        return LiveResult(spec, "error", (), summary[:300])


async def run_all(specs: Iterable[LiveSpec], resolver: Resolver) -> AsyncIterator[LiveResult]:
    """Run checks concurrently, yielding each result as soon as it completes.

    Args:
        specs: The checks to run.
        resolver: The resolver shared by all checks (its cache and single-flight
            spare repeated lookups).

    Yields:
        Results in completion order. Closing the iterator early cancels the rest.
    """
    async for result in as_completed_jobs(run(spec, resolver) for spec in specs):
        yield result


async def as_completed_jobs(jobs: Iterable[Awaitable[_T]]) -> AsyncIterator[_T]:
    """Run ``jobs`` concurrently and yield each result as it completes.

    Closing the iterator early cancels the jobs still running (one place for the
    live run and a whole sample's session).
    """
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()
