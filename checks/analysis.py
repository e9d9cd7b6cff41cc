"""One offline analysis of a sample: everything the panes and the report show.

:func:`analyse` is the pipeline. It builds the :class:`Analysis` stage by stage,
and each stage takes what the earlier ones produced: the sample's parsed header
fields give the recorded authentication, the Received hops, the verdict headers
and the bounce; the hops give the boundary gateway's connecting IP and the
timeline; the verdicts give the quarantine signal; and the findings are built
from all of those, never from the raw sample again. Widgets and
``mailtriage report`` only read the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mailtriage.checks.auth.dkimsig import DkimSignature, read_signatures
from mailtriage.checks.bounce.entry import parse_bounce, returned_original
from mailtriage.checks.findings import Fate, fate, findings, likely_layer
from mailtriage.checks.message.authres import boundary, parse_auth_results
from mailtriage.checks.message.forwarded import describe_outer, open_forward
from mailtriage.checks.message.mime import has_attachments
from mailtriage.checks.model import AuthResults, Finding, Sample
from mailtriage.checks.route.gateways import sending_ip
from mailtriage.checks.route.hops import Hop, parse_hops
from mailtriage.checks.route.timeline import Timeline, build_timeline
from mailtriage.checks.verdicts import (
    VerdictHeader,
    find_verdicts,
    microsoft_cip,
    microsoft_placement,
    microsoft_released,
    quarantine_signal,
    unknown_headers,
)

if TYPE_CHECKING:  # a parsed bounce's types load with the bounce parser, for bounces only
    from mailtriage.checks.bounce.model import Bounce

# The engine's face for the UI: the Analysis and the types its fields hold.
__all__ = ["BOUNCE_ID_LABEL", "ORIGINAL_ID_LABEL", "Analysis", "AuthResults", "Fate",
           "Finding", "Hop", "Sample", "Timeline", "VerdictHeader", "analyse"]  # fmt: skip

#: How every view labels :attr:`Analysis.original_message_id` of a bounce (short enough
#: for the sample pane's label column).
ORIGINAL_ID_LABEL = "Original ID"
#: How every view labels a bounce's own Message-ID (secondary: no log knows the
#: bounced message by it).
BOUNCE_ID_LABEL = "Bounce's ID"


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

    @cached_property
    def original(self) -> Analysis | None:
        """For a bounce that returned the original's header block, that original analysed.

        Analysed as a sample of its own on first use (the diff needs it; a report of
        a batch of bounces does not), then kept.
        """
        returned = returned_original(self.bounce, self.sample.source)
        return analyse(returned) if returned is not None else None

    @cached_property
    def fate(self) -> Fate:
        """What the route and placement show happened: delivered, held, released."""
        return fate(self.hops, self.timeline, self.verdicts)

    @cached_property
    def signatures(self) -> tuple[DkimSignature, ...]:
        """What each DKIM-Signature field says, topmost first: read once, here, for every reader.

        Read on first use with the one reader of their tags
        (:func:`mailtriage.checks.auth.dkimsig.read_signature`), then kept.
        """
        return read_signatures(self.sample)

    @property
    def original_message_id(self) -> str | None:
        """The Message-ID to trace this sample by.

        For a bounce, NDR, feedback report or auto-reply: the Message-ID of the
        original message it is about (from the returned headers, the report, or the
        reply's ``In-Reply-To``), or ``None`` when it does not say; the bounce's own
        Message-ID is ``sample.message_id``. For other mail: its own Message-ID.
        """
        if self.bounce is not None:
            return self.bounce.original_message_id
        return self.sample.message_id

    @property
    def forwarded_in(self) -> str | None:
        """The customer's forward this message arrived attached to, in one line.

        Its subject and sender (sample content: views escape it), or ``None`` when
        the sample was not opened from a forward.
        """
        outer = self.sample.outer
        return describe_outer(outer) if outer is not None else None

    @property
    def boundary(self) -> AuthResults | None:
        """The boundary gateway's Authentication-Results (the oldest one), if any."""
        return boundary(self.recorded)

    @property
    def placement(self) -> str | None:
        """Where Microsoft's filter placed the message (from its verdict headers), if said."""
        return microsoft_placement(self.verdicts)

    @property
    def unknown_verdict_headers(self) -> tuple[tuple[str, str], ...]:
        """``(name, value)`` of X- headers no verdict decoder knows (shown raw, not judged)."""
        return unknown_headers(self.sample)


def analyse(sample: Sample) -> Analysis:
    """Run every offline check over ``sample``, each stage once.

    Args:
        sample: A loaded sample.

    A customer's forward that carries the problem message as an attachment is
    analysed as that attached message (marked ``forwarded_in``, the forward kept
    as ``sample.outer``). A bounce is read first and stays a bounce: its returned
    original is not a forward.

    Returns:
        The frozen analysis.
    """
    bounce = parse_bounce(sample)
    if bounce is None:
        opened = open_forward(sample)
        if opened is not None and opened.outer is not None:
            return analyse(opened)
        if opened is not None:  # the attached message is unreadable: the forward, noted
            sample = opened
    recorded = parse_auth_results(sample)
    hops = parse_hops(sample)
    verdicts = find_verdicts(sample)
    quarantine = quarantine_signal(verdicts)
    timeline = build_timeline(hops, has_attachments(sample), microsoft_released(verdicts))
    found = findings(
        from_domain=sample.from_domain,
        message_id=sample.message_id,
        has_headers=bool(sample.headers),
        recorded=recorded,
        hops=hops,
        verdicts=verdicts,
        quarantine=quarantine,
        bounce=bounce,
        timeline=timeline,
    )
    return Analysis(
        sample=sample,
        recorded=recorded,
        hops=hops,
        connecting_ip=sending_ip(recorded, hops, microsoft_cip(verdicts)),
        verdicts=verdicts,
        quarantine=quarantine,
        findings=found,
        layer=likely_layer(found),
        bounce=bounce,
        timeline=timeline,
    )
