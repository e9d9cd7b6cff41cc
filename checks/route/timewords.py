"""Words for the timeline: durations, and the one-line "where the time went" verdict."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailtriage.checks.route.timeline import Stage, Timeline

QUICK = 60.0  # below this no stage is worth blaming
SANDBOX_RANGE = (270.0, 930.0)  # 5 to 15 minutes, with half a minute of slack each side
SANDBOX_NAMES = {
    "Proofpoint": "Proofpoint Attachment Defense",
    "Proofpoint Essentials": "Proofpoint Attachment Defense",
    "Mimecast": "Mimecast Attachment Protect",
    "Microsoft EOP": "Microsoft Defender Safe Attachments",
    "Google": "Google's attachment security sandbox",
    "Cisco Secure Email": "Cisco file analysis",
    "Barracuda": "Barracuda Advanced Threat Protection",
    "Sophos": "Sophos Sandstorm",
    "Trend Micro": "Trend Micro Virtual Analyzer",
}


def duration(seconds: float) -> str:
    """Compact duration such as ``"42s"``, ``"5m 03s"``, ``"2h 10m"``, ``"-42s"``."""
    s = round(abs(seconds))
    sign = "-" if seconds < 0 and s else ""
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d {s % 86400 // 3600}h"


def mha_delay(seconds: float | None) -> str:
    """A delay worded as Microsoft's Message Header Analyzer does (``"310 minutes 13 seconds"``).

    Differences under one second read ``"0 seconds"``; ``None`` reads ``""``.
    """
    if seconds is None or math.isnan(seconds):
        return ""
    diff = round(seconds * 1000)
    if abs(diff) < 1000:
        return "0 seconds"
    out = "-" if diff < 0 else ""
    diff = abs(diff)
    minutes = diff // 60000
    if minutes:
        out += f"{minutes} minute{'' if minutes == 1 else 's'}"
        diff -= minutes * 60000
        if diff:
            out += " "
    if not minutes or diff:
        secs = diff // 1000
        out += f"{secs} second{'' if secs == 1 else 's'}"
    return out


def _stage(tl: Timeline) -> tuple[Stage, float] | None:
    stages: list[tuple[Stage, float | None]] = [
        ("before", tl.before_seconds),
        ("inside", tl.inside_seconds),
        ("after", tl.after_seconds),
    ]
    best = max(((k, v) for k, v in stages if v is not None), key=lambda kv: kv[1], default=None)
    return best if best and best[1] >= QUICK else None


def _longest(tl: Timeline, start: int = 0) -> str:
    """Name the hop with the longest wait from ``start`` on, e.g. ``"the longest wait ..."``."""
    waits = [(d, i) for i, d in enumerate(tl.delays) if i >= start and d is not None and d > 0]
    d, i = max(waits, default=(0.0, start))
    name = tl.systems[i] if i < len(tl.systems) else None
    where = f"hop {i + 1}" + (f" ({name})" if name else "")
    return f"the longest wait ({duration(d)}) before {where} received it"


def _inside(tl: Timeline, took: str, seconds: float, nxt: str) -> tuple[str, bool]:
    gw = tl.gateway or "the gateway"
    if not tl.has_attachments:
        return (
            f"{took} was spent inside {gw} with no attachments to sandbox: its message log "
            f"should show why (held for review, throttled, or retrying the hand-off to {nxt}).",
            False,
        )
    low, high = SANDBOX_RANGE
    if low <= seconds <= high:
        sandbox = SANDBOX_NAMES.get(gw, f"{gw}'s attachment sandbox")
        return (
            f"{took} was spent inside {gw} on a message with attachments: the expected hold while "
            f"{sandbox} detonates the files, not a fault.",
            True,
        )
    if seconds > high:
        return (
            f"{took} was spent inside {gw}: longer than an attachment sandbox hold; check its "
            f"message log for queueing, a held message or retries handing it to {nxt}.",
            False,
        )
    return f"{took} was spent inside {gw}, in line with scanning the attachments.", False


def say(tl: Timeline) -> tuple[Stage | None, bool, str]:
    """Return ``(stage, sandbox, verdict)`` for a timeline whose times are filled in.

    Stages under a minute are not blamed; an inside-the-gateway stage of 5 to 15
    minutes on a message with attachments is the vendor's attachment sandbox.
    """
    skewed = [str(i + 1) for i, s in enumerate(tl.skew) if s]
    tail = f" Clock skew at hop {', '.join(skewed)}: times there are approximate." if skewed else ""
    if tl.total_seconds is None:
        text = "Fewer than two hops carry a usable date, so the delay cannot be measured."
        return None, False, text + tail
    total = duration(tl.total_seconds)
    found = _stage(tl)
    if tl.total_seconds < 0:
        text = f"The hop dates run backwards ({total} end to end): clocks disagree, so the delay "
        return None, False, text + "cannot be measured." + tail
    if tl.total_seconds < QUICK:
        text = f"{total} from the first to the last Received hop; no hop waited long." + tail
        return None, False, text
    if found is None:
        lead = "No known filtering gateway in the route; " if tl.gateway is None else ""
        return None, False, f"{lead}{total} in all, {_longest(tl)}." + tail
    stage, seconds = found
    took = (
        f"Nearly all of the {total}"
        if seconds >= 0.9 * tl.total_seconds
        else (f"{duration(seconds)} of the {total}")
    )
    gw = tl.gateway or "the gateway"
    h = tl.handoff_index
    nxt = (tl.systems[h] if h is not None else None) or "the next system"
    sandbox = False
    if stage == "before":
        text = (
            f"{took} passed before {gw} received it: the delay is on the sending side "
            "(its outbound queue, or retries after greylisting or a temporary rejection)."
        )
    elif stage == "after":
        text = (
            f"{took} passed after {gw} handed it to {nxt}, {_longest(tl, (h or 0) + 1)}: "
            "look downstream (transport queues or mailbox delivery), not at the gateway."
        )
    else:
        text, sandbox = _inside(tl, took, seconds, nxt)
    return stage, sandbox, text + tail
