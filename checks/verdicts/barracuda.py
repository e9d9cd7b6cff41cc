"""Barracuda Email Security Gateway / Spam Firewall headers (``X-Barracuda-*``, ``X-ASG-*``).

The status line compares the score with three per-domain or global levels: at
``TAG_LEVEL`` the message is tagged, at ``QUARANTINE_LEVEL`` held in the
Barracuda quarantine, at ``KILL_LEVEL`` blocked. The rule report uses the
SpamAssassin layout.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mailtriage.checks.verdicts import spamassassin
from mailtriage.checks.verdicts.model import (
    MAX_FIELDS,
    NOT_DOCUMENTED,
    Decoded,
    Decoder,
    as_float,
    as_int,
    fld,
    named,
    show,
    single,
)
from mailtriage.checks.verdicts.split import space_pairs

VENDOR = "Barracuda"

STATUS = {
    "status": "the decision: Yes = over the tag level, No = under it",
    "score": "spam score",
    "scores": "which levels applied (global or per-user)",
    "tag_level": "score at which the message is tagged as spam",
    "quarantine_level": "score at which it is held in the Barracuda quarantine",
    "kill_level": "score at which it is blocked",
    "tests": "rules that fired",
}
_LEVELS = (("kill_level", "blocked"), ("quarantine_level", "quarantined"), ("tag_level", "spam"))
_WORDS = {
    "blocked": "at or above the block (kill) level",
    "quarantined": "at or above the quarantine level: held in the Barracuda quarantine",
    "spam": "at or above the tag level: tagged as spam",
    "not spam": "below every level",
}


def _status(name: str, value: str) -> Decoded:
    word, _, rest = value.partition(",")
    _, pairs = space_pairs(rest)
    out: list[tuple[str, str]] = [("status", word.strip())]
    for key, val in pairs:
        if key.lower() == "score" and " " in val:
            val, _, scope = val.partition(" ")
            out += [(key, val), ("scores", "per-user" if "per-user" in scope else "global")]
        else:
            out.append((key, val))
    fields = tuple(fld(k, v, STATUS.get(k.lower(), NOT_DOCUMENTED)) for k, v in out[:MAX_FIELDS])
    got = {k.lower(): v for k, v in reversed(out)}
    score = as_float(got.get("score"))
    levels = [(as_float(got.get(key)), w) for key, w in _LEVELS]
    verdict = None
    if score is not None and any(lv is not None for lv, _ in levels):
        verdict = next((w for lv, w in levels if lv is not None and score >= lv), "not spam")
    elif word.strip().lower() in ("yes", "no"):
        verdict = "spam" if word.strip().lower() == "yes" else "not spam"
    said = f"Barracuda verdict {show(word, 12)}: score {show(got.get('score', '?'), 12)}"
    if verdict in _WORDS and any(lv is not None for lv, _ in levels):
        said += f", {_WORDS[verdict]}"
    return Decoded(fields, said, verdict)


def _score(name: str, value: str) -> Decoded:
    said = f"Barracuda spam score {show(value, 12)} (the levels are in X-Barracuda-Spam-Status)"
    return single("score", value, said)


def _flag(name: str, value: str) -> Decoded:
    verdict = "spam" if value.strip().upper() == "YES" else None
    return single("value", value, f"Barracuda spam flag {show(value, 12)}", verdict)


def _connect(name: str, value: str) -> Decoded:
    host, _, ip = value.strip().partition("[")
    fields = (
        fld("host", host, "name of the server that connected"),
        fld("ip", ip.rstrip("]"), "its IP address"),
    )
    return Decoded(fields, f"Barracuda received it from {show(value, 80)}")


def _start(name: str, value: str) -> Decoded:
    n = as_int(value)
    when = "not a time"
    if n is not None and 0 < n < 2**33:
        when = datetime.fromtimestamp(n, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return single("time", value, f"when Barracuda started scanning it: {when}")


def _bayes(name: str, value: str) -> Decoded:
    words = value.split()
    labels = ("class", "data set", "probability", "confidence", "score contribution")
    fields = tuple(
        fld(labels[i] if i < len(labels) else f"part {i + 1}", w,
            "Bayesian filter " + labels[i] if i < len(labels) else NOT_DOCUMENTED)
        for i, w in enumerate(words[:8])
    )  # fmt: skip
    cls = words[0] if words else "?"
    return Decoded(fields, f"Barracuda Bayesian filter classed it {show(cls, 20)}")


def _whitelist(name: str, value: str) -> Decoded:
    said = f"Barracuda allow list matched ({show(value, 40)}): spam scoring was skipped"
    return single("value", value, said, "allowed")


def _report(name: str, value: str) -> Decoded:
    return spamassassin.report(name, value, "Barracuda")


EXACT: dict[str, Decoder] = {
    "x-barracuda-spam-status": _status,
    "x-barracuda-spam-score": _score,
    "x-barracuda-spam-flag": _flag,
    "x-barracuda-spam-report": _report,
    "x-barracuda-connect": _connect,
    "x-barracuda-start-time": _start,
    "x-barracuda-bayes": _bayes,
    "x-barracuda-scan-msg-size": named("message size Barracuda scanned (bytes)", "bytes"),
    "x-barracuda-url": named("address of the Barracuda appliance's web console", "url"),
    "x-barracuda-brts-status": named(
        "Barracuda Real-Time System (cloud check) flag (" + NOT_DOCUMENTED + ")"
    ),
    "x-barracuda-brts-evidence": named("Barracuda Real-Time System fingerprint", "evidence"),
    "x-barracuda-encrypted": named("TLS cipher of the connection to Barracuda", "cipher"),
    "x-barracuda-envelope-from": named("envelope sender Barracuda saw", "address"),
    "x-barracuda-apparent-source-ip": named("sending IP Barracuda believes in", "ip"),
    "x-barracuda-effective-source-ip": named("sending IP Barracuda used for checks", "ip"),
    "x-barracuda-rbl-trusted-forwarder": named("trusted forwarder skipped in block-list checks"),
    "x-barracuda-rbl-ip": named("IP that was checked against block lists", "ip"),
    "x-asg-debug-id": named("Barracuda debug ID: quote it to Barracuda support", "id"),
    "x-asg-orig-subj": named("the subject before Barracuda tagged it", "subject"),
    "x-asg-whitelist": _whitelist,
}
PREFIXES: tuple[tuple[str, Decoder], ...] = (
    ("x-barracuda-", named("Barracuda processing header (" + NOT_DOCUMENTED + ")")),
    ("x-asg-", named("Barracuda processing header (" + NOT_DOCUMENTED + ")")),
)
KEY = frozenset({"x-barracuda-spam-status", "x-barracuda-spam-flag"})
