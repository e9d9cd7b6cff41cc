"""Match message trace rows to loaded samples and say where portal and mailbox disagree.

A sample is matched by its Message-ID, then by its network message ID (the trace ID),
and, only when the export has no Message ID column at all, by sender and subject.
What the sample's own Microsoft headers say (mailbox placement ``dest:``, SCL) is
read from its decoded verdicts (:func:`~mailtriage.checks.verdicts.microsoft_mailbox`)
and compared with what the trace claims.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mailtriage.checks.model import Sample
from mailtriage.checks.msgtrace.missing import held_upstream, no_rows_match
from mailtriage.checks.msgtrace.model import Trace, TraceMatch, TraceRow
from mailtriage.checks.msgtrace.status import STATUS
from mailtriage.checks.msgtrace.when import time_range
from mailtriage.checks.verdicts import DEST, microsoft_mailbox

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis

_PRIORITY = ("Quarantined", "FilteredAsSpam", "Failed", "None", "Delivered", "Pending",
             "GettingStatus", "Resolved", "Expanded")  # fmt: skip
_LOCAL = "downstream/mailbox"
_JUNK_SPAM = (
    "Spam filtering scored it SCL 5 or more and the mailbox filed it as junk: read the "
    "sample's SFV/SCL values, check the anti-spam policy and submit it as a false positive."
)
_JUNK_USER = (
    "Junk placement without a spam score comes from the mailbox itself: the user's Blocked "
    "Senders list or junk settings, or an Outlook rule."
)
_RULE = "An Inbox rule moved it: check the user's rules, then look in that folder."
_RERUN = "The trace was exported before the final status was recorded: run it again."
_REACHED = {
    "Quarantined": "it was probably released from quarantine after the trace recorded it",
    "FilteredAsSpam": "an allow entry or safe-senders list overrode the spam verdict, or it "
    "was released",
    "Failed": "the failed row may belong to another recipient or an earlier attempt",
    "None": "the row may belong to another recipient, or a rule redirected a copy",
}
_NETWORK_IDS = (
    "x-ms-exchange-organization-network-message-id",
    "x-ms-exchange-crosstenant-network-message-id",
)


def _summary(rows: tuple[TraceRow, ...]) -> str:
    counts = Counter(r.status or "(no status)" for r in rows)
    return ", ".join(f"{s} ×{n}" if n > 1 else s for s, n in counts.items())


def _mine(sample: Sample, rows: tuple[TraceRow, ...]) -> tuple[TraceRow, ...]:
    """Keep the rows for this sample's recipients when they can be told apart."""
    wanted = {a.addr.lower() for a in (*sample.to, *sample.cc) if a.addr}
    wanted.update(e.lower() for e in sample.envelope_to)
    mine = tuple(r for r in rows if r.recipient.strip().lower() in wanted)
    if not mine or any(r.status == "Expanded" for r in mine):
        return rows  # a group address: its members' rows tell the outcome
    return mine


def _where(dest: str, scl: int | None) -> str:
    if not dest:
        return ""
    folder = DEST.get(dest, f"folder {dest}")
    return f"{folder} (dest:{dest}, SCL {scl})" if scl is not None else f"{folder} (dest:{dest})"


def _conflict(primary: str, dest: str, scl: int | None) -> tuple[str, str, str] | None:
    """Return ``(what disagrees, layer, next step)`` when the sample contradicts the trace."""
    said, where = f"the trace says {primary}", _where(dest, scl)
    spam = scl is not None and scl >= 5
    if primary == "Delivered" and (dest == "J" or (not dest and spam)):
        where = where or f"Junk Email (SCL {scl})"
        text = f"{said}, but the sample's headers put it in {where}"
        return (text, "verdict", _JUNK_SPAM) if spam else (text, "downstream/mailbox", _JUNK_USER)
    if primary == "Delivered" and dest == "C":
        return f"{said}, but the mailbox filed it in a custom folder ({where})", _LOCAL, _RULE
    if not dest or primary == "Delivered" or (primary == "FilteredAsSpam" and dest == "J"):
        return None
    if primary in _REACHED:
        info = STATUS[primary]
        text = f"{said}, but this copy reached the mailbox ({where}): {_REACHED[primary]}"
        return text, info.layer, info.next_step
    if primary in ("Pending", "GettingStatus"):
        text = f"{said}, but this copy already reached the mailbox ({where})"
        return text, "routing/connector", _RERUN
    return None


def _judge(a: Analysis, rows: tuple[TraceRow, ...], how: str) -> TraceMatch:
    sample = a.sample
    dest, scl = microsoft_mailbox(a.verdicts)
    statuses = {r.status for r in rows}
    primary = next((s for s in _PRIORITY if s in statuses), "")
    info = STATUS.get(primary)
    layer = info.layer if info else "routing/connector"
    step = info.next_step if info else "Open the trace details for this message."
    odd: str | None = None
    found = _conflict(primary, dest, scl)
    if found:
        what, layer, step = found
        who = sorted({r.recipient for r in rows if r.status == primary and r.recipient})[:3]
        rows_for = f" [rows for {', '.join(who)}]" if who else ""
        odd = what[:1].upper() + what[1:] + rows_for
    elif primary == "FilteredAsSpam" and dest == "J":
        step = "Consistent: the sample is in Junk Email. " + step
    return TraceMatch(
        sample.source, sample.message_id or "", rows, _summary(rows), odd, layer, step,
        primary, how, _where(dest, scl),
    )  # fmt: skip


def _lookup(trace: Trace, sample: Sample) -> tuple[tuple[TraceRow, ...], str]:
    rows = trace.find(sample.message_id)
    if rows:
        return rows, "message-id"
    for name in _NETWORK_IDS:
        found = trace.find_trace_id(sample.first(name))
        if found:
            return found, "network-message-id"
    if not trace.has_message_ids and sample.subject:
        senders = {a.addr.lower() for a in sample.from_} | {(sample.envelope_from or "").lower()}
        subject = sample.subject.strip().lower()
        found = tuple(
            r for r in trace.rows
            if r.subject.strip().lower() == subject and r.sender.lower() in senders
        )  # fmt: skip
        if found:
            return found, "sender+subject"
    return (), ""


def match(trace: Trace, analyses: Iterable[Analysis]) -> tuple[TraceMatch, ...]:
    """Match each sample to its trace rows and judge whether trace and mailbox agree.

    Args:
        trace: An imported trace (see :func:`mailtriage.checks.msgtrace.load.load_trace`).
        analyses: The loaded samples' analyses, in the order to report them.

    Returns:
        One :class:`TraceMatch` per sample, in the same order.
    """
    out: list[TraceMatch] = []
    for a in analyses:
        sample = a.sample
        rows, how = _lookup(trace, sample)
        if rows:
            out.append(_judge(a, _mine(sample, rows), how))
            continue
        in_mailbox = bool(microsoft_mailbox(a.verdicts)[0])
        # Only a copy whose route ends upstream was held there; one Microsoft filed
        # (Inbox, Junk Email) was delivered, whatever its quarantine signal says.
        held = held_upstream(a.hops, a.quarantine) if a.fate.delivered is False else None
        out.append(no_rows_match(sample, trace, time_range(trace), in_mailbox, held))
    return tuple(out)
