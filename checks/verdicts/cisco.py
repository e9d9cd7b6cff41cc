"""Cisco Secure Email (IronPort) headers.

Cisco's AsyncOS guides and its "X-headers on the ESA" technote list these
headers; the anti-spam result and most ``IronPort-*`` values are encoded and
readable only by Cisco support. The ``X-IronPort-AV`` tag letters follow the
community reading of that header (Cisco calls it "encoded scan details").
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_float,
    labelled,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs

VENDOR = "Cisco"

AV_TAGS = {
    "E": "antivirus engine",
    "i": "engine version information",
    "d": "scan details of the parts scanned",
    "a": "action/reference code (Cisco-internal)",
    "e": "scan errors (u = unscannable, e = encrypted, t = timeout)",
    "v": "viruses found",
}
MAIL_FLOW = {
    "$TRUSTED": "trusted sender: accepted with anti-spam skipped",
    "$BLOCKED": "blocked sender",
    "$THROTTLED": "suspicious sender: accepted slowly, fully scanned",
    "$ACCEPTED": "ordinary sender: accepted and scanned",
    "$RELAYED": "relay from inside the organisation",
}
AMP = {
    "CLEAN": ("no malware found", "clean"),
    "MALICIOUS": ("malware found", "malware"),
    "UNKNOWN": ("file reputation unknown", None),
    "UNSCANNABLE": ("file could not be scanned", None),
}


def _av(name: str, value: str) -> Decoded:
    pairs = [(k, v.strip('"')) for k, v in semicolon_pairs(value, "=")]
    fields = labelled(pairs, AV_TAGS)
    engine = next((v for k, v in pairs if k == "E"), "?")
    virus = next((v for k, v in pairs if k == "v" and v), "")
    said = f"Cisco antivirus scan record (engine {show(engine, 20)})"
    if virus:
        return Decoded(fields, said + f": virus found ({show(virus, 60)})", "malware")
    return Decoded(fields, said)


def _reputation(name: str, value: str) -> Decoded:
    n = as_float(value)
    if n is None:
        said = f"Cisco/Talos sender reputation {show(value, 12)} (None = no data on the sender)"
    else:
        side = "poor" if n <= -3 else ("suspect" if n < 0 else "neutral to good")
        said = f"Cisco/Talos sender reputation {n:g} (-10 spammer to +10 trusted): {side}"
    return single("score", value, said)


def _mail_flow(name: str, value: str) -> Decoded:
    known = MAIL_FLOW.get(value.strip().upper())
    verdict = "blocked" if value.strip().upper() == "$BLOCKED" else None
    return single("policy", value, f"Cisco mail flow policy: {known or show(value, 40)}", verdict)


def _amp(name: str, value: str) -> Decoded:
    words, verdict = AMP.get(value.strip().upper(), (show(value, 40), None))
    return single("result", value, f"Cisco malware protection (AMP): {words}", verdict)


def _outbreak(name: str, value: str) -> Decoded:
    v = value.strip()
    verdict = None if v.lower() in ("", "none", "clean", "0") else "suspicious"
    said = f"Cisco outbreak filter status: {show(v, 60)}"
    if verdict:
        said += " (messages it flags can be held in the outbreak quarantine)"
    return single("status", value, said, verdict)


_ENCODED = named("Cisco anti-spam result, encoded (readable only by Cisco support)")
EXACT: dict[str, Decoder] = {
    "x-ironport-av": _av,
    "x-ironport-anti-spam-filtered": named("Cisco anti-spam scanning ran on it"),
    "x-ironport-anti-spam-result": _ENCODED,
    "x-ironport-anti-spam": _ENCODED,
    "x-ipas-result": _ENCODED,
    "x-ironport-remoteip": named("IP that connected to the Cisco appliance", "ip"),
    "x-ironport-mid": named("Cisco message ID: search message tracking with it", "id"),
    "x-ironport-reputation": _reputation,
    "x-sbrs": _reputation,
    "x-ironport-sendergroup": named("Cisco sender group the connection matched", "group"),
    "x-ironport-mailflowpolicy": _mail_flow,
    "x-amp-result": _amp,
    "x-amp-original-verdict": named("malware verdict before any later re-evaluation"),
    "x-amp-file-uploaded": named("whether a file was sent for sandbox analysis", "uploaded"),
    "x-ironport-outbreak-status": _outbreak,
    "x-ironport-outbreak-description": named("outbreak filter threat description"),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-ironport-", named("Cisco processing header (" + NOT_DOCUMENTED + ")")),
    ("ironport-", named("Cisco internal data, encoded (readable only by Cisco)")),
    ("x-amp-", named("Cisco malware protection header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-ironport-mailflowpolicy", "x-amp-result", "x-ironport-outbreak-status"})
