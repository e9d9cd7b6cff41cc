"""The original message a bounce returned, loaded as a sample of its own.

A bounce's own headers are the reporting server's (postmaster, its DKIM, its
route). What a technician wants to set against a delivered sample is the message
that bounced: its header block travels inside the bounce as a ``message/rfc822``
or ``text/rfc822-headers`` part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.memo import per_sample
from mailtriage.checks.message.loader import SampleError, load_bytes
from mailtriage.checks.model import Sample

if TYPE_CHECKING:
    from mailtriage.checks.analysis import Analysis


@per_sample
def original_sample(sample: Sample) -> Sample | None:
    """Load the returned original's headers, or ``None`` (not a bounce, none returned).

    Args:
        sample: A loaded sample.

    Returns:
        A headers-only sample labelled ``"<source> (returned original)"``.
    """
    bounce = parse_bounce(sample)
    if bounce is None or not bounce.original_headers.strip():
        return None
    data = bounce.original_headers.encode("utf-8", "surrogateescape")
    try:
        return load_bytes(data, f"{sample.source} (returned original)")
    except SampleError:
        return None


def compared_samples(a: Analysis, b: Analysis) -> tuple[tuple[Sample, Sample], list[str]]:
    """The two samples to diff, and notes on any substitution.

    A bounce is replaced by the original message it returned (its header block),
    since the bounce's own headers belong to the reporting server; a bounce that
    returned no headers is kept, with a warning.
    """
    chosen: list[Sample] = []
    notes: list[str] = []
    for slot, x in zip("AB", (a, b), strict=True):
        original = original_sample(x.sample) if x.bounce is not None else None
        chosen.append(original or x.sample)
        if original is not None:
            notes.append(f"{slot} is a bounce: compared here is the original it returned.")
        elif x.bounce is not None:
            notes.append(
                f"{slot} is a bounce without the original's headers: compared here are the "
                "bounce's own headers; its reason is in the sample pane's Bounce row."
            )
    return (chosen[0], chosen[1]), notes
