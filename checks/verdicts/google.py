"""Google (Gmail / Google Workspace) headers.

Google documents none of these X- headers; the meanings say what they are
known to be. ARC headers count as Google's only when Google added them
(``d=google.com``, or an authserv-id such as ``mx.google.com``).
"""

from __future__ import annotations

from mailtriage.checks.message.authres import parse_header
from mailtriage.checks.model import Header
from mailtriage.checks.taglist import parse_tags
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


def _arc_signature(name: str, value: str) -> Decoded | None:
    # The one tag-list reader (checks/taglist.py), as the ARC verifier reads these
    # fields: tag names are case-sensitive (RFC 6376 section 3.2, RFC 8617 section 4.1).
    tags = parse_tags(value)
    if (tags.get("d") or "").lower() != _DOMAIN:
        return None
    fields = tuple(fld(k, v, ARC_TAGS.get(k, NOT_DOCUMENTED)) for k, v in tags.tags)
    what = "seal" if name.lower() == "arc-seal" else "message signature"
    said = f"Google ARC {what}, instance i={show(tags.get('i') or '?', 6)}"
    if "cv" in tags:
        said += f", chain validation {show(tags.get('cv') or '', 12)}"
    return Decoded(fields, said)


def _arc_results(name: str, value: str) -> Decoded | None:
    # The one Authentication-Results reader (checks/message/authres.py), as the ARC
    # verifier and the recorded results read this field.
    found = parse_header(Header(name, value, value, 0))
    if not found.authserv_id.lower().endswith("." + _DOMAIN):
        return None
    instance = "" if found.instance is None else str(found.instance)
    fields = [fld("i", instance, ARC_TAGS["i"])]
    who = "the Gmail system that checked the message"
    fields.append(fld("authserv-id", found.authserv_id, who))
    seen = []
    for m in found.methods:
        if m.method in _RESULTS and m.result:
            fields.append(fld(m.method, m.result, f"{m.method.upper()} result Gmail saw"))
            seen.append(f"{m.method}={m.result}")
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
