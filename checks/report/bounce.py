"""The ``bounce`` part of the ``mailtriage report`` object (``None`` for ordinary mail)."""

from __future__ import annotations

from typing import Any

from mailtriage.checks.bounce.entry import Bounce

RECIPIENT_KEYS = (
    "recipient",
    "status",
    "reply_code",
    "permanent",
    "category",
    "remote_mta",
    "diagnostic",
    "action",
    "meaning",
    "next_step",
    "layer",
)


def bounce_dict(b: Bounce | None) -> dict[str, Any] | None:
    """JSON-ready form of a parsed bounce.

    Keys: ``kind``, ``format``, ``reporting_mta``, ``original_message_id``,
    ``problems`` and ``recipients`` (each with :data:`RECIPIENT_KEYS`: ``status``
    like ``"5.1.1"``, ``reply_code`` like ``"550"``, ``permanent`` true/false/null).
    """
    if b is None:
        return None
    return {
        "kind": b.kind,
        "format": b.format,
        "reporting_mta": b.reporting_mta,
        "original_message_id": b.original_message_id,
        "recipients": [{k: getattr(r, k) for k in RECIPIENT_KEYS} for r in b.recipients],
        "problems": [{"where": p.where, "message": p.message} for p in b.problems],
    }
