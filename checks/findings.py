"""Findings: what the evidence in one sample points at, with a next step for each.

Each finding names the layer it belongs to, how much it matters, the header text
or bounce line that shows it and what to do next: from the recorded
authentication, a quarantine signal, the bounce, the vendor verdicts and the
route. :func:`likely_layer` weighs them to name the layer a technician should
look at first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailtriage.checks import psl
from mailtriage.checks.auth.dmarc.align import aligned
from mailtriage.checks.bounce.categories import NOT_FAILURES
from mailtriage.checks.message.addresses import rewritten_sender
from mailtriage.checks.message.authres import boundary
from mailtriage.checks.model import LAYER_PRECEDENCE, AuthMethod, AuthResults, Finding
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.route.release import Reinjection, reinjection
from mailtriage.checks.route.timeline import Timeline
from mailtriage.checks.text import duration, printable
from mailtriage.checks.vendors import by_key, fact, with_role
from mailtriage.checks.verdicts import DEST, microsoft_cip, microsoft_mailbox, quarantine_source
from mailtriage.checks.verdicts.microsoft import FOREFRONT, MAILBOX, ORG_SCL, topmost
from mailtriage.checks.verdicts.microsoft_codes import BYPASS_SFV, FILTER_SKIPPED_SFV, SPAM_SFV
from mailtriage.checks.verdicts.model import VerdictHeader

if TYPE_CHECKING:  # a parsed bounce's types load with the bounce parser, for bounces only
    from mailtriage.checks.bounce.model import Bounce

SEVERITIES = ("high", "medium", "low", "info")
# Microsoft's own filter, and the domain Microsoft 365 names itself by in an authserv-id.
_MICROSOFT_FILTER = by_key("microsoft-eop").name
_MICROSOFT_AUTHSERV = fact("exchange-online", "domain")

_WEIGHT = {"high": 3, "medium": 2, "low": 1, "info": 0}


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
#: How a report that tells of no failure (bounce.model.NOT_FAILURES) is titled, not
#: "Bounce"; these weigh nothing.
NOT_FAILURE_TITLES = {
    "delivered": "Delivery notice: delivered or relayed",
    "auto-reply": "Auto-reply",
    "feedback report": "Feedback report",
}
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


# Third-party filtering gateways (not Microsoft's or Google's own tiers).
_GATEWAYS = frozenset(v.name for v in with_role("gateway")) - {_MICROSOFT_FILTER}
# The names verdict decoders give those products ("Proofpoint", "Cisco"...): product or company.
_GATEWAY_VENDORS = frozenset(
    x for v in with_role("gateway") for x in (v.name, v.company, v.name.split()[0])
) - {"Microsoft"}
_FF, _BOX, _ORG_SCL = FOREFRONT, MAILBOX, ORG_SCL
# Spam marks a rule or a list set before the filter ran: the admin's (SKS, SKB), the user's (BLK).
_LISTED = FILTER_SKIPPED_SFV - BYPASS_SFV
_RULES = "x-ms-exchange-organization-rules-execution-history"
_SENDER_IP = re.compile(r"sender ip is \[?([0-9a-f:.]+)\]?", re.I)
HELD_SECONDS = 300.0  # a wait inside a gateway this long before a hand-off reads as a hold


@dataclass(frozen=True)
class Fate:
    """What the headers show happened to the message after the boundary.

    Attributes:
        delivered: ``True`` when a mailbox filed it or a system after the gateway
            received it; ``False`` when the route ends at the gateway (or at a
            re-injection nothing followed); ``None`` when the headers cannot tell.
        folder: Microsoft's mailbox folder code (``dest``: ``"I"``, ``"J"``, ``"C"``), or ``""``.
        sfv: Microsoft's ``SFV`` code (upper case), or ``""``.
        reinjection: A gateway's re-injection hop (a release), or ``None``.
        at_gateway: The route ends at a third-party gateway: no hop after it.
        held_by: The third-party gateway whose verdict header says it held the
            message (its quarantine signal), or ``""``.
        held_then_passed: That gateway kept it a while (``HELD_SECONDS`` or more) and
            then handed it on: a release or re-delivery, even without a re-injection hop.
    """

    delivered: bool | None
    folder: str
    sfv: str
    reinjection: Reinjection | None
    at_gateway: bool
    held_by: str = ""
    held_then_passed: bool = False

    @property
    def released(self) -> bool:
        """Whether a release shows: ``SFV:SKQ``, a re-injection, or a hold then a hand-off."""
        return self.sfv == "SKQ" or self.reinjection is not None or self.held_then_passed


def _microsoft_spam(verdicts: Sequence[VerdictHeader]) -> bool:
    """Microsoft's own filter (not a rule or list) called it spam, phish or malware."""
    ff = topmost(verdicts, _FF)
    _, scl = microsoft_mailbox(verdicts)
    sfv = (ff.get("SFV") or "").upper() if ff else ""
    if sfv in _LISTED or sfv == "SKQ":
        return False
    word = ff.verdict if ff else None
    return sfv in SPAM_SFV or (scl is not None and scl >= 5) or word in ("phish", "malware")


def fate(hops: Sequence[Hop], tl: Timeline, verdicts: Sequence[VerdictHeader]) -> Fate:
    """Read from the route and the verdict headers whether the message was delivered.

    A message Microsoft filed in a folder (Inbox, Junk Email, a custom folder)
    was delivered, whatever the filter thought of it. A route that ends at a
    third-party gateway, or at a re-injection no other system followed, was not
    delivered as far as the headers show.

    Args:
        hops: Received hops, oldest first.
        tl: The timeline built from those hops.
        verdicts: The decoded verdict headers.
    """
    folder, _ = microsoft_mailbox(verdicts)
    ff = topmost(verdicts, _FF)
    sfv = (ff.get("SFV") or "").upper() if ff else ""
    again = reinjection(hops, tl.systems)
    at_gateway = (
        tl.gateway in _GATEWAYS
        and tl.gateway_index is not None
        and tl.handoff_index is None
        and again is None
    )
    delivered: bool | None
    if folder:
        delivered = True
    elif again is not None:
        delivered = again.handed_on
    elif at_gateway:
        delivered = False
    elif ff is not None and (_microsoft_spam(verdicts) or sfv in _LISTED):
        delivered = None  # Junk or quarantine: the policy action decides, no folder recorded
    else:
        delivered = True if hops else None
    source = _gateway_signal(verdicts)
    held_by = source[0].vendor if source is not None else ""
    passed = (
        bool(held_by)
        and delivered is True
        and tl.handoff_index is not None
        and (tl.inside_seconds or 0.0) >= HELD_SECONDS
    )
    return Fate(delivered, folder.upper(), sfv, again, at_gateway, held_by, passed)


def _gateway_signal(verdicts: Sequence[VerdictHeader]) -> tuple[VerdictHeader, str] | None:
    """The topmost quarantine signal a third-party gateway's header gives (not Microsoft's)."""
    for v in verdicts:
        if v.vendor not in _GATEWAY_VENDORS:
            continue
        if (source := quarantine_source((v,))) is not None:
            return source
    return None


def _auth_findings(
    frm: str | None, recorded: Sequence[AuthResults], behind: bool = False
) -> list[Finding]:
    """Authentication findings; ``behind``: Microsoft judged the gateway's IP, so its
    own results are a routing fact (see :func:`judged_by_gateway_ip`), left out here."""
    out: list[Finding] = []
    ars = [
        r
        for r in recorded
        if r.header == "Authentication-Results" and not (behind and _is_microsoft(r))
    ]
    dmarc = next((r for r in ars if (m := r.method("dmarc")) and m.result == "fail"), None)
    if dmarc is not None:
        out.append(_dmarc_finding(frm, dmarc, recorded))
    spf = [(r, m) for r in ars for m in r.methods if m.method == "spf" and m.result == "pass"]
    # No DMARC record is at hand here: aligned() defaults to relaxed alignment.
    bad_spf = [(r, m) for r, m in spf if not aligned(_envelope_domain(m), frm)]
    if frm and bad_spf and len(bad_spf) == len(spf):
        r, m = bad_spf[0]
        out.append(_spf_other_domain(frm, r, m))
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


def _spf_other_domain(frm: str, r: AuthResults, m: AuthMethod) -> Finding:
    rw = rewritten_sender(_mailfrom(m))
    if rw is not None and rw.kind == "SRS":
        return Finding(
            "authentication",
            "low",
            f"Forwarded: {rw.via} rewrote the envelope sender (SRS) of a sender at {rw.domain}",
            _said(r, m),
            "After a forward SPF names the forwarder, not the sender, so it cannot align "
            f"with {frm}; DMARC rests on the sender's DKIM signature surviving the forward "
            "(or the forwarder's ARC seal). The sender's SPF record is not the problem.",
        )
    shown = rw.address if rw is not None else (_mailfrom(m) or "another domain")
    return Finding(
        "authentication",
        "medium",
        f"SPF passed for {shown}, not {frm}",
        _said(r, m),
        "SPF only counts for DMARC when the envelope domain matches From: ask the "
        "platform for a custom bounce domain under the sender's domain.",
    )


def _envelope_domain(m: AuthMethod) -> str:
    """The domain SPF checked (the envelope sender's; for SRS that is the forwarder's)."""
    addr = _mailfrom(m) or ""
    return addr.rpartition("@")[2].strip().rstrip(".").lower()


def _arc_upstream(recorded: Sequence[AuthResults]) -> tuple[str, str] | None:
    """``(sealer, results)`` when an ARC chain this receiver validated shows an upstream pass.

    The receiver records ``arc=pass`` once the chain's seals (``cv=pass``) verify;
    the ARC-Authentication-Results of the earliest instance written by another
    system (a list or forwarder) then say what that system saw on arrival (RFC 8617
    section 4.1.1).
    """
    ars = [r for r in recorded if r.header == "Authentication-Results"]
    if not any((m := r.method("arc")) and m.result == "pass" for r in ars):
        return None
    own = {r.authserv_id.lower() for r in ars}
    aars = sorted(
        (r for r in recorded
         if r.header == "ARC-Authentication-Results" and r.authserv_id.lower() not in own),
        key=lambda r: r.instance or 0,
    )  # fmt: skip
    for r in aars:
        passed = [
            m for m in r.methods if m.method in ("dmarc", "dkim", "spf") and m.result == "pass"
        ]
        if passed:
            said = ", ".join(f"{m.method}=pass" for m in passed)
            return r.authserv_id or f"ARC i={r.instance}", f"i={r.instance}: {said}"
    return None


def _dmarc_finding(frm: str | None, r: AuthResults, recorded: Sequence[AuthResults]) -> Finding:
    """The DMARC failure, saying which identifier failed to align and under which mode."""
    m = r.method("dmarc")
    assert m is not None
    pol = frm or m.prop("header.from") or ""
    shown = pol or "the From domain"
    spf = [x for x in r.methods if x.method == "spf"]
    dkim = [x for x in r.methods if x.method == "dkim"]
    spf_ok = [_envelope_domain(x) for x in spf if x.result == "pass" and _envelope_domain(x)]
    dkim_ok = [d for x in dkim if x.result == "pass" and (d := _dkim_domain(x))]
    srs = [rw for x in spf if (rw := rewritten_sender(_mailfrom(x))) and rw.kind == "SRS"]
    strict_spf = [d for d in spf_ok if aligned(d, pol, "r") and not aligned(d, pol, "s")]
    strict_dkim = [d for d in dkim_ok if aligned(d, pol, "r") and not aligned(d, pol, "s")]
    exact = [f"SPF {d}" for d in spf_ok if aligned(d, pol, "s")] + [
        f"DKIM d={d}" for d in dkim_ok if aligned(d, pol, "s")
    ]
    if exact:
        title = (
            f"DMARC failed for {shown}, yet {exact[0]} passed and aligns in any mode: "
            "the recorded results disagree"
        )
        step = (
            "The receiver's own results contradict each other: find which SPF or DKIM "
            "result its DMARC check used (a signature broken after this check, a result "
            "from another hop) before anyone changes the sender's DNS."
        )
    elif strict_spf or strict_dkim:
        which, tag, dom = ("SPF", "aspf", strict_spf[0]) if strict_spf else (
            "DKIM", "adkim", f"d={strict_dkim[0]}")  # fmt: skip
        title = (
            f"DMARC failed for {shown}: {which} passed for {dom}, a subdomain that aligns "
            f"only in relaxed mode, so the record sets strict {tag}=s"
        )
        step = (
            f"Strict alignment ({tag}=s) needs the exact From domain, not a subdomain. "
            f"Have the sender use {shown} itself as the {'envelope' if which == 'SPF' else 'd='} "
            f"domain, or relax the record to {tag}=r if its owner agrees; a third-party "
            "signature is not the issue here."
        )
    elif srs and not any(aligned(d, pol) for d in dkim_ok):
        rw = srs[0]
        title = (
            f"DMARC failed for {shown}: forwarded by {rw.via} (SRS for {rw.domain}), so SPF "
            "names the forwarder and no aligned DKIM signature survived"
        )
        step = _FORWARD_STEP
    elif spf_ok or dkim_ok:
        names = [f"SPF {d}" for d in spf_ok[:1]] + [f"DKIM d={d}" for d in dkim_ok[:1]]
        title = (
            f"DMARC failed for {shown}: only another domain passed ({', '.join(names)}), "
            "not aligned even in relaxed mode"
        )
        step = (
            "Have the sender sign with their own domain (DKIM d=) or use an aligned "
            "envelope sender on that platform; do not allowlist the whole domain."
        )
    else:
        said = f"SPF {_results(spf)}, DKIM {_results(dkim)}"
        title = f"DMARC failed for {shown}: neither SPF nor DKIM passed ({said})"
        step = (
            "Find the system that sent it (the connecting IP) and have the sender add it "
            f"to the SPF record of {shown} or sign its mail with DKIM for that domain; do "
            "not allowlist the whole domain."
        )
    severity = "high"
    upstream = _arc_upstream(recorded)
    if upstream is not None:
        sealer, said = upstream
        title += f"; ARC shows it passed upstream at {sealer}"
        step = (
            f"The message was forwarded: {sealer} recorded {said} in an ARC chain this "
            "receiver validated (arc=pass), so it passed before the forward. Trust that "
            "sealer (e.g. Microsoft 365 trusted ARC sealers) or fix the forwarder, rather "
            "than changing the sender's DNS."
        )
        severity = "medium"
    return Finding("authentication", severity, printable(title, 200), _said(r, m), step)


_FORWARD_STEP = (
    "Forwarded mail cannot pass SPF alignment; DMARC needs the sender's DKIM signature "
    "intact. Ask the forwarder not to modify the message (subject tags, footers), or "
    "trust its ARC seal."
)


def _results(methods: Sequence[AuthMethod]) -> str:
    return "/".join(dict.fromkeys(m.result for m in methods)) or "not recorded"


def _line(r: AuthResults) -> str:
    return printable(f"{r.header}: {r.raw}", 240)


def _said(r: AuthResults, m: AuthMethod) -> str:
    return printable(f"{r.authserv_id or r.header}: {m.raw}", 240)


def _mailfrom(m: AuthMethod) -> str | None:
    return m.prop("smtp.mailfrom") or m.prop("envelope-from")


def _dkim_domain(m: AuthMethod) -> str | None:
    d = m.prop("header.d")
    if d:
        return d
    i = m.prop("header.i")
    return i.rpartition("@")[2] if i else None


def _is_microsoft(r: AuthResults) -> bool:
    return not r.authserv_id or _MICROSOFT_AUTHSERV in r.authserv_id.lower()


def microsoft_checked_ip(
    recorded: Sequence[AuthResults], verdicts: Sequence[VerdictHeader]
) -> tuple[str, str] | None:
    """The IP Microsoft 365 judged the message by, and the header line that says so.

    Read from Microsoft's Authentication-Results (``spf=... (sender IP is X)``),
    else its Received-SPF ``client-ip``, else ``CIP:`` in X-Forefront-Antispam-Report.

    Returns:
        ``(ip, evidence line)`` or ``None`` when no Microsoft header names it.
    """
    for r in recorded:
        spf = r.method("spf")
        ours = r.header == "Authentication-Results" and _is_microsoft(r)
        if ours and spf is not None and (hit := _SENDER_IP.search(spf.raw or r.raw)):
            return hit.group(1), _line(r)
    for r in recorded:
        spf = r.method("spf")
        ours = r.header == "Received-SPF" and _MICROSOFT_AUTHSERV in r.raw.lower()
        if ours and spf is not None and (ip := spf.prop("client-ip")):
            return ip, _line(r)
    ff = topmost(verdicts, _FF)
    cips = microsoft_cip(verdicts)
    if ff is not None and cips:
        return cips[0], _verdict_line(ff)
    return None


def gateway_handoff(hops: Sequence[Hop], tl: Timeline) -> Hop | None:
    """The hop where the next system received the message from a third-party gateway.

    Its ``from_ip`` is the gateway's own sending IP: what a system behind the
    gateway sees unless it looks past it (Enhanced Filtering for Connectors).
    """
    if tl.gateway not in _GATEWAYS or tl.handoff_index is None:
        return None
    hop = hops[tl.handoff_index]
    return hop if hop.from_ip else None


def judged_by_gateway_ip(
    hops: Sequence[Hop],
    recorded: Sequence[AuthResults],
    verdicts: Sequence[VerdictHeader],
    tl: Timeline,
) -> tuple[str, str, str] | None:
    """``(gateway, ip, evidence line)`` when Microsoft 365 judged the message by the
    IP of the gateway that handed it over, else ``None``.

    Only the evidence decides: the IP Microsoft recorded (:func:`microsoft_checked_ip`)
    must be the ``from`` IP of the hop where Microsoft received it from a
    third-party gateway (:func:`gateway_handoff`). Behind a gateway with Enhanced
    Filtering for Connectors, Microsoft records the original sender's IP instead.
    """
    handoff = gateway_handoff(hops, tl)
    checked = microsoft_checked_ip(recorded, verdicts)
    if handoff is None or checked is None or checked[0] != handoff.from_ip:
        return None
    return tl.gateway or "the gateway", checked[0], checked[1]


def _behind_gateway(
    judged: tuple[str, str, str] | None, recorded: Sequence[AuthResults]
) -> Finding | None:
    """Microsoft checked SPF against the gateway's IP: only when the IPs show it."""
    if judged is None:
        return None
    mine = [r for r in recorded if r.header == "Authentication-Results" and _is_microsoft(r)]

    def failed(method: str) -> bool:
        return any((m := r.method(method)) is not None and m.result in _FAILED for r in mine)

    if not failed("spf"):
        return None
    gw, ip, line = judged
    step = (
        "Expected behind a gateway without Enhanced Filtering: add the gateway's IPs to "
        "Enhanced Filtering for Connectors on the inbound connector so Microsoft sees "
        "the original sending IP."
    )
    edge = boundary(recorded)
    edge_dmarc = edge.method("dmarc") if edge is not None and not _is_microsoft(edge) else None
    if failed("dmarc") or failed("compauth"):
        passed = (
            f"; {gw} recorded dmarc=pass at the boundary"
            if edge_dmarc is not None and edge_dmarc.result == "pass"
            else ""
        )
        return Finding(
            "routing/connector",
            "high",
            printable(
                f"Microsoft 365 failed SPF and DMARC against {gw}'s IP {ip}, not the "
                f"sender's{passed}",
                200,
            ),
            printable(f"{gw} handed it over from {ip}; {line}", 240),
            step + " Its DMARC or composite authentication failure follows from that, "
            "not from the sender's records.",
        )
    return Finding(
        "routing/connector",
        "info",
        f"Microsoft 365 checked SPF against {gw}'s IP {ip}, not the sender's",
        printable(f"{gw} handed it over from {ip}; {line}", 240),
        step,
    )


_FAILED = ("fail", "softfail")


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
    what = fate(hops, timeline, verdicts)
    judged = judged_by_gateway_ip(hops, recorded, verdicts, timeline)
    out = _auth_findings(from_domain, recorded, behind=judged is not None)
    out.extend(placement_findings(verdicts, what, timeline, hops))
    out.extend(bounce_findings(bounce))
    out.extend(verdict_findings(verdicts))
    out.extend(route_findings(timeline, what))
    gateway_note = _behind_gateway(judged, recorded)
    if gateway_note is not None:
        out.append(gateway_note)
    # A bounce or report comes from a mail server, not the sender: no results is normal.
    if not recorded and has_headers and bounce is None:
        out.append(_not_recorded(what))
    if message_id is None and has_headers:
        out.append(
            # A fact for tracing, not a cause: it weighs nothing toward the likely layer.
            Finding(
                "verdict",
                "info",
                "No Message-ID",
                "the Message-ID header is missing or empty",
                "Trace by sender, recipient and time instead; some filters score this.",
            )
        )
    return tuple(sorted(out, key=lambda f: SEVERITIES.index(f.severity)))


def _not_recorded(what: Fate) -> Finding:
    """No recorded results: authentication is not recorded, which is not a failure."""
    evidence = "no Authentication-Results, ARC-Authentication-Results or Received-SPF header"
    if what.delivered:
        return Finding(
            "authentication",
            "info",
            "Authentication not recorded in this copy",
            evidence,
            "Nothing here says authentication failed: the copy was delivered without the "
            "receiver's results. Get the recipient's mailbox copy if authentication matters.",
        )
    return Finding(
        "authentication",
        "medium",
        "Authentication not recorded",
        evidence,
        "Get the headers as the receiving side saw them (mailbox or gateway copy), "
        "not the sender's Sent Items copy.",
    )


def placement_findings(
    verdicts: Sequence[VerdictHeader], what: Fate, tl: Timeline, hops: Sequence[Hop] = ()
) -> list[Finding]:
    """Where the message went: held, released, filed in Junk or a folder, and by whom.

    Microsoft's filter putting a message in Junk Email (a verdict), a rule or list
    marking it (policy), the mailbox moving it (downstream) and a gateway holding
    it (quarantine) are different facts: a message in Junk Email was delivered and
    is never called quarantined.

    Args:
        verdicts: The decoded verdict headers.
        what: What the route shows happened (:func:`fate`).
        tl: The timeline (for the time a hold took).
        hops: Received hops, oldest first (a re-injection hop is shown as evidence).
    """
    out = _microsoft_placement(verdicts, what)
    out.extend(_gateway_hold(verdicts, what, tl, hops))
    return out


def _microsoft_placement(verdicts: Sequence[VerdictHeader], what: Fate) -> list[Finding]:
    out: list[Finding] = []
    ff, box = topmost(verdicts, _FF), topmost(verdicts, _BOX)
    where = DEST.get(what.folder, f"folder {what.folder}") if what.folder else ""
    placed = f"delivered to {where}" if where else "no mailbox placement recorded"
    if ff is not None and what.sfv in ("SKS", "SKB"):
        rules = topmost(verdicts, _RULES)
        evidence = _verdict_line(ff)
        if what.sfv == "SKS":
            title = f"A mail flow rule marked it spam before filtering (SFV:SKS); {placed}"
            step = (
                "Open the mail flow rules that acted on it (Exchange admin center > Mail flow > "
                "Rules; the rule IDs are in X-MS-Exchange-Organization-Rules-Execution-History) "
                "and narrow the one that sets the SCL, rather than allowlisting the sender."
            )
            if rules is not None:
                evidence = printable(f"{_verdict_line(rules)} | {ff.name}: {ff.raw}", 240)
        else:
            title = f"A blocked senders or domains list marked it spam (SFV:SKB); {placed}"
            step = (
                "Check the Tenant Allow/Block List and the recipient's blocked senders for this "
                "sender or domain, and remove the entry if it is wrong."
            )
        out.append(Finding("policy", "high", title, evidence, step))
        return out
    if ff is not None and what.sfv == "BLK":
        out.append(
            Finding(
                "downstream/mailbox",
                "medium",
                f"The recipient's Blocked Senders list junked it (SFV:BLK); {placed}",
                _verdict_line(box if box is not None else ff),
                "Remove the sender from that user's Blocked Senders (Outlook junk settings) if "
                "the mail is wanted; nothing is held, and the filter did not judge it.",
            )
        )
        return out
    if ff is not None and what.sfv == "SKQ":
        title = "Released from the Microsoft 365 quarantine" + (
            f", then {placed}" if where else "; no mailbox placement recorded after it"
        )
        step = (
            "It was held, then released by an admin or the user: find who released it and "
            "why it was held (the quarantine's details) before allowing more like it."
            if where
            else "Run a message trace from the release time to see whether it reached the mailbox."
        )
        out.append(Finding("quarantine/release", "info" if where else "medium", title,
                           _verdict_line(ff), step))  # fmt: skip
        return out
    spam = _microsoft_spam(verdicts)
    if box is not None and what.folder:
        line = _verdict_line(box)
        if what.folder == "I" and spam:
            title = "Microsoft judged it spam yet put it in the Inbox"
            out.append(Finding("policy", "medium", title, line, _OVERRIDE_STEP))
        elif what.folder == "J" and spam:
            out.append(
                Finding(
                    "verdict",
                    "medium",
                    "Microsoft's filter sent it to Junk Email (delivered, not quarantined)",
                    line,
                    "It was delivered: the user finds it in Junk Email, nothing needs releasing. "
                    "If it is a false positive, submit it to Microsoft and read which verdict "
                    "decided it (key v).",
                )
            )
        elif what.folder == "J":
            out.append(
                Finding(
                    "downstream/mailbox",
                    "medium",
                    "The mailbox moved it to Junk Email; the filter did not call it spam",
                    line,
                    printable(box.meaning.removeprefix("Microsoft 365: ").capitalize(), 160)
                    + ". Check that user's blocked senders, the safe-lists-only option and "
                    "inbox rules; nothing needs releasing.",
                )
            )
        elif what.folder != "I":
            out.append(
                Finding(
                    "downstream/mailbox",
                    "medium",
                    f"Delivered, then filed in a {where} by a mailbox rule",
                    line,
                    "Check the user's inbox rules (and any transport rule that sets a folder); "
                    "the message is in the mailbox, not held.",
                )
            )
        return out
    if ff is not None and spam and not what.folder:
        out.append(
            Finding(
                "quarantine/release",
                "medium",
                "Microsoft marked it spam and no mailbox placement is recorded",
                _verdict_line(ff),
                "The anti-spam policy's action decides between Junk Email and quarantine: "
                "search the Microsoft 365 quarantine by Message-ID; if it is not there, "
                "look in the recipient's Junk Email folder.",
            )
        )
    return out


def _gateway_hold(
    verdicts: Sequence[VerdictHeader], what: Fate, tl: Timeline, hops: Sequence[Hop]
) -> list[Finding]:
    """A third-party gateway's hold, release (re-injection) and hand-off."""
    held = _gateway_signal(verdicts)
    again = what.reinjection
    gw = tl.gateway or (held[0].vendor if held else "the gateway")
    if again is not None:
        hold = f"{held[1]}; " if held else ""
        if again.index < len(hops):
            hold = f"Received: {hops[again.index].raw} | {hold}"
        if again.handed_on:
            nxt = again.next_system or "the next server"
            title = (
                f"Released from {again.vendor}'s quarantine and handed on to {nxt}"
                if held
                else f"Re-injected by {again.vendor} (as a release does) and handed on to {nxt}"
            )
            return [
                Finding(
                    "quarantine/release",
                    "info",
                    printable(title, 160),
                    printable(hold.rstrip("; ") or f"re-injected at hop {again.index + 1}", 240),
                    "Delivered after the release: if it is still missing, trace it downstream "
                    "(message trace, mailbox rules) from the release time.",
                )
            ]
        return [
            Finding(
                "quarantine/release",
                "high",
                f"{'Released' if held else 'Re-injected'} by {again.vendor}, but no later hop: "
                "not handed on after it",
                printable(f"{hold}no hop after it", 240),
                f"Check {again.vendor}'s release log and delivery queue for this message, then "
                "run a message trace downstream from the release time; check the connector "
                "released mail is re-sent through.",
            )
        ]
    if held is None:
        if what.at_gateway and tl.gateway_index is not None:
            return [
                Finding(
                    "quarantine/release",
                    "info",
                    f"The route ends at {gw}: no hand-off to the mailbox shows",
                    printable(f"Received: {hops[-1].raw}", 240) if hops else "",
                    f"Look the message up in {gw}'s log or held queue: it shows whether it is "
                    "held by a policy, queued for delivery or bounced.",
                )
            ]
        return []
    if what.at_gateway or not tl.systems:
        return [
            Finding(
                "quarantine/release",
                "high",
                printable(f"Held by {held[0].vendor}: no hop after the gateway", 160),
                printable(held[1], 240),
                "Find it in the gateway quarantine or message log; release it only once "
                "the cause is understood, then trace it again downstream.",
            )
        ]
    if what.held_then_passed and tl.handoff_index is not None:
        nxt = tl.systems[tl.handoff_index] or "the next server"
        took = duration(tl.inside_seconds or 0.0)
        return [
            Finding(
                "quarantine/release",
                "info",
                printable(f"Held by {gw} for {took}, then handed on to {nxt}", 160),
                printable(held[1], 240),
                "A hold that ended in a hand-off is usually a release (or a re-delivery): "
                "check the gateway's log for who released it.",
            )
        ]
    return []


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
    return min(top, key=lambda x: LAYER_PRECEDENCE.index(x) if x in LAYER_PRECEDENCE else 99)


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
        severity = "info" if r.category in NOT_FAILURES else ("high" if r.permanent else "medium")
        where = f" at {r.remote_mta}" if r.remote_mta else ""
        if r.category in NOT_FAILURES:  # RFC 3464 delivered/relayed, ARF, auto-replies
            title = f"{NOT_FAILURE_TITLES[r.category]}{where}" + (f" ({code})" if code else "")
        else:
            title = f"Bounce{where}: {r.category}" + (f" ({code})" if code else "")
        title += f" for {r.recipient}" if r.recipient else ""
        evidence = r.diagnostic or code or bounce.format
        title, evidence = printable(title, 160), printable(evidence, 240)
        out.append(Finding(r.layer, severity, title, evidence, r.next_step))
    return out


def verdict_findings(verdicts: Sequence[VerdictHeader]) -> list[Finding]:
    """Findings for filter verdicts (spam, phish, bulk...).

    Microsoft's verdict is left out when a rule or list set it (``SFV:SKS`` /
    ``SFV:SKB``, a policy fact) or it was released (``SFV:SKQ``); its organisation
    SCL header repeats the filter report and counts only when there is none.
    Where Microsoft put the message is in :func:`placement_findings`.
    """
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    ff = topmost(verdicts, _FF)
    sfv = (ff.get("SFV") or "").upper() if ff else ""
    junk, _ = microsoft_mailbox(verdicts)
    for v in verdicts:
        low = v.name.lower()
        if v.vendor == "Microsoft" and junk.upper() == "J" and v.verdict == "spam":
            continue  # said with the placement: sent to Junk Email by the filter
        if low == _BOX or (low == _ORG_SCL and ff is not None):
            continue
        if v.vendor == "Microsoft" and (sfv in _LISTED or sfv == "SKQ"):
            continue
        severity = _BAD.get(v.verdict or "")
        if severity is None or (v.vendor, v.verdict or "") in seen:
            continue
        seen.add((v.vendor, v.verdict or ""))
        title = f"{v.vendor} judged it {v.verdict}"
        out.append(Finding("verdict", severity, title, _verdict_line(v), _VERDICT_STEP))
    return out


def route_findings(tl: Timeline, what: Fate | None = None) -> list[Finding]:
    """Findings for a slow route (where the time went) and clock skew.

    "Delivery took" is said only of a delivered message; a route that ends at
    the gateway is a hold (see :func:`placement_findings`), and the wait of a
    released message is its time in quarantine.
    """
    out: list[Finding] = []
    total = tl.total_seconds
    reached = what is None or what.delivered is not False
    if total is not None and total >= SLOW_SECONDS and reached:
        minutes = round(total / 60)
        severity = "info" if tl.sandbox else "medium"
        evidence = printable(tl.verdict, 240)
        if what is not None and what.released and what.delivered:
            out.append(
                Finding(
                    "quarantine/release",
                    "info",
                    f"Delivery took {minutes} min, most of it held until the release",
                    evidence,
                    "The wait is the time it spent in quarantine before it was released, not "
                    "a slow route; check why it was held and who released it.",
                )
            )
        else:
            title = (
                f"Delivery took {minutes} min" if what is None or what.delivered
                else f"The route took {minutes} min"
            )  # fmt: skip
            if tl.stage is None or tl.gateway is None:
                layer, step = "routing/connector", _NO_GATEWAY_STEP
            else:
                layer, step = _STAGE_LAYER[tl.stage], _STAGE_STEP[tl.stage]
                where = {"before": "before", "inside": "inside", "after": "after"}[tl.stage]
                title += (
                    f", mostly {where} the gateway" if tl.stage != "after" else ", after hand-off"
                )
            out.append(Finding(layer, severity, title, evidence, step))
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
