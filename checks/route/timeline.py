"""Where the time went: per-hop delays, clock skew, and the split around the gateway.

Each hop's delay is measured from the previous *dated* hop, so an undated hop
neither hides time nor shows a fake zero. A negative delay is kept as it is and
flagged as clock skew. When a filtering gateway received the message, the total
splits into before the gateway (sender side), inside it (receipt to hand-off to
the next system) and after the hand-off (downstream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from mailtriage.checks.model import Sample
from mailtriage.checks.route.hops import Hop
from mailtriage.checks.route.systems import classify
from mailtriage.checks.route.timewords import say

Stage = Literal["before", "inside", "after"]
# Gateways recognised from comments alone (``(PPS)``, ``IronPort``...), not only by host name.
FILTERING = frozenset(
    {"Proofpoint", "Proofpoint Essentials", "Mimecast", "Cisco Secure Email", "Barracuda",
     "Sophos", "Trend Micro", "Symantec", "Forcepoint"}
)  # fmt: skip
SKEW_SECONDS = 0.5  # a delay below -0.5 s rounds to a whole negative second: clock skew


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


def _delays(hops: Sequence[Hop]) -> tuple[list[float | None], list[datetime]]:
    delays: list[float | None] = []
    dated: list[datetime] = []
    for h in hops:
        delays.append((h.date - dated[-1]).total_seconds() if h.date and dated else None)
        if h.date:
            dated.append(h.date)
    return delays, dated


def _gateway(systems: Sequence[str | None], hosts: Sequence[bool]) -> tuple[str, int] | None:
    """The first hop received by a gateway host, or earlier by a gateway named in comments."""
    for i, (name, gateway_host) in enumerate(zip(systems, hosts, strict=True)):
        if name is not None and (gateway_host or name in FILTERING):
            return name, i
    return None


def _first_date(hops: Sequence[Hop], start: int) -> datetime | None:
    return next((h.date for h in hops[start:] if h.date), None)


def build_timeline(hops: Sequence[Hop], has_attachments: bool = False) -> Timeline:
    """Compute delays, skew and the gateway split for ``hops`` (oldest first)."""
    named = [classify(h) for h in hops]
    systems = tuple(name for name, _ in named)
    delays, dated = _delays(hops)
    split: dict[str, Any] = {}
    if found := _gateway(systems, [g for _, g in named]):
        product, g = found
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
        **split,
    }
    stage, sandbox, verdict = say(Timeline(**fields))
    return Timeline(**fields, stage=stage, sandbox=sandbox, verdict=verdict)


def has_attachments(sample: Sample) -> bool:
    """Whether ``sample`` carries attachments (MIME parts, or Microsoft's X-MS-Has-Attach)."""
    for p in sample.parts:
        if p.disposition == "attachment" or (p.filename and p.disposition != "inline"):
            return True
    return (sample.first("x-ms-has-attach") or "").strip().lower() == "yes"
