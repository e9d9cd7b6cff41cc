"""Microsoft 365 message trace import: load an export, explain statuses, match samples.

This module is the public face of the ``msgtrace*`` modules:

* :func:`load_trace` reads an export (new admin center, ``Get-MessageTrace`` /
  ``Get-MessageTraceV2 | Export-Csv``, historical search summary or extended
  report) from bytes into a :class:`Trace`.
* :data:`STATUS` explains each trace status value.
* :func:`match` pairs trace rows with loaded samples by Message-ID and says where
  the trace and the sample's own headers disagree.
"""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.msgtrace.match import match
from mailtriage.checks.msgtrace.model import (
    Trace,
    TraceError,
    TraceMatch,
    TraceRow,
    normalise_message_id,
)
from mailtriage.checks.msgtrace.read import MAX_FIELD, MAX_ROWS, MAX_TRACE_BYTES, load_trace
from mailtriage.checks.msgtrace.status import STATUS, TraceStatus, canonical_status
from mailtriage.checks.msgtrace.when import parse_when, time_range

__all__ = [
    "MAX_FIELD",
    "MAX_ROWS",
    "MAX_TRACE_BYTES",
    "STATUS",
    "Trace",
    "TraceError",
    "TraceMatch",
    "TraceRow",
    "TraceStatus",
    "canonical_status",
    "load_trace",
    "load_trace_path",
    "match",
    "normalise_message_id",
    "parse_when",
    "time_range",
]


def load_trace_path(path: str) -> Trace:
    """Read a trace export file (never modified) and parse it.

    One byte past the size cap is read, so an export that is too big is said to be cut.

    Raises:
        TraceError: The file cannot be read or is not a message trace (one line).
    """
    from mailtriage.checks.message.loader import SampleError, read_file

    try:
        data, _ = read_file(Path(path).expanduser(), MAX_TRACE_BYTES + 1)
    except SampleError as exc:
        raise TraceError(str(exc)) from None
    return load_trace(data, path)
