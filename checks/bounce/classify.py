"""Turn a parsed recipient draft into a classified :class:`BounceRecipient`.

Codes: the report's ``Status`` wins, except when it is generic (``X.0.0``) or
the expiry code (``X.4.7``) and the diagnostic carries the remote server's own
code of the same class, which says more. Category: Microsoft's code table, then
vendor wording, then the generic rules; Microsoft's 5.4.1 with relay-denied
wording is a routing problem, not an unknown recipient. Vendor notes go in
front of the category's next step.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce import microsoft as bouncems
from mailtriage.checks.bounce import rules as bouncerules
from mailtriage.checks.bounce import smtpreply
from mailtriage.checks.bounce import vendors as bouncevendor
from mailtriage.checks.bounce.categories import describe
from mailtriage.checks.bounce.model import MAX_DIAGNOSTIC, BounceRecipient, Draft
from mailtriage.checks.bounce.text import strip_markup

_WS = re.compile(r"\s+")
_QUARANTINE = ("quarantin", "held for review", "held in ")
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


def _join_notes(notes: list[str], base: str) -> str:
    unique = list(dict.fromkeys(notes))
    return " ".join([*unique, base]) if unique else base


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
    ms_context = microsoft or bool(bouncems.CONTEXT.search(low))
    domain = draft.recipient.rpartition("@")[2] if "@" in draft.recipient else None
    notes: list[str] = []
    category: str | None = None
    ms = bouncems.lookup(status, ms_context)
    if ms is not None and status == "5.4.1" and bouncerules.by_text(low) == "relay denied":
        ms = ("relay denied", RELAY_541)
    if ms is not None:
        category = ms[0]
        notes.append(ms[1])
    for rule in bouncevendor.matches(reply.text, draft.remote_mta, domain, reporter):
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
    meaning, next_step, layer = describe(category)
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
