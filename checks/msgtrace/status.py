"""Microsoft 365 message trace statuses: meaning, next step and layer for each value.

The new Exchange admin center, ``Get-MessageTrace``/``Get-MessageTraceV2`` and the
historical search reports spell statuses differently ("Getting status",
``GettingStatus``, ``Receive, Deliver``); :func:`canonical_status` folds them into
the cmdlet names used as keys of :data:`STATUS`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class TraceStatus:
    """One message trace status, explained.

    Attributes:
        name: The cmdlet spelling, e.g. ``"FilteredAsSpam"``.
        meaning: What it says happened.
        next_step: What to do next.
        layer: Where to look (``"routing/connector"``, ``"verdict"``...).
        delivered: Whether it reached the recipient's mailbox: ``True``, ``False`` or
            ``None`` (not decided, or not knowable from this status alone).
    """

    name: str
    meaning: str
    next_step: str
    layer: str
    delivered: bool | None


# fmt: off
_TABLE = (
    TraceStatus(
        "Delivered",
        "Exchange Online handed the message to the recipient's mailbox (or, for an outside "
        "recipient, to the next server).",
        "If the user cannot see it, the answer is in the mailbox: Junk Email, Focused/Other, "
        "Inbox rules that move or delete, a shared or delegated mailbox. Search the mailbox for "
        "the Message-ID; a sample's X-Microsoft-Antispam-Mailbox-Delivery header names the folder.",
        "downstream/mailbox", True,
    ),
    TraceStatus(
        "Failed",
        "The service tried to hand the message on and could not, or refused it outright.",
        "Open the row's details for the error and NDR code: unknown recipient, a mail flow rule "
        "rejecting it, a connector or TLS failure towards the next hop.",
        "routing/connector", False,
    ),
    TraceStatus(
        "Pending",
        "The message is still on its way, or the next hop put it off and the service will "
        "try again.",
        "Re-run the trace in a few minutes. If it stays Pending, the details give the deferral "
        "reason, usually a next hop (on-premises server, gateway, connector) not accepting mail.",
        "routing/connector", None,
    ),
    TraceStatus(
        "Expanded",
        "The recipient was a distribution group; the service replaced it with its members. The "
        "group row has no delivery status of its own.",
        "Look at the members' rows (same Message-ID) for the real outcome; if there are none, "
        "check the group's membership and who is allowed to send to it.",
        "routing/connector", None,
    ),
    TraceStatus(
        "Quarantined",
        "Exchange Online Protection held the message in quarantine (spam, phishing, malware or "
        "a mail flow rule) instead of delivering it.",
        "Find it in the Defender quarantine, read the policy and reason, and release it if it "
        "is legitimate; a released message is delivered afterwards.",
        "quarantine/release", False,
    ),
    TraceStatus(
        "FilteredAsSpam",
        "Spam filtering judged the message to be spam; the anti-spam policy then decided its "
        "fate, normally the recipient's Junk Email folder.",
        "Check the Junk Email folder and the sample's SCL/SFV values; if it is a false "
        "positive, submit it to Microsoft and review the anti-spam policy before allowing "
        "the sender.",
        "verdict", None,
    ),
    TraceStatus(
        "GettingStatus",
        "No final outcome has been recorded yet; the trace is still catching up.",
        "Wait a few minutes and run the trace again.",
        "routing/connector", None,
    ),
    TraceStatus(
        "Resolved",
        "A directory lookup re-addressed the message to another recipient (an alias, a "
        "forwarding target); the final outcome is on a separate row.",
        "Find the row for the resolved address and follow that one; check the recipient's "
        "proxy addresses and forwarding settings if the target is unexpected.",
        "routing/connector", None,
    ),
    TraceStatus(
        "None",
        "There is no delivery outcome for this recipient: the message was refused, or a rule "
        "sent it to someone else instead.",
        "Open the details: a mail flow rule (transport rule) that rejects or redirects is the "
        "usual cause.",
        "policy", False,
    ),
)
# fmt: on
STATUS: dict[str, TraceStatus] = {s.name: s for s in _TABLE}

_KEYS = {s.name.lower(): s.name for s in _TABLE}
_EVENTS = {
    "deliver": "Delivered",
    "send": "Delivered",
    "fail": "Failed",
    "drop": "Failed",
    "badmail": "Failed",
    "defer": "Pending",
    "expand": "Expanded",
    "resolve": "Resolved",
    "redirect": "None",
    "quarantine": "Quarantined",
}
_NOT_ALNUM = re.compile(r"[^a-z]+")


@lru_cache(maxsize=4096)
def canonical_status(text: str) -> str:
    """Fold a status as exported into its cmdlet name, or return it unchanged (trimmed).

    Handles the admin center's spaced labels ("Filtered as spam", "Getting status") and
    historical-search events ("Receive, Deliver" gives ``"Delivered"``: the last event
    that ends the message's journey wins).
    """
    raw = text.strip()[:200]
    key = _NOT_ALNUM.sub("", raw.lower())
    if key in _KEYS:
        return _KEYS[key]
    final = ""
    for part in raw.split(","):
        event = _NOT_ALNUM.sub("", part.lower())
        final = _EVENTS.get(event, final)
    return sys.intern(final or raw)
