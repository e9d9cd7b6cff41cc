"""Read the timestamps of a message trace export (several locales and formats).

Exports write times as ISO 8601 (historical reports, ``2026-11-23T09:13:58.1234567Z``),
or as the exporting machine's locale (PowerShell and the admin center,
``11/23/2026 9:13:58 AM``). Times are UTC unless the date column names an offset.
Day/month order is guessed: month first unless the first number is over 12.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from mailtriage.checks.msgtrace.columns import map_columns, utc_offset_minutes
from mailtriage.checks.msgtrace.model import Trace

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_SLASHED = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?"
    r"\s*([AaPp]\.?[Mm]\.?)?$"
)


FIRST_YEAR, LAST_YEAR = 1980, 2200


def _zone(text: str | None, default: timezone) -> timezone:
    if not text:
        return default
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def parse_when(text: str, offset_minutes: int = 0) -> datetime | None:
    """Parse one exported timestamp into an aware datetime, or ``None`` when unreadable."""
    s = text.strip()[:64]
    try:
        default = timezone(timedelta(minutes=offset_minutes))
        m = _ISO.match(s)
        if m:
            y, mo, d, h, mi, sec = (int(g or 0) for g in m.groups()[:6])
            return _plausible(datetime(y, mo, d, h, mi, sec, tzinfo=_zone(m.group(7), default)))
        m = _SLASHED.match(s)
        if not m:
            return None
        a, b, y, h, mi, sec = (int(g or 0) for g in m.groups()[:6])
        mo, d = (b, a) if a > 12 else (a, b)
        ampm = (m.group(7) or "").lower()[:1]
        if ampm and h > 12:
            return None
        if ampm == "p" and h < 12:
            h += 12
        elif ampm == "a" and h == 12:
            h = 0
        return _plausible(datetime(y, mo, d, h, mi, sec, tzinfo=default))
    except (ValueError, OverflowError):
        return None


def _plausible(when: datetime) -> datetime | None:
    """Drop placeholder dates (0001-01-01, 9999-12-31): arithmetic on them overflows."""
    return when if FIRST_YEAR <= when.year <= LAST_YEAR else None


def time_range(trace: Trace) -> tuple[datetime, datetime] | None:
    """Return the earliest and latest readable ``received`` time in the trace, if any.

    Computed once per trace and remembered on it.
    """
    if not trace._span:
        trace._span.append(_scan(trace))
    return trace._span[0]


def _scan(trace: Trace) -> tuple[datetime, datetime] | None:
    col = map_columns(list(trace.columns)).get("received")
    offset = utc_offset_minutes(trace.columns[col]) if col is not None else 0
    low: datetime | None = None
    high: datetime | None = None
    seen: set[str] = set()
    for row in trace.rows:
        if row.received in seen:
            continue
        seen.add(row.received)
        when = parse_when(row.received, offset)
        if when is None:
            continue
        if low is None or when < low:
            low = when
        if high is None or when > high:
            high = when
    return (low, high) if low is not None and high is not None else None
