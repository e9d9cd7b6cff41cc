"""The ``hops`` and ``timeline`` parts of the ``mailtriage report`` object."""

from __future__ import annotations

from typing import Any

from mailtriage.checks.analysis import Analysis
from mailtriage.checks.route.timeline import Timeline


def hop_dicts(a: Analysis) -> list[dict[str, Any]]:
    """One JSON-ready dict per hop, oldest first.

    Keys: ``from``, ``by``, ``with``, ``id``, ``for``, ``ip``, ``date`` (ISO 8601
    or ``None``), ``delay_seconds`` (since the previous dated hop; negative when
    the clocks disagree; ``None`` without a date), ``system``, ``tls``
    (``True``/``False``/``None``), ``tls_version``, ``tls_cipher``, ``via`` and
    ``skew`` (the delay is negative).
    """
    tl = a.timeline
    return [
        {
            "from": h.from_host,
            "by": h.by_host,
            "with": h.with_proto,
            "id": h.id,
            "for": h.for_addr,
            "ip": h.from_ip,
            "date": h.date.isoformat() if h.date else None,
            "delay_seconds": delay,
            "system": system,
            "tls": h.tls,
            "tls_version": h.tls_version,
            "tls_cipher": h.tls_cipher,
            "via": h.via,
            "skew": skew,
        }
        for h, delay, system, skew in zip(a.hops, tl.delays, tl.systems, tl.skew, strict=True)
    ]


def timeline_dict(tl: Timeline) -> dict[str, Any]:
    """The where-the-time-went summary as a JSON-ready dict."""
    return {
        "total_seconds": tl.total_seconds,
        "gateway": tl.gateway,
        "gateway_hop": None if tl.gateway_index is None else tl.gateway_index + 1,
        "handoff_hop": None if tl.handoff_index is None else tl.handoff_index + 1,
        "before_gateway_seconds": tl.before_seconds,
        "inside_gateway_seconds": tl.inside_seconds,
        "after_handoff_seconds": tl.after_seconds,
        "has_attachments": tl.has_attachments,
        "stage": tl.stage,
        "sandbox_hold": tl.sandbox,
        "skewed_hops": [i + 1 for i, s in enumerate(tl.skew) if s],
        "verdict": tl.verdict,
    }
