"""Vendor-specific bounce wording: mailbox providers, ISPs and blocklists; the matcher.

Gmail, Yahoo, Spectrum, NTT docomo, Google Groups and the Spamhaus / Barracuda /
SpamCop blocklists are here; Proofpoint and Mimecast are in
:mod:`checks.bounce.gateways`, Microsoft's codes in :mod:`checks.bounce.microsoft`. All
notes are our own summaries of the vendors' public documentation. Vendor hosts,
domains and help-site addresses come from :mod:`mailtriage.checks.vendors`.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.gateways import GATEWAY_RULES, VendorRule
from mailtriage.checks.bounce.gateways import rule as _r
from mailtriage.checks.vendors import by_key, fact, host_vendor, text_pattern

#: The company whose servers answer for Gmail / Google Workspace (from the vendor table).
_GOOGLE = by_key("google").company

_PROVIDER_RULES: tuple[VendorRule, ...] = (
    _r(
        "Gmail",
        r"[45]\.7\.28|unusual rate of unsolicited",
        "rate limited",
        "Gmail is rate-limiting this sender because much of its recent mail (from this IP or "
        "DKIM domain) looks unwanted. Slow down, remove unengaged recipients and check Google "
        "Postmaster Tools; it clears as reputation recovers.",
        company=_GOOGLE,
    ),
    _r(
        "Gmail",
        r"receiving mail at a rate|rate that prevents additional",
        "rate limited",
        "The recipient's Gmail account is receiving too much mail right now; it is not about "
        "the sender. Retry later.",
        company=_GOOGLE,
    ),
    _r(
        "Gmail",
        r"likely unsolicited|likely suspicious",
        "spam/content rejection",
        "Gmail's filter judged this message unsolicited or suspicious; check authentication, "
        "content and links, and the sender's reputation in Google Postmaster Tools.",
        company=_GOOGLE,
    ),
    _r(
        "Gmail",
        r"5\.7\.2[67].{0,200}(?:gmail|google)|(?:gmail|google).{0,200}5\.7\.2[67]",
        "authentication failure",
        "Gmail requires SPF or DKIM on every message, and DMARC with an aligned pass for bulk "
        "senders; add the sending service to SPF and sign with DKIM for the From domain.",
        company=_GOOGLE,
    ),
    _r(
        "Gmail",
        rf"gsmtp|{re.escape(fact('google', 'help_site'))}",
        None,
        "Google (Gmail / Workspace) answered: the support link in the reply explains this exact "
        "code; Google Postmaster Tools shows the sender's reputation there.",
        company=_GOOGLE,
    ),
    _r(
        "Yahoo",
        r"\btss?0\d\b",
        "reputation block",
        "Yahoo/AOL deferred or blocked this IP over volume or user complaints (TSS codes). Slow "
        "down, drop unengaged recipients, and use the Yahoo Sender Hub if it persists.",
    ),
    _r(
        "Spamhaus",
        r"spamhaus",
        "reputation block",
        "Spamhaus lists this IP or domain: its lookup page names the list (SBL, XBL, CSS, PBL, "
        "DBL) and the removal route. PBL means an end-user range that should send through a "
        "proper mail server, not directly.",
    ),
    _r(
        "Barracuda",
        r"barracuda",
        "reputation block",
        "Barracuda Reputation lists this IP: check it and request removal on Barracuda "
        "Central's lookup page; the recipient's Barracuda admin can also exempt the sender.",
    ),
    _r(
        "SpamCop",
        r"spamcop",
        "reputation block",
        "SpamCop lists this IP after spam reports; the listing lapses by itself about a day "
        "after reports stop, so find and stop the source.",
    ),
    _r(
        "Spectrum",
        r"aup#\s?[a-z]{0,6}-?13[0-6]\d",
        "rate limited",
        "Spectrum/Charter AUP 13xx codes are rate or connection limits (Cloudmark): fewer "
        "parallel connections and a slower rate; persistent ones point to reputation.",
    ),
    _r(
        "Spectrum",
        r"aup#",
        "reputation block",
        "Spectrum/Charter AUP code: a reputation block on the sending IP or address; their "
        "postmaster page explains the code and how to ask for an unblock.",
    ),
    _r(
        "NTT docomo",
        text_pattern("docomo"),
        "policy block",
        "NTT docomo answers 'Unknown user' after DATA when the recipient's own reception filter "
        "refuses this sender; the recipient must allow the sender's address or domain.",
        where="host",
        also=r"unknown user",
    ),
    _r(
        "Google Groups",
        rf"^{re.escape(fact('google-groups', 'domain'))}$",
        "policy block",
        "Google Groups refused the post: the group may not exist, or the sender may not post "
        "to it (not a member, or posting restricted). The group owner checks the permissions.",
        where="domain",
    ),
)


RULES: tuple[VendorRule, ...] = (*GATEWAY_RULES, *_PROVIDER_RULES)


def matches(
    text: str, host: str | None, domain: str | None, reporter: str | None = None
) -> tuple[VendorRule, ...]:
    """Return every vendor rule that applies, most specific first.

    A rule tied to a company (:attr:`VendorRule.company`) applies only when the
    answering host is unknown or belongs to that company: the advice follows the
    server that refused the mail, not the one that wrote the notice.

    Args:
        text: The diagnostic text (any case; only the start is read).
        host: The host that answered (the remote MTA, or the host the diagnostic
            names), or ``None``.
        domain: Recipient domain, or ``None``.
        reporter: Reporting MTA, or ``None`` (only read by rules with an anchor).
    """
    low = text[:4000].lower()
    answered = host_vendor(host) if host else None
    company = answered.company if answered is not None else None
    fields = {"text": low, "host": (host or "").lower(), "domain": (domain or "").lower()}
    anchors = (low, fields["host"], (reporter or "")[:255].lower())
    found: list[VendorRule] = []
    seen_vendor_category: set[str] = set()
    for rule in RULES:
        if not fields[rule.where] or not rule.pattern.search(fields[rule.where]):
            continue
        if rule.also is not None and not rule.also.search(low):
            continue
        if rule.anchor is not None and not any(rule.anchor.search(a) for a in anchors):
            continue
        if rule.company is not None and host and rule.company != company:
            continue
        if rule.vendor in seen_vendor_category and rule.category is None:
            continue
        if rule.category is not None:
            seen_vendor_category.add(rule.vendor)
        found.append(rule)
    return tuple(found)
