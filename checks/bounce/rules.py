"""Generic bounce classification: diagnostic wording first, then the status codes.

The wording rules live in :mod:`mailtriage.checks.bounce.words`; when none matches, the
enhanced status code's subject and detail decide, then the reply code, then the
code's class (4xx: a deferral). Vendor rules (:mod:`mailtriage.checks.bounce.vendors`,
:mod:`mailtriage.checks.bounce.microsoft`) run before all of these.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.words import TEXT_RULES

MAX_CLASSIFY = 4000
_BY_CODE: dict[str, str] = {
    "1.0": "recipient unknown",
    "1.1": "recipient unknown",
    "1.3": "recipient unknown",
    "1.6": "recipient unknown",
    "1.10": "recipient unknown",
    "1.2": "routing/DNS failure",
    "1.7": "policy block",
    "1.8": "policy block",
    "2.1": "recipient unknown",
    "2.2": "mailbox full",
    "2.3": "message too large",
    "3.4": "message too large",
    "4.1": "routing/DNS failure",
    "4.2": "routing/DNS failure",
    "4.3": "routing/DNS failure",
    "4.4": "routing/DNS failure",
    "4.6": "routing/DNS failure",
    "4.7": "expired",
    "7.0": "policy block",
    "7.1": "policy block",
    "7.2": "policy block",
    "7.7": "spam/content rejection",
    "7.10": "TLS required",
    "7.11": "TLS required",
    "7.25": "reputation block",
    "7.28": "rate limited",
}
_AUTH_DETAILS = frozenset({"20", "21", "22", "23", "24", "26"})
_BY_REPLY = {"551": "recipient unknown", "552": "mailbox full", "530": "TLS required"}
_SUCCESS = frozenset({"delivered", "relayed", "expanded"})
_LATER = re.compile(r"try (?:again )?later|please retry|retry later|temporar(?:il)?y")


def by_text(text: str) -> str | None:
    """Category from the wording of a diagnostic text, or ``None``."""
    low = text[:MAX_CLASSIFY].lower()
    for category, pattern in TEXT_RULES:
        if pattern.search(low):
            return category
    return None


def by_status(status: str | None) -> str | None:
    """Category implied by an enhanced status code alone, or ``None``."""
    if not status:
        return None
    _, _, rest = status.partition(".")
    subject, _, detail = rest.partition(".")
    if subject == "7" and detail in _AUTH_DETAILS:
        return "authentication failure"
    if subject == "6":
        return "spam/content rejection"
    return _BY_CODE.get(rest) or ("policy block" if subject == "7" else None)


def classify(text: str, status: str | None, reply_code: str | None, action: str | None) -> str:
    """Pick the category for one recipient.

    Args:
        text: Diagnostic text (any length; only the start is read).
        status: Enhanced status code or ``None``.
        reply_code: SMTP reply code or ``None``.
        action: DSN action or ``None``.

    Returns:
        A key of :data:`mailtriage.checks.bounce.categories.CATEGORIES`.
    """
    if action in _SUCCESS:
        return "delivered"
    found = by_text(text)
    if action == "delayed":
        return found if found not in (None, "expired") else "deferral"
    if found:
        return found
    first = (status or reply_code or "")[:1]
    if first == "4" and _LATER.search(text[:MAX_CLASSIFY].lower()):
        return "deferral"  # "421 4.7.0 Try again later": a temporary refusal, no rule named
    coded = by_status(status) or _BY_REPLY.get(reply_code or "")
    if coded:
        return coded
    return "deferral" if first == "4" else "other"
