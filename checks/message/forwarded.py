"""A message forwarded as an attachment: open the attached message, keep the forward.

Customers often send the problem message attached to a forward of their own
(RFC 2046 §5.2.1 ``message/rfc822``, or an Outlook ``.msg`` file). The attached
message is the one whose header fields tell what happened; the forward's own
headers only show the customer's mail to the help desk. :func:`open_forward`
loads the attached message with the one loader (:func:`load_bytes`) and marks it
with the outer message. Only the outermost attached message is opened (one
level). Bounces also carry the original message as ``message/rfc822``: the caller
decides that a sample is not a bounce before calling this.
"""

from __future__ import annotations

from dataclasses import replace

from mailtriage.checks.message.headers import find_header_end
from mailtriage.checks.message.loader import MAX_READ, SampleError, load_bytes
from mailtriage.checks.message.mime import attached_messages
from mailtriage.checks.model import Problem, Sample
from mailtriage.checks.text import printable

WHERE = "Forward"


def _inner_source(outer: Sample) -> str:
    return f"{outer.source} (forwarded message)"


def describe_outer(outer: Sample) -> str:
    """One line naming the customer's forward: its subject and sender.

    The text is sample content: views escape it before showing it.
    """
    subject = outer.subject if outer.subject is not None else "(no subject)"
    sender = next((a.addr for a in outer.from_ if a.addr), None)
    return f"{subject} (from {sender})" if sender else subject


def open_forward(outer: Sample) -> Sample | None:
    """Load the message attached to ``outer``, marked as forwarded in it.

    Args:
        outer: A loaded sample that is not a bounce.

    Returns:
        ``None`` when ``outer`` has no attached message. Otherwise the attached
        message as a sample (its ``forwarded_in`` and ``outer`` set, a problem line
        saying it was opened), or, when the attached part cannot be read as an
        email, ``outer`` itself with one problem line saying so.
    """
    if outer.outer is not None or not outer.has_body or not outer.raw:
        return None
    raw = outer.raw
    _, body_start = find_header_end(raw, 0, len(raw))
    found = attached_messages(list(outer.headers), raw, body_start)
    if found is None:
        return None
    label = printable(outer.source, 120)
    try:
        inner = load_bytes(found.data[: MAX_READ + 1], _inner_source(outer), len(found.data))
    except SampleError as exc:
        why = str(exc).split(": not an email message: ", 1)[-1]
        note = Problem(
            WHERE,
            f"the attached message could not be read ({printable(why, 80)}); "
            "only the customer's forward was analysed",
        )
        return replace(outer, problems=(*outer.problems, note))
    notes = [
        Problem(
            WHERE,
            f"analysed the message forwarded inside {label} "
            "(the outer message is the customer's forward)",
        )
    ]
    if found.more:
        notes.append(
            Problem(WHERE, f"{found.more} more attached message(s) in the forward were not opened")
        )
    if attached_messages_in(inner):
        notes.append(
            Problem(
                WHERE,
                "the forwarded message carries another attached message; "
                "only the outermost one was opened",
            )
        )
    return replace(
        inner,
        source=outer.source,
        problems=(*notes, *inner.problems),
        forwarded_in=outer.source,
        outer=outer,
    )


def attached_messages_in(sample: Sample) -> bool:
    """Whether ``sample``'s body carries an attached message (not opened)."""
    if not sample.has_body or not sample.raw:
        return False
    _, body_start = find_header_end(sample.raw, 0, len(sample.raw))
    return attached_messages(list(sample.headers), sample.raw, body_start) is not None
