"""The support case packet for a vendor, its escalation update, and a runbook entry.

A vendor answers a delivery case fast when the first message carries the proof: the
failure mode in the subject, the identifiers at the top (sending domain and IP, envelope
sender, recipient domain, Message-ID), the first and latest failure in UTC, the SMTP
response exactly as given, how much mail is affected, one line per authentication method,
what changed lately and what is attached. :func:`case_packet` builds that from the same
inputs as the ticket notes (the analyses, the two-copy comparison, a ticket) plus an SMTP
reply the technician pasted, and says where to send it:

* the customer's own gateway blocked or held inbound mail: the customer opens a case
  with that vendor (Proofpoint, Mimecast, Microsoft, Google), from its own account;
* the customer is the outside sender and someone else's system rejected the mail: the
  receiving vendor's postmaster or sender-support route.

The routes come from :mod:`mailtriage.checks.vendors` (the one vendor table).
:func:`rate` is the one place the readiness rule lives: ``ready`` (nothing missing),
``partial`` (proof of the failure, but items missing), ``vague`` (no technical proof of a
failure at all) and ``monitor`` (a temporary or intermittent failure that needs more
samples over time). Every value passes through :func:`~mailtriage.checks.text.printable`:
nothing in a sample or a pasted reply can start a line that looks like a packet field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.bounce.entry import parse_reply
from mailtriage.checks.bounce.model import BounceRecipient
from mailtriage.checks.bounce.smtpreply import refused_ip
from mailtriage.checks.explain import MAX_PASTE
from mailtriage.checks.live.run import LiveRun
from mailtriage.checks.message.loader import PASTED_PREFIX
from mailtriage.checks.notes import (
    exact_error,
    failed_recipient,
    failure_time,
    guard_rail_lines,
    most_likely_layer,
)
from mailtriage.checks.notes import utc as _utc
from mailtriage.checks.playbook import ItemState, PlaybookError, load_playbooks
from mailtriage.checks.suspect import Comparison
from mailtriage.checks.text import printable, printable_lines
from mailtriage.checks.ticket.model import Ticket
from mailtriage.checks.vendors import (
    BLOCKLISTS,
    VENDORS,
    Blocklist,
    Vendor,
    blocklist_named,
    by_key,
    by_name,
    host_vendor,
    outbound_vendor,
    support_rows,
)
from mailtriage.checks.vendors import text_pattern as _vendor_pattern

Readiness = Literal["ready", "partial", "vague", "monitor"]
READINESS: tuple[Readiness, ...] = ("ready", "partial", "vague", "monitor")
"""The readiness levels, best first."""

Direction = Literal["inbound", "outbound", "unknown"]

NOT_KNOWN = "not known yet"
MORE_SAMPLES = "more failing samples over time (the failure is temporary or intermittent)"

# What the packet's readiness asks for, by the label ``missing`` uses.
RESPONSE = "the exact SMTP response"
GATEWAY_LINE = "the gateway's log line or verdict for the message"
SENDING_IP = "the sending IP"
ENVELOPE = "the envelope sender"
RECIPIENT = "the recipient domain"
MESSAGE_ID = "the Message-ID"
FIRST = "first failure time"
LATEST = "latest failure time"
VOLUME = "volume"
AUTH = "authentication results (SPF, DKIM, DMARC)"
EVIDENCE = "a sample to attach (headers of an affected message or the bounce)"

_FAILURE_LAYERS = ("authentication", "policy", "verdict", "quarantine/release")
_ISO_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?Z")
_POLICY = re.compile(r"\b(?:p|policy)=([a-z]+)", re.I)


@dataclass(frozen=True)
class CaseFacts:
    """What the packet says, gathered from the samples, the reply and the ticket.

    Attributes:
        direction: ``"inbound"`` (the customer's own gateway or filter decided),
            ``"outbound"`` (the customer is the sender, another system rejected), or
            ``"unknown"``.
        vendor: The product that decided (``"Proofpoint"``...), or ``""``.
        company: Its company (for the support route), or ``""``.
        failure_mode: The failure in a few words, for the subject.
        sending_domain: The From domain (the sender's domain), or ``""``.
        sending_ip: The IP the receiving side judged, or ``""``.
        envelope_sender: The envelope sender (MAIL FROM), or ``""``.
        recipient_domain: The recipient's domain, or ``""``.
        message_id: The affected message's Message-ID, or ``""``.
        first_failure: The earliest failure time known.
        latest_failure: The latest failure time known.
        response: The SMTP response, whole, or ``""``.
        gateway_line: Inbound: the header line showing the gateway's decision, or ``""``.
        temporary: Whether the failure is temporary (a 4xx deferral).
        intermittent: Whether a delivered copy and the blocked one differ in no layer.
        volume: How much mail is affected (from the ticket), or ``""``.
        auth: ``(method, result, where)`` per method recorded (SPF, DKIM, DMARC).
        dmarc_policy: The DMARC policy the record or result names, or ``""``.
        changes: Recent changes (from the ticket), or ``""``.
        evidence: What can be attached (sample files, the pasted reply).
        layer: The most likely layer, or ``""``.
        blocklist: Outbound: the key of the public blocklist the rejection names
            (:data:`~mailtriage.checks.vendors.BLOCKLISTS`), or ``""``.
        ip_owner: Outbound: the key of the provider whose shared outbound IP was refused
            for its reputation (:func:`~mailtriage.checks.vendors.outbound_vendor`), or
            ``""``: the customer cannot delist it, its provider can.
    """

    direction: Direction
    vendor: str = ""
    company: str = ""
    failure_mode: str = ""
    sending_domain: str = ""
    sending_ip: str = ""
    envelope_sender: str = ""
    recipient_domain: str = ""
    message_id: str = ""
    first_failure: datetime | None = None
    latest_failure: datetime | None = None
    response: str = ""
    gateway_line: str = ""
    temporary: bool = False
    intermittent: bool = False
    volume: str = ""
    auth: tuple[tuple[str, str, str], ...] = ()
    dmarc_policy: str = ""
    changes: str = ""
    evidence: tuple[str, ...] = ()
    layer: str = ""
    blocklist: str = ""
    ip_owner: str = ""

    @property
    def proof(self) -> bool:
        """Whether anything technical shows the failure (a reply, or the gateway's decision)."""
        return bool(self.response or self.gateway_line)


@dataclass(frozen=True)
class CasePacket:
    """A support case packet, ready to send.

    Attributes:
        path: Whom to send it to and how, and why that route.
        subject: The subject line, naming the failure mode.
        body: The message body, one field per line.
        readiness: One of :data:`READINESS`.
        missing: What is missing to reach ``ready``, in the order of the body.
        escalation: The escalation update built from the same facts and ticket.
        runbook: The prevention entry for the client runbook, as text.
    """

    path: str
    subject: str
    body: str
    readiness: Readiness
    missing: tuple[str, ...]
    escalation: str = ""
    runbook: str = ""

    def as_json(self) -> dict[str, Any]:
        """The JSON object ``mailtriage packet --json`` prints (keys documented in the README)."""
        return {
            "path": self.path,
            "subject": self.subject,
            "body": self.body,
            "readiness": self.readiness,
            "missing": list(self.missing),
            "escalation": self.escalation,
            "runbook": self.runbook,
        }


def rate(facts: CaseFacts) -> tuple[Readiness, tuple[str, ...]]:
    """The readiness rule, the one place it is defined.

    ``vague``: nothing technical shows a failure (no SMTP response, no gateway
    decision in a sample). ``monitor``: the failure is temporary (4xx) or a delivered
    copy differs from the blocked one in no layer, so more samples over time are needed.
    ``partial``: the failure is proved but items are missing. ``ready``: nothing is missing.

    Args:
        facts: The gathered facts.

    Returns:
        The level and what is missing to reach ``ready`` (empty when ready).
    """
    proof = RESPONSE if facts.direction != "inbound" else GATEWAY_LINE
    checks = (
        (proof, facts.proof),
        (SENDING_IP, bool(facts.sending_ip)),
        (ENVELOPE, bool(facts.envelope_sender)),
        (RECIPIENT, bool(facts.recipient_domain)),
        (MESSAGE_ID, bool(facts.message_id)),
        (FIRST, facts.first_failure is not None),
        (LATEST, facts.latest_failure is not None),
        (VOLUME, bool(facts.volume.strip())),
        (AUTH, {m for m, _, _ in facts.auth} >= {"spf", "dkim", "dmarc"}),
        (EVIDENCE, any(not e.startswith("the SMTP reply") for e in facts.evidence)),
    )
    missing = [label for label, ok in checks if not ok]
    if not facts.proof:
        return "vague", tuple(missing)
    if facts.temporary or facts.intermittent:
        return "monitor", (*missing, MORE_SAMPLES)
    return ("partial" if missing else "ready"), tuple(missing)


def _domain(address: str | None) -> str:
    addr = (address or "").strip().strip("<>")
    return addr.rpartition("@")[2].lower() if "@" in addr else ""


def _times_in(text: str) -> list[datetime]:
    """UTC time stamps a reply carries (Microsoft ends its rejections with one)."""
    out = []
    for m in _ISO_TIME.finditer(text):
        try:
            out.append(datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC))
        except ValueError:
            continue
    return out


def _vendor_named(text: str, host: str | None) -> Vendor | None:
    """The gateway, filter or mailbox product that wrote a rejection (its host, then its words).

    When the answering host is known and is no vendor's, only the products' words count,
    not host names in the text: Microsoft's sending servers stamp their own host on a
    remote server's reply (``[BN8NAM12FT045.eop-nam12.prod.protection.outlook.com ...]``),
    which names the sender's side, not the server that refused.
    """
    found = host_vendor(host) if host else None
    if found is not None:
        return found
    low = text.lower()
    for v in VENDORS:
        if v.role in ("gateway", "filter", "mailbox"):
            if host:
                pattern = "|".join(re.escape(w) for w in v.words if w.islower())
            else:
                pattern = _vendor_pattern(v.key)
            if pattern and re.search(pattern, low):
                return v
    return None


def _vendor_of_verdicts(a: Analysis, layer: str) -> Vendor | None:
    """Inbound: the product that decided (a placement: the mailbox filter; else the gateway)."""
    named = [v.vendor for v in a.verdicts if v.vendor and v.vendor != "other"]
    if layer == "downstream/mailbox":
        for word in named:
            if word in ("Microsoft", "Google"):
                return _vendor_word(word)
    if a.timeline.gateway and (v := by_name(a.timeline.gateway)) is not None:
        return v
    return next((v for w in named if (v := _vendor_word(w)) is not None), None)


_URL = re.compile(r"https?://\S+", re.I)


def _without_blocklists(text: str) -> str:
    """``text`` without links and public blocklists' names: a list a reply quotes
    (``b.barracudacentral.org``) is not the product that refused."""
    low = _URL.sub(" ", text.lower())
    for b in BLOCKLISTS:
        for mark in b.marks:
            low = low.replace(mark, " ")
    return low


def _vendor_word(word: str) -> Vendor | None:
    return next(
        (
            v
            for v in VENDORS
            if v.role in ("gateway", "filter", "mailbox")
            and (v.name == word or v.company == word or v.company.startswith(f"{word} "))
        ),
        None,
    )


def _auth(a: Analysis | None) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """``(method, result, where)`` for SPF, DKIM, DMARC at the boundary, and the DMARC policy."""
    if a is None or a.boundary is None:
        return (), ""
    found: dict[str, tuple[str, str, str]] = {}
    policy = ""
    where = f"recorded by {a.boundary.authserv_id or 'the receiving gateway'}"
    for m in a.boundary.methods:
        if m.method in ("spf", "dkim", "dmarc") and m.method not in found:
            found[m.method] = (m.method, m.result, where)
        if m.method == "dmarc" and not policy:
            text = " ".join([m.reason or "", *(f"{k}={v}" for k, v in m.props), m.raw])
            if pm := _POLICY.search(text):
                policy = pm.group(1).lower()
    order = ("spf", "dkim", "dmarc")
    return tuple(found[k] for k in order if k in found), policy


def _live_auth(run: LiveRun | None) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """``(method, result, where)`` evaluated now by a live run, and the DMARC record's policy."""
    live = run.auth if run is not None else None
    if live is None:
        return (), ""
    where = "evaluated now by mailtriage"
    found: list[tuple[str, str, str]] = []
    if live.spf is not None:
        found.append(("spf", live.spf.result, where))
    if live.dkim:
        found.append(("dkim", live.dkim[0].result, where))
    if live.dmarc is not None:
        found.append(("dmarc", str(live.dmarc.result), where))
    record = live.dmarc_record.record if live.dmarc_record is not None else None
    return tuple(found), (record.p or "") if record is not None else ""


def _reply_recipient(reply: str) -> BounceRecipient | None:
    bounce = parse_reply(reply) if reply.strip() else None
    if bounce is None or not bounce.recipients:
        return None
    return bounce.deciding or bounce.recipients[0]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _outbound(a: Analysis | None, reply: str, reply_rcpt: BounceRecipient | None) -> dict[str, Any]:
    rcpt = reply_rcpt or (failed_recipient(a) if a is not None else None)
    response = _one_line(reply) if reply.strip() else (exact_error(a) if a is not None else "")
    text = f"{reply} {rcpt.diagnostic if rcpt else ''}"
    vendor = _vendor_named(_without_blocklists(text), rcpt.remote_mta if rcpt else None)
    original = a.original if a is not None and a.bounce is not None else None
    envelope = ""
    domain = ""
    message_id = ""
    if original is not None:
        s = original.sample
        envelope = s.envelope_from or s.return_path or ""
        domain = s.from_domain or ""
    if a is not None:
        if not envelope and a.bounce is not None and a.sample.to:
            envelope = a.sample.to[0].addr  # a bounce goes back to the envelope sender
        message_id = a.original_message_id or ""
        if not domain and a.bounce is None:
            domain = a.sample.from_domain or ""
            envelope = envelope or a.sample.envelope_from or a.sample.return_path or ""
            message_id = message_id or a.sample.message_id or ""
    times = _times_in(text)
    if a is not None and (when := failure_time(a)) is not None:
        times.append(when)
    code = rcpt.code if rcpt else ""
    category = rcpt.category if rcpt else ""
    temporary = bool(rcpt and rcpt.permanent is False) or code.startswith("4")
    return {
        "vendor": vendor,
        "response": response,
        "sending_ip": refused_ip(text)
        or (a.connecting_ip if a is not None and not a.bounce else "")
        or "",
        "envelope_sender": envelope,
        "sending_domain": domain or _domain(envelope),
        "recipient_domain": _domain(rcpt.recipient if rcpt else ""),
        "message_id": message_id,
        "times": times,
        "temporary": temporary,
        "code": code,
        "category": category,
        "auth_from": original,
        "said": text,
    }


def _gateway_line(a: Analysis, comparison: Comparison | None) -> str:
    if comparison is not None and comparison.suspect_layer and comparison.evidence:
        first = comparison.evidence[0]
        return first[3:] if first.startswith("A: ") else first
    if a.quarantine:
        return a.quarantine
    high = [f for f in a.findings if f.severity == "high" and f.layer in _FAILURE_LAYERS]
    return high[0].evidence if high else ""


def _base_name(source: str) -> str:
    """A file's name without the technician's folders (``#N`` of a mailbox member kept)."""
    return re.split(r"[\\/]", source.rstrip("/\\"))[-1] or source


def _evidence(analyses: Sequence[Analysis | None]) -> tuple[str, ...]:
    """What to attach, named for the vendor: each sample by what it is and its file name.

    A pasted sample (its source says so, as the loader labels it) has no file: it is named
    as the headers of that message, to attach as a text file. A file is named by its base
    name, never the technician's local path.
    """
    out: list[str] = []
    for i, x in enumerate(analyses[:2]):
        if x is None:
            continue
        if i == 0:
            what = "the bounce" if x.bounce is not None else "the blocked message"
        else:
            what = "a delivered copy"
        source = x.sample.source
        if source.startswith(PASTED_PREFIX):
            out.append(f"headers of {what} (pasted; attach as a .txt)")
        elif source == "-":
            out.append(f"{what} (read from standard input; attach as a .txt)")
        else:
            out.append(f"{_base_name(source)} ({what})")
    return tuple(out)


def case_facts(
    analyses: Sequence[Analysis | None],
    comparison: Comparison | None,
    ticket: Ticket | None = None,
    reply: str = "",
    runs: Sequence[LiveRun | None] = (),
) -> CaseFacts:
    """Gather the packet's facts.

    Args:
        analyses: Slot A (the blocked copy or the bounce) and slot B (a delivered copy).
        comparison: The two-copy decision, or ``None``.
        ticket: The ticket (volume, recent changes, kept explain results), or ``None``.
        reply: An SMTP reply the technician pasted (untrusted, capped at 64 KB), or ``""``.
        runs: The live runs per slot: slot A's answers the authentication lines when the
            samples recorded none (a bounce carries no receiver's results).

    Returns:
        The facts; :func:`rate` turns them into a readiness level.
    """
    reply = reply[:MAX_PASTE]
    a = analyses[0] if analyses else None
    if not reply.strip() and ticket is not None:
        # An SMTP reply the technician kept from the explain box is the same proof.
        reply = next((k.text for k in ticket.kept if _reply_recipient(k.text)), "")[:MAX_PASTE]
    reply_rcpt = _reply_recipient(reply)
    bounced = a is not None and failed_recipient(a) is not None
    layer = most_likely_layer(analyses, comparison) or ""
    evidence = _evidence(analyses)
    if reply.strip():
        evidence += ("the SMTP reply as pasted",)
    volume = ticket.volume.strip() if ticket else ""
    changes = ticket.changes.strip() if ticket else ""
    if reply_rcpt is not None or bounced:
        o = _outbound(a, reply, reply_rcpt)
        vendor: Vendor | None = o["vendor"]
        auth, policy = _auth(o["auth_from"])
        if not auth:
            auth, policy = _live_auth(runs[0] if runs else None)
        who = vendor.company if vendor else o["recipient_domain"] or "the receiving side"
        what = f"{o['code']} {o['category']}".strip() or "rejected"
        listing = blocklist_named(o["said"])
        if listing is not None:
            what += f": listed on {listing.name}"
        owner = outbound_vendor(o["sending_ip"])
        if owner is not None and listing is None and o["category"] != "reputation block":
            owner = None  # a provider's IP refused for something else: not a listing
        source = o["sending_ip"] or o["sending_domain"] or "the sender"
        times = sorted(o["times"])
        return CaseFacts(
            "outbound",
            vendor=vendor.name if vendor else "",
            company=vendor.company if vendor else "",
            failure_mode=f"mail from {source} rejected by {who} ({what})",
            sending_domain=o["sending_domain"],
            sending_ip=o["sending_ip"],
            envelope_sender=o["envelope_sender"],
            recipient_domain=o["recipient_domain"],
            message_id=o["message_id"],
            first_failure=times[0] if times else None,
            latest_failure=times[-1] if times else None,
            response=o["response"],
            temporary=o["temporary"],
            volume=volume,
            auth=auth,
            dmarc_policy=policy,
            changes=changes,
            evidence=evidence,
            layer=layer,
            blocklist=listing.key if listing is not None else "",
            ip_owner=owner.key if owner is not None else "",
        )
    if a is None:
        return CaseFacts("unknown", volume=volume, changes=changes, evidence=evidence)
    s = a.sample
    vendor = _vendor_of_verdicts(a, layer)
    auth, policy = _auth(a)
    if not auth:
        auth, policy = _live_auth(runs[0] if runs else None)
    line = _gateway_line(a, comparison)
    if a.fate.delivered is True and a.quarantine:
        outcome = "filed as junk"
    elif a.quarantine or a.fate.delivered is False:
        outcome = "held"
    else:
        outcome = "blocked"
    who = vendor.name if vendor else "the mail filter"
    sender = s.from_domain or _domain(s.envelope_from or s.return_path) or "an outside sender"
    mode = f"inbound message from {sender} {outcome} by {who}" + (f" ({layer})" if layer else "")
    recipients = [*s.envelope_to, *(x.addr for x in s.to)]
    when = failure_time(a)
    return CaseFacts(
        "inbound",
        vendor=vendor.name if vendor else "",
        company=vendor.company if vendor else "",
        failure_mode=mode,
        sending_domain=s.from_domain or "",
        sending_ip=a.connecting_ip or "",
        envelope_sender=s.envelope_from or s.return_path or "",
        recipient_domain=next((d for r in recipients if (d := _domain(r))), ""),
        message_id=s.message_id or "",
        first_failure=when,
        latest_failure=when,
        gateway_line=line,
        intermittent=comparison is not None and not comparison.suspect_layer,
        volume=volume,
        auth=auth,
        dmarc_policy=policy,
        changes=changes,
        evidence=evidence,
        layer=layer,
    )


def case_path(facts: CaseFacts) -> str:
    """Whom to send the packet to and how, and why that route (one paragraph)."""
    portal, route = support_rows(facts.company) if facts.company else (None, None)
    if facts.direction == "inbound" and facts.layer == "authentication":
        domain = facts.sending_domain or "the sending domain"
        return (
            f"The sender's mail administrators ({domain}, or the service sending for it): "
            "the customer's gateway held the message because the sender's authentication "
            "failed (SPF, DKIM or DMARC), which only the sending side can fix. A case with "
            f"{facts.vendor or 'the gateway vendor'} is for when the sender shows its records "
            "are right and the gateway still fails them."
        )
    if facts.direction == "inbound":
        name = facts.vendor or "the customer's mail filtering vendor"
        how = portal or "a support case through the customer's own contract with that vendor"
        return (
            f"Customer's own {name} case: {how}. The customer's gateway made the decision, "
            "so the customer, as that vendor's customer, asks for the review."
        )
    if facts.direction == "outbound" and facts.ip_owner:
        return _shared_ip_path(facts)
    if facts.direction == "outbound" and (listing := _blocklist(facts)) is not None:
        who = facts.company or facts.recipient_domain or "the receiving side"
        ip = facts.sending_ip or "the sending IP"
        return (
            f"{listing.name} lookup and removal: {listing.lookup} ({listing.removal}). "
            f"{who} refused the mail because {ip} is listed on {listing.name}, a public "
            f"blocklist {who} consults: the listing is what to lift, and {listing.name} "
            "decides it. The customer's mail admin finds and stops the cause first "
            "(a compromised account, a bad list, a missing PTR, a shared IP pool), then asks "
            f"for the removal; if {who} still refuses after the delisting, its postmaster "
            f"(postmaster@{facts.recipient_domain or '<recipient domain>'}) is next."
        )
    if facts.direction == "outbound":
        name = facts.company or facts.recipient_domain or "the receiving organisation"
        fallback = (
            f"the recipient organisation's mail administrators (postmaster@"
            f"{facts.recipient_domain or '<recipient domain>'}), who own the rule that fired"
        )
        return (
            f"{name} sender support: {route or fallback}. The customer is the outside sender "
            "here; the receiving side's system refused the mail, so the request goes to its "
            "postmaster or sender-support route, not to a customer portal."
        )
    return (
        "Not decided yet: load the blocked sample (or the bounce), or paste the SMTP reply "
        "(--reply), to tell a block by the customer's own gateway from a rejection by "
        "someone else's."
    )


def _blocklist(facts: CaseFacts) -> Blocklist | None:
    return next((b for b in BLOCKLISTS if b.key == facts.blocklist), None)


def _shared_ip_path(facts: CaseFacts) -> str:
    """The route when the refused IP is the customer's provider's shared outbound IP."""
    owner = by_key(facts.ip_owner)
    portal, _ = support_rows(owner.company)
    how = portal or f"a support case through the customer's own contract with {owner.company}"
    listing = _blocklist(facts)
    why = (
        f"listed on {listing.name} (lookup: {listing.lookup})"
        if listing is not None
        else "refused for its reputation"
    )
    return (
        f"Customer's own {owner.company} case: {how}. The refused IP {facts.sending_ip} is "
        f"one of {owner.name}'s shared outbound IPs, {why}. The customer does not own that "
        f"address and cannot delist it: {owner.company} has the listing lifted or sends the "
        "customer's mail from another of its IPs, so the request goes to its support "
        "through the customer's own account, quoting the rejection and the listing."
    )


def _field(label: str, value: str) -> str:
    """``Label: value``, the value display-safe and whole, or saying it is not known yet."""
    return f"{label}: {printable(value) if value.strip() else NOT_KNOWN}"


def _auth_lines(facts: CaseFacts) -> list[str]:
    got = {m: (r, w) for m, r, w in facts.auth}
    lines = []
    for method, label in (("spf", "SPF"), ("dkim", "DKIM"), ("dmarc", "DMARC")):
        if method in got:
            result, where = got[method]
            extra = ""
            if method == "dmarc":
                extra = f", policy {facts.dmarc_policy}" if facts.dmarc_policy else ", policy "
                extra += "" if facts.dmarc_policy else NOT_KNOWN
            lines.append(f"{label}: {printable(result)}{printable(extra)} ({printable(where)})")
        else:
            lines.append(
                f"{label}: {NOT_KNOWN} (send a test message to a mailbox you control and read "
                "its Authentication-Results)"
            )
    return lines


def _question(facts: CaseFacts) -> str:
    if facts.direction == "inbound" and facts.layer == "authentication":
        return (
            "Please check how this domain's mail is authenticated: the SPF record for the "
            "envelope sender, the DKIM signing domain (d=) and selector, and whether either "
            "aligns with the From domain under its DMARC policy."
        )
    if facts.direction == "inbound":
        return (
            "Which rule, policy or classification held this message, and is it a false "
            "positive to correct in the filter (rather than with a wide allow rule)?"
        )
    if facts.direction == "outbound" and facts.ip_owner:
        return (
            f"The refused IP {facts.sending_ip} belongs to your shared outbound pool and the "
            "receiving side refuses it for its listing: please have the listing lifted, or "
            "send this customer's mail from an IP that is not listed, and tell us when."
        )
    if facts.direction == "outbound" and (listing := _blocklist(facts)) is not None:
        return (
            f"The sending IP is listed on {listing.name}: which of its lists names it and "
            "why, and what lifts the listing once the cause is fixed?"
        )
    return (
        "Which control refused this mail (IP or domain reputation, a policy, content "
        "classification or routing), and what is needed to lift it?"
    )


def packet_body(facts: CaseFacts) -> str:
    """The packet's body: identifiers first, one field per line, then the question."""
    name = facts.company or facts.vendor or "support team"
    if facts.direction == "outbound" and facts.ip_owner:
        name = f"{by_key(facts.ip_owner).company} support"
    if facts.direction == "inbound" and facts.layer == "authentication":
        name = f"{facts.sending_domain or 'sending domain'} mail administrators"
    lines = [
        f"Hello {printable(name)},",
        "",
        "Please review the delivery problem below; the identifiers come first and the "
        "samples are attached.",
        "",
        _field("Failure mode", facts.failure_mode),
        _field("Sending domain", facts.sending_domain),
        _field("Sending IP", facts.sending_ip),
        _field("Envelope sender", facts.envelope_sender),
        _field("Recipient domain", facts.recipient_domain),
        _field("Message-ID", facts.message_id),
        _field("First failure (UTC)", _utc(facts.first_failure)),
        _field("Latest failure (UTC)", _utc(facts.latest_failure)),
    ]
    if facts.direction == "inbound":
        lines.append(_field("Gateway decision", facts.gateway_line))
        lines.append("SMTP response: none (the gateway accepted and held the message)")
    else:
        lines.append(_field("SMTP response", facts.response))
    lines.append(_field("Volume affected", facts.volume))
    lines += _auth_lines(facts)
    lines.append(_field("Recent changes", facts.changes or "none reported yet"))
    lines.append(_field("Evidence attached", ", ".join(facts.evidence)))
    if facts.layer:
        lines.append(_field("Most likely layer", facts.layer))
    lines += ["", _question(facts)]
    return "\n".join(lines)


def case_packet(
    analyses: Sequence[Analysis | None],
    comparison: Comparison | None,
    ticket: Ticket | None = None,
    reply: str = "",
    now: datetime | None = None,
    runs: Sequence[LiveRun | None] = (),
    checklist: Sequence[ItemState] = (),
) -> CasePacket:
    """Build the support case packet, its escalation update and the runbook entry.

    Args:
        analyses: Slot A (the blocked copy or the bounce) and slot B (a delivered copy).
        comparison: The two-copy decision, or ``None``.
        ticket: The ticket, or ``None`` (then volume and recent changes are missing).
        reply: An SMTP reply the technician pasted, or ``""``.
        now: The time of the escalation update (defaults to now, UTC).
        runs: The live runs per slot (authentication evaluated now, when the samples
            recorded none).
        checklist: The checklist as evaluated (its item texts name what was ticked in
            the escalation update); empty: the ticket type's packaged playbook.

    Returns:
        The packet.
    """
    facts = case_facts(analyses, comparison, ticket, reply, runs)
    readiness, missing = rate(facts)
    mode = facts.failure_mode or "mail delivery problem, details still to be collected"
    subject = printable(f"Delivery case: {mode}")
    return CasePacket(
        path=printable(case_path(facts)),
        subject=subject,
        body=packet_body(facts),
        readiness=readiness,
        missing=missing,
        escalation=escalation_update(facts, ticket, now, checklist),
        runbook=runbook_text(runbook_entry(analyses, comparison, ticket, reply)),
    )


def _item_texts(ticket: Ticket, checklist: Sequence[ItemState]) -> dict[str, str]:
    """Checklist item id -> its text: the evaluated checklist, else the packaged playbook."""
    texts = {st.item.id: st.item.text for st in checklist}
    if not texts:
        try:
            playbook = load_playbooks().for_kind(ticket.kind)
        except (PlaybookError, KeyError):
            return {}
        texts = {i.id: i.text for sec in playbook.sections for i in sec.items}
    return texts


def _ticked(ticket: Ticket, checklist: Sequence[ItemState]) -> list[str]:
    """What was ticked since the case opened, in words (never an internal item id)."""
    texts = _item_texts(ticket, checklist)
    done: list[str] = []
    unnamed = 0
    for t in ticket.ticks:
        if t.at <= ticket.created:
            continue
        if t.item in texts:
            done.append(f"{_one_line(texts[t.item]).rstrip('.')} (done {_utc(t.at)})")
        else:
            unnamed += 1
    if unnamed:
        done.append(f"{unnamed} more checklist step{'s' if unnamed > 1 else ''} of an earlier "
                    "checklist")  # fmt: skip
    return done


def escalation_update(
    facts: CaseFacts,
    ticket: Ticket | None,
    now: datetime | None = None,
    checklist: Sequence[ItemState] = (),
) -> str:
    """The update to add to an open case: what changed, what was verified, what is asked.

    When the ticket says the fix was verified and the problem is gone, the update closes
    the case instead: what fixed it and how that was verified, nothing asked. A broad
    fix (a whole domain or service allowed, a policy bypassed) carries the guard rail's
    warning beside it.

    Args:
        facts: The packet's facts.
        ticket: The ticket the case belongs to, or ``None`` (the lines then say what to fill in).
        now: The time of the update (defaults to now, UTC).
        checklist: The checklist as evaluated, whose item texts say what was done
            (empty: the ticket type's packaged playbook).

    Returns:
        Plain text, display-safe.
    """
    stamp = _utc(now or datetime.now(UTC))
    closing = ticket is not None and ticket.verified_ok is True and bool(ticket.fix.strip())
    head = f"Case {'closing ' if closing else ''}update ({stamp})"
    if ticket is not None and ticket.id:
        head += f" for ticket {printable(ticket.id)}, opened {_utc(ticket.created)}"
    lines = [head, _field("Failure mode", facts.failure_mode)]
    warnings = [
        f"Guard rail: {printable(text)}" for text in guard_rail_lines(ticket.fix if ticket else "")
    ]
    if closing and ticket is not None:
        lines.append(_field("Fixed by", _one_line(ticket.fix)))
        lines += warnings
        how = _one_line(ticket.verification) or "the fix was checked and the problem was gone"
        lines.append(_field("Verified", how))
        lines.append(_field("Latest failure (UTC)", _utc(facts.latest_failure)))
        lines.append(
            "Outcome: the problem is gone after the fix. Nothing more is asked; please close "
            "the case (we reopen it with new samples if the symptom returns)."
        )
        return "\n".join(lines)
    lines.append(_field("Latest failure (UTC)", _utc(facts.latest_failure)))
    lines.append(_field("Volume affected", facts.volume))
    affected = ticket.affected if ticket is not None else None
    impact = ", ".join(
        x for x in (affected.customer, affected.site, affected.user) if x
    ) if affected else ""  # fmt: skip
    lines.append(_field("Business impact (who)", impact))
    auth = "; ".join(f"{m.upper()} {r}" for m, r, _ in facts.auth)
    if facts.dmarc_policy:
        auth += f" (DMARC policy {facts.dmarc_policy})"
    lines.append(_field("Authentication now", auth))
    since: list[str] = []
    if ticket is not None:
        since += [f"checked: {x}" for x in _ticked(ticket, checklist)]
        since += [
            f"explained {_one_line(k.text)} at {_utc(k.at)}"
            for k in ticket.kept
            if k.at > ticket.created
        ]
        if ticket.changes.strip():
            since.append(f"recent changes: {_one_line(ticket.changes)}")
    lines.append(_field("Since the case was opened", "; ".join(since)))
    verified = ""
    if ticket is not None and ticket.fix.strip():
        verified = f"fix applied: {_one_line(ticket.fix)}"
        if ticket.verification.strip():
            verified += f"; verification: {_one_line(ticket.verification)}"
        if ticket.verified_ok is False:
            verified += "; the same symptom returned after the verified fix"
    lines.append(_field("Verified", verified))
    lines += warnings
    lines.append(f"Asked of the vendor: {_question(facts)} Please escalate the review of the "
                 "current decision with this evidence.")  # fmt: skip
    return "\n".join(lines)


@dataclass(frozen=True)
class RunbookEntry:
    """A prevention entry for the client runbook.

    Attributes:
        root_cause: The final root cause, or the most likely layer with its evidence.
        detection: The signal that shows the problem coming back.
        validation: The step that proves the fix holds (after a change too).
        post_change: A check to run after the change that caused it, or ``""``.
        warnings: The guard rail's warnings about a broad fix (a whole domain or
            service allowed, a policy bypassed), one per kind.
    """

    root_cause: str
    detection: str
    validation: str
    post_change: str = ""
    warnings: tuple[str, ...] = ()


# layer -> (detection signal, validation step), in mailtriage's own words.
_PREVENTION: dict[str, tuple[str, str]] = {
    "authentication": (
        "the gateway's Authentication-Results for this sender show spf, dkim or dmarc "
        "other than pass, or DMARC aggregate reports show a new sending source that is "
        "not aligned with the From domain",
        "send a test message from each sending platform and check that the boundary "
        "gateway records spf=pass or dkim=pass aligned with the From domain, and dmarc=pass",
    ),
    "policy": (
        "the gateway's message log names a rule, policy route or blocked-senders entry for "
        "held mail from a known sender",
        "send one test message through every recipient path (the user, a shared mailbox, "
        "an alias, a distribution list) and confirm each is delivered",
    ),
    "verdict": (
        "spam or phishing scores over the threshold for a known sender in the gateway's "
        "log, or the sender showing up in quarantine digests",
        "after the false-positive report or the narrow exception (sender + recipient + "
        "verdict), the next message from that sender is scored under the threshold",
    ),
    "quarantine/release": (
        "messages released from quarantine with no later hop in the message trace",
        "release a test message and confirm the trace shows the hand-off and the mailbox "
        "receives it",
    ),
    "routing/connector": (
        "mail reaching the mailbox service without passing the gateway, or the mailbox "
        "service judging mail by the gateway's own IP instead of the sender's",
        "send from outside and confirm the Received chain shows the gateway, then the "
        "mailbox service, with the sender's IP recorded at the boundary",
    ),
    "downstream/mailbox": (
        "mail the gateway passed landing in Junk Email or moved by an inbox rule or a "
        "user's blocked senders",
        "after removing the rule or the blocked-senders entry, a test message from the "
        "sender lands in the Inbox",
    ),
}


_SENDER_SIDE = (
    "bounces from {who} quoting the sending IP or domain ({code}), or a listing of the "
    "sending IPs on the blocklists the rejection names",
    "after the fix or the delisting, send a test message to a mailbox behind {who} and "
    "confirm it is accepted (250) and lands in the inbox",
)


def runbook_entry(
    analyses: Sequence[Analysis | None],
    comparison: Comparison | None,
    ticket: Ticket | None = None,
    reply: str = "",
) -> RunbookEntry:
    """The prevention entry: root cause, detection signal and validation step.

    From the layer and its evidence for a block by the customer's own gateway; from the
    rejection itself (sender-side checks) when the customer is the outside sender.

    Args:
        analyses: Slot A and slot B analyses.
        comparison: The two-copy decision, or ``None``.
        ticket: The ticket (fix and recent changes), or ``None``.
        reply: An SMTP reply the technician pasted, or ``""``.

    Returns:
        The entry (values display-safe).
    """
    facts = case_facts(analyses, comparison, ticket, reply)
    layer = most_likely_layer(analyses, comparison)
    fix = (
        f"; fixed by: {_one_line(ticket.fix)}" if ticket is not None and ticket.fix.strip() else ""
    )
    if facts.direction == "outbound":
        who = facts.company or facts.recipient_domain or "the receiving side"
        code = " ".join(facts.response.split()[:2])
        cause = f"{facts.failure_mode}; the SMTP response: {facts.response or NOT_KNOWN}{fix}"
        detection = _SENDER_SIDE[0].format(who=who, code=code or "the same code")
        validation = _SENDER_SIDE[1].format(who=who)
    elif layer is None or layer not in _PREVENTION:
        return RunbookEntry(
            "not determined yet: compare a blocked copy with a delivered one first",
            NOT_KNOWN,
            NOT_KNOWN,
        )
    else:
        evidence = ""
        if comparison is not None and comparison.suspect_layer and comparison.evidence:
            evidence = comparison.evidence[0]
        elif (a := analyses[0] if analyses else None) is not None:
            evidence = next((f.evidence for f in a.findings if f.layer == layer), "")
        cause = f"{layer}" + (f" (evidence: {evidence})" if evidence else "") + fix
        detection, validation = _PREVENTION[layer]
    post = ""
    if ticket is not None and ticket.changes.strip():
        post = f"after a change like this one ({_one_line(ticket.changes)}): {validation}"
    warnings = tuple(printable(w) for w in guard_rail_lines(ticket.fix if ticket else ""))
    return RunbookEntry(
        printable(cause), printable(detection), validation, printable(post), warnings
    )


def runbook_text(entry: RunbookEntry) -> str:
    """The runbook entry as plain text, one field per line."""
    lines = [
        f"Root cause: {entry.root_cause}",
        f"Detection signal: {entry.detection}",
        f"Validation step: {entry.validation}",
    ]
    if entry.post_change:
        lines.append(f"Post-change check: {entry.post_change}")
    lines += [f"Guard rail (about the fix): {w}" for w in entry.warnings]
    return "\n".join(lines)


def packet_text(packet: CasePacket, extras: bool = True) -> str:
    """The packet as plain text to copy or print, every line display-safe.

    Args:
        packet: The packet.
        extras: Add the escalation update and the runbook entry after the body (the
            command prints them; the dashboard exports them on their own).

    Returns:
        Where to send it, readiness, subject and body (then the extras).
    """
    missing = "; ".join(packet.missing) or "nothing"
    lines = [
        f"Send to: {packet.path}",
        f"Readiness: {packet.readiness} (missing: {missing})",
        "",
        f"Subject: {packet.subject}",
        "",
        packet.body,
    ]
    if extras:
        lines += [
            "",
            "--- Escalation update ---",
            packet.escalation,
            "",
            "--- Runbook entry ---",
            packet.runbook,
        ]
    return printable_lines("\n".join(lines))
