"""Generic bounce classification: diagnostic wording first, then the status codes.

The wording rules live in :mod:`mailtriage.checks.bounce.words`; when none matches, the
enhanced status code's subject and detail decide, then the reply code, then the
code's class (4xx: a deferral). Vendor rules (:mod:`mailtriage.checks.bounce.vendors`,
:mod:`mailtriage.checks.bounce.microsoft`) run before all of these.

The remote server's own answer decides over the reporting MTA's wrapper: qmail's
"Giving up on 192.0.2.10", Exim's "retry timeout exceeded" or a "delivery time
expired" around a ``550 5.1.1 user unknown`` is an unknown recipient, not an expiry
(RFC 3463: the code's subject and detail are the remote's reason). An expiry stands
when nothing more specific was answered: a connection or DNS failure, a bare
deferral, or no reply at all. A report whose action is ``failed`` with a transient
(4.x.x) status after a bare deferral or a failed connection is such an expiry too
(RFC 3464 section 2.3.3: the MTA stopped retrying a temporary failure). An enhanced
status whose detail names the mailbox (X.1.1, X.1.6, X.1.10 "bad destination
mailbox"; X.2.2 "mailbox full") outweighs looser wording such as "denied",
"filtered" or "expired".
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
_EXPIRY = next(pattern for category, pattern in TEXT_RULES if category == "expired")
#: A failed connection or a temporary DNS failure: the retried kinds of routing failure (a
#: domain that does not exist is not retried).
_CONNECT = re.compile(
    r"connection (?:timed out|refused|reset|lost|dropped)|timed out|no route to host|"
    r"(?:network|host) (?:is )?unreachable|(?:could not|unable to|couldn't|failed to) connect|"
    r"establish an smtp connection|requests to connect|server did not respond|"
    r"try again|servfail|temporary (?:dns|lookup) failure|temporary failure in name resolution"
)
#: Enhanced status details that name the mailbox (RFC 3463 3.2, 3.3) and the looser
#: categories they outweigh when the wording says something vaguer.
_MAILBOX_CODES = {
    "1.1": "recipient unknown",
    "1.6": "recipient unknown",
    "1.10": "recipient unknown",
    "2.2": "mailbox full",
}
_LOOSER = frozenset(
    {"policy block", "spam/content rejection", "expired", "deferral", "other", "mailbox full"}
)


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


def _by_mailbox_code(status: str | None, found: str | None) -> str | None:
    """The category a mailbox status detail gives over looser wording, or ``None``."""
    coded = _MAILBOX_CODES.get(status.partition(".")[2]) if status else None
    if coded is None or coded == found or (found is not None and found not in _LOOSER):
        return None
    return coded


def _beyond_expiry(text: str, status: str | None, reply_code: str | None) -> str | None:
    """What the remote's reply inside an expiry wrapper says, or ``None`` when it names nothing.

    The wrapper's own words are blanked and the rest is read again; a permanent
    remote answer (5xx, not the X.4.7 expiry code) that names no reason by its words
    is read by its status code.
    """
    inner = by_text(_EXPIRY.sub(" ", text[:MAX_CLASSIFY].lower()))
    if inner not in (None, "routing/DNS failure", "deferral"):
        return inner
    code = status or reply_code or ""
    if code[:1] == "5" and status is not None and status[1:] != ".4.7":
        coded = by_status(status)  # a routing code inside the wrapper is the expiry's last error
        return coded if coded not in ("routing/DNS failure", "expired") else None
    return None


def classify(
    text: str,
    status: str | None,
    reply_code: str | None,
    action: str | None,
    stated: str | None = None,
) -> str:
    """Pick the category for one recipient.

    Args:
        text: Diagnostic text (any length; only the start is read).
        status: Enhanced status code or ``None``.
        reply_code: SMTP reply code or ``None``.
        action: DSN action or ``None``.
        stated: The report's own ``Status`` when the diagnostic's code was chosen over
            it; its X.4.7 ("delivery time expired") still marks an expiry.

    Returns:
        A key of :data:`mailtriage.checks.bounce.categories.CATEGORIES`.
    """
    if action in _SUCCESS:
        return "delivered"
    found = by_text(text)
    if found == "expired":
        found = _beyond_expiry(text, status, reply_code) or found
    found = _by_mailbox_code(status, found) or found
    if action == "delayed":
        return found if found not in (None, "expired") else "deferral"
    first = (status or reply_code or "")[:1]
    if not found:
        if first == "4" and _LATER.search(text[:MAX_CLASSIFY].lower()):
            found = "deferral"  # "421 4.7.0 Try again later": a temporary refusal, no rule named
        else:
            found = by_status(status) or _BY_REPLY.get(reply_code or "")
            found = found or ("deferral" if first == "4" else "other")
    expiry = any(code and code[1:] == ".4.7" for code in (status, stated))
    if (expiry or (action == "failed" and first == "4")) and _gave_up(found, text):
        return "expired"  # gave up retrying a temporary failure (RFC 3464 2.3.3)
    if action == "failed" and not first and found == "routing/DNS failure" and _retried(text):
        return "expired"  # no code at all: a failed connection is only given up on at expiry
    return found


def _gave_up(found: str, text: str) -> bool:
    """Whether a failed report with a transient status is an expiry of ``found``.

    A bare deferral or a failed connection was retried until the MTA gave up; a
    domain that does not exist (NXDOMAIN, null MX) fails at once and stays a
    routing failure.
    """
    if found in ("deferral", "other", "expired"):
        return True
    return found == "routing/DNS failure" and _retried(text)


def _retried(text: str) -> bool:
    """Whether a routing failure is of the retried kind: a connection, or a DNS "try again"."""
    return _CONNECT.search(text[:MAX_CLASSIFY].lower()) is not None


#: A failed lookup of the recipient domain: Postfix's "Host or domain name not found. Name
#: service error ...", a resolver's SERVFAIL, a stub resolver's "temporary failure in name
#: resolution", SES's "Unable to lookup DNS".
_DNS_LOOKUP = re.compile(
    r"host or domain name not found|name service error|temporary failure in name resolution|"
    r"servfail|unable to look ?up dns|dns (?:lookup|query) (?:failed|timed out)"
)
_DNS_TEMPORARY = re.compile(r"try again|servfail|temporar|timed out|unable to look ?up dns")


def temporary_dns_failure(text: str, status: str | None) -> bool:
    """Whether the diagnostic is a temporary failure to look up the recipient domain.

    RFC 3463 X.4.3 ("directory server failure") or wording that says the lookup may
    work later (Postfix's "Host not found, try again", SERVFAIL); a domain that does
    not exist (NXDOMAIN, X.4.4 / X.1.2) is not temporary.
    """
    low = text[:MAX_CLASSIFY].lower()
    if not _DNS_LOOKUP.search(low):
        return False
    return (status is not None and status[1:] == ".4.3") or bool(_DNS_TEMPORARY.search(low))
