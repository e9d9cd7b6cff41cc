"""Bounces, DSNs, NDRs, feedback reports, auto-replies and bare SMTP replies: entry points.

:func:`parse_bounce` reads a loaded sample. It decides from header fields first
(:func:`mailtriage.checks.bounce.detect.sniff`), so ordinary mail costs a few microseconds;
only a likely bounce has its body walked (:mod:`mailtriage.checks.bounce.mime`). Recipients
come from the RFC 3464 report when there is one (:mod:`mailtriage.checks.bounce.dsn`), from
the dialect's own text otherwise (:mod:`mailtriage.checks.bounce.ndr`), and are classified
by :mod:`mailtriage.checks.bounce.classify`. :func:`parse_reply` does the same for a pasted
SMTP reply or NDR snippet. Nothing here raises on hostile input.
"""

from __future__ import annotations

from mailtriage.checks.bounce import detect as bouncedetect
from mailtriage.checks.bounce.categories import CATEGORIES
from mailtriage.checks.bounce.model import Bounce, BounceRecipient
from mailtriage.checks.memo import per_sample
from mailtriage.checks.model import LAYERS, Sample

__all__ = ["CATEGORIES", "LAYERS", "Bounce", "BounceRecipient", "parse_bounce", "parse_reply"]


@per_sample
def parse_bounce(sample: Sample) -> Bounce | None:
    """Parse a bounce, DSN, NDR, feedback report or auto-reply.

    Args:
        sample: A loaded sample (headers-only samples give a partial result).

    Returns:
        The parsed bounce, or ``None`` when the sample is ordinary mail.
    """
    hint = bouncedetect.sniff(sample)
    if hint is None:
        return None
    from mailtriage.checks.bounce.parse import parse_sample

    return parse_sample(sample, hint)


def parse_reply(text: str) -> Bounce | None:
    """Parse a pasted SMTP reply or NDR snippet.

    Args:
        text: e.g. ``"554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=1.2.3.4"``,
            a multi-line ``550-5.1.1 ...`` reply, Exchange's ``Remote Server returned '...'``
            line, a Postfix ``<addr>: host ... said: ...`` paragraph or DSN fields.

    Returns:
        A ``kind="reply"`` bounce, or ``None`` when the text holds no reply code,
        status code or recognisable bounce wording.
    """
    from mailtriage.checks.bounce.parse import parse_reply as parse

    return parse(text)
