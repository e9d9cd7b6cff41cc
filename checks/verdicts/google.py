"""Google (Gmail / Google Workspace) headers.

Google documents none of these X- headers; the meanings say what they are
known to be. ARC headers count as Google's only when Google added them
(``d=google.com``, or an authserv-id such as ``mx.google.com``).
"""

from __future__ import annotations

from mailtriage.checks.vendors import fact
from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    fld,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs

_DOMAIN = fact("google", "domain")

VENDOR = "Google"

ARC_TAGS = {
    "i": "ARC instance (1 = first sealer, higher = later hops)",
    "cv": "chain validation the sealer saw (none, pass or fail)",
    "d": "sealing domain",
    "s": "key selector",
    "a": "signing algorithm",
    "t": "time sealed (Unix seconds)",
    "b": "signature (base64)",
    "bh": "body hash (base64)",
    "h": "signed header fields",
    "c": "canonicalisation",
}
_RESULTS = ("spf", "dkim", "dmarc", "arc")


def _flag(name: str, value: str) -> Decoded:
    v = value.strip()
    kind = "phishing" if "phishy" in name.lower() else "spam"
    word = ("phish" if kind == "phishing" else "spam") if v == "1" else "not spam"
    verdict = word if v in ("0", "1") else None
    said = f"Gmail {kind} flag {show(v, 12)} (1 = Gmail judged it {kind}; undocumented by Google)"
    return single("value", value, said, verdict)


def _x_received(name: str, value: str) -> Decoded | None:
    if "with SMTP id" not in value:
        return None
    head, _, date = value.partition(";")
    words = head.split()
    by = words[words.index("by") + 1] if "by" in words[:-1] else ""
    ident = words[-1] if words else ""
    fields = (
        fld("by", by, "Google-internal server address"),
        fld("id", ident, "Google-internal message ID"),
        fld("date", date.strip(), "time of this internal step"),
    )
    said = "Google-internal processing step (not a real mail hop; ignore it when counting hops)"
    return Decoded(fields, said)


def _tags(value: str) -> dict[str, str]:
    return {k.lower(): v for k, v in reversed(semicolon_pairs(value, "="))}


def _arc_signature(name: str, value: str) -> Decoded | None:
    tags = _tags(value)
    if tags.get("d", "").lower() != _DOMAIN:
        return None
    fields = tuple(
        fld(k, v, ARC_TAGS.get(k.lower(), NOT_DOCUMENTED)) for k, v in semicolon_pairs(value, "=")
    )
    what = "seal" if name.lower() == "arc-seal" else "message signature"
    said = f"Google ARC {what}, instance i={show(tags.get('i', '?'), 6)}"
    if "cv" in tags:
        said += f", chain validation {show(tags['cv'], 12)}"
    return Decoded(fields, said)


def _arc_results(name: str, value: str) -> Decoded | None:
    parts = [p.strip() for p in value.split(";")]
    if len(parts) < 2 or not parts[1].lower().endswith("." + _DOMAIN):
        return None
    fields = [fld("i", parts[0].removeprefix("i=").strip(), ARC_TAGS["i"])]
    fields.append(fld("authserv-id", parts[1], "the Gmail system that checked the message"))
    seen = []
    for part in parts[2:]:
        method, _, rest = part.partition("=")
        if method.strip().lower() in _RESULTS and rest:
            result = rest.split()[0]
            fields.append(fld(method.strip(), result, f"{method.strip().upper()} result Gmail saw"))
            seen.append(f"{method.strip().lower()}={result}")
    said = "Gmail recorded the authentication it saw when it received the message"
    if seen:
        said += " (" + show(", ".join(seen), 80) + ")"
    return Decoded(tuple(fields), said)


EXACT: dict[str, Decoder] = {
    "x-gm-message-state": named("Gmail/Workspace internal state of the sending account (opaque)"),
    "x-google-smtp-source": named("Google's internal ID of the sending system (opaque)", "id"),
    "x-google-dkim-signature": named(
        "Google's own internal DKIM signature, not the sender's (ignore it for DMARC)"
    ),
    "x-gm-spam": _flag,
    "x-gm-phishy": _flag,
    "x-google-original-from": named("the From address before Google Groups rewrote it", "address"),
    "x-received": _x_received,
    "arc-seal": _arc_signature,
    "arc-message-signature": _arc_signature,
    "arc-authentication-results": _arc_results,
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-gm-", named("Gmail internal header (" + NOT_DOCUMENTED + ")")),
    ("x-google-", named("Google internal header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-gm-spam", "x-gm-phishy"})
