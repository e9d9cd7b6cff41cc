"""Explain a pasted fragment: a Proofpoint Essentials log status, an SMTP reply or an NDR.

The technician pastes whatever the customer or the portal shows; this module tries
every reader that needs no network and returns plain lines tagged with a kind
(``title``, ``meaning``, ``next``, ``warn``, ``muted``) for the UI to style.
"""

from __future__ import annotations

import re

from mailtriage.checks.bounce.entry import parse_reply
from mailtriage.checks.pelog import explain_lines

MAX_PASTE = 64 * 1024
_NOT_WORD = re.compile(r"[\W_]+")
MAX_EXTRA = 12  # letters beside a status word before a line counts as prose
_SMTP_LINE = re.compile(r"\s*(?:[245]\d\d[ -]|[245]\.\d{1,3}\.\d{1,3}\b)")
Line = tuple[str, str]


def _status_like(line: str, status: str) -> bool:
    """Whether a line is a status (with little else) or a row copied from the portal."""
    if "\t" in line or line.count(",") >= 2 or line.count("|") >= 2:
        return True
    rest = line.lower().replace(status.lower(), "", 1)
    return len(_NOT_WORD.sub("", rest)) <= MAX_EXTRA


def _statuses(text: str) -> list[Line]:
    out: list[Line] = []
    for item in explain_lines(text):
        if _SMTP_LINE.match(item.text) or not _status_like(item.text, item.explanation.status):
            continue  # "554 5.7.0 Blocked ..." is a reply; "could not be delivered" is prose
        e = item.explanation
        name = e.status or "(blank)"
        out.append(("title", f"Proofpoint Essentials {e.kind} status: {name} (line {item.line})"))
        out.append(("meaning", f"  {e.meaning}"))
        out.append(("muted", f"  Where it is now: {e.where_now} · layer: {e.layer}"))
        if e.timing:
            out.append(("muted", f"  Timing: {e.timing}"))
        out.append(("next", f"  Next: {e.next_step}"))
    return out


def _reply(text: str, coded_only: bool = False) -> list[Line]:
    bounce = parse_reply(text)
    if bounce is None or not bounce.recipients:
        return []
    out: list[Line] = []
    for r in bounce.recipients:
        if coded_only and not (r.reply_code or r.status):
            continue  # a log status was recognised: a guess from its words adds nothing
        code = r.code or "no code"
        kind = {True: "permanent", False: "temporary", None: "permanence unknown"}[r.permanent]
        who = f" for {r.recipient}" if r.recipient else ""
        out.append(("title", f"SMTP reply {code}{who}: {r.category} ({kind})"))
        if r.remote_mta:
            out.append(("muted", f"  Reported by: {r.remote_mta}"))
        out.append(("meaning", f"  {r.meaning}"))
        out.append(("muted", f"  Layer: {r.layer}"))
        out.append(("next", f"  Next: {r.next_step}"))
    return out


def explain_paste(text: str) -> list[Line]:
    """Explain ``text`` (untrusted, capped at 64 KB): SMTP replies, then log statuses.

    A line that starts with a reply code is read as a reply only; when a log status is
    recognised, a reply reading with no code at all (a guess from words) is left out.

    Args:
        text: What was pasted.

    Returns:
        ``(kind, line)`` pairs; empty when nothing was recognised.
    """
    text = text[:MAX_PASTE]
    if not text.strip():
        return []
    statuses = _statuses(text)
    return _reply(text, coded_only=bool(statuses)) + statuses
