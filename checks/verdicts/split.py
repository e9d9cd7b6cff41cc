"""Splitting verdict header values into ``(key, value)`` pairs.

Vendors use a handful of layouts: ``K:V;K:V;`` (Microsoft), ``k=v k=v`` with
words that continue the previous value (Proofpoint, SpamAssassin), ``K=V; K=V``
(Mimecast), and rule tables with points (SpamAssassin and Barracuda reports).
Every splitter here works on an already capped value, uses no backtracking
regular expression and never raises.
"""

from __future__ import annotations

import re

from mailtriage.checks.verdicts.model import MAX_FIELDS, MAX_VALUE

_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_NUMBER = re.compile(r"[-+]?\d{1,6}(?:\.\d{1,8})?")
_RULE = re.compile(r"[A-Z0-9_]{2,80}")


def _split_pair(part: str) -> tuple[str, str]:
    cut = min((i for i in (part.find(":"), part.find("=")) if i > 0), default=-1)
    if cut < 0:
        return "value", part.strip()
    return part[:cut].strip(), part[cut + 1 :].strip().strip('"')


def split_fields(value: str) -> tuple[tuple[str, str], ...]:
    """Split any verdict value into ``(key, value)`` pairs, guessing the layout.

    ``a:1;b:2`` and ``a=1;b=2`` split on semicolons; ``a=1 b=2`` splits on spaces
    (leading words without ``=``, like ``Yes,``, become a ``status`` field); any
    other value becomes one ``value`` field. Vendor modules use the stricter
    splitters below; this one serves headers no module knows.

    Args:
        value: The unfolded header value.

    Returns:
        At most 64 pairs.
    """
    v = value.strip()[:MAX_VALUE]
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
    return tuple(out[:MAX_FIELDS])


def semicolon_pairs(value: str, sep: str = ":") -> list[tuple[str, str]]:
    """Split ``K:V;K:V;`` the way Microsoft's Message Header Analyzer does.

    ``(null)`` markers are dropped, each part is cut at its first ``sep`` and
    both sides are trimmed. A part without ``sep`` becomes ``("", part)``.

    Args:
        value: The header value (capped by the caller).
        sep: The key/value separator (``":"`` or ``"="``).

    Returns:
        At most 64 pairs, in order.
    """
    out: list[tuple[str, str]] = []
    for part in value.replace("(null)", "").split(";"):
        part = part.strip()
        if not part:
            continue
        key, found, val = part.partition(sep)
        out.append((key.strip(), val.strip()) if found else ("", part))
        if len(out) >= MAX_FIELDS:
            break
    return out


def space_pairs(value: str) -> tuple[str, list[tuple[str, str]]]:
    """Split ``word, k=v k=v more words k=v`` layouts.

    Words before the first ``k=v`` form the status (``"Yes"``); words after a
    ``k=v`` continue its value (``engine=ICAP:2.0, Aquarius:18.0`` keeps both
    parts).

    Args:
        value: The header value (capped by the caller).

    Returns:
        The status text (may be empty) and at most 64 pairs.
    """
    status: list[str] = []
    out: list[tuple[str, str]] = []
    for token in value.split():
        key, found, val = token.partition("=")
        if found and _KEY.fullmatch(key):
            if len(out) >= MAX_FIELDS:
                break
            out.append((key, val))
        elif out:
            out[-1] = (out[-1][0], f"{out[-1][1]} {token}".strip())
        else:
            status.append(token)
    return " ".join(status).rstrip(",").strip(), out


def rule_table(text: str) -> list[tuple[str, str, str]]:
    """Find ``points RULE_NAME description`` rows in a SpamAssassin-style report.

    Args:
        text: The report with whitespace collapsed (capped by the caller).

    Returns:
        At most 64 ``(rule, points, description)`` rows.
    """
    tokens = text.split()
    rows: list[tuple[str, str, str]] = []
    starts = [
        i
        for i in range(len(tokens) - 1)
        if _NUMBER.fullmatch(tokens[i]) and _RULE.fullmatch(tokens[i + 1])
    ]
    for n, i in enumerate(starts[:MAX_FIELDS]):
        end = starts[n + 1] if n + 1 < len(starts) else len(tokens)
        rows.append((tokens[i + 1], tokens[i], " ".join(tokens[i + 2 : end])))
    return rows
