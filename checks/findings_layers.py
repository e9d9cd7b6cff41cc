"""Findings from the bounce, the vendor verdicts and the route of one sample.

:mod:`mailtriage.checks.findings` gathers these with the authentication findings; each one
names its layer, how much it matters, the header text or bounce line it rests on,
and what to do next.
"""

from __future__ import annotations

from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.model import Finding, Sample
from mailtriage.checks.route.timeline import timeline
from mailtriage.checks.text import printable
from mailtriage.checks.verdicts import find_verdicts
from mailtriage.checks.verdicts.model import VerdictHeader

MAX_RECIPIENTS = 5
# Verdict words that say a filter judged the message bad (quarantine has its own finding).
_BAD = {
    "spam": "medium",
    "phish": "high",
    "malware": "high",
    "blocked": "high",
    "bulk": "low",
    "impersonation": "medium",
    "spoof": "medium",
    "suspicious": "low",
}
_NO_WEIGHT = ("delivered", "auto-reply", "feedback report")
SLOW_SECONDS = 600.0
_STAGE_LAYER = {"before": "routing/connector", "inside": "policy", "after": "downstream/mailbox"}
_STAGE_STEP = {
    "before": "The delay is on the sending side: ask the sender for their outbound log "
    "(queueing, greylisting retries, a throttled relay) for this Message-ID.",
    "inside": "Open the gateway's log entry for this message: a hold for scanning or a "
    "policy that delays delivery shows there with its times.",
    "after": "The gateway handed it on in time: follow it in the downstream system's trace "
    "(e.g. Microsoft 365 message trace) and the mailbox's rules.",
}
_NO_GATEWAY_STEP = (
    "Find the hop with the long wait (key 5 shows the route) and ask whoever runs that "
    "server for its log entry for this Message-ID."
)
_OVERRIDE_STEP = (
    "Find the allow entry, transport rule or safe sender that overrode the verdict, and "
    "decide whether it should."
)
_VERDICT_STEP = (
    "Read which rule or score decided it (key v lists every field). If it is a false "
    "positive, scope any exception to this sender, recipient and verdict, not the domain."
)


def _line(v: VerdictHeader) -> str:
    return printable(f"{v.name}: {v.raw}", 240)


def bounce_findings(sample: Sample) -> list[Finding]:
    """Findings for each failed recipient of a bounce, NDR or report.

    Returns:
        The findings, one per recipient (at most five).
    """
    bounce = parse_bounce(sample)
    if bounce is None:
        return []
    out: list[Finding] = []
    for r in bounce.recipients[:MAX_RECIPIENTS]:
        code = r.code
        severity = "info" if r.category in _NO_WEIGHT else ("high" if r.permanent else "medium")
        where = f" at {r.remote_mta}" if r.remote_mta else ""
        title = f"Bounce{where}: {r.category}" + (f" ({code})" if code else "")
        title += f" for {r.recipient}" if r.recipient else ""
        evidence = r.diagnostic or code or bounce.format
        title, evidence = printable(title, 160), printable(evidence, 240)
        out.append(Finding(r.layer, severity, title, evidence, r.next_step))
    return out


def verdict_findings(sample: Sample) -> list[Finding]:
    """Findings for filter verdicts (spam, phish, bulk...) and Microsoft mailbox placement."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for v in find_verdicts(sample):
        low = v.name.lower()
        if low == "x-microsoft-antispam-mailbox-delivery":
            if "but delivered to the Inbox" in v.meaning:
                title = "Microsoft judged it spam yet put it in the Inbox"
                out.append(Finding("policy", "medium", title, _line(v), _OVERRIDE_STEP))
            elif v.verdict == "junk":
                out.append(
                    Finding(
                        "downstream/mailbox",
                        "medium",
                        "Delivered to Junk Email",
                        _line(v),
                        v.meaning.removeprefix("Microsoft 365: "),
                    )
                )
            continue
        severity = _BAD.get(v.verdict or "")
        if severity is None or (v.vendor, v.verdict or "") in seen:
            continue
        seen.add((v.vendor, v.verdict or ""))
        title = f"{v.vendor} judged it {v.verdict}"
        out.append(Finding("verdict", severity, title, _line(v), _VERDICT_STEP))
    return out


def route_findings(sample: Sample) -> list[Finding]:
    """Findings for a slow route (where the time went) and clock skew."""
    tl = timeline(sample)
    out: list[Finding] = []
    total = tl.total_seconds
    if total is not None and total >= SLOW_SECONDS:
        severity = "info" if tl.sandbox else "medium"
        title = f"Delivery took {round(total / 60)} min"
        if tl.stage is None or tl.gateway is None:
            layer, step = "routing/connector", _NO_GATEWAY_STEP
        else:
            layer, step = _STAGE_LAYER[tl.stage], _STAGE_STEP[tl.stage]
            where = {"before": "before", "inside": "inside", "after": "after"}[tl.stage]
            title += f", mostly {where} the gateway" if tl.stage != "after" else ", after hand-off"
        out.append(Finding(layer, severity, title, printable(tl.verdict, 240), step))
    skewed = [i + 1 for i, s in enumerate(tl.skew) if s]
    if skewed:
        out.append(
            Finding(
                "routing/connector",
                "info",
                f"Clock skew between hops ({', '.join(map(str, skewed[:5]))})",
                "a Received time is earlier than the hop before it",
                "Delays next to these hops are not reliable; compare with the gateway "
                "log's own times.",
            )
        )
    return out
