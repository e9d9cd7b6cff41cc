"""Feedback reports (RFC 5965 ARF, RFC 6591 DMARC failure reports, JMRP) and auto-replies.

These are not failures: a feedback report says a delivered message drew a
complaint or failed authentication at the receiver; an auto-reply says it
arrived. Each becomes recipients with a fixed category: one per ``Original-Rcpt-To``
of a feedback report (one with no address when it names none), the replying
address of an auto-reply.
"""

from __future__ import annotations

from mailtriage.checks.bounce.classify import fixed
from mailtriage.checks.bounce.dsn import MAX_LINES, address, groups, host
from mailtriage.checks.bounce.mime import Part
from mailtriage.checks.bounce.model import MAX_RECIPIENTS, BounceRecipient
from mailtriage.checks.model import Sample

_AUTH_NOTE = (
    "This is a DMARC/authentication failure report: a receiver saw mail using the reported "
    "domain that failed {failed}. If the source IP is one of yours, fix that service's SPF or "
    "DKIM alignment; if not, someone is spoofing the domain and DMARC enforcement protects it."
)
_ABUSE_NOTE = (
    "A recipient marked a message from this sender as spam ({kind}). Remove the complaining "
    "address from the list and review how recipients were added."
)


def feedback(
    sample: Sample, parts: list[Part]
) -> tuple[str, str | None, tuple[BounceRecipient, ...]]:
    """Read a feedback report.

    Returns:
        ``(format, reporting_mta, recipients)``.
    """
    report = next((p for p in parts if p.ctype == "message/feedback-report"), None)
    if report is None:
        note = _ABUSE_NOTE.format(kind="Microsoft JMRP complaint")
        rcpt = fixed("", "feedback report", sample.subject or "", note=note)
        return "Microsoft JMRP", None, (rcpt,)
    fields: dict[str, str] = {}
    for group in groups(report.text):
        for key, value in group.items():
            fields.setdefault(key, value)
    kind = fields.get("feedback-type", "").strip().lower() or "unknown"
    shown = (
        "feedback-type",
        "auth-failure",
        "source-ip",
        "reported-domain",
        "original-mail-from",
        "delivery-result",
        "authentication-results",
    )
    diagnostic = "; ".join(f"{k}: {fields[k]}" for k in shown if fields.get(k))
    if kind == "auth-failure":
        failed = fields.get("auth-failure", "authentication").strip() or "authentication"
        note, layer, name = (
            _AUTH_NOTE.format(failed=failed),
            "authentication",
            "ARF (DMARC failure report)",
        )
    else:
        note, layer, name = _ABUSE_NOTE.format(kind=f"feedback type {kind}"), None, "ARF"
    rcpts = tuple(
        fixed(who, "feedback report", diagnostic, layer, note)
        for who in recipients(report.text) or [""]
    )
    return name, host(fields.get("reporting-mta")), rcpts


def recipients(text: str) -> list[str]:
    """Every ``Original-Rcpt-To`` of a feedback report, in order (RFC 5965 3.2 allows several)."""
    found: list[str] = []
    for line in text.splitlines()[:MAX_LINES]:
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "original-rcpt-to":
            who = address(value)
            if who and who.lower() not in (f.lower() for f in found):
                found.append(who)
        if len(found) >= MAX_RECIPIENTS:
            break
    return found


def autoreply(sample: Sample, text: str) -> BounceRecipient:
    """One auto-reply: the replying address, with the subject and first lines as diagnostic."""
    who = sample.from_[0].addr if sample.from_ else ""
    first = " ".join(line.strip() for line in text.splitlines()[:6] if line.strip())
    subject = sample.subject or ""
    return fixed(who, "auto-reply", f"{subject} | {first}" if first else subject)
