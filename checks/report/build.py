"""The ``mailtriage report`` object: one JSON-ready dict per sample.

The keys are the scripting interface documented in the README; their names live
in one table, :data:`mailtriage.checks.report.jsonform.SHAPES`. Later work adds
keys; existing keys keep their meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.report.jsonform import ForwardedIn, to_json

if TYPE_CHECKING:  # the live modules load dnspython and dkimpy: only when a lookup is due
    from mailtriage.checks.dns.resolver import Resolver
    from mailtriage.checks.live.model import LiveResult, LiveSpec


def offline_report(a: Analysis) -> dict[str, Any]:
    """Build the report of one analysed sample without any DNS.

    Args:
        a: The sample's offline analysis.

    Returns:
        A JSON-serialisable dict (``auth.live`` is ``None`` and ``dns_log`` empty). For a
        message that arrived attached to a customer's forward, ``forwarded_in`` names
        that forward (the key is absent for any other sample).
    """
    out: dict[str, Any] = to_json(a)
    if a.sample.outer is not None and a.forwarded_in is not None:
        out["forwarded_in"] = to_json(ForwardedIn(a.sample.outer, a.forwarded_in))
    return out


async def full_report(
    a: Analysis, resolver: Resolver | None, dnsbl_zones: Sequence[str] = ()
) -> dict[str, Any]:
    """Build the report, adding live DNS results unless ``resolver`` is ``None``.

    ``auth.agreement`` compares the boundary gateway's recorded verdicts with the
    live re-check (``auth.live_eval``: SPF for the connecting IP, DKIM, ARC and
    DMARC evaluated now), per method. ``auth.live`` maps each check kind (``spf``,
    ``dmarc``, ``dkim``, ``mx``) to a list of results, one per domain (and
    selector) checked. ``around`` holds reverse DNS of the connecting IP, the
    recipient MX against the gateway, and DNSBL listings (configured zones only).
    """
    out = offline_report(a)
    if resolver is None:
        return out

    from mailtriage.checks.live import plan as live
    from mailtriage.checks.live.agreement import compare
    from mailtriage.checks.live.around import Around
    from mailtriage.checks.live.auth import LiveAuth
    from mailtriage.checks.live.model import LiveResult as Result
    from mailtriage.checks.live.session import run_sample

    specs = live.plan(a.sample)
    results: dict[LiveSpec, LiveResult] = {}
    auth: LiveAuth | None = None
    around: Around | None = None
    async for event in run_sample(a, resolver, specs=specs, dnsbl_zones=dnsbl_zones):
        if isinstance(event, LiveAuth):
            auth = event
        elif isinstance(event, Around):
            around = event
        else:
            results[event.spec] = event
    by_kind: dict[str, list[LiveResult]] = {}
    for spec in specs:
        late = Result(spec, "error", (), "no answer before the deadline")
        by_kind.setdefault(spec.kind, []).append(results.get(spec, late))
    out["auth"]["live"] = to_json(by_kind)
    out["auth"]["live_eval"] = to_json(auth)
    out["auth"]["agreement"] = to_json(compare(a.recorded, list(results.values()), auth=auth))
    out["around"] = to_json(around)
    out["dns_log"] = to_json(resolver.log)
    return out
