"""Explain a pasted fragment: a Proofpoint Essentials log status, an SMTP reply or an NDR.

The technician pastes whatever the customer or the portal shows; this module tries
every reader that needs no network and returns plain lines tagged with a kind
(``title``, ``meaning``, ``next``, ``warn``, ``muted``) for the UI to style.
"""

from __future__ import annotations

from checks.bounce import parse_reply
from checks.pelog import explain_lines

MAX_PASTE = 64 * 1024
Line = tuple[str, str]


def _statuses(text: str) -> list[Line]:
    out: list[Line] = []
    for item in explain_lines(text):
        e = item.explanation
        name = e.status or "(blank)"
        out.append(("title", f"Proofpoint Essentials {e.kind} status: {name} (line {item.line})"))
        out.append(("meaning", f"  {e.meaning}"))
        out.append(("muted", f"  Where it is now: {e.where_now} · layer: {e.layer}"))
        if e.timing:
            out.append(("muted", f"  Timing: {e.timing}"))
        out.append(("next", f"  Next: {e.next_step}"))
    return out


def _reply(text: str) -> list[Line]:
    bounce = parse_reply(text)
    if bounce is None or not bounce.recipients:
        return []
    out: list[Line] = []
    for r in bounce.recipients:
        code = " ".join(x for x in (r.reply_code, r.status) if x) or "no code"
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
    """Explain ``text`` (untrusted, capped at 64 KB): log statuses first, then SMTP replies.

    Args:
        text: What was pasted.

    Returns:
        ``(kind, line)`` pairs; empty when nothing was recognised.
    """
    text = text[:MAX_PASTE]
    if not text.strip():
        return []
    return _reply(text) + _statuses(text)
