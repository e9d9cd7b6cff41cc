"""The bounce category table: what each category means, what to do, and which layer.

Every classified recipient carries one of these categories. The texts are written
for an MSP technician working a ticket; vendor-specific notes from
:mod:`checks.bounce.vendors` and :mod:`checks.bounce.microsoft` are added on top.
"""

from __future__ import annotations

#: What the sender's admin should hand the receiving side's postmaster for any block
#: on the sending IP or domain (used by the reputation-block next step).
EVIDENCE_PACKET = (
    "the sending IP exactly as the reply shows it; the envelope sender (MAIL FROM) and the "
    "From domain; the full SMTP reply, copied verbatim; UTC times of the first and the most "
    "recent rejection; the headers of one affected message; the SPF, DKIM and DMARC results "
    "for it; what changed lately (new IP or provider, DNS, content, list or volume); and how "
    "many messages and recipients are affected"
)

#: Categories that report no failure: a delivery notice, an auto-reply, a complaint.
NOT_FAILURES = frozenset({"delivered", "auto-reply", "feedback report"})

#: category -> (meaning, next step, layer)
CATEGORIES: dict[str, tuple[str, str, str]] = {
    "reputation block": (
        "The receiving side refused the sending server itself: its IP or host is on a "
        "blocklist, has a poor reputation score, or fails a host check such as reverse DNS.",
        "This is fixed on the sending side, not by the recipient. The sender's mail admin "
        "should look the IP up on the list or vendor named in the reply, find and stop the "
        "cause (compromised account, bad list, missing PTR, shared IP pool), then ask the "
        "receiving vendor's postmaster or delisting form for a review, sending: "
        f"{EVIDENCE_PACKET}.",
        "verdict",
    ),
    "policy block": (
        "A rule on the receiving side refused this sender, recipient or message: a blocked "
        "senders entry, a group or mailbox restriction, a geo or anti-spoofing policy.",
        "Find which rule fired (the recipient's admin can see it in their gateway's message "
        "log) and change it narrowly for this sender or recipient; do not weaken the whole "
        "policy for one message.",
        "policy",
    ),
    "spam/content rejection": (
        "The receiving filter judged the message itself to be spam, phishing or otherwise "
        "unacceptable (content, links, headers or format).",
        "Compare with a message that got through; check links, attachments and the From "
        "header. If it is a false positive, the recipient's admin can report it to their "
        "filter vendor and add a narrow exception.",
        "verdict",
    ),
    "virus": (
        "A malware scanner on the receiving side found something dangerous in the message.",
        "Do not resend the attachment. Scan the sending device and the file; if it is a false "
        "positive, send the file hash to the recipient's admin to report to their vendor.",
        "verdict",
    ),
    "authentication failure": (
        "The message failed sender authentication (SPF, DKIM or DMARC) and the receiving side "
        "enforced the sending domain's policy.",
        "Check the sending domain's SPF record includes this sending service, that the service "
        "signs with DKIM for the From domain, and that DMARC alignment passes; re-test with a "
        "fresh message.",
        "authentication",
    ),
    "recipient unknown": (
        "The receiving system says the address does not exist, was disabled or has moved.",
        "Check the spelling and ask the recipient for the right address; if it should exist, "
        "the recipient's admin checks the mailbox, its licence, aliases and directory sync.",
        "downstream/mailbox",
    ),
    "mailbox full": (
        "The recipient's mailbox is over its storage quota.",
        "The recipient (or their admin) must free space or raise the quota; then resend.",
        "downstream/mailbox",
    ),
    "message too large": (
        "The message is bigger than the receiving side accepts.",
        "Send a link instead of the attachment, or compress it; the recipient's admin can "
        "tell you their size limit.",
        "policy",
    ),
    "rate limited": (
        "The receiving side is slowing this sender down: too many messages, recipients or "
        "connections in a short time.",
        "Reduce the sending rate and concurrency and let the queue retry; persistent limits "
        "usually mean the receiver also distrusts the sender's reputation.",
        "policy",
    ),
    "relay denied": (
        "The server refused to pass the message on because the sender is not allowed to relay "
        "through it (not authenticated, or not a recognised connector).",
        "Check the sending device or app uses the right SMTP host, port and authentication, or "
        "that the connector (IP or certificate) for this organisation is set up correctly.",
        "routing/connector",
    ),
    "TLS required": (
        "The connection was refused because it was not encrypted, or not strongly enough.",
        "Enable STARTTLS with TLS 1.2 or newer and a valid certificate on the sending server, "
        "or review the TLS-enforcing connector or policy on the receiving side.",
        "routing/connector",
    ),
    "routing/DNS failure": (
        "The message could not reach the recipient's domain: its DNS or MX is missing or "
        "broken, or the server could not be connected to.",
        "Check the recipient domain's MX records and that the server answers on port 25; a "
        "typo in the domain gives the same symptom.",
        "routing/connector",
    ),
    "deferral": (
        "A temporary failure: the sending server will keep retrying for a while.",
        "Nothing to resend yet. Watch the queue; if the same deferral persists for hours, work "
        "on the reason the reply gives.",
        "routing/connector",
    ),
    "expired": (
        "The sending server retried until it gave up; the message was never delivered.",
        "Look at the last error it got (usually in the diagnostic) and fix that; then resend.",
        "routing/connector",
    ),
    "auto-reply": (
        "An automatic answer (out of office, vacation, auto-responder): the message arrived.",
        "Nothing failed. Read the reply for an alternative contact if needed.",
        "downstream/mailbox",
    ),
    "feedback report": (
        "A report about a message that was received: a spam complaint (feedback loop) or a "
        "DMARC / authentication failure report.",
        "For complaints, review the list and consent; for failure reports, fix the sending "
        "source named in the report so it passes SPF or DKIM with alignment.",
        "verdict",
    ),
    "delivered": (
        "A delivery notice: the message was delivered or relayed.",
        "Nothing failed at this hop; if the user still cannot see it, check the mailbox rules, "
        "junk folder and quarantine downstream.",
        "downstream/mailbox",
    ),
    "other": (
        "The receiving or reporting system failed for a reason it did not state clearly "
        "(a server error, a local delivery program, an unusual answer).",
        "Read the diagnostic text; if it persists, the receiving side's admin must check their "
        "server logs for this message.",
        "downstream/mailbox",
    ),
}


def describe(category: str) -> tuple[str, str, str]:
    """Return ``(meaning, next_step, layer)`` for a category (``"other"`` if unknown)."""
    return CATEGORIES.get(category, CATEGORIES["other"])


#: (meaning, next step) for a temporary DNS failure of the recipient domain (RFC 3463
#: X.4.3; Postfix's "Host or domain name not found ... try again"), whatever category the
#: retrying gave it (expired, deferral or routing).
DNS_LOOKUP = (
    "The sending server could not look up the recipient domain's MX (or A) record: DNS "
    "gave a temporary failure (its name servers did not answer, or answered SERVFAIL), so "
    "it never had a server to deliver to. It retries such a failure until its queue "
    "lifetime runs out.",
    "Check the recipient domain in the address for a typo first. Then check its DNS: that "
    "the domain is registered and not expired, that its name servers answer (a broken or "
    "lame delegation, or DNSSEC that fails to validate, gives this error) and that it has "
    "an MX or A record. Once it resolves, resend.",
)
