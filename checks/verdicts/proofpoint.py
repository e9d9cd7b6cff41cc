"""Proofpoint (Protection Server, Essentials, Cloudmark) verdict headers.

Proofpoint publishes no field reference for these headers: labels say what each
field is known to carry, and flag Proofpoint-internal scales. Rule names are set
per customer, so the decision word comes from a rule name only when it says so.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import (
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_int,
    fld,
    labelled,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import semicolon_pairs, space_pairs

VENDOR = "Proofpoint"

_PERCENT = "0–100, higher is worse"
SPAM_DETAILS = {
    "rule": "the policy rule that decided the outcome (rule names are set per customer)",
    "policy": "the policy route applied (for example default, inbound, outbound)",
    "score": f"overall spam score ({_PERCENT})",
    "spamscore": f"spam classifier score ({_PERCENT})",
    "phishscore": f"phishing classifier score ({_PERCENT})",
    "malwarescore": f"malware classifier score ({_PERCENT})",
    "suspectscore": f"suspicious-content score short of spam ({_PERCENT})",
    "bulkscore": f"bulk/newsletter classifier score ({_PERCENT})",
    "adultscore": f"adult-content classifier score ({_PERCENT})",
    "impostorscore": f"impostor (business e-mail compromise) score ({_PERCENT})",
    "clxscore": "CLX content classifier score (Proofpoint-internal scale)",
    "mlxscore": "machine-learning (MLX) classifier score (Proofpoint-internal scale)",
    "mlxlogscore": "machine-learning (MLX) classifier log score (Proofpoint-internal scale)",
    "priorityscore": "priority-mail classifier score (Proofpoint-internal scale)",
    "lowpriorityscore": "low-priority (graymail) classifier score (Proofpoint-internal scale)",
    "ndrscore": "bounce (non-delivery report) classifier score",
    "adjustscore": "score adjustment added by the policy",
    "adjust": "score adjustment added by the policy",
    "classifier": "the classifier that produced the final score",
    "reason": "what gave the final score (mlx = the machine-learning classifier)",
    "scancount": "how many times the message was scanned",
    "engine": "spam engine version",
    "definitions": "spam rule definitions version",
}
for _k in ("recipient", "recipient_domain"):
    for _s in ("sender", "sender_domain"):
        SPAM_DETAILS[f"{_k}_to_{_s}_totalscore"] = (
            "how much mail the recipient and sender have exchanged (relationship signal)"
        )
_HUNDRED: tuple[str, ...] = ("score", "spamscore", "phishscore", "malwarescore", "suspectscore")
_HUNDRED += ("bulkscore", "adultscore", "impostorscore")
VIRUS_VERSION = {
    "vendor": "antivirus engine vendor",
    "engine": "antivirus engine versions",
    "definitions": "virus definition versions (dates)",
    "signatures": "signature count or set",
}
SPAM_REASON = {"safe": "a safe-sender entry allowed it, so spam scoring did not decide"}
PPE_TRUSTED = {"V": "stamp version", "DIR": "direction (IN = inbound, OUT = outbound)"}
MDID_O = ("region", "site", "time (Unix seconds)", "message ID", "sender", "hash")
_WORDS = {
    "quarantined": "held in quarantine",
    "not spam": "passed",
    "spam": "flagged as spam",
    "phish": "flagged as phishing or impostor",
    "malware": "flagged as malware",
    "bulk": "flagged as bulk",
    "blocked": "blocked",
}


def rule_verdict(rule: str) -> str | None:
    """The decision a Proofpoint rule name plainly states, or ``None``."""
    r = rule.lower()
    if "notspam" in r or r in ("safe", "allow", "allowed"):
        return "not spam"
    for needle, word in (
        ("quarantine", "quarantined"),
        ("phish", "phish"),
        ("impostor", "phish"),
        ("malware", "malware"),
        ("virus", "malware"),
        ("bulk", "bulk"),
        ("block", "blocked"),
        ("reject", "blocked"),
        ("spam", "spam"),
    ):
        if needle in r:
            return word
    return None


def held(rule: str) -> bool:
    """Whether a ``rule=`` name means the message was held or flagged."""
    return rule_verdict(rule) not in (None, "not spam")


def _level(key: str, value: str) -> str:
    n = as_int(value)
    if key.lower() not in _HUNDRED or n is None:
        return ""
    return " — high" if n >= 80 else (" — elevated" if n >= 50 else " — low")


def _spam_details(name: str, value: str) -> Decoded:
    _, pairs = space_pairs(value)
    fields = tuple(
        fld(f.key, f.value, f.meaning + _level(f.key, f.value))
        for f in labelled(pairs, SPAM_DETAILS, fold=True)
    )
    got = {k.lower(): v for k, v in reversed(pairs)}
    rule = got.get("rule", "")
    verdict = rule_verdict(rule)
    words = _WORDS.get(verdict or "", "rule name does not say")
    said = (
        f"Proofpoint: rule {show(rule or '?')} ({words})"
        f", policy {show(got.get('policy', '?'))}, score {show(got.get('score', '?'))}"
    )
    high = [(as_int(got.get(k)) or 0, k) for k in _HUNDRED[1:]]
    top = max(high, default=(0, ""))
    if top[0] >= 50:
        said += f"; highest sub-score {top[1]} {top[0]}"
    return Decoded(fields, said, verdict)


def _virus_version(name: str, value: str) -> Decoded:
    _, pairs = space_pairs(value)
    vendor = next((v for k, v in pairs if k.lower() == "vendor"), "?")
    said = f"Proofpoint antivirus engine and definition versions that scanned it ({show(vendor)})"
    return Decoded(labelled(pairs, VIRUS_VERSION, fold=True), said)


def _spam_reason(name: str, value: str) -> Decoded:
    known = SPAM_REASON.get(value.strip().lower())
    said = f"Proofpoint's reason for the spam decision: {known or show(value)}"
    return single("reason", value, said, "allowed" if known else None)


def _ppe_trusted(name: str, value: str) -> Decoded:
    pairs = semicolon_pairs(value, "=")
    fields = labelled(pairs, PPE_TRUSTED, fold=False)
    said = "Proofpoint Essentials relay stamp: the message passed through Essentials"
    return Decoded(fields, said)


def _mdid_o(name: str, value: str) -> Decoded:
    parts = [p.strip() for p in value.split(";")]
    fields = tuple(
        fld(MDID_O[i] if i < len(MDID_O) else f"part {i + 1}", p,
            "Proofpoint Essentials tracking detail" if i < len(MDID_O) else NOT_DOCUMENTED)
        for i, p in enumerate(parts[:16])
    )  # fmt: skip
    return Decoded(fields, "Proofpoint Essentials tracking data (region, site, time, ID, sender)")


def _clx_spam(name: str, value: str) -> Decoded:
    v = value.strip().lower()
    verdict = "spam" if v == "true" else ("not spam" if v == "false" else None)
    return single("value", value, f"Cloudmark (Proofpoint) spam flag: {show(value)}", verdict)


def _other(name: str, value: str) -> Decoded:
    return single("value", value, "Proofpoint processing header (" + NOT_DOCUMENTED + ")")


_GUID = named("Proofpoint message ID: search Proofpoint's message log with it or quote it", "id")
EXACT: dict[str, Decoder] = {
    "x-proofpoint-spam-details": _spam_details,
    "x-proofpoint-virus-version": _virus_version,
    "x-proofpoint-guid": _GUID,
    "x-proofpoint-orig-guid": _GUID,
    "x-proofpoint-spam-reason": _spam_reason,
    "x-proofpoint-spf-result": named("SPF result Proofpoint recorded for the sender", "result"),
    "x-proofpoint-spf-record": named("the SPF record Proofpoint evaluated", "record"),
    "x-proofpoint-unrewurl": named("URL Defense put back the original links it had rewritten"),
    "x-proofpoint-spam-details-enc": named("encoded copy of the spam details (Proofpoint only)"),
    "x-ppe-trusted": _ppe_trusted,
    "x-ppe-trusted-v": _ppe_trusted,
    "x-ppe-stack": named("Proofpoint Essentials data-centre stack that handled it"),
    "x-mdid": named("Proofpoint Essentials message ID: search the Essentials log with it", "id"),
    "x-mdid-o": _mdid_o,
    "x-clx-spam": _clx_spam,
    "x-clx-shades": named("Cloudmark (Proofpoint) graymail shade classification"),
    "x-clx-response": named("Cloudmark (Proofpoint) encoded response (Proofpoint only)"),
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-proofpoint-", _other),
    ("x-ppe-", named("Proofpoint Essentials processing header (" + NOT_DOCUMENTED + ")")),
    ("x-clx-", named("Cloudmark (Proofpoint) processing header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-proofpoint-spam-details", "x-clx-spam"})
