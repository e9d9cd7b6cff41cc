"""The Exchange / Microsoft 365 dialect: its fingerprint, its notice readers, its status codes.

:data:`EXCHANGE` is the dialect's row in :data:`mailtriage.checks.bounce.dialects.DIALECTS`:
the marks that recognise an Exchange (5.5 to current), Exchange Online, Microsoft 365 or
Outlook.com bounce, and the readers of its two notice layouts (:func:`exchange2003`,
:func:`exchange_admin`).

Microsoft's NDRs carry enhanced status codes with its own details (5.7.606,
5.7.750, 5.1.10...). Codes that only Microsoft uses are recognised anywhere;
common codes (5.2.2, 4.4.7, 5.7.23...) get the Microsoft note only when the
bounce came from Microsoft (:func:`lookup`, read by
:mod:`mailtriage.checks.bounce.classify`). The notes are our own summaries of
Microsoft's public NDR documentation.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.model import MAX_RECIPIENTS, Dialect, Draft
from mailtriage.checks.bounce.text import join, lines
from mailtriage.checks.vendors import bounce_marks, fact

#: The company of Microsoft's mail products in the vendor table.
COMPANY = "Microsoft 365"
# Microsoft's hosts that the notes name, from the vendor table.
_DELIST_PORTAL = fact("microsoft-eop", "reputation_site")
_SUBMISSION = fact("exchange-online", "submission_host")

# --- recognising and reading the notice --------------------------------------------------

_EX2003 = "did not reach the following recipient(s):"
_EX2003_LINE = re.compile(r"([^\s@]{1,320}@[^\s@]{1,255}) on ")
_ADMIN = re.compile(
    r"^[ \t]*([^\s@]{1,320}@[^\s@]{1,255})[ \t]*\r?\n"
    r"[ \t]*(?:([\w.-]{1,253})[ \t]+(?=#))?((?:#|remote server returned)[^\r\n]{1,2000})",
    re.IGNORECASE | re.MULTILINE,
)


def exchange2003(text: str) -> list[Draft]:
    """Exchange 5.5-2003: ``addr on <date>`` lines, each followed by indented reasons."""
    at = text.lower().find(_EX2003)
    if at < 0:
        return []
    entries: list[tuple[str, list[str]]] = []
    for line in lines(text[at + len(_EX2003) :]):
        hit = _EX2003_LINE.match(line)
        if hit is not None:
            entries.append((hit.group(1), []))
        elif entries and line.strip():
            entries[-1][1].append(line)
    return [Draft(a, join(d), action="failed") for a, d in entries[:MAX_RECIPIENTS]]


def exchange_admin(text: str) -> list[Draft]:
    """Exchange 2007+: ``addr`` then ``#550 5.x.x ...`` under "Diagnostic information".

    Exchange 2010 names the remote server before the code (``mx.example.com #550 5.1.1
    ... ##``); that host is kept as the remote MTA.
    """
    if "diagnostic information for administrators" not in text.lower():
        return []
    return [
        Draft(
            m.group(1),
            m.group(3).strip().lstrip("#").rstrip("#").strip(),
            action="failed",
            remote_mta=m.group(2),
        )
        for m in list(_ADMIN.finditer(text))[:MAX_RECIPIENTS]
    ]


# Host markers come from the vendor table; the rest is Exchange's own header and notice wording.
EXCHANGE = Dialect(
    "Exchange/Office 365 NDR",
    (
        "x-ms-exchange",
        "x-ms-embedded-report",
        *bounce_marks(COMPANY),
        "microsoft exchange",
        "diagnostic information for administrators",
        "did not reach the following recipient",
        "delivery has failed to these recipients",
        "x-dsncontext",
        "internet mail service",
        "office 365",
        "couldn't be delivered",
    ),
    (exchange2003, exchange_admin),
)

# --- status codes ------------------------------------------------------------------------

DELIST = (
    "Microsoft banned this sending IP. After fixing the cause, the sender's admin requests "
    f"removal through Microsoft's sender delist portal ({_DELIST_PORTAL})."
)
GROUP = (
    "The group or mailbox only accepts mail from permitted or authenticated (internal) "
    "senders; its owner adds the sender or allows external senders."
)
RATE = (
    "Microsoft's sending limits were hit (recipients per day / per minute); wait for the "
    "window to pass or spread the sending over time."
)

#: status -> (category or None for a note only, note, unique); ``unique`` marks codes no
#: other system uses.
CODES: dict[str, tuple[str | None, str, bool]] = {
    "5.7.511": (
        "reputation block",
        "Microsoft banned this sender outright; the delist portal "
        "cannot lift it, so forward the NDR with the evidence to Microsoft's delist "
        "mailbox.",
        True,
    ),
    "5.7.708": (
        "reputation block",
        "Microsoft does not accept mail from this IP (low or no "
        "reputation, common for new tenants on shared ranges). Send through a relay "
        "with an established reputation, or open a case with Microsoft.",
        True,
    ),
    "5.7.750": (
        "policy block",
        "Microsoft 365 refused to relay for a sender domain that is not "
        "added and verified in the sending tenant; add and verify the domain, or fix "
        "the outbound connector.",
        True,
    ),
    "5.7.705": (
        "policy block",
        "Microsoft blocked outbound mail from the whole sending tenant "
        "(too much spam sent); the tenant admin works the case with Microsoft.",
        True,
    ),
    "5.7.509": (
        "authentication failure",
        "Microsoft enforced the sending domain's DMARC "
        "p=reject: the message failed DMARC. Fix SPF/DKIM alignment for the From "
        "domain.",
        True,
    ),
    "5.7.57": (
        "relay denied",
        "The client did not authenticate before MAIL FROM. A device or "
        f"app submitting through {_SUBMISSION} must use port 587 with SMTP AUTH; "
        "otherwise use a connector or direct send.",
        True,
    ),
    "5.7.64": (
        "relay denied",
        "TenantAttribution: Microsoft could not tie the inbound "
        "connector to this tenant (the IP or certificate changed). Fix the on-premises "
        "or partner connector.",
        True,
    ),
    "5.7.1": (
        None,
        "Microsoft's general 'not authorized' code: besides a blocklist hit, it is usually a "
        "recipient-side restriction (mail flow rule, restricted group or mailbox) or a sender "
        "without Send As permission; the words after the code say which.",
        False,
    ),
    **{code: ("policy block", GROUP, True) for code in ("5.7.124", "5.7.133", "5.7.134", "5.7.13")},
    **{code: ("rate limited", RATE, True) for code in ("5.1.90", "5.2.121", "5.2.122")},
    "5.7.510": (
        "policy block",
        "The recipient's organisation does not accept mail over IPv6 from this sender.",
        True,
    ),
    "5.7.520": (
        "policy block",
        "The sender's organisation blocks automatic forwarding to "
        "outside addresses (outbound spam policy).",
        True,
    ),
    "5.1.8": (
        "policy block",
        "Microsoft blocked this sender's mailbox for sending spam, "
        "usually a compromised account. Secure the account, then release it from the "
        "Restricted entities page.",
        True,
    ),
    "5.1.10": (
        "recipient unknown",
        "RecipientNotFound: Microsoft 365 has no mailbox for this "
        "SMTP address. Check the spelling, the licence and (hybrid) directory sync.",
        True,
    ),
    "5.4.1": (
        "recipient unknown",
        "Directory-Based Edge Blocking: the address is not a valid "
        "recipient in the tenant, or the accepted domain's type (authoritative vs internal "
        "relay) is wrong.",
        False,
    ),
    "5.2.2": (
        "mailbox full",
        "The Microsoft 365 mailbox is over quota; archive, empty "
        "Recoverable Items or raise the quota.",
        False,
    ),
    "4.4.7": (
        "expired",
        "Exchange gave up after its retry window; look for the last error in "
        "message trace (often an unreachable server or a connector problem).",
        False,
    ),
    "5.4.7": (
        "expired",
        "Exchange gave up after its retry window; look for the last error in message trace.",
        False,
    ),
    "5.3.4": (
        "message too large",
        "An Exchange size limit (organisation, connector or "
        "mailbox) was exceeded; message trace shows which.",
        False,
    ),
    "5.2.3": ("message too large", "The recipient's Exchange size limit was exceeded.", False),
    "5.7.23": (
        "authentication failure",
        "Microsoft rejected the message on SPF: add the "
        "sending IP or service to the domain's SPF record.",
        False,
    ),
    "5.7.26": (
        "authentication failure",
        "Microsoft rejected the message: several authentication checks (SPF, DKIM, DMARC) failed.",
        False,
    ),
    "5.4.14": (
        "routing/DNS failure",
        "Hop count exceeded: a mail loop between connectors or forwarding rules.",
        False,
    ),
    "5.6.11": (
        "spam/content rejection",
        "The message contains bare line feeds, which "
        "Exchange refuses; fix the sending application.",
        False,
    ),
}
_BANNED = re.compile(r"5\.7\.6(?:0[6-9]|[1-4]\d)$")
_THROTTLE = re.compile(r"4\.7\.[5-8]\d\d$")
_TENANT = re.compile(r"5\.7\.7[0-4]\d$")
CONTEXT = re.compile(
    "|".join(map(re.escape, bounce_marks(COMPANY)))
    + r"|office ?365|microsoft|\bresolver\.|\bcategorizer\.|\brouting\.|\bstoredrv"
)


def lookup(status: str | None, microsoft: bool) -> tuple[str | None, str] | None:
    """Microsoft reading of an enhanced status code.

    Args:
        status: Enhanced status code, e.g. ``"5.7.606"``.
        microsoft: Whether the bounce is known to come from Microsoft (common codes
            are only read the Microsoft way then).

    Returns:
        ``(category, note)`` (category ``None``: the note only) or ``None``.
    """
    if not status:
        return None
    if _BANNED.match(status):
        return "reputation block", DELIST
    if _THROTTLE.match(status):
        return "rate limited", (
            "Microsoft is throttling this sending IP (suspicious volume or low reputation); "
            "it retries by itself, persistent throttling needs a reputation fix."
        )
    if _TENANT.match(status) and status != "5.7.708":
        return "policy block", CODES["5.7.705"][1]
    entry = CODES.get(status)
    if entry is None or not (entry[2] or microsoft):
        return None
    return entry[0], entry[1]
