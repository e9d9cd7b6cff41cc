"""Findings: what the evidence in one sample points at, with a next step for each.

Each finding names the layer it belongs to, how much it matters, the header text
that shows it and what to do next. :func:`likely_layer` weighs them to name the
layer a technician should look at first.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks import psl
from mailtriage.checks.auth.dmarc.evaluate import aligned
from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.findings_layers import bounce_findings, route_findings, verdict_findings
from mailtriage.checks.memo import per_sample
from mailtriage.checks.message.authres import parse_auth_results
from mailtriage.checks.model import AuthMethod, AuthResults, Finding, Sample
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.route.hops import parse_hops
from mailtriage.checks.text import printable
from mailtriage.checks.verdicts import quarantine_signal

SEVERITIES = ("high", "medium", "low", "info")
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


def org_domain(domain: str) -> str:
    """Return the organisational domain of ``domain`` (itself when it has none)."""
    d = domain.strip().strip(".").lower()
    return (psl.org_domain(d) or d) if d else ""


def _line(r: AuthResults) -> str:
    return printable(f"{r.header}: {r.raw}", 240)


def _said(r: AuthResults, m: AuthMethod) -> str:
    return printable(f"{r.authserv_id or r.header}: {m.raw}", 240)


def _auth_findings(sample: Sample, recorded: Sequence[AuthResults]) -> list[Finding]:
    out: list[Finding] = []
    frm = sample.from_domain
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


def _behind_gateway(sample: Sample, recorded: Sequence[AuthResults]) -> Finding | None:
    gw = find_gateway(parse_hops(sample))
    if gw is None or gw[0] == "Microsoft EOP":
        return None
    for r in recorded:
        m = r.method("spf")
        ms = not r.authserv_id or "outlook.com" in r.authserv_id.lower()
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


@per_sample
def findings(sample: Sample) -> tuple[Finding, ...]:
    """List what the sample's headers show, most important first.

    Args:
        sample: A loaded sample.

    Returns:
        The findings, sorted by severity (stable within a severity).
    """
    recorded = parse_auth_results(sample)
    out = _auth_findings(sample, recorded)
    reason = quarantine_signal(sample)
    if reason:
        out.append(
            Finding(
                "quarantine/release",
                "high",
                "A filter held or junked this message",
                printable(reason, 240),
                "Find it in the gateway quarantine or message trace; release it only once "
                "the cause is understood, then trace it again downstream.",
            )
        )
    for extra in (bounce_findings, verdict_findings, route_findings):
        out.extend(extra(sample))
    gateway_note = _behind_gateway(sample, recorded)
    if gateway_note is not None:
        out.append(gateway_note)
    # A bounce or report comes from a mail server, not the sender: no results is normal.
    if not recorded and sample.headers and parse_bounce(sample) is None:
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
    if sample.message_id is None and sample.headers:
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
