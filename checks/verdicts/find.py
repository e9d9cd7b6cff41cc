"""Find and decode every vendor verdict header of a sample.

Gateways and mailbox filters leave their decision in headers of their own
(Proofpoint ``X-Proofpoint-Spam-Details``, Microsoft ``X-Forefront-Antispam-Report``,
SpamAssassin ``X-Spam-Status``...). Each header is decoded once per sample by the
vendor module that owns its name (:mod:`mailtriage.checks.verdicts.registry`); raw values are
kept untouched except for a length cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.model import Sample
from mailtriage.checks.verdicts import microsoft
from mailtriage.checks.verdicts.microsoft_placement import placement
from mailtriage.checks.verdicts.model import VerdictHeader
from mailtriage.checks.verdicts.registry import KEY_VERDICTS, decode


def scan(sample: Sample) -> tuple[tuple[int, VerdictHeader], ...]:
    """Decode the sample's verdict headers, keeping each one's header index.

    Args:
        sample: A loaded sample.

    Returns:
        ``(index in sample.headers, decoded header)`` pairs, topmost first.
    """
    found = [(i, v) for i, h in enumerate(sample.headers) if (v := decode(h.name, h.value))]
    if not found:
        return ()
    combined = microsoft.combine([v for _, v in found])
    return tuple(zip((i for i, _ in found), combined, strict=True))


def find_verdicts(sample: Sample) -> tuple[VerdictHeader, ...]:
    """Return every recognised verdict header, topmost first.

    Args:
        sample: A loaded sample.

    Returns:
        The decoded headers; empty when none are present.
    """
    return tuple(v for _, v in scan(sample))


def key_first(names: list[str]) -> list[str]:
    """Return header names de-duplicated, decision-carrying ones (``KEY_VERDICTS``) first."""
    unique = list(dict.fromkeys(names))
    return sorted(unique, key=lambda n: 0 if n.lower() in KEY_VERDICTS else 1)


def microsoft_cip(found: Sequence[VerdictHeader]) -> tuple[str, ...]:
    """``CIP`` (the IP Microsoft's filter saw) of each Forefront verdict header, topmost first."""
    ffs = (v for v in found if v.name.lower() == microsoft.FOREFRONT)
    return tuple(cip for v in ffs if (cip := v.get("CIP")))


def microsoft_placement(found: Sequence[VerdictHeader]) -> str | None:
    """One line on what Microsoft 365 decided and where the message went.

    Args:
        found: The sample's decoded verdict headers (:func:`find_verdicts`).

    Returns:
        The combined line (filter verdict and mailbox folder), or ``None`` when
        the sample carries no Microsoft filter or placement header.
    """
    box = next((v for v in found if v.name.lower() == microsoft.MAILBOX), None)
    if box is not None:
        return box.meaning
    ff = next((v for v in found if v.name.lower() == microsoft.FOREFRONT), None)
    scl = next((v for v in found if v.name.lower() == microsoft.ORG_SCL), None)
    if ff is None and scl is None:
        return None
    got = {f.key.lower(): f.value for f in reversed(ff.fields)} if ff else {}
    return placement(got, scl.get("SCL") if scl else None, {})[0]
