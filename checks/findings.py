"""Findings: what the evidence in one sample points at, with a next step for each.

Each finding names the layer it belongs to, how much it matters, the header text
or bounce line that shows it and what to do next: from the recorded
authentication, a quarantine signal, the bounce, the vendor verdicts and the
route. :func:`likely_layer` weighs them to name the layer a technician should
look at first.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks import psl
from mailtriage.checks.auth.dmarc.evaluate import aligned
from mailtriage.checks.bounce.model import Bounce
from mailtriage.checks.model import AuthMethod, AuthResults, Finding
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.route.timeline import Timeline
from mailtriage.checks.text import printable
from mailtriage.checks.vendors import by_key, fact
from mailtriage.checks.verdicts.model import VerdictHeader

SEVERITIES = ("high", "medium", "low", "info")
# Microsoft's own filter, and the domain Microsoft 365 names itself by in an authserv-id.
_MICROSOFT_FILTER = by_key("microsoft-eop").name
_MICROSOFT_AUTHSERV = fact("exchange-online", "domain")

_WEIGHT = {"high": 3, "medium": 2, "low": 1, "info": 0}
# Tie-break: causes before effects.
_LAYER_ORDER = (
    "authentication",
    "policy",
    "verdict",
    "routing/connector",
    "quarantine/release",
    "downstream/mailbox",
)


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
#: How a report that tells of no failure is titled (not "Bounce"); these weigh nothing.
_NOT_FAILURES = {
    "delivered": "Delivery notice: delivered or relayed",
    "auto-reply": "Auto-reply",
    "feedback report": "Feedback report",
}
_NO_WEIGHT = tuple(_NOT_FAILURES)
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


def org_domain(domain: str) -> str:
    """Return the organisational domain of ``domain`` (itself when it has none)."""
    d = domain.strip().strip(".").lower()
    return (psl.org_domain(d) or d) if d else ""


def _line(r: AuthResults) -> str:
    return printable(f"{r.header}: {r.raw}", 240)


def _said(r: AuthResults, m: AuthMethod) -> str:
    return printable(f"{r.authserv_id or r.header}: {m.raw}", 240)


def _auth_findings(frm: str | None, recorded: Sequence[AuthResults]) -> list[Finding]:
    out: list[Finding] = []
    ars = [r for r in recorded if r.header == "Authentication-Results"]
    dmarc = next((r for r in ars if (m := r.method("dmarc")) and m.result == "fail"), None)
    if dmarc is not None:
        out.append(
            Finding(
                "authentication",
                "high",
                f"DMARC failed for {frm or 'the From domain'}",
                _said(dmarc, dmarc.method("dmarc")),  # type: ignore[arg-type]
                "Have the sender sign with their own domain (DKIM d=) or use an aligned "
                "envelope sender on that platform; do not allowlist the whole domain.",
            )
        )
    spf = [(r, m) for r in ars for m in r.methods if m.method == "spf" and m.result == "pass"]
    # No DMARC record is at hand here: aligned() defaults to relaxed alignment.
    bad_spf = [
        (r, m) for r, m in spf if not aligned((_mailfrom(m) or "").rpartition("@")[2], frm)
    ]
    if frm and bad_spf and len(bad_spf) == len(spf):
        r, m = bad_spf[0]
        out.append(
            Finding(
                "authentication",
                "medium",
                f"SPF passed for {_mailfrom(m) or 'another domain'}, not {frm}",
                _said(r, m),
                "SPF only counts for DMARC when the envelope domain matches From: ask the "
                "platform for a custom bounce domain under the sender's domain.",
            )
        )
    dkim = [(r, m) for r in ars for m in r.methods if m.method == "dkim" and m.result == "pass"]
    if frm and dkim and not any(aligned(_dkim_domain(m), frm) for _, m in dkim):
        r, m = dkim[0]
        out.append(
            Finding(
                "authentication",
                "medium",
                f"DKIM passed for d={_dkim_domain(m) or '?'}, not {frm}",
                _said(r, m),
                "Ask the sender to publish the platform's DKIM key under their own domain "
                "so the signature aligns with From.",
            )
        )
    comp = next((r for r in ars if (m := r.method("compauth")) and m.result == "fail"), None)
    if comp is not None:
        out.append(
            Finding(
                "authentication",
                "medium",
                "Microsoft composite authentication failed",
                _line(comp),
                "Check the sender's SPF, DKIM and DMARC for this source before any override.",
            )
        )
    return out


def _mailfrom(m: AuthMethod) -> str | None:
    return m.prop("smtp.mailfrom") or m.prop("envelope-from")


def _dkim_domain(m: AuthMethod) -> str | None:
    d = m.prop("header.d")
    if d:
        return d
    i = m.prop("header.i")
    return i.rpartition("@")[2] if i else None


def _behind_gateway(hops: Sequence[Hop], recorded: Sequence[AuthResults]) -> Finding | None:
    gw = find_gateway(hops)
    if gw is None or gw[0] == _MICROSOFT_FILTER:
        return None
    for r in recorded:
        m = r.method("spf")
        ms = not r.authserv_id or _MICROSOFT_AUTHSERV in r.authserv_id.lower()
        if r.header == "Authentication-Results" and ms and m and m.result in ("fail", "softfail"):
            return Finding(
                "routing/connector",
                "info",
                f"Microsoft 365 checked SPF against {gw[0]}, not the sender",
                _line(r),
                "Expected behind a gateway; turn on Enhanced Filtering for the inbound "
                "connector so Microsoft sees the original sending IP.",
            )
    return None


def findings(
    *,
    from_domain: str | None,
    message_id: str | None,
    has_headers: bool,
    recorded: Sequence[AuthResults],
    hops: Sequence[Hop],
    verdicts: Sequence[VerdictHeader],
    quarantine: str | None,
    bounce: Bounce | None,
    timeline: Timeline,
) -> tuple[Finding, ...]:
    """List what the parsed parts of one sample show, most important first.

    Each argument is what an earlier stage of
    :func:`~mailtriage.checks.analysis.analyse` produced; nothing here reads the
    raw sample again.

    Args:
        from_domain: The From header's domain.
        message_id: The Message-ID, or ``None`` when missing or empty.
        has_headers: Whether the sample had any header fields at all.
        recorded: Recorded authentication headers, topmost first.
        hops: Received hops, oldest first.
        verdicts: Decoded gateway and filter verdict headers.
        quarantine: The plain reason a filter held or junked it, if a header says so.
        bounce: The parsed bounce, NDR or report, or ``None`` for ordinary mail.
        timeline: Hop delays and where the time went.

    Returns:
        The findings, sorted by severity (stable within a severity).
    """
    out = _auth_findings(from_domain, recorded)
    if quarantine:
        out.append(
            Finding(
                "quarantine/release",
                "high",
                "A filter held or junked this message",
                printable(quarantine, 240),
                "Find it in the gateway quarantine or message trace; release it only once "
                "the cause is understood, then trace it again downstream.",
            )
        )
    out.extend(bounce_findings(bounce))
    out.extend(verdict_findings(verdicts))
    out.extend(route_findings(timeline))
    gateway_note = _behind_gateway(hops, recorded)
    if gateway_note is not None:
        out.append(gateway_note)
    # A bounce or report comes from a mail server, not the sender: no results is normal.
    if not recorded and has_headers and bounce is None:
        out.append(
            Finding(
                "authentication",
                "medium",
                "No recorded authentication results",
                "no Authentication-Results, ARC-Authentication-Results or Received-SPF header",
                "Get the headers as the receiving side saw them (mailbox or gateway copy), "
                "not the sender's Sent Items copy.",
            )
        )
    if message_id is None and has_headers:
        out.append(
            Finding(
                "verdict",
                "low",
                "No Message-ID",
                "the Message-ID header is missing or empty",
                "Trace by sender, recipient and time instead; some filters score this.",
            )
        )
    return tuple(sorted(out, key=lambda f: SEVERITIES.index(f.severity)))


def likely_layer(found: Sequence[Finding]) -> str | None:
    """Name the layer the findings point at most strongly.

    Args:
        found: Findings, e.g. from :func:`findings`.

    Returns:
        The layer with the highest severity weight (ties: causes before effects),
        or ``None`` when there is nothing above ``info``.
    """
    score: dict[str, int] = {}
    for f in found:
        score[f.layer] = score.get(f.layer, 0) + _WEIGHT.get(f.severity, 0)
    best = max(score.values(), default=0)
    if best <= 0:
        return None
    top = [layer for layer, n in score.items() if n == best]
    return min(top, key=lambda x: _LAYER_ORDER.index(x) if x in _LAYER_ORDER else 99)


def _verdict_line(v: VerdictHeader) -> str:
    return printable(f"{v.name}: {v.raw}", 240)


def bounce_findings(bounce: Bounce | None) -> list[Finding]:
    """Findings for each failed recipient of a bounce, NDR or report.

    Returns:
        The findings, one per recipient (at most five).
    """
    if bounce is None:
        return []
    out: list[Finding] = []
    for r in bounce.recipients[:MAX_RECIPIENTS]:
        code = r.code
        severity = "info" if r.category in _NO_WEIGHT else ("high" if r.permanent else "medium")
        where = f" at {r.remote_mta}" if r.remote_mta else ""
        if r.category in _NOT_FAILURES:  # RFC 3464 delivered/relayed, ARF, auto-replies
            title = f"{_NOT_FAILURES[r.category]}{where}" + (f" ({code})" if code else "")
        else:
            title = f"Bounce{where}: {r.category}" + (f" ({code})" if code else "")
        title += f" for {r.recipient}" if r.recipient else ""
        evidence = r.diagnostic or code or bounce.format
        title, evidence = printable(title, 160), printable(evidence, 240)
        out.append(Finding(r.layer, severity, title, evidence, r.next_step))
    return out


def verdict_findings(verdicts: Sequence[VerdictHeader]) -> list[Finding]:
    """Findings for filter verdicts (spam, phish, bulk...) and Microsoft mailbox placement."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for v in verdicts:
        low = v.name.lower()
        if low == "x-microsoft-antispam-mailbox-delivery":
            if "but delivered to the Inbox" in v.meaning:
                title = "Microsoft judged it spam yet put it in the Inbox"
                out.append(Finding("policy", "medium", title, _verdict_line(v), _OVERRIDE_STEP))
            elif v.verdict == "junk":
                out.append(
                    Finding(
                        "downstream/mailbox",
                        "medium",
                        "Delivered to Junk Email",
                        _verdict_line(v),
                        v.meaning.removeprefix("Microsoft 365: "),
                    )
                )
            continue
        severity = _BAD.get(v.verdict or "")
        if severity is None or (v.vendor, v.verdict or "") in seen:
            continue
        seen.add((v.vendor, v.verdict or ""))
        title = f"{v.vendor} judged it {v.verdict}"
        out.append(Finding("verdict", severity, title, _verdict_line(v), _VERDICT_STEP))
    return out


def route_findings(tl: Timeline) -> list[Finding]:
    """Findings for a slow route (where the time went) and clock skew."""
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
