"""Sophos Email (Central) / Sophos Email Appliance headers.

``X-LASED-SpamProbability`` is the anti-spam engine's spam probability (0 to
1); Sophos's anti-spam engine guide treats 50% and up as spam and 90% and up
as certain spam. ``X-LASED-Hits`` lists the engine rules that fired with their
weights. Sophos does not document the sender-history counters.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import (
    MAX_FIELDS,
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_float,
    fld,
    named,
    show,
    single,
)

VENDOR = "Sophos"

SPAM_AT = 0.5
CERTAIN_AT = 0.9


def probability_words(p: float) -> tuple[str, str]:
    """Plain reading of a spam probability and its decision word."""
    pct = f"{p * 100:.1f}%" if 0 <= p <= 1 else f"{p:g}"
    if p >= CERTAIN_AT:
        return f"{pct} (90% or more: certain spam)", "spam"
    if p >= SPAM_AT:
        return f"{pct} (50% or more: likely spam)", "spam"
    return f"{pct} (under 50%: not spam)", "clean"


def _probability(name: str, value: str) -> Decoded:
    p = as_float(value)
    if p is None:
        return single("probability", value, f"Sophos spam probability {show(value, 20)}")
    words, verdict = probability_words(p)
    return single("probability", value, f"Sophos spam probability {words}", verdict)


def _hits(name: str, value: str) -> Decoded:
    fields = []
    for part in value.split(","):
        rule, _, weight = part.strip().rpartition(" ")
        if not part.strip():
            continue
        rule = rule or weight
        meaning = "Sophos sub-rule (internal)" if rule.startswith("__") else "Sophos rule"
        fields.append(fld(rule, weight if rule != weight else "", f"{meaning} that matched"))
        if len(fields) >= MAX_FIELDS:
            break
    weighted = [f.key for f in fields if (as_float(f.value) or 0) > 0][:4]
    said = f"Sophos anti-spam rules that fired: {len(fields)}"
    if weighted:
        said += "; weighted: " + ", ".join(show(w, 40) for w in weighted)
    return Decoded(tuple(fields), said)


def _sender_history(name: str, value: str) -> Decoded:
    fields = []
    for part in value.split(","):
        key, found, val = part.strip().partition("=")
        if not found:
            continue
        meaning = (
            "sending IP Sophos looked up"
            if key == "ip"
            else ("Sophos sender-history counter (" + NOT_DOCUMENTED + ")")
        )
        fields.append(fld(key, val, meaning))
        if len(fields) >= MAX_FIELDS:
            break
    return Decoded(tuple(fields), "Sophos sender history for the sending IP")


def _email(name: str, value: str) -> Decoded:
    region, _, rest = value.strip().partition("]")
    fields = [fld("region", region.lstrip("["), "Sophos Central region that scanned it")]
    for part in rest.split(","):
        key, found, val = part.strip().partition(":")
        if found:
            fields.append(fld(key.strip(), val.strip(), "anti-spam engine / data version"))
    said = f"Sophos Email scanned it (region {show(region.lstrip('['), 30)})"
    return Decoded(tuple(fields[:MAX_FIELDS]), said)


EXACT: dict[str, Decoder] = {
    "x-lased-spamprobability": _probability,
    "x-lased-hits": _hits,
    "x-lased-impersonation": named("Sophos impersonation check result (" + NOT_DOCUMENTED + ")"),
    "x-lased-from-replyto-diff": named(
        "Sophos compared the From and Reply-To domains (" + NOT_DOCUMENTED + ")"
    ),
    "x-sophos-senderhistory": _sender_history,
    "x-sophos-rescan": named("Sophos rescanned the message (" + NOT_DOCUMENTED + ")"),
    "x-sophos-email": _email,
    "x-sophos-mh-mail-info-key": named(
        "Sophos message-history key: quote it to Sophos support", "key"
    ),
    "x-sophos-product-type": named("Sophos product that handled it", "product"),
    "x_sophos_tls_connection": named("TLS version of the connection to Sophos", "tls"),
    "x_sophos_tls_delivery": named("whether Sophos delivered it over TLS", "tls"),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-sophos-", named("Sophos processing header (" + NOT_DOCUMENTED + ")")),
    ("x-lased-", named("Sophos anti-spam header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-lased-spamprobability"})
