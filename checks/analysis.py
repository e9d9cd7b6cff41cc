"""One offline analysis of a sample: everything the panes and the report show.

Parsing happens once here; widgets and ``mailtriage report`` only read the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailtriage.checks.bounce.entry import Bounce, parse_bounce
from mailtriage.checks.findings import Finding, findings, likely_layer
from mailtriage.checks.message.authres import parse_auth_results
from mailtriage.checks.model import AuthResults, Sample
from mailtriage.checks.route.gateways import sending_ip
from mailtriage.checks.route.hops import Hop, parse_hops
from mailtriage.checks.route.timeline import Timeline, timeline
from mailtriage.checks.verdicts import VerdictHeader, find_verdicts, quarantine_signal


@dataclass(frozen=True)
class Analysis:
    """Offline facts about one sample (no DNS).

    Attributes:
        sample: The loaded sample.
        recorded: Authentication headers recorded by the receiving systems, topmost first.
        hops: Received hops, oldest first.
        connecting_ip: The IP the boundary gateway received the message from (not
            the gateway's own IP that a mailbox server behind it saw), when known.
        verdicts: Gateway and filter verdict headers.
        quarantine: Plain reason when a header says the message was quarantined or
            junked, else ``None``.
        findings: What the evidence points at.
        layer: The most likely layer, or ``None``.
        bounce: What a bounce, NDR, report or auto-reply says, or ``None`` for other mail.
        timeline: Hop delays, clock skew and where the time went.
    """

    sample: Sample
    recorded: tuple[AuthResults, ...]
    hops: tuple[Hop, ...]
    connecting_ip: str | None
    verdicts: tuple[VerdictHeader, ...]
    quarantine: str | None
    findings: tuple[Finding, ...]
    layer: str | None
    bounce: Bounce | None
    timeline: Timeline


def analyse(sample: Sample) -> Analysis:
    """Run every offline check over ``sample``.

    Args:
        sample: A loaded sample.

    Returns:
        The frozen analysis.
    """
    hops = parse_hops(sample)
    found = findings(sample)
    return Analysis(
        sample=sample,
        recorded=parse_auth_results(sample),
        hops=hops,
        connecting_ip=sending_ip(sample, hops),
        verdicts=find_verdicts(sample),
        quarantine=quarantine_signal(sample),
        findings=found,
        layer=likely_layer(found),
        bounce=parse_bounce(sample),
        timeline=timeline(sample),
    )
