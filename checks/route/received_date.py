"""Lenient parsing of the timestamp at the end of a Received field.

MTAs write RFC 5322 dates, but also fractional seconds (SendGrid, Exchange),
ISO forms (``2018-04-22 02:54:17.028704749 +0000 UTC``), US forms
(``4/20/2018 11:01:16 PM -0400``), ctime forms, named zones and impossible
offsets. Every guess becomes a problem message; nothing here raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

MAX_DATE = 200
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "WEST": 60, "BST": 60,
    "EET": 120, "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480, "HKT": 480,
    "AWST": 480, "JST": 540, "KST": 540, "ACST": 570, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780,
}  # fmt: skip
_DMY = re.compile(r"(?<!\d)(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2,4})(?!\d)")
_MDY_NAME = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_MDY_NUM = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_CTIME = re.compile(r"\b([A-Za-z]{3,9})\s+(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?"
)
_NUM_ZONE = re.compile(r"\s*(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?(?!\d)")
_WORD = re.compile(r"\s*([A-Za-z]+)")
_YEAR_AFTER = re.compile(r"\s*\d{4}(?!\d)")


def _year(text: str) -> int:
    y = int(text)
    if len(text) <= 2:
        return y + (2000 if y < 50 else 1900)
    return y + 1900 if len(text) == 3 else y


def _month(word: str) -> int | None:
    return _MONTHS.get(word[:3].lower())


def _ymd(text: str) -> tuple[int, int, int, int] | None:
    """Return ``(year, month, day, end offset)`` of the first date-like text."""
    for m in _DMY.finditer(text):
        if mon := _month(m.group(2)):
            return _year(m.group(3)), mon, int(m.group(1)), m.end()
    for m in _MDY_NAME.finditer(text):
        if mon := _month(m.group(1)):
            return int(m.group(3)), mon, int(m.group(2)), m.end()
    if iso := _YMD.search(text):
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), iso.end()
    if us := _MDY_NUM.search(text):
        return int(us.group(3)), int(us.group(1)), int(us.group(2)), us.end()
    for m in _CTIME.finditer(text):
        if mon := _month(m.group(1)):
            return int(m.group(3)), mon, int(m.group(2)), m.start(2)
    return None


def _zone(text: str, problems: list[str]) -> timezone:
    """Read the zone at the start of ``text``; record a problem when it is guessed."""
    if m := _NUM_ZONE.match(text):
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        offset = (hours * 60 + minutes) * (-1 if m.group(1) == "-" else 1)
        if hours > 14 or minutes >= 60:
            problems.append(f"date has an impossible time zone {m.group().strip()}; UTC assumed")
            return UTC
        if offset == 0 and m.group(1) == "-":
            problems.append("date has no time zone; UTC assumed")
        return UTC if offset == 0 else timezone(timedelta(minutes=offset))
    if (m := _WORD.match(text)) and len(m.group(1)) <= 5:
        name = m.group(1).upper()
        if name in _ZONES:
            return timezone(timedelta(minutes=_ZONES[name])) if _ZONES[name] else UTC
        problems.append(f"date has an unknown time zone {name!r}; UTC assumed")
        return UTC
    problems.append("date has no time zone; UTC assumed")
    return UTC


def parse_received_date(text: str) -> tuple[datetime | None, list[str]]:
    """Parse a Received timestamp (comments already removed) leniently.

    Args:
        text: The date text, e.g. ``"Mon, 1 Jan 2024 10:00:00 +0000"``.

    Returns:
        The timezone-aware time (or ``None``) and problem messages such as
        ``"date has no time zone; UTC assumed"``.
    """
    text = text[:MAX_DATE]
    problems: list[str] = []
    found = _ymd(text)
    if found is None:
        return None, ["date could not be parsed"]
    year, month, day, end = found
    hour = minute = second = micro = 0
    t = _TIME.search(text, end) or _TIME.search(text)
    if t is None:
        problems.append("date has no time of day; midnight UTC assumed")
        tz = UTC
    else:
        hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
        micro = int((t.group(4) or "0")[:6].ljust(6, "0"))
        if t.group(5) and 1 <= hour <= 12:
            hour = hour % 12 + (12 if t.group(5) in "Pp" else 0)
        tail = text[t.end() :]
        if y := _YEAR_AFTER.match(tail):  # ctime puts the year after the time
            tail = tail[y.end() :]
        tz = _zone(tail, problems)
    if second == 60:  # a leap second: keep the time usable
        second = 59
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz), problems
    except (ValueError, OverflowError):
        return None, ["date could not be parsed"]
