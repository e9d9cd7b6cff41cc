"""Bounces, DSNs, NDRs, feedback reports, auto-replies and bare SMTP replies: entry points.

:func:`parse_bounce` reads a loaded sample. It decides from header fields first
(:func:`mailtriage.checks.bounce.detect.sniff`), so ordinary mail costs a few microseconds;
only a likely bounce has its body walked (:mod:`mailtriage.checks.bounce.mime`). Recipients
come from the RFC 3464 report when there is one (:mod:`mailtriage.checks.bounce.dsn`), from
the dialect's own text otherwise (:mod:`mailtriage.checks.bounce.dialects`), and are classified
by :mod:`mailtriage.checks.bounce.classify`. :func:`parse_reply` does the same for a pasted
SMTP reply or NDR snippet. Nothing here raises on hostile input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailtriage.checks.bounce import detect as bouncedetect
from mailtriage.checks.bounce.categories import CATEGORIES
from mailtriage.checks.message.loader import SampleError, load_bytes
from mailtriage.checks.model import LAYERS, Sample

if TYPE_CHECKING:  # a parsed bounce's types load with the bounce parser, for bounces only
    from mailtriage.checks.bounce.model import Bounce

__all__ = [
    "CATEGORIES",
    "LAYERS",
    "parse_bounce",
    "parse_reply",
    "returned_original",
]


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


def returned_original(bounce: Bounce | None, source: str) -> Sample | None:
    """Load the header block a bounce returned as a sample of its own.

    A bounce's own headers are the reporting server's (postmaster, its DKIM, its
    route). What a technician sets against a delivered sample is the message that
    bounced: its header block travels inside the bounce as a ``message/rfc822`` or
    ``text/rfc822-headers`` part.

    Args:
        bounce: The parsed bounce (``None`` for ordinary mail).
        source: The bounce sample's source label.

    Returns:
        A headers-only sample labelled ``"<source> (returned original)"``, or
        ``None`` when there is no bounce or it returned no headers.
    """
    if bounce is None or not bounce.original_headers.strip():
        return None
    data = bounce.original_headers.encode("utf-8", "surrogateescape")
    try:
        return load_bytes(data, f"{source} (returned original)")
    except SampleError:
        return None
