"""Secure email gateway wording (Proofpoint, Mimecast) and the vendor-rule record.

Each rule names a vendor, a pattern on the lower-cased diagnostic (or on the
remote host / recipient domain), an optional category that overrides the generic
wording rules, and a note for the technician. All notes are our own summaries
of the vendors' public documentation. :mod:`mailtriage.checks.bounce.vendors` adds mailbox
providers and blocklists and does the matching. Vendor host names come from
:mod:`mailtriage.checks.vendors`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailtriage.checks.vendors import fact, text_pattern

# Proofpoint's IP reputation lookup, which its rejections quote (from the vendor table).
_PP_LOOKUP = fact("proofpoint", "reputation_site")
PP_NOTE = (
    "Proofpoint: the rejection is about the sending IP (Proofpoint's dynamic reputation). "
    f"Look the IP up on {_PP_LOOKUP} and file the review request there; a sender "
    "with no Proofpoint contract writes to Proofpoint's postmaster address with the evidence "
    "below. Track it as a single case for that IP and append every later rejection with its "
    "UTC time and the recipient domain."
)


@dataclass(frozen=True)
class VendorRule:
    """One vendor-specific reading of a bounce.

    Attributes:
        vendor: Who answered, e.g. ``"Proofpoint"``.
        pattern: Searched in the lower-cased ``where`` text.
        category: Category to use instead of the generic one, or ``None`` (note only).
        note: What this means and what to do, in plain words.
        where: ``"text"`` (diagnostic), ``"host"`` (remote MTA) or ``"domain"``
            (recipient domain).
        also: A second pattern that must match the diagnostic too, or ``None``.
        anchor: A pattern that must match the diagnostic, the remote host or the
            reporting MTA (proof the vendor is involved), or ``None``.
        company: The company (:attr:`mailtriage.checks.vendors.Vendor.company`) whose
            servers must have answered when the answering host is known, or ``None``.
            A note about how a provider's own servers judge mail must not be given
            for a refusal by someone else's server that the provider only reported
            (Gmail's notice quoting a timeout at a third party's MX).
    """

    vendor: str
    pattern: re.Pattern[str]
    category: str | None
    note: str
    where: str = "text"
    also: re.Pattern[str] | None = None
    anchor: re.Pattern[str] | None = None
    company: str | None = None


def rule(
    vendor: str,
    pattern: str,
    category: str | None,
    note: str,
    where: str = "text",
    also: str | None = None,
    anchor: str | None = None,
    company: str | None = None,
) -> VendorRule:
    """Build a rule (patterns compiled once, at import)."""
    return VendorRule(
        vendor,
        re.compile(pattern),
        category,
        note,
        where,
        re.compile(also) if also else None,
        re.compile(anchor) if anchor else None,
        company,
    )


# The vendors' host suffixes and names, from the vendor table.
_PROOFPOINT = text_pattern("proofpoint")
_MIMECAST = text_pattern("mimecast")

_MC_BLOCKED = (
    "Mimecast blocked senders: an admin Blocked Senders policy, or the user's own block "
    "list (Managed Senders), matched this sender. The recipient's Mimecast admin or the user "
    "removes the entry."
)


GATEWAY_RULES: tuple[VendorRule, ...] = (
    rule("Proofpoint", rf"{re.escape(_PP_LOOKUP)}|dynamic reputation", "reputation block", PP_NOTE),
    rule(
        "Proofpoint Essentials",
        r"\bemail blocked\b",
        "reputation block",
        "Proofpoint Essentials: this reply usually means the sending IP or domain is on one of "
        f"Proofpoint's block lists. Check the IP on {_PP_LOOKUP}; the recipient's admin "
        "can find the attempt in the Essentials email log and check the sender lists, and "
        "Essentials support can tell whether the domain itself is blocked.",
    ),
    rule(
        "Proofpoint",
        _PROOFPOINT,
        None,
        "The answering server is Proofpoint-protected: the recipient's Proofpoint policy or "
        "Proofpoint's own reputation data made this decision; ask which one it was.",
    ),
    rule(
        "Mimecast",
        r"anti-spoofing",
        "policy block",
        "Mimecast anti-spoofing: the message claims one of the recipient organisation's own "
        "domains but came from a source Mimecast was not told to trust. The recipient's Mimecast "
        "admin adds a narrow Anti-Spoofing exception for this sender or IP; the sender should "
        "still pass SPF and DKIM.",
    ),
    # "Envelope blocked" is Mimecast's own wording; the rest is common to other MTAs
    # (Exim's ACL default, Postgrey), so it counts as Mimecast only with a Mimecast anchor.
    rule("Mimecast", r"envelope blocked", "policy block", _MC_BLOCKED),
    rule(
        "Mimecast",
        r"administrative prohibition|blocked senders|block policy for"
        r"|manually blocked|sender address blocked|sender is blocked",
        "policy block",
        _MC_BLOCKED,
        anchor=_MIMECAST,
    ),
    rule(
        "Mimecast",
        r"internal resources? (?:is |are )?temporarily unavailable|greylist",
        "deferral",
        "Greylisting: the first attempt from a new sender/IP/recipient combination is deferred "
        "on purpose. A normal mail server retries within minutes and gets through; if it never "
        "does, the sending IP's reputation is the issue and the recipient's admin can add a "
        "Permitted Senders or Auto Allow policy.",
        anchor=_MIMECAST,
    ),
    rule(
        "Mimecast",
        r"ct ip reputation|ip temporarily blacklisted|spamcop\.mimecast",
        "reputation block",
        "Mimecast rejected the sending IP on reputation; the recipient's Mimecast admin can "
        "bypass it for a legitimate sender, and Mimecast accepts review requests for IP ranges.",
    ),
    rule(
        "Mimecast",
        r"(?:spf|dkim|dmarc) sender invalid",
        "authentication failure",
        "Mimecast's DNS Authentication policy rejected the message on SPF, DKIM or DMARC; fix "
        "the sender's records, or the recipient's admin relaxes that inbound policy.",
    ),
    rule(
        "Mimecast",
        r"this route requires|configuration is invalid for this certificate",
        "TLS required",
        "Mimecast's Secure Receipt/Delivery policy requires TLS (1.2+, strong ciphers) on this "
        "route; enable it on the sending server or change the policy.",
    ),
    rule(
        "Mimecast",
        r"maximum email size exceeded",
        "message too large",
        "Mimecast's size limit (an Email Size Limit policy or the service maximum) was exceeded; "
        "transfer encoding adds about a third to attachment sizes.",
    ),
    rule(
        "Mimecast",
        r"content examination",
        "policy block",
        "A Mimecast Content Examination policy bounced the message; the recipient's admin can "
        "see which policy and add a narrow bypass.",
    ),
    rule(
        "Mimecast",
        r"host network,? not allowed",
        "policy block",
        "A Mimecast Geographical Restriction policy refused the sending network.",
    ),
    rule(
        "Mimecast",
        r"account service is temporarily unavailable|exceeding outbound thread limit",
        "rate limited",
        "Mimecast connection limits for the account were hit; send in smaller "
        "batches and fewer parallel connections.",
    ),
    rule(
        "Mimecast",
        _MIMECAST,
        None,
        "Mimecast answered: the recipient's Mimecast admin sees this attempt under Rejected and "
        "Deferred messages, with the policy that fired.",
    ),
)
