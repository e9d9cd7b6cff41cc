"""Vendor verdict headers: which filter touched the message and what it decided.

Gateways and mailbox filters leave their decision in headers of their own
(Proofpoint ``X-Proofpoint-Spam-Details``, Microsoft ``X-Forefront-Antispam-Report``,
SpamAssassin ``X-Spam-Status``...). This module finds them, splits them into
``key``/``value`` pairs and says in one plain line what each one means. Values
are copied from the sample untouched except for a length cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checks.memo import per_sample
from checks.model import Sample
from checks.verdict_text import held, meaning

_MAX_VALUE = 4000
_MAX_FIELDS = 64

# (lower-case name or prefix ending in "-", vendor), first match wins.
_VENDORS: tuple[tuple[str, str], ...] = (
    ("x-proofpoint-", "Proofpoint"),
    ("x-mimecast-", "Mimecast"),
    ("x-forefront-antispam-report", "Microsoft"),
    ("x-microsoft-antispam", "Microsoft"),
    ("x-microsoft-antispam-", "Microsoft"),
    ("x-ms-exchange-organization-scl", "Microsoft"),
    ("x-gm-", "Google"),
    ("x-google-", "Google"),
    ("x-spam-status", "SpamAssassin"),
    ("x-spam-flag", "SpamAssassin"),
    ("x-spam-score", "SpamAssassin"),
    ("x-spam-level", "SpamAssassin"),
    ("x-barracuda-", "Barracuda"),
    ("x-ironport-", "Cisco"),
)
# Headers that carry a decision, shown before identifiers and engine versions.
KEY_VERDICTS = (
    "x-proofpoint-spam-details",
    "x-forefront-antispam-report",
    "x-ms-exchange-organization-scl",
    "x-microsoft-antispam-mailbox-delivery",
    "x-spam-status",
    "x-spam-flag",
    "x-barracuda-spam-status",
    "x-mimecast-spam-score",
)
_SPAM_SFV = ("SPM", "SKS", "SKB", "BLK")
_OTHER = re.compile(r"^x-(?!ms-).*(spam|virus|phish|quarantine|verdict|threat)", re.IGNORECASE)


@dataclass(frozen=True)
class VerdictHeader:
    """One filter or gateway header.

    Attributes:
        vendor: ``"Proofpoint"``, ``"Microsoft"``, ``"Mimecast"``, ``"Google"``,
            ``"SpamAssassin"``, ``"Barracuda"``, ``"Cisco"`` or ``"other"``.
        name: Header name as written.
        raw: The unfolded header value (capped at 4,000 characters).
        fields: ``(key, value)`` pairs split out of the value, in order.
        meaning: One plain line saying what the header tells the technician.
    """

    vendor: str
    name: str
    raw: str
    fields: tuple[tuple[str, str], ...]
    meaning: str

    def get(self, key: str) -> str | None:
        """Return the first field value for ``key`` (case-insensitive), or ``None``."""
        k = key.lower()
        return next((v for name, v in self.fields if name.lower() == k), None)


def _vendor(name: str) -> str | None:
    low = name.lower()
    for key, vendor in _VENDORS:
        if low == key or (key.endswith("-") and low.startswith(key)):
            return vendor
    return "other" if _OTHER.match(low) else None


def _split_pair(part: str) -> tuple[str, str]:
    cut = min((i for i in (part.find(":"), part.find("=")) if i > 0), default=-1)
    if cut < 0:
        return "value", part.strip()
    return part[:cut].strip(), part[cut + 1 :].strip().strip('"')


def split_fields(value: str) -> tuple[tuple[str, str], ...]:
    """Split a verdict value into ``(key, value)`` pairs.

    ``a:1;b:2`` and ``a=1;b=2`` split on semicolons; ``a=1 b=2`` splits on spaces
    (leading words without ``=``, like ``Yes,`` become a ``status`` field); any other
    value becomes one ``value`` field.

    Args:
        value: The unfolded header value.

    Returns:
        At most 64 pairs.
    """
    v = value.strip()[:_MAX_VALUE]
    if not v:
        return ()
    out: list[tuple[str, str]] = []
    if ";" in v and (":" in v or "=" in v):
        out = [_split_pair(p) for p in v.split(";") if p.strip()]
    elif "=" in v:
        status = []
        for token in v.split():
            if "=" in token:
                key, _, val = token.partition("=")
                out.append((key, val))
            elif not out:
                status.append(token.rstrip(","))
        if status:
            out.insert(0, ("status", " ".join(status)))
    else:
        out = [("value", v)]
    return tuple(out[:_MAX_FIELDS])


@per_sample
def find_verdicts(sample: Sample) -> tuple[VerdictHeader, ...]:
    """Return every recognised verdict header, topmost first.

    Args:
        sample: A loaded sample.

    Returns:
        The verdict headers; empty when none are present.
    """
    out = []
    for h in sample.headers:
        vendor = _vendor(h.name)
        if vendor is None:
            continue
        raw = h.value[:_MAX_VALUE]
        fields = split_fields(raw)
        said = meaning(vendor, h.name.lower(), dict(reversed(fields)))
        out.append(VerdictHeader(vendor, h.name, raw, fields, said))
    return tuple(out)


def key_first(names: list[str]) -> list[str]:
    """Return header names de-duplicated, decision-carrying ones (``KEY_VERDICTS``) first."""
    unique = list(dict.fromkeys(names))
    return sorted(unique, key=lambda n: 0 if n.lower() in KEY_VERDICTS else 1)


@per_sample
def quarantine_signal(sample: Sample) -> str | None:
    """Say in plain words whether a header shows the message was quarantined or junked.

    Args:
        sample: A loaded sample.

    Returns:
        The reason, or ``None`` when no header says so.
    """
    for v in find_verdicts(sample):
        low = v.name.lower()
        f = dict(reversed(v.fields))
        if low == "x-proofpoint-spam-details" and held(f.get("rule", "")):
            return f"Proofpoint rule {f['rule']} held the message (policy {f.get('policy', '?')})"
        sfv, scl = f.get("SFV", "?"), f.get("SCL", "?")
        if low == "x-forefront-antispam-report" and (sfv in _SPAM_SFV or _scl(scl) >= 5):
            return f"Microsoft marked it spam (SFV:{sfv}, SCL {scl})"
        if low == "x-ms-exchange-organization-scl" and _scl(f.get("value")) >= 5:
            return f"Microsoft spam confidence level {f['value']} (5 or more = spam)"
        if low == "x-microsoft-antispam-mailbox-delivery" and f.get("dest") == "J":
            return "Microsoft delivered it to the Junk Email folder (dest:J)"
        if low in ("x-spam-flag", "x-spam-status", "x-barracuda-spam-status"):
            word = (f.get("status") or f.get("value") or "").split(",")[0].strip().upper()
            if word == "YES":
                return f"{v.name} says the message is spam ({v.raw[:60]})"
    return None


def _scl(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1
