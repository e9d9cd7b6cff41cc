"""Data model of decoded verdict headers, and the small helpers every vendor module uses.

A vendor module turns one header value into a :class:`Decoded` (fields, one plain
line, a short decision word). :mod:`mailtriage.checks.verdicts.registry` wraps that into a
:class:`VerdictHeader` together with the vendor name and the raw value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mailtriage.checks.text import printable

MAX_VALUE = 4000
MAX_FIELDS = 64
MAX_FIELD_VALUE = 1000
MAX_KEY = 100
NOT_DOCUMENTED = "not documented"
#: Every decision word a decoder may give (``VerdictHeader.verdict``).
VERDICT_WORDS = (
    "clean",
    "not spam",
    "spam",
    "bulk",
    "phish",
    "spoof",
    "impersonation",
    "malware",
    "suspicious",
    "quarantined",
    "blocked",
    "junk",
    "inbox",
    "allowed",
    "released",
)
#: How bad a content verdict is, 0 (clean) to 3 (a threat). Outcome words ("quarantined",
#: "blocked"), identifiers and "released"/"allowed"/"inbox" have no severity of their own.
SEVERITY = {
    "clean": 0,
    "not spam": 0,
    "bulk": 1,
    "suspicious": 1,
    "spam": 2,
    "spoof": 2,
    "junk": 2,
    "impersonation": 3,
    "phish": 3,
    "malware": 3,
}
#: Outcome words that say the message was stopped, whatever the content verdict was.
STOPPED_OUTCOMES = frozenset({"quarantined", "blocked"})
#: Verdict words that stopped or demoted a message: every content verdict worse than
#: clean, and the outcome words.
STOPPING = frozenset(w for w, n in SEVERITY.items() if n > 0) | STOPPED_OUTCOMES


@dataclass(frozen=True)
class VerdictField:
    """One decoded field of a verdict header.

    Attributes:
        key: The field name as written (e.g. ``"SFV"``, ``"spamscore"``).
        value: Its value as written (capped at 1,000 characters).
        meaning: What it says, in plain words; ``"not documented"`` when unknown.
    """

    key: str
    value: str
    meaning: str


@dataclass(frozen=True)
class Decoded:
    """What a vendor decoder found in one header value.

    Attributes:
        fields: The fields, in the order written.
        meaning: One plain line for the whole header.
        verdict: Short decision word, or ``None`` for headers that decide nothing.
    """

    fields: tuple[VerdictField, ...]
    meaning: str
    verdict: str | None = None


@dataclass(frozen=True)
class VerdictHeader:
    """One filter or gateway header, decoded.

    Attributes:
        vendor: ``"Proofpoint"``, ``"Mimecast"``, ``"Microsoft"``, ``"Google"``,
            ``"SpamAssassin"``, ``"Barracuda"``, ``"Cisco"``, ``"Sophos"``,
            ``"Trend Micro"`` or ``"other"``.
        name: Header name as written.
        raw: The unfolded header value (capped at 4,000 characters), never altered; for an
            ``X-Microsoft-Antispam-Mailbox-Delivery`` whose value a paste split off onto a
            line of its own, that line (see :mod:`mailtriage.checks.verdicts.find`).
        fields: Decoded fields with their meanings.
        meaning: One plain line saying what the header tells the technician.
        verdict: Short decision word, one of :data:`VERDICT_WORDS` (``"spam"``,
            ``"not spam"``, ``"quarantined"``, ``"bulk"``, ``"phish"``, ``"clean"``,
            ``"junk"`` = delivered to Junk...), or ``None`` for headers that only
            identify or describe.
    """

    vendor: str
    name: str
    raw: str
    fields: tuple[VerdictField, ...]
    meaning: str
    verdict: str | None = None

    def get(self, key: str) -> str | None:
        """Return the first field value for ``key`` (case-insensitive), or ``None``."""
        k = key.lower()
        return next((f.value for f in self.fields if f.key.lower() == k), None)


#: A vendor decoder: ``(header name, capped value) -> Decoded``, or ``None`` when the
#: header is not that vendor's after all (e.g. an ARC-Seal that Google did not add).
Decoder = Callable[[str, str], "Decoded | None"]


def show(value: str, limit: int = 80) -> str:
    """Sample text made safe to quote inside a meaning line."""
    return printable(value.strip(), limit) or "(empty)"


def fld(key: str, value: str, meaning: str) -> VerdictField:
    """Build a field, capping the key and value lengths."""
    return VerdictField(key[:MAX_KEY], value[:MAX_FIELD_VALUE], meaning)


def labelled(
    pairs: Iterable[tuple[str, str]],
    labels: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
    fold: bool = False,
) -> tuple[VerdictField, ...]:
    """Give each ``(key, value)`` pair its meaning from the tables.

    Args:
        pairs: Fields as split from the header.
        labels: What each key is (missing keys become ``"not documented"``).
        values: Per key, what each known value means; appended to the label.
        fold: Look keys up in lower case (tables must then use lower-case keys).

    Returns:
        At most 64 fields.
    """
    out = []
    for key, value in pairs:
        k = key.lower() if fold else key
        label = labels.get(k)
        if label is None:
            out.append(fld(key, value, NOT_DOCUMENTED))
            continue
        table = (values or {}).get(k, {})
        v = value.strip()
        known = table.get(v) or table.get(v.upper())
        out.append(fld(key, value, f"{label}: {known}" if known else label))
        if len(out) >= MAX_FIELDS:
            break
    return tuple(out)


def as_float(value: str | None) -> float | None:
    """Parse a number leniently (``"1.09"``, ``"-2"``, ``"0.2 (/)"``); ``None`` if not one."""
    if not value:
        return None
    head = value.strip()[:40].split(" ", 1)[0]
    try:
        number = float(head)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def as_int(value: str | None) -> int | None:
    """Parse a whole number leniently; ``None`` if not one."""
    number = as_float(value)
    return int(number) if number is not None and number == int(number) else None


def single(key: str, value: str, meaning: str, verdict: str | None = None) -> Decoded:
    """A header whose whole value is one field."""
    return Decoded((fld(key, value.strip(), meaning),), meaning, verdict)


def named(meaning: str, key: str = "value") -> Decoder:
    """A decoder for a header whose whole value is one field with a fixed meaning."""
    return lambda name, value: single(key, value, meaning)
