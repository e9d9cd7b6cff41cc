"""Turn a parsed recipient draft into a classified :class:`BounceRecipient`.

Codes: the report's ``Status`` wins, except when it is generic (``X.0.0``) or
the expiry code (``X.4.7``) and the diagnostic carries the remote server's own
code of the same class, which says more. Category: Microsoft's code table, then
vendor wording, then the generic rules; Microsoft's 5.4.1 with relay-denied
wording is a routing problem, not an unknown recipient. Vendor notes go in
front of the category's next step, with sentences that repeat one another said once.

The vendor whose advice applies is the one whose server refused the mail: the
recipient's remote MTA, or the host the diagnostic names, not whoever wrote the
notice. Microsoft's reading of a code that other systems use too (5.7.1, 5.2.2...)
is given when Microsoft answered (its hosts or words in the diagnostic), or when a
Microsoft notice names no other server for that recipient.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce import microsoft as bouncems
from mailtriage.checks.bounce import rules as bouncerules
from mailtriage.checks.bounce import smtpreply
from mailtriage.checks.bounce import vendors as bouncevendor
from mailtriage.checks.bounce.categories import DNS_LOOKUP, describe
from mailtriage.checks.bounce.model import MAX_DIAGNOSTIC, BounceRecipient, Draft
from mailtriage.checks.bounce.text import strip_markup
from mailtriage.checks.vendors import blocklist_named, host_vendor, outbound_vendor

_WS = re.compile(r"\s+")
_QUARANTINE = ("quarantin", "held for review", "held in ")
#: Categories whose wording a temporary DNS failure of the recipient domain replaces.
_DNS_CATEGORIES = frozenset({"expired", "deferral", "routing/DNS failure"})
RELAY_541 = (
    "Exchange Online refused to relay: the recipient domain is not an accepted domain in the "
    "tenant that received the message, so the MX record or a connector sent it to the wrong "
    "place. Check that the domain is added and verified in the intended tenant and that its "
    "MX (or the sender's outbound connector) points there."
)


def choose_codes(stated: str | None, reply: smtpreply.Reply) -> tuple[str | None, str | None]:
    """Pick ``(status, reply_code)`` from the stated status and the diagnostic's codes."""
    if stated is None:
        return reply.status, reply.reply_code
    generic = stated.endswith(".0.0") or stated[1:] == ".4.7"
    if generic:
        # A code with an undefined detail (X.4.0) says less than the expiry code X.4.7.
        better = [
            s
            for s in reply.statuses
            if s[0] == stated[0] and s != stated and (stated.endswith(".0.0") or s[-2:] != ".0")
        ]
        if better:
            chosen = better[-1]
            paired = [r for r, s in reply.pairs if s == chosen]
            return chosen, paired[-1] if paired else reply.reply_code
    return stated, reply.reply_code


def permanence(status: str | None, reply_code: str | None, action: str | None) -> bool | None:
    """``True`` for 5xx, ``False`` for 4xx; from the action when no code is known."""
    for code in (status, reply_code):
        if code and code[0] in "45":
            return code[0] == "5"
    if action == "failed":
        return True
    if action == "delayed":
        return False
    return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9']+")
#: How many opening words make two sentences the same advice ("Check the spelling...").
_OPENING = 3


def _join_notes(notes: list[str], base: str) -> str:
    """Vendor notes, then the category's next step, each piece of advice said once.

    A sentence that repeats an earlier one, or opens with the same words (the same
    instruction said twice), is kept once: the longer wording, where the first stood.
    """
    kept: list[str] = []
    openings: dict[tuple[str, ...], int] = {}
    for part in [*notes, base] if base else notes:
        for sentence in _SENTENCE.split(part.strip()):
            words = tuple(_WORD.findall(sentence.lower()))
            key = words[:_OPENING] if len(words) >= _OPENING else words
            at = openings.get(key)
            if at is None:
                openings[key] = len(kept)
                kept.append(sentence)
            elif len(sentence) > len(kept[at]):
                kept[at] = sentence
    return " ".join(kept)


#: A host named in a diagnostic as the one that answered: Postfix's "host H[IP] said",
#: Gmail's "[H. IP: timed out]".
_NAMED_HOST = re.compile(
    r"\bhost ([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,63})\.?\s*\[[0-9a-f.:]+\]\s*said\b"
    r"|\[([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,63})\.? [0-9a-f.:]{3,45}: ",
    re.IGNORECASE,
)


def answering_host(remote_mta: str | None, diagnostic: str) -> str | None:
    """The server that gave this recipient's answer: the remote MTA, else the host the text names.

    Args:
        remote_mta: The report's remote MTA, or ``None``.
        diagnostic: The diagnostic text.

    Returns:
        A lower-case host name without a final dot, or ``None`` when neither names one.
    """
    host = (remote_mta or "").split(" ", 1)[0].strip().rstrip(".").lower()
    if host:
        return host
    hit = _NAMED_HOST.search(diagnostic[:4000])
    return (hit.group(1) or hit.group(2)).rstrip(".").lower() if hit else None


def _microsoft_answered(microsoft: bool, low: str, host: str | None) -> bool:
    """Whether Microsoft's server gave this answer (its reading of shared codes applies)."""
    if bouncems.CONTEXT.search(low):
        return True
    if host is None:
        return microsoft
    found = host_vendor(host)
    return bool(bouncems.CONTEXT.search(host)) or (
        found is not None and found.company == bouncems.COMPANY
    )


def _shared_ip_note(reply: str, category: str) -> str:
    """Advice when the IP refused for its reputation is a mail provider's shared one.

    Such an address sends for many of the provider's customers at once, so the
    customer cannot have it delisted; the provider's operators can, asked through
    the customer's own case (the same route the case packet takes).
    """
    if category != "reputation block" and blocklist_named(reply) is None:
        return ""
    ip = smtpreply.refused_ip(reply)
    owner = outbound_vendor(ip)
    if owner is None:
        return ""
    return (
        f"{ip} is one of {owner.company}'s shared outbound addresses, used for many of its "
        f"customers: the customer cannot get it delisted, {owner.company} can. Open a case "
        f"with {owner.company} from the customer's tenant and attach this bounce."
    )


def classify(draft: Draft, microsoft: bool, reporter: str | None = None) -> BounceRecipient:
    """Classify one recipient.

    Args:
        draft: What the parser found.
        microsoft: Whether the bounce is known to come from Microsoft.
        reporter: The reporting MTA, or ``None`` (anchors vendor rules).
    """
    diagnostic = strip_markup(draft.diagnostic)  # Exchange's HTML NDRs
    reply = smtpreply.parse(diagnostic)
    status, reply_code = choose_codes(draft.status, reply)
    low = reply.text.lower()
    host = answering_host(draft.remote_mta, reply.text)
    ms_context = _microsoft_answered(microsoft, low, host)
    domain = draft.recipient.rpartition("@")[2] if "@" in draft.recipient else None
    notes: list[str] = []
    category: str | None = None
    ms = bouncems.lookup(status, ms_context)
    if ms is not None and status == "5.4.1" and bouncerules.by_text(low) == "relay denied":
        ms = ("relay denied", RELAY_541)
    if ms is not None:
        category = ms[0]
        notes.append(ms[1])
    for rule in bouncevendor.matches(reply.text, host, domain, reporter):
        if category is None and rule.category is not None:
            category = rule.category
        notes.append(rule.note)
    if draft.action in ("delivered", "relayed", "expanded"):
        category, notes = "delivered", []
    elif category is None:
        category = bouncerules.classify(
            reply.text, status, reply_code, draft.action, stated=draft.status
        )
    elif draft.action == "delayed" and category == "expired":
        category = "deferral"
    shared = _shared_ip_note(reply.text, category)
    if shared:
        notes.insert(0, shared)
    meaning, next_step, layer = describe(category)
    if shared:  # the provider delists its own address: not the sender's admin
        next_step = ""
    if category in _DNS_CATEGORIES and bouncerules.temporary_dns_failure(reply.text, status):
        meaning, next_step = DNS_LOOKUP
    if any(word in low for word in _QUARANTINE):
        layer = "quarantine/release"
    return BounceRecipient(
        recipient=draft.recipient,
        status=status,
        reply_code=reply_code,
        permanent=permanence(status, reply_code, draft.action),
        category=category,
        remote_mta=draft.remote_mta,
        diagnostic=_WS.sub(" ", diagnostic[: MAX_DIAGNOSTIC * 4]).strip()[:MAX_DIAGNOSTIC],
        action=draft.action,
        meaning=meaning,
        next_step=_join_notes(notes, next_step),
        layer=layer,
    )


def fixed(
    recipient: str, category: str, diagnostic: str, layer: str | None = None, note: str = ""
) -> BounceRecipient:
    """A recipient whose category is known from the report type (feedback, auto-reply)."""
    meaning, next_step, default_layer = describe(category)
    return BounceRecipient(
        recipient=recipient,
        status=None,
        reply_code=None,
        permanent=None,
        category=category,
        remote_mta=None,
        diagnostic=diagnostic[:MAX_DIAGNOSTIC],
        action=None,
        meaning=meaning,
        next_step=_join_notes([note] if note else [], next_step),
        layer=layer or default_layer,
    )
