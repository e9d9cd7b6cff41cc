"""Plain-language meaning of vendor verdict headers (see :mod:`checks.verdicts`).

Microsoft's codes (SFV, CAT, SCL, dest) and Proofpoint's rule names are turned
into one short line a technician can read without the vendor documentation.
"""

from __future__ import annotations

import re

SFV = {
    "NSPM": "not spam",
    "SPM": "spam",
    "SKN": "filtering skipped (allowed by a rule)",
    "SKA": "filtering skipped (sender allow list)",
    "SKB": "blocked by a block list",
    "SKS": "marked spam by a rule before filtering",
    "SKQ": "released from quarantine",
    "SFE": "allowed by the user's safe senders",
    "BLK": "blocked by the user's blocked senders",
    "SKI": "internal message, not filtered",
    "SKU": "allowed by a tenant allow entry",
}
CAT = {
    "NONE": "no threat",
    "SPM": "spam",
    "HSPM": "high confidence spam",
    "PHSH": "phishing",
    "HPHSH": "high confidence phishing",
    "BULK": "bulk",
    "SPOOF": "spoofing",
    "DIMP": "domain impersonation",
    "UIMP": "user impersonation",
    "GIMP": "impersonation",
    "MALW": "malware",
    "AMP": "anti-malware",
    "OSPM": "outbound spam",
}
DEST = {"I": "Inbox", "J": "Junk Email", "C": "custom folder"}
HOLD = re.compile(r"quarantine|spam|phish|malware|virus|block|impostor", re.IGNORECASE)


def held(rule: str) -> bool:
    """Whether a Proofpoint ``rule=`` name means the message was held or flagged."""
    return bool(HOLD.search(rule)) and not rule.lower().endswith("notspam")


def scl_words(scl: str | None) -> str:
    """Describe a Microsoft spam confidence level, e.g. ``"6 (spam)"``."""
    try:
        n = int(scl or "")
    except ValueError:
        return "not given"
    if n < 0:
        return f"{n} (filtering bypassed)"
    return f"{n} ({'spam' if n >= 5 else 'not spam'})"


def meaning(vendor: str, low: str, f: dict[str, str]) -> str:
    """One plain line on what a verdict header says.

    Args:
        vendor: The vendor name :mod:`checks.verdicts` gave the header.
        low: The header name in lower case.
        f: Its fields as a dict (first occurrence of each key wins).

    Returns:
        The meaning, never empty.
    """
    if low == "x-proofpoint-spam-details":
        rule = f.get("rule", "?")
        verdict = (
            "held for quarantine"
            if "quarantine" in rule
            else ("flagged" if held(rule) else "passed")
        )
        return (
            f"Proofpoint filter: rule {rule} ({verdict}), policy {f.get('policy', '?')}, "
            f"score {f.get('score', '?')}"
        )
    if low in ("x-proofpoint-guid", "x-proofpoint-orig-guid"):
        return "Proofpoint message ID: search the Proofpoint logs with it or quote it in a case"
    if low == "x-proofpoint-virus-version":
        return "Proofpoint antivirus engine and signature versions that scanned it"
    if low == "x-forefront-antispam-report":
        sfv, cat = f.get("SFV", ""), f.get("CAT", "")
        return (
            f"Microsoft filter: {SFV.get(sfv, sfv or '?')}, SCL {scl_words(f.get('SCL'))}, "
            f"category {CAT.get(cat, cat or '?')}, seen from {f.get('CIP', '?')}"
        )
    if low == "x-microsoft-antispam":
        return f"Microsoft bulk level BCL {f.get('BCL', '?')} (0 = not bulk, 7+ = bulk)"
    if low == "x-microsoft-antispam-mailbox-delivery":
        dest = f.get("dest", "")
        return f"Microsoft mailbox placement: {DEST.get(dest, dest or 'not given')}"
    if low == "x-microsoft-antispam-message-info":
        return "Microsoft's encoded filter data (not readable; quote it to Microsoft support)"
    if low == "x-ms-exchange-organization-scl":
        return f"Microsoft spam confidence level {scl_words(f.get('value'))}"
    if low == "x-spam-status":
        return (
            f"SpamAssassin verdict {f.get('status', '?')}: score {f.get('score', '?')} "
            f"against threshold {f.get('required', '?')}"
        )
    if low in ("x-barracuda-spam-status", "x-barracuda-spam-score"):
        return f"Barracuda spam verdict {f.get('status') or f.get('value', '?')}"
    if vendor == "other":
        return "Filter header from a product not recognised here"
    return f"{vendor} processing header"
