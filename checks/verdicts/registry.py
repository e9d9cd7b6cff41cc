"""Which vendor module decodes a header: one dict lookup, then one small prefix bucket.

Every vendor module exports ``VENDOR``, ``EXACT`` (lower-case name -> decoder),
``PREFIXES`` (lower-case prefix -> decoder) and ``KEY`` (names that carry a
decision). Prefixes are grouped by their first word after ``x-`` (``proofpoint``,
``ms``, ``tm``...), so a header name costs a dict lookup and a few
``startswith`` calls, never a scan of every rule.
"""

from __future__ import annotations

import re
from types import ModuleType

from mailtriage.checks.verdicts import (
    barracuda,
    cisco,
    google,
    microsoft,
    microsoft_exchange,
    mimecast,
    proofpoint,
    sophos,
    spamassassin,
    trendmicro,
)
from mailtriage.checks.verdicts.model import (
    MAX_FIELDS,
    MAX_VALUE,
    Decoded,
    Decoder,
    VerdictHeader,
    fld,
)
from mailtriage.checks.verdicts.split import split_fields

MODULES: tuple[ModuleType, ...] = (
    proofpoint,
    mimecast,
    microsoft,
    microsoft_exchange,
    google,
    spamassassin,
    barracuda,
    cisco,
    sophos,
    trendmicro,
)
_OTHER = re.compile(r"x-(?!ms-)[a-z0-9_.-]{0,80}?(spam|virus|phish|quarantine|verdict|threat)")


def _stem(low: str) -> str:
    return (low[2:] if low.startswith("x-") else low).split("-", 1)[0]


def _build() -> tuple[
    dict[str, tuple[str, Decoder]], dict[str, list[tuple[str, str, Decoder]]], frozenset[str]
]:
    exact: dict[str, tuple[str, Decoder]] = {}
    buckets: dict[str, list[tuple[str, str, Decoder]]] = {}
    key: set[str] = set()
    for mod in MODULES:
        for name, decoder in mod.EXACT.items():
            exact[name] = (mod.VENDOR, decoder)
        for prefix, decoder in mod.PREFIXES:
            buckets.setdefault(_stem(prefix), []).append((prefix, mod.VENDOR, decoder))
        key |= mod.KEY
    for rows in buckets.values():
        rows.sort(key=lambda row: -len(row[0]))
    return exact, buckets, frozenset(key)


_EXACT, _BUCKETS, KEY_VERDICTS = _build()


def _generic(name: str, value: str) -> Decoded:
    fields = tuple(fld(k, v, "not documented") for k, v in split_fields(value))
    return Decoded(fields, "Filter header from a product not recognised here")


def _candidates(low: str) -> list[tuple[str, Decoder]]:
    found = []
    hit = _EXACT.get(low)
    if hit is not None:
        found.append(hit)
    for prefix, vendor, decoder in _BUCKETS.get(_stem(low), ()):
        if low.startswith(prefix):
            found.append((vendor, decoder))
    return found


def decode(name: str, value: str) -> VerdictHeader | None:
    """Decode one header if a vendor module (or the generic filter rule) knows it.

    Args:
        name: The header name as written.
        value: The unfolded value.

    Returns:
        The decoded header, or ``None`` for headers that are not verdict headers.
        Never raises: a decoder failure keeps the raw value with generic fields.
    """
    low = name.lower()[:200]
    raw = value[:MAX_VALUE]
    for vendor, decoder in _candidates(low):
        try:
            got = decoder(name, raw)
        except Exception:  # hostile input must never break the analysis
            got = Decoded(_generic(name, raw).fields, f"{vendor} header that could not be decoded")
        if got is not None:
            return VerdictHeader(
                vendor, name, raw, got.fields[:MAX_FIELDS], got.meaning, got.verdict
            )
    if low.startswith("x-") and _OTHER.match(low):
        got = _generic(name, raw)
        return VerdictHeader("other", name, raw, got.fields, got.meaning)
    return None
