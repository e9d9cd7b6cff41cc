"""The verdict for a sample that has no row in an imported message trace.

No row for a Message-ID is itself evidence: the export may come from another
tenant or time window, or the message never reached Exchange Online Protection
(the MX or a connector sends it elsewhere, or it was refused during SMTP).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mailtriage.checks.model import Sample
from mailtriage.checks.msgtrace.model import Trace, TraceMatch
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.vendors import by_key

_MICROSOFT_FILTER = by_key("microsoft-eop").name  # Microsoft's own inbound filter
MARGIN = timedelta(hours=2)
NO_ID_STEP = (
    "This sample carries no Message-ID, so it cannot be matched: search the trace by "
    "sender, recipient and time instead."
)
NOT_FOUND_STEP = (
    "Check that the export comes from the recipient's tenant and covers the message's date "
    "with a margin. Message trace only lists mail that reached Exchange Online Protection: "
    "if the MX points at another gateway (e.g. Proofpoint), read that gateway's log and its "
    "connector to Microsoft 365; a message refused during the SMTP conversation may not "
    "appear either."
)


HELD_STEP = (
    "Look for it in the upstream gateway's quarantine or log (not in Microsoft 365). Release "
    "it there if it is legitimate, then search this trace again for its delivery."
)


def held_upstream(hops: Sequence[Hop], reason: str | None) -> str | None:
    """Say which non-Microsoft gateway held the sample, when its headers show one did.

    Args:
        hops: The sample's Received hops, oldest first.
        reason: The sample's quarantine signal (see
            :func:`~mailtriage.checks.verdicts.signals.quarantine_signal`).

    Returns:
        A plain line such as ``"Proofpoint held it upstream (...)"``, or ``None``.
    """
    gateway = find_gateway(hops)
    if gateway is None or reason is None or gateway[0] == _MICROSOFT_FILTER:
        return None
    return f"{gateway[0]} held it upstream ({reason})"


def _fmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def no_rows_match(
    sample: Sample,
    trace: Trace,
    span: tuple[datetime, datetime] | None,
    in_mailbox: bool,
    held: str | None = None,
) -> TraceMatch:
    """Build the match for a sample the trace has no row for.

    Args:
        sample: The loaded sample.
        trace: The imported trace.
        span: The trace's earliest and latest received time, when readable.
        in_mailbox: Whether the sample's headers show Microsoft 365 mailbox delivery.
        held: What :func:`held_upstream` says of the sample, if anything.

    Returns:
        A match with no rows, a ``routing/connector`` layer and the reasons to check.
    """
    if not sample.message_id:
        return TraceMatch(
            sample.source, "", (), "sample has no Message-ID", None, "routing/connector",
            NO_ID_STEP,
        )  # fmt: skip
    if held is not None:
        text = f"Not in this trace, as expected: {held}, so it never reached Microsoft 365"
        return TraceMatch(
            sample.source, sample.message_id, (), "no row in this trace", text,
            "quarantine/release", HELD_STEP, "", "",
        )  # fmt: skip
    reasons = ["Not in this trace: no row has this sample's Message-ID"]
    if not trace.rows:
        reasons.append("the export has no rows at all")
    if in_mailbox:
        reasons.append(
            "yet the sample went through Microsoft 365 mailbox delivery, so the export is "
            "probably from another tenant or time window"
        )
    if span is not None and sample.date is not None:
        low, high = span
        if sample.date < low - MARGIN or sample.date > high + MARGIN:
            reasons.append(
                f"the sample is dated {_fmt(sample.date)}, outside the trace's "
                f"{_fmt(low)} to {_fmt(high)}"
            )
    return TraceMatch(
        sample.source, sample.message_id, (), "no row in this trace", "; ".join(reasons),
        "routing/connector", NOT_FOUND_STEP, "", "",
    )  # fmt: skip
