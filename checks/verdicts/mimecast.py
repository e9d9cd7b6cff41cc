"""Mimecast verdict headers.

Spam score bands follow Mimecast's spam-scanning article (scores of 28 and up
are rejected during the SMTP conversation; 7+ is held under the relaxed
definition, 5+ under moderate, 3+ under aggressive). The Impersonation Protect
checks are the identifiers of an Impersonation Protection definition.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_int,
    fld,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs

VENDOR = "Mimecast"

REJECT_SCORE = 28
HOLD_SCORES = {"relaxed": 7, "moderate": 5, "aggressive": 3}
IMPERSONATION = {
    "policy": "the Impersonation Protection definition that ran",
    "similar internal domain": "sender domain is a look-alike of one of your domains",
    "similar monitored external domain": "sender domain is a look-alike of a monitored "
    "partner domain",
    "custom external domain": "sender domain is on your custom list of external domains",
    "mimecast external domain": "sender domain is on a Mimecast-maintained domain list",
    "newly observed domain": "Mimecast has not seen mail from this domain before",
    "internal user name": "display name matches one of your users",
    "custom display name list": "display name is on your custom list of names",
    "reply-to address mismatch": "Reply-To differs from the From address",
    "targeted threat dictionary": "subject or body uses words from the targeted threat "
    "dictionary (payments, urgency...)",
    "mimecast threat dictionary": "subject or body uses words from Mimecast's threat dictionary",
    "custom threat dictionary": "subject or body uses words from your custom dictionary",
}


def score_words(score: int) -> tuple[str, str]:
    """Plain reading of a Mimecast spam score and its decision word."""
    if score >= REJECT_SCORE:
        return f"{score} (28 or more is rejected outright)", "spam"
    if score >= HOLD_SCORES["relaxed"]:
        return f"{score} (held under every spam-scanning sensitivity)", "spam"
    if score >= HOLD_SCORES["aggressive"]:
        return f"{score} (held only under moderate/aggressive sensitivity)", "suspicious"
    return f"{score} (below every hold threshold)", "clean"


def _spam_score(name: str, value: str) -> Decoded:
    n = as_int(value)
    if n is None:
        return single("score", value, f"Mimecast spam score {show(value)} (not a number)")
    words, verdict = score_words(n)
    return single("score", value, f"Mimecast spam score {words}", verdict)


def _signature(name: str, value: str) -> Decoded:
    v = value.strip().lower()
    if "bulk" in name.lower():
        verdict = "bulk" if v == "yes" else None
        said = "Mimecast matched a bulk-mail signature" if verdict else f"bulk: {show(value)}"
    else:
        verdict = {"bulk": "bulk", "yes": "spam"}.get(v)
        said = f"Mimecast spam-signature match: {show(value)}"
    return single("value", value, said, verdict)


def _impersonation(name: str, value: str) -> Decoded:
    fields = []
    hits = []
    for key, val in semicolon_pairs(value, "="):
        label = IMPERSONATION.get(key.lower())
        if label is None:
            fields.append(fld(key, val, NOT_DOCUMENTED))
            continue
        if key.lower() != "policy":
            hit = val.lower() == "true"
            label = (
                ("HIT: " if hit else "not hit (it checks whether: ")
                + label
                + ("" if hit else ")")
            )
            if hit:
                hits.append(key)
        fields.append(fld(key, val, label))
    policy = next((f.value for f in fields if f.key.lower() == "policy"), "?")
    if hits:
        said = f"Mimecast Impersonation Protect ({show(policy)}): {len(hits)} indicator(s) hit — "
        said += ", ".join(show(h, 40) for h in hits[:6])
        return Decoded(tuple(fields), said, "impersonation")
    said = f"Mimecast Impersonation Protect ({show(policy)}): no impersonation indicator hit"
    return Decoded(tuple(fields), said, "clean")


EXACT: dict[str, Decoder] = {
    "x-mimecast-spam-score": _spam_score,
    "x-mimecast-spam-signature": _signature,
    "x-mimecast-bulk-signature": _signature,
    "x-mimecast-impersonation-protect": _impersonation,
    "x-mimecast-mfc-proc-id": named("Mimecast processing ID: quote it to Mimecast support", "id"),
    "x-mimecast-mfc-agg-id": named("Mimecast aggregate ID: quote it to Mimecast support", "id"),
    "x-mimecast-originator": named("the Mimecast customer domain the message is attributed to"),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-mimecast-", named("Mimecast processing header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-mimecast-spam-score", "x-mimecast-impersonation-protect"})
