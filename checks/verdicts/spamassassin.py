"""Apache SpamAssassin headers (``X-Spam-*``), as its documentation describes them.

``X-Spam-Status`` carries the decision and score against the threshold,
``X-Spam-Level`` one star per whole point, ``X-Spam-Report`` the rules that
fired with their points.
"""

from __future__ import annotations

from mailtriage.checks.verdicts.model import (
    Decoded,
    Decoder,
    as_float,
    fld,
    labelled,
    show,
    single,
)
from mailtriage.checks.verdicts.split import rule_table, space_pairs

VENDOR = "SpamAssassin"

STATUS = {
    "status": "the decision: Yes = spam, No = not spam",
    "score": "total score (negative when allow-listed)",
    "hits": "total score (older SpamAssassin versions)",
    "required": "score needed to be called spam",
    "tests": "rules that fired",
    "autolearn": "what the Bayes filter learned from it (ham, spam, no, disabled...)",
    "autolearn_force": "whether learning was forced",
    "shortcircuit": "whether a short-circuit rule ended scanning early",
    "version": "SpamAssassin version",
    "tagged_above": "score above which reports are added (amavis)",
}


def _yes_no(word: str) -> str | None:
    w = word.strip().rstrip(",").lower()
    return "spam" if w == "yes" else ("not spam" if w == "no" else None)


def status(name: str, value: str, product: str = "SpamAssassin") -> Decoded:
    """Decode an ``X-Spam-Status``-style value (also used for Barracuda's)."""
    word, pairs = space_pairs(value)
    pairs = ([("status", word)] if word else []) + pairs
    fields = labelled(pairs, STATUS, fold=True)
    got = {k.lower(): v for k, v in reversed(pairs)}
    score = got.get("score") or got.get("hits") or "?"
    said = (
        f"{product} verdict {show(word or '?', 12)}: score {show(score, 12)} "
        f"against threshold {show(got.get('required', '?'), 12)}"
    )
    return Decoded(fields, said, _yes_no(word))


def _flag(name: str, value: str) -> Decoded:
    verdict = _yes_no(value)
    said = f"spam flag {show(value, 12)} (YES = the filter called it spam)"
    return single("value", value, said, verdict)


def _level(name: str, value: str) -> Decoded:
    stars = value.strip()
    count = len(stars) if stars and set(stars) <= {"*", "+", "#"} else None
    said = f"spam score shown as {count} star(s): the score is at least {count}"
    if count is None:
        said = "spam score in stars: " + (show(value, 20) if stars else "none (score below 1)")
    return single("stars", value, said)


def _score(name: str, value: str) -> Decoded:
    n = as_float(value)
    said = f"spam score {show(value, 20)}" + ("" if n is not None else " (not a number)")
    return single("score", value, said)


def report(name: str, value: str, product: str = "SpamAssassin") -> Decoded:
    """Decode a rule report (``pts rule description`` rows); used for Barracuda too."""
    rows = rule_table(value)
    fields = tuple(fld(rule, pts, f"{pts} points: {show(desc, 160)}") for rule, pts, desc in rows)
    top = sorted(rows, key=lambda r: -(as_float(r[1]) or 0.0))[:3]
    said = f"{product} rule report: {len(rows)} rule(s)"
    if top:
        said += "; biggest: " + ", ".join(f"{show(r, 40)} {show(p, 8)}" for r, p, _ in top)
    return Decoded(fields, said)


def _checker(name: str, value: str) -> Decoded:
    words = value.split()
    host = words[words.index("on") + 1] if "on" in words[:-1] else ""
    fields = (
        fld("product", " ".join(words[:2]), "filter name and version"),
        fld("host", host, "server that ran the check"),
    )
    return Decoded(fields, f"SpamAssassin checked it on {show(host or '?', 60)}")


EXACT: dict[str, Decoder] = {
    "x-spam-status": status,
    "x-spam-flag": _flag,
    "x-spam-level": _level,
    "x-spam-score": _score,
    "x-spam-report": report,
    "x-spam-checker-version": _checker,
}
PREFIXES: tuple[tuple[str, Decoder], ...] = ()  # other X-Spam-* come from many products
KEY = frozenset({"x-spam-status", "x-spam-flag"})
