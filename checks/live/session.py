"""One sample's whole live run: every live row, each handed on as soon as it is final.

The rows are independent of one another: the planned lookups (SPF record,
DMARC policy, DKIM keys, recipient MX), the re-evaluation of the sample's
authentication (SPF for the connecting IP, DKIM, ARC, DMARC) and the checks
around the message (reverse DNS, MX against the gateway, DNSBL). They all start
at once on one resolver, whose cache and single-flight let a lookup two rows
need (the SPF record, a DKIM key, the MX set) go out once; none waits for
another, so the run ends when its longest chain of dependent lookups does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Sequence

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.resolver import preload as preload_dns
from mailtriage.checks.live.around import Around, live_around
from mailtriage.checks.live.auth import LiveAuth, live_auth
from mailtriage.checks.live.model import LiveResult, LiveSpec
from mailtriage.checks.live.plan import as_completed_jobs, plan, run
from mailtriage.checks.psl import suffix_list

__all__ = ["LiveEvent", "preload", "run_sample"]

#: What a live run hands on: one planned lookup, the auth re-check, or the checks around.
LiveEvent = LiveResult | LiveAuth | Around


def preload() -> None:
    """Load what a first run would otherwise load on its way (call it in a thread first).

    dnspython's lazily imported parts (see :func:`mailtriage.checks.dns.resolver.preload`)
    and the Public Suffix List, which the DMARC and MX rows read: reading it takes tens
    of milliseconds, during which a run's loop would send nothing.
    """
    preload_dns()
    suffix_list(None)  # the cache entry org_domain reads (the packaged list)


async def run_sample(
    analysis: Analysis,
    resolver: Resolver,
    *,
    specs: Sequence[LiveSpec] | None = None,
    dnsbl_zones: Sequence[str] = (),
) -> AsyncIterator[LiveEvent]:
    """Run every live check of one sample concurrently, yielding each when it is final.

    Args:
        analysis: The sample's offline analysis.
        resolver: The resolver every row shares.
        specs: The planned lookups (default: :func:`mailtriage.checks.live.plan.plan`).
        dnsbl_zones: DNSBL zones to ask about the connecting IP (none by default).

    Yields:
        One :class:`LiveResult` per spec, the :class:`LiveAuth` and the
        :class:`Around`, in completion order. Closing the iterator early cancels
        what is still running.
    """
    planned = plan(analysis.sample) if specs is None else specs
    # The rows that start with a CPU step (the DKIM and ARC verifiers parse the
    # message first) are started last, and let a few loop turns pass before parsing
    # (``checks/live/auth.py``), so every other row's first query is already out.
    jobs: list[Awaitable[LiveEvent]] = [
        *(run(spec, resolver) for spec in planned),
        live_around(analysis, resolver, dnsbl_zones),
        live_auth(analysis, resolver),
    ]
    async for event in as_completed_jobs(jobs):
        yield event
