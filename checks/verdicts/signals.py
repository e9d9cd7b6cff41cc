"""Did a filter hold, junk or quarantine the message? One plain reason, or ``None``.

Each rule looks at one decoded header; the topmost header with a signal wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mailtriage.checks.verdicts.microsoft_codes import SPAM_SFV
from mailtriage.checks.verdicts.mimecast import HOLD_SCORES
from mailtriage.checks.verdicts.model import VerdictHeader, as_float, as_int, show
from mailtriage.checks.verdicts.proofpoint import held
from mailtriage.checks.verdicts.sophos import SPAM_AT

Rule = Callable[[VerdictHeader], "str | None"]


def _proofpoint(v: VerdictHeader) -> str | None:
    rule = v.get("rule") or ""
    if not held(rule):
        return None
    policy = show(v.get("policy") or "?", 40)
    return f"Proofpoint rule {show(rule, 60)} held the message (policy {policy})"


def _forefront(v: VerdictHeader) -> str | None:
    sfv, scl = (v.get("SFV") or "?").upper(), v.get("SCL") or "?"
    if sfv in SPAM_SFV or (as_int(scl) or -1) >= 5:
        return f"Microsoft marked it spam (SFV:{show(sfv, 12)}, SCL {show(scl, 12)})"
    return None


def _org_scl(v: VerdictHeader) -> str | None:
    scl = v.get("SCL")
    if (as_int(scl) or -1) >= 5:
        return f"Microsoft spam confidence level {show(scl or '', 12)} (5 or more = spam)"
    return None


def _mailbox(v: VerdictHeader) -> str | None:
    if (v.get("dest") or "").upper() != "J":
        return None
    return f"Microsoft delivered it to the Junk Email folder (dest:J) — {v.meaning}"


def _says_yes(v: VerdictHeader) -> str | None:
    if v.verdict in ("quarantined", "blocked") and v.vendor == "Barracuda":
        return f"Barracuda {v.verdict} it: {v.meaning}"
    word = (v.get("status") or v.get("value") or "").split(",")[0].strip().upper()
    if word == "YES":
        return f"{show(v.name, 40)} says the message is spam ({show(v.raw, 60)})"
    return None


def _mimecast(v: VerdictHeader) -> str | None:
    score = as_int(v.get("score"))
    if score is not None and score >= HOLD_SCORES["relaxed"]:
        return f"Mimecast spam score {score} is in the hold range ({v.meaning})"
    return None


def _by_verdict(words: tuple[str, ...]) -> Rule:
    def rule(v: VerdictHeader) -> str | None:
        return f"{v.vendor}: {v.meaning}" if v.verdict in words else None

    return rule


def _sophos(v: VerdictHeader) -> str | None:
    p = as_float(v.get("probability"))
    return f"Sophos: {v.meaning}" if p is not None and p >= SPAM_AT else None


RULES: dict[str, Rule] = {
    "x-proofpoint-spam-details": _proofpoint,
    "x-forefront-antispam-report": _forefront,
    "x-ms-exchange-organization-scl": _org_scl,
    "x-microsoft-antispam-mailbox-delivery": _mailbox,
    "x-spam-flag": _says_yes,
    "x-spam-status": _says_yes,
    "x-barracuda-spam-status": _says_yes,
    "x-barracuda-spam-flag": _says_yes,
    "x-mimecast-spam-score": _mimecast,
    "x-ironport-mailflowpolicy": _by_verdict(("blocked",)),
    "x-amp-result": _by_verdict(("malware",)),
    "x-ironport-outbreak-status": _by_verdict(("suspicious",)),
    "x-lased-spamprobability": _sophos,
    "x-tm-as-result": _by_verdict(("spam",)),
    "x-tmase-result": _by_verdict(("spam",)),
    "x-gm-spam": _by_verdict(("spam",)),
    "x-gm-phishy": _by_verdict(("phish",)),
}


def quarantine_source(verdicts: Sequence[VerdictHeader]) -> tuple[VerdictHeader, str] | None:
    """The header that gives the quarantine signal, with the signal's words.

    Args:
        verdicts: The sample's decoded verdict headers, topmost first.

    Returns:
        ``(header, reason)`` for the topmost header with a signal, or ``None``.
    """
    for v in verdicts:
        rule = RULES.get(v.name.lower())
        said = rule(v) if rule is not None else None
        if said:
            return v, said
    return None


def quarantine_signal(verdicts: Sequence[VerdictHeader]) -> str | None:
    """Say in plain words whether a header shows the message was held, junked or flagged.

    Args:
        verdicts: The sample's decoded verdict headers, topmost first
            (:func:`~mailtriage.checks.verdicts.find.find_verdicts`).

    Returns:
        The reason, or ``None`` when no header says so.
    """
    found = quarantine_source(verdicts)
    return found[1] if found is not None else None
