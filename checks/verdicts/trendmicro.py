"""Trend Micro (Email Security, IMSS/IMSVA, ScanMail, DDEI) headers.

Layouts follow Trend Micro's knowledge base ("X-headers added by IMSS") and the
Email Security online help ("Antispam Engine scan details"):
``X-TMASE-Result: <type>-<score>-<threshold>``; ``X-TM-AS-Result:
<Yes|No>-<type>-<score>-<threshold>`` (older releases: ``<Yes|No>-<score>-
<threshold>-<category>[-<type>]``). A negative score shows as a doubled dash.
``X-TM-AS-SMTP`` carries the HELO name and envelope sender in base64.
"""

from __future__ import annotations

import binascii
import re

from mailtriage.checks.text import printable
from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_float,
    fld,
    named,
    show,
    single,
)

VENDOR = "Trend Micro"

_B64 = re.compile(r"[A-Za-z0-9+/=]{1,512}")
TREND_TYPE = {"1": "spam", "2": "phishing"}


def dash_numbers(value: str) -> list[str]:
    """Split ``a-b--c-d`` into ``["a", "b", "-c", "d"]`` (a doubled dash is a minus)."""
    out: list[str] = []
    negative = False
    for part in value.strip().split("-")[:12]:
        if part == "":
            negative = True
            continue
        out.append(("-" if negative else "") + part)
        negative = False
    return out


def _score_parts(parts: list[str]) -> tuple[list[tuple[str, str, str]], float | None, float | None]:
    """Label ``[type, score, threshold]`` or the older ``[score, threshold, category...]``."""
    labels: tuple[str, ...] = ("trend type", "spam score", "spam threshold")
    if not (parts and "." not in parts[0] and len(parts) >= 3):
        labels = ("spam score", "spam threshold", "category", "trend type")
    rows = []
    for i, p in enumerate(parts[:6]):
        label = labels[i] if i < len(labels) else NOT_DOCUMENTED
        if label == "trend type" and p in TREND_TYPE:
            label += f" ({TREND_TYPE[p]})"
        rows.append((label.split(" (")[0], p, label))
    got = {k: v for k, v, _ in rows}
    return rows, as_float(got.get("spam score")), as_float(got.get("spam threshold"))


def _result(name: str, value: str, with_word: bool) -> Decoded:
    parts = dash_numbers(value)
    word = parts.pop(0) if with_word and parts else ""
    rows, score, threshold = _score_parts(parts)
    fields = [fld(k, v, m) for k, v, m in rows]
    if word:
        fields.insert(0, fld("spam", word, "the decision: Yes = spam, No = not spam"))
    verdict = None
    if word.lower() in ("yes", "no"):
        verdict = "spam" if word.lower() == "yes" else "not spam"
    elif score is not None and threshold is not None:
        verdict = "spam" if score >= threshold else "not spam"
    said = f"Trend Micro anti-spam: score {show(str(score) if score is not None else '?', 12)}"
    said += f" against threshold {show(str(threshold) if threshold is not None else '?', 12)}"
    if verdict:
        said += f" ({verdict})"
    return Decoded(tuple(fields), said, verdict)


def _as_result(name: str, value: str) -> Decoded:
    return _result(name, value, with_word=True)


def _tmase_result(name: str, value: str) -> Decoded:
    return _result(name, value, with_word=False)


def _product(name: str, value: str) -> Decoded:
    parts = value.strip().split("-", 1)
    fields = (
        fld("product", parts[0], "Trend Micro product"),
        *(fld("versions", p, "product, engine and pattern versions") for p in parts[1:]),
    )
    return Decoded(fields, f"Trend Micro product and engine versions ({show(parts[0], 30)})")


def _b64(text: str) -> str:
    if not _B64.fullmatch(text):
        return ""
    try:
        raw = binascii.a2b_base64(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return ""
    return printable(raw.decode("utf-8", "replace"), 200)


def _smtp(name: str, value: str) -> Decoded:
    words = value.split()
    helo = words[1] if len(words) > 1 else ""
    sender = "".join(words[2:])
    fields = (
        fld("version", words[0] if words else "", "layout version"),
        fld("helo", helo, f"HELO name, base64 (decoded: {_b64(helo) or 'not base64'})"),
        fld("sender", sender, f"envelope sender, base64 (decoded: {_b64(sender) or 'not base64'})"),
    )
    said = f"Trend Micro saw HELO {show(_b64(helo) or '?', 60)}"
    said += f" and sender {show(_b64(sender) or '?', 80)}"
    return Decoded(fields, said)


def _ers(name: str, value: str) -> Decoded:
    ip, _, answer = value.strip().partition("-")
    fields = (
        fld("ip", ip, "IP checked against Email Reputation Services"),
        fld("result", answer, "ERS answer (0.0.0.0 = not listed; 127.x = a listing or a code)"),
    )
    return Decoded(fields, f"Trend Micro Email Reputation Services checked {show(ip, 45)}")


def _approved(name: str, value: str) -> Decoded:
    blocked = "blocked" in name.lower()
    hit = value.strip().lower() == "yes" or (not blocked and "sender" in value.lower())
    kind = "Blocked" if blocked else "Approved"
    verdict = ("blocked" if blocked else "allowed") if hit else None
    said = f"Trend Micro {kind} Senders list match: {show(value, 30)}"
    return single("value", value, said, verdict)


_RULES = named("IDs of anti-spam rules that matched (readable only by Trend Micro)")
EXACT: dict[str, Decoder] = {
    "x-tm-as-result": _as_result,
    "x-tmase-result": _tmase_result,
    "x-tm-as-product-ver": _product,
    "x-tmase-version": _product,
    "x-tm-as-user-approved-sender": _approved,
    "x-tm-as-user-blocked-sender": _approved,
    "x-tm-approved-sender": _approved,
    "x-tm-as-smtp": _smtp,
    "x-tm-as-ers": _ers,
    "x-tm-as-matchedrid": _RULES,
    "x-tm-as-matchedid": _RULES,
    "x-tmase-matchedrid": _RULES,
    "x-tmase-snap-result": named("Trend Micro SNAP engine result (" + NOT_DOCUMENTED + ")"),
    "x-tm-received-spf": named("SPF result Trend Micro recorded", "result"),
    "x-tm-as-result-xfilter": named("Trend Micro text exemption (X-filter) rule result"),
    "x-imss-scan-details": named("Trend Micro results of each spam/phishing rule applied"),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-tm-addin-", named("Trend Micro mail add-in header (" + NOT_DOCUMENTED + ")")),
    ("x-tm-as-", named("Trend Micro anti-spam header (" + NOT_DOCUMENTED + ")")),
    ("x-tmase-", named("Trend Micro anti-spam engine header (" + NOT_DOCUMENTED + ")")),
    ("x-tm-", named("Trend Micro processing header (" + NOT_DOCUMENTED + ")")),
    ("x-trendmicro-", named("Trend Micro processing header (" + NOT_DOCUMENTED + ")")),
    ("x-imss-", named("Trend Micro IMSS header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-tm-as-result", "x-tmase-result"})
