"""Find and decode every vendor verdict header of a sample.

Gateways and mailbox filters leave their decision in headers of their own
(Proofpoint ``X-Proofpoint-Spam-Details``, Microsoft ``X-Forefront-Antispam-Report``,
SpamAssassin ``X-Spam-Status``...). Each header is decoded once per sample by the
vendor module that owns its name (:mod:`mailtriage.checks.verdicts.registry`); raw values are
kept untouched except for a length cap (and a mailbox-delivery value that a paste split
off, which is joined back: :func:`_value`). :func:`microsoft_mailbox` is the one reader
of Microsoft's mailbox folder and SCL.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailtriage.checks.model import Sample
from mailtriage.checks.verdicts import microsoft
from mailtriage.checks.verdicts.microsoft_placement import dest_code, filter_scl, placement
from mailtriage.checks.verdicts.model import VerdictHeader
from mailtriage.checks.verdicts.registry import KEY_VERDICTS, decode


def scan(sample: Sample) -> tuple[tuple[int, VerdictHeader], ...]:
    """Decode the sample's verdict headers, keeping each one's header index.

    Args:
        sample: A loaded sample.

    Returns:
        ``(index in sample.headers, decoded header)`` pairs, topmost first.
    """
    hs = sample.headers
    found = [(i, v) for i, h in enumerate(hs) if (v := decode(h.name, h.value))]
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


def microsoft_released(found: Sequence[VerdictHeader]) -> bool:
    """Whether Microsoft's filter report says the message was released from quarantine
    (``SFV:SKQ`` in the topmost X-Forefront-Antispam-Report)."""
    ff = microsoft.topmost(found, microsoft.FOREFRONT)
    return ff is not None and (ff.get("SFV") or "").strip().upper() == "SKQ"


def microsoft_placement(found: Sequence[VerdictHeader]) -> str | None:
    """One line on what Microsoft 365 decided and where the message went.

    Args:
        found: The sample's decoded verdict headers (:func:`find_verdicts`).

    Returns:
        The combined line (filter verdict and mailbox folder), or ``None`` when
        the sample carries no Microsoft filter or placement header.
    """
    box = microsoft.topmost(found, microsoft.MAILBOX)
    if box is not None:
        return box.meaning
    verdict = microsoft.filter_inputs(found)
    return None if verdict is None else placement(*verdict, {})[0]


def microsoft_mailbox(found: Sequence[VerdictHeader]) -> tuple[str, int | None]:
    """Where Microsoft 365 filed the message, and the spam confidence level behind it.

    The one reader of these two facts: the combined placement line
    (:func:`microsoft_placement`), the message-trace comparison and the sample
    diff all read them from the decoded headers.

    Args:
        found: The sample's decoded verdict headers (:func:`find_verdicts`).

    Returns:
        The folder code (``dest`` of the topmost ``X-Microsoft-Antispam-Mailbox-Delivery``,
        e.g. ``"J"``; ``""`` when there is none) and the filter's SCL
        (:func:`~mailtriage.checks.verdicts.microsoft_placement.filter_scl`), or ``None``.
    """
    dest = dest_code(microsoft.fields_of(microsoft.topmost(found, microsoft.MAILBOX)))
    ff, org_scl = microsoft.filter_inputs(found) or ({}, None)
    return dest, filter_scl(ff, org_scl)
