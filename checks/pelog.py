"""Recognise a Proofpoint Essentials email-log status in what a technician selects or pastes.

Input may be the bare status (any case, with or without parentheses), a row copied
from the Email Logs table (tab-, comma- or pipe-separated, or aligned with spaces),
or a free line of text containing a status. Nothing here raises on odd input;
lines are capped and the patterns are plain alternations of literals.

The Email Logs page shows two different status vocabularies. The *delivery* status
is the value in a log row's Status column (``delivered``, ``delayed``...). The
*filter* status is what the Status drop-down searches by (``Cleared``,
``Blocked``...). The table of both, with what each means and what to do next,
comes first; the recognisers follow.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from mailtriage.checks.model import LAYERS
from mailtriage.checks.text import printable

__all__ = [
    "EXPECTED_TIMING",
    "INBOUND_NOT_LOGGED",
    "LAYERS",
    "OUTBOUND_NOT_LOGGED",
    "STATUSES",
    "LineStatus",
    "StatusExplanation",
    "explain_all",
    "explain_lines",
    "explain_status",
]

EXPECTED_TIMING = (
    "Proofpoint usually passes a message on within a few seconds to a minute of receiving "
    "it, longer for big messages. With attachment sandboxing on, messages carrying "
    "attachments are held while they are scanned: 5-10 minutes is typical and 15 is the "
    "ceiling. If the received and delivered times in the message details fit these windows, "
    "the delay happened before Proofpoint got it or after Proofpoint handed it on."
)
INBOUND_NOT_LOGGED = (
    "MX: check that the recipient domain's MX records point at Proofpoint Essentials; mail "
    "sent to another MX never passes through it, so it cannot be logged.",
    "Spelling: confirm the exact recipient address the sender typed.",
    "Sent at all: ask the sender to confirm it really went out, ideally with the log line "
    "from their own mail server or provider.",
    "Time: allow a realistic wait. Mail is not instant: large messages, slow links, "
    "greylisting, senders that only send in batches and passing DNS trouble all add delay.",
    "New or just-changed setup: Proofpoint needs up to an hour before new settings apply.",
)
OUTBOUND_NOT_LOGGED = (
    "The sending mail client or server must use Proofpoint's SMTP host as its outbound server.",
    "The sending IP address or host name must be listed under Company Settings > Domains.",
)


@dataclass(frozen=True)
class StatusExplanation:
    """One Proofpoint Essentials log status, explained.

    Attributes:
        status: The status as the portal writes it, ``""`` for the blank status.
        kind: ``"delivery"`` (a log row's Status column) or ``"filter"`` (the search drop-down).
        meaning: What the status says happened, in plain words.
        next_step: What the technician should do about it.
        layer: One of :data:`LAYERS`.
        delivered: ``True`` when it left Proofpoint for the destination, ``False`` when it
            did not or will not, ``None`` when still undecided or not applicable.
        where_now: Where the message is now, e.g. ``"in Proofpoint's queue"``.
        timing: How long this state normally lasts, when that matters ("" otherwise).
    """

    status: str
    kind: str
    meaning: str
    next_step: str
    layer: str
    delivered: bool | None
    where_now: str
    timing: str = ""


_QUEUE_WAIT = (
    "Normally a few seconds to a minute; 5-15 minutes when attachment sandboxing holds it."
)
_RETRY_WAIT = (
    "Retried for up to a week; the sender is warned after about a day in the queue and gets "
    "a bounce when it expires."
)
_DOWNSTREAM = (
    "Proofpoint's part is done. If the user still cannot find it, follow it on the receiving "
    "side: that server's own trace (e.g. Microsoft 365 message trace), its junk folder and "
    "quarantine, and the mailbox's rules. A server that accepted mail but never delivered it "
    "needs its own administrator to look, urgently."
)
_RELEASE = (
    "Open the entry to see which filter held it. If it is legitimate, release it (and only "
    "then consider a narrow allow entry); afterwards check the log again for its delivery "
    "status."
)

# fmt: off
STATUSES: tuple[StatusExplanation, ...] = (
    StatusExplanation(
        "delivered", "delivery",
        "The destination server took the message over SMTP. Proofpoint Essentials is done "
        "with it; it should show up in the mailbox right away.",
        _DOWNSTREAM, "downstream/mailbox", True, "left Proofpoint",
    ),
    StatusExplanation(
        "delayed", "delivery",
        "Delivery failed for now and Proofpoint is holding the message to try again later. "
        "The tooltip gives the reason: a timeout, a firewall, a destination server that is "
        "down, misconfigured or out of disk space.",
        "Read the reason on the tooltip or details page, then fix the destination: is the "
        "SMTP destination right, is the server up, does its firewall let Proofpoint's ranges "
        "in? Queued mail goes out on the next retry once it is fixed.",
        "routing/connector", None, "in Proofpoint's queue", _RETRY_WAIT,
    ),
    StatusExplanation(
        "expired", "delivery",
        "Proofpoint retried for a week without success and dropped the message from its "
        "queue; the sender has been sent a bounce.",
        "Find out why the destination refused or could not be reached for a whole week, fix "
        "it, then ask the sender to send the message again.",
        "routing/connector", False, "gone from Proofpoint's queue (sender bounced)",
        "Expires after a week of retries.",
    ),
    StatusExplanation(
        "bounced", "delivery",
        "The destination server refused the message outright. The usual cause is a mistyped "
        "mailbox name before the @ on a server that only accepts addresses it knows (a typo "
        "in the domain would never have reached Proofpoint).",
        "Read the rejection in the details. Check the recipient address letter by letter and "
        "that the mailbox exists on the destination; if it does, the destination's admin "
        "must check why their server refuses it.",
        "downstream/mailbox", False, "refused by the destination (sender bounced)",
    ),
    StatusExplanation(
        "", "delivery",
        "No status yet: Proofpoint is still making its first delivery attempt. A large "
        "message, a busy destination or a connection waiting to time out keeps it here.",
        "Wait a few minutes and refresh. If it stays blank, check that the destination server "
        "answers on port 25 from Proofpoint's ranges.",
        "routing/connector", None, "in Proofpoint's queue (first attempt)", _QUEUE_WAIT,
    ),
    StatusExplanation(
        "quarantined", "delivery",
        "Proofpoint classified it as spam (or another filter held it) and stopped delivery; "
        "it sits in quarantine and can still be released.",
        _RELEASE, "quarantine/release", False, "held in quarantine",
    ),
    StatusExplanation(
        "Any", "filter",
        "Not a status of its own: the search shows messages in every state.",
        "Pick a specific status, or narrow by recipient, sender or subject, to find the message.",
        "policy", None, "not a message state",
    ),
    StatusExplanation(
        "Cleared", "filter",
        "The message passed filtering and went on to the destination server.",
        _DOWNSTREAM, "downstream/mailbox", True, "left Proofpoint",
    ),
    StatusExplanation(
        "Cleared (but queued for delivery)", "filter",
        "Filtering let it through but it has not left Proofpoint yet; it is waiting in the "
        "outbound queue for the destination.",
        "Check the delivery status and its tooltip: a long wait means the destination is slow "
        "or unreachable (server, firewall, SMTP destination setting).",
        "routing/connector", None, "in Proofpoint's queue", _QUEUE_WAIT,
    ),
    StatusExplanation(
        "Cleared (but bounced by destination)", "filter",
        "Filtering let it through and Proofpoint sent it on, but the destination server "
        "rejected it and returned it to the sender.",
        "Read the destination's rejection in the details: unknown mailbox, full mailbox or "
        "the destination's own filter. The fix is on the receiving server, not in Proofpoint.",
        "downstream/mailbox", False, "refused by the destination (sender bounced)",
    ),
    StatusExplanation(
        "Cleared (released from quarantine)", "filter",
        "It was held at first and later released from quarantine, so it was sent on.",
        "If the user still lacks it, check the delivery status after the release and then the "
        "receiving side: its own spam filter may catch the same message again.",
        "quarantine/release", True, "released and sent on",
    ),
    StatusExplanation(
        "Blocked", "filter",
        "A filter fired and stopped the message; it was not delivered.",
        "Open the details to see which filter or rule fired (block list, virus, company "
        "policy). Change the policy only if the block was wrong; the sender may have had a "
        "rejection.",
        "policy", False, "stopped by Proofpoint",
    ),
    StatusExplanation(
        "Quarantined", "filter",
        "A filter held the message instead of delivering it; it can still be released.",
        _RELEASE, "quarantine/release", False, "held in quarantine",
    ),
    StatusExplanation(
        "Reported (Misclassified)", "filter",
        "Proofpoint's guide does not define this one. It appears to list messages that someone "
        "reported as wrongly classified (spam let through, or good mail caught); the report "
        "itself does not change delivery.",
        "Open the details for what actually happened to it. A wrongly caught message needs a "
        "release; repeated misses are worth a case with Proofpoint support.",
        "verdict", None, "unchanged by the report",
    ),
)
# fmt: on


MAX_LINE = 4000
MAX_LINES = 20000
_BLANK_WORDS = frozenset({"", "blank", "empty", "-", "—", "none shown", "no status"})
_PUNCT = re.compile(r"[()\[\]<>{}\"'`:;.,!?*]+")
_SPACES = re.compile(r"\s+")
_ALIGNED = re.compile(r" {2,}")


def _key(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


_BY_KEY: dict[str, dict[str, StatusExplanation]] = {}
for _e in STATUSES:
    _BY_KEY.setdefault(_key(_e.status), {})[_e.kind] = _e
_BLANK = _BY_KEY[""]["delivery"]
_PHRASES = sorted((k for k in _BY_KEY if " " in k), key=len, reverse=True)
_WORDS = [k for k in _BY_KEY if k and " " not in k and k != "any"]
_PHRASE_RE = re.compile(r"\b(" + "|".join(map(re.escape, _PHRASES)) + r")\b")
_WORD_RE = re.compile(r"\b(" + "|".join(map(re.escape, _WORDS)) + r")\b")


@dataclass(frozen=True)
class LineStatus:
    """A status recognised on one line of a multi-line paste.

    Attributes:
        line: 1-based line number in the pasted text.
        text: The line as pasted (raw, capped at ``MAX_LINE`` characters).
        explanation: What the status on that line means.
    """

    line: int
    text: str
    explanation: StatusExplanation

    def display(self, limit: int = 200) -> str:
        """Return the pasted line made safe for a terminal."""
        return printable(self.text, limit)


def _pick(key: str, kind: str | None, prefer: str) -> StatusExplanation | None:
    found = _BY_KEY.get(key)
    if not found:
        return None
    return found.get(kind or prefer) or next(iter(found.values()))


def _fields(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    if "," in line:
        try:
            return next(csv.reader([line]), [])
        except csv.Error:
            return line.split(",")
    if "|" in line:
        return line.split("|")
    return _ALIGNED.split(line)


def _from_row(line: str, kind: str | None) -> StatusExplanation | None:
    fields = _fields(line)
    if len(fields) < 2:
        return None
    for field in fields:
        key = _key(field)
        if key and key != "any" and key in _BY_KEY:
            return _pick(key, kind, "delivery")
    return None


def _from_text(line: str, kind: str | None) -> StatusExplanation | None:
    norm = _key(line)
    m = _PHRASE_RE.search(norm) or _WORD_RE.search(norm)
    return _pick(m.group(1), kind, "delivery") if m else None


def _explain_line(line: str, kind: str | None) -> StatusExplanation | None:
    line = line[:MAX_LINE]
    bare = _key(line)
    if bare in _BY_KEY and bare:
        stripped = line.strip().lstrip("([<\"'")
        prefer = "filter" if stripped[:1].isupper() else "delivery"
        return _pick(bare, kind, prefer)
    return _from_row(line, kind) or _from_text(line, kind)


def explain_status(text: str, kind: str | None = None) -> StatusExplanation | None:
    """Explain the Proofpoint Essentials log status in ``text``.

    Accepts the bare status in any case, with or without its parentheses, a copied log
    row, or a line containing a status. Empty text or ``"blank"`` means the blank status
    (still on its first delivery attempt). For a multi-line paste the first recognised
    line wins. ``"quarantined"`` exists in both vocabularies: a bare word starting with a
    capital is taken as the filter status, anything else as the delivery status, unless
    ``kind`` says which.

    Args:
        text: What the technician selected or pasted (untrusted).
        kind: ``"delivery"`` or ``"filter"`` to force one vocabulary, else ``None``.

    Returns:
        The explanation, or ``None`` when no status is recognised.
    """
    short = text.strip()
    if len(short) <= 12 and _key(short) in _BLANK_WORDS:
        return _BLANK
    for line in text.splitlines()[:MAX_LINES]:
        if line.strip():
            found = _explain_line(line, kind)
            if found is not None:
                return found
    return None


def explain_lines(text: str) -> tuple[LineStatus, ...]:
    """Explain every line of a multi-line paste that carries a recognisable status.

    Blank lines and lines without a status (headers, notes) are skipped; at most
    ``MAX_LINES`` lines are read.
    """
    out: list[LineStatus] = []
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if not line.strip():
            continue
        found = _explain_line(line, None)
        if found is not None:
            out.append(LineStatus(number, line[:MAX_LINE], found))
    return tuple(out)


def explain_all(text: str) -> tuple[StatusExplanation, ...]:
    """Return one explanation per recognised line of ``text`` (see :func:`explain_lines`)."""
    return tuple(item.explanation for item in explain_lines(text))
