"""Where the time went: per-hop delays, clock skew, and the split around the gateway.

Each hop's delay is measured from the previous *dated* hop, so an undated hop
neither hides time nor shows a fake zero. A negative delay is kept as it is and
flagged as clock skew. When a filtering gateway received the message, the total
splits into before the gateway (sender side), inside it (receipt to hand-off to
the next system) and after the hand-off (downstream). The words for it (durations
and the one-line "where the time went" verdict) are here too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mailtriage.checks.route.gateways import gateway_at
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.route.release import reinjection
from mailtriage.checks.route.systems import hop_systems
from mailtriage.checks.text import duration
from mailtriage.checks.vendors import sandbox_name

Stage = Literal["before", "inside", "after"]
SKEW_SECONDS = 0.5  # a delay below -0.5 s rounds to a whole negative second: clock skew
QUICK = 60.0  # below this no stage is worth blaming
SANDBOX_RANGE = (270.0, 930.0)  # 5 to 15 minutes, with half a minute of slack each side


@dataclass(frozen=True)
class Timeline:
    """The route's timing.

    Attributes:
        delays: Seconds since the previous dated hop, per hop (``None`` for the
            first dated hop and for hops without a usable date); negative when
            the clocks disagree.
        skew: Per hop, whether its delay is negative (clock skew).
        systems: Per hop, the system that wrote it (see ``mailtriage.checks.route.systems``).
        total_seconds: Last dated hop minus first dated hop, or ``None`` with
            fewer than two dated hops.
        gateway: The filtering gateway product, or ``None``.
        gateway_index: Index of the hop the gateway wrote on receipt, or ``None``.
        handoff_index: Index of the first later hop written by another system.
        before_seconds: First dated hop to gateway receipt.
        inside_seconds: Gateway receipt to the next system's receipt (or to the
            last hop when the gateway is the last system).
        after_seconds: Hand-off to the last dated hop.
        has_attachments: Whether the message carries attachments.
        stage: The stage that took most of the time, or ``None`` when nothing stood out.
        sandbox: Whether the time inside the gateway looks like an attachment sandbox hold.
        verdict: One plain line saying where the time went.
        release_index: Index of a gateway's re-injection hop (how a released
            message is re-sent, see :mod:`mailtriage.checks.route.release`), or ``None``.
        quarantine_release: A filter's header says it was released from quarantine
            (Microsoft's ``SFV:SKQ``): the long wait is the time it was held.
    """

    delays: tuple[float | None, ...]
    skew: tuple[bool, ...]
    systems: tuple[str | None, ...]
    total_seconds: float | None
    gateway: str | None = None
    gateway_index: int | None = None
    handoff_index: int | None = None
    before_seconds: float | None = None
    inside_seconds: float | None = None
    after_seconds: float | None = None
    has_attachments: bool = False
    stage: Stage | None = None
    sandbox: bool = False
    verdict: str = ""
    release_index: int | None = None
    quarantine_release: bool = False


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
    if tl.release_index is not None:
        where = f"hop {tl.release_index + 1}"
        if tl.handoff_index is None:
            return (
                f"{took} was spent inside {gw}: it was held, then re-sent at {where} (a release), "
                "and no hop after it shows a hand-off to the next system.",
                False,
            )
        return (
            f"{took} was spent inside {gw}: it was held until it was re-sent at {where} "
            f"(a release), then handed to {nxt}.",
            False,
        )
    if not tl.has_attachments:
        return (
            f"{took} was spent inside {gw} with no attachments to sandbox: its message log "
            f"should show why (held for review, throttled, or retrying the hand-off to {nxt}).",
            False,
        )
    low, high = SANDBOX_RANGE
    if low <= seconds <= high:
        sandbox = sandbox_name(gw)
        return (
            f"{took} was spent inside {gw} on a message with attachments: the usual hold while "
            f"{sandbox} detonates the files, the policy working as set. If the delay matters, "
            "narrow that policy (file type, sender, recipient); do not allowlist the sender.",
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
    elif tl.quarantine_release and tl.release_index is None:
        text = (
            f"{took} passed {'inside' if stage == 'inside' else 'after'} {gw} received it, "
            f"{_longest(tl)}: the time it was held in quarantine before its release, not "
            "a slow route."
        )
    elif stage == "after":
        text = (
            f"{took} passed after {gw} handed it to {nxt}, {_longest(tl, (h or 0) + 1)}: "
            "look downstream (transport queues or mailbox delivery), not at the gateway."
        )
    else:
        text, sandbox = _inside(tl, took, seconds, nxt)
    return stage, sandbox, text + tail


def _delays(hops: Sequence[Hop]) -> tuple[list[float | None], list[datetime]]:
    delays: list[float | None] = []
    dated: list[datetime] = []
    for h in hops:
        delays.append((h.date - dated[-1]).total_seconds() if h.date and dated else None)
        if h.date:
            dated.append(h.date)
    return delays, dated


def _first_date(hops: Sequence[Hop], start: int) -> datetime | None:
    return next((h.date for h in hops[start:] if h.date), None)


def build_timeline(
    hops: Sequence[Hop], has_attachments: bool = False, quarantine_release: bool = False
) -> Timeline:
    """Compute delays, skew and the gateway split for ``hops`` (oldest first).

    Args:
        hops: Received hops, oldest first.
        has_attachments: Whether the message carries attachments (sandbox holds).
        quarantine_release: Whether a filter's header says it was released from
            quarantine (Microsoft's ``SFV:SKQ``), so the wait is named as the hold.
    """
    systems = hop_systems(hops)
    delays, dated = _delays(hops)
    split: dict[str, Any] = {}
    if found := gateway_at(hops):
        g, product = found[0], found[1].name
        handoff = next((i for i in range(g + 1, len(hops)) if systems[i] != systems[g]), None)
        split = {"gateway": product, "gateway_index": g, "handoff_index": handoff}
        received = hops[g].date
        if received is not None and dated:
            out = _first_date(hops, handoff) if handoff is not None else None
            split["before_seconds"] = (received - dated[0]).total_seconds()
            split["inside_seconds"] = ((out or dated[-1]) - received).total_seconds()
            split["after_seconds"] = (dated[-1] - out).total_seconds() if out else None
    fields: dict[str, Any] = {
        "delays": tuple(delays),
        "skew": tuple(d is not None and d < -SKEW_SECONDS for d in delays),
        "systems": systems,
        "total_seconds": (dated[-1] - dated[0]).total_seconds() if len(dated) > 1 else None,
        "has_attachments": has_attachments,
        "quarantine_release": quarantine_release,
        **split,
    }
    if (again := reinjection(hops, systems)) is not None:
        fields["release_index"] = again.index
    stage, sandbox, verdict = say(Timeline(**fields))
    return Timeline(**fields, stage=stage, sandbox=sandbox, verdict=verdict)
