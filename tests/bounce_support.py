"""Scoring :func:`checks.bounce.entry.parse_bounce` against the Sisimai corpus expectations.

Shared by ``tests/test_bounce_corpus.py`` and ``tests/benchmarks/bounce_scores.py``.
The corpus (``shared/corpora/sisimai-dev``) holds real bounces with Sisimai's own
expected reason, status code and permanence per recipient; see its SOURCE.txt.
"""

from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from mailtriage.checks.bounce.entry import parse_bounce
from mailtriage.checks.message.loader import load_path

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SISIMAI = CORPORA / "sisimai-dev"

SISIMAI_REASONS: dict[str, frozenset[str]] = {
    "reputation block": frozenset({"blocked", "badreputation", "requireptr"}),
    "policy block": frozenset({"rejected", "policyviolation", "securityerror", "filtered"}),
    "spam/content rejection": frozenset(
        {"spamdetected", "contenterror", "notcompliantrfc", "filtered"}
    ),
    "virus": frozenset({"virusdetected"}),
    "authentication failure": frozenset({"authfailure"}),
    "recipient unknown": frozenset({"userunknown", "hasmoved", "suspend"}),
    "mailbox full": frozenset({"mailboxfull"}),
    "message too large": frozenset({"mesgtoobig", "exceedlimit"}),
    "rate limited": frozenset({"toomanyconn", "speeding"}),
    "relay denied": frozenset({"norelaying"}),
    "TLS required": frozenset({"failedstarttls"}),
    "routing/DNS failure": frozenset({"hostunknown", "notaccept", "networkerror"}),
    "deferral": frozenset({"expired", "networkerror", "systemerror"}),
    "expired": frozenset({"expired"}),
    "auto-reply": frozenset({"vacation"}),
    "feedback report": frozenset({"feedback"}),
    "delivered": frozenset({"delivered"}),
    "other": frozenset(
        {"undefined", "onhold", "systemerror", "mailererror", "systemfull", "syntaxerror"}
    ),
}
"""Our category -> the Sisimai reasons it agrees with.

One of ours may stand for several of theirs, and two of ours may share one where
Sisimai's reason is broader than either: Sisimai's ``filtered`` means "refused by
the recipient side's filter", which is our policy block or our content rejection
depending on the wording. Sisimai has no deferral reason: it labels a delay
notice by its cause, most often ``expired`` (status X.4.7), a network error or a
system error. ``suspend`` (mailbox disabled) and ``hasmoved`` (551 / 5.1.6) are
both "the address no longer works" to a technician. Our "other" collects
Sisimai's undetermined reasons (``onhold``, ``undefined``) and local failures
(``mailererror`` pipe errors, ``systemerror`` / ``systemfull`` server trouble).
"""

PSEUDO = re.compile(r"\d\.0\.9\d\d")


@dataclass
class Scores:
    """Agreement counts over the corpus."""

    rows: int = 0
    messages: int = 0
    status_compared: int = 0
    status_ok: int = 0
    pseudo: int = 0
    perm_compared: int = 0
    perm_ok: int = 0
    category_ok: int = 0
    recipients_ok: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def rate(self, ok: int, total: int) -> float:
        """Share of agreements (0.0 for an empty comparison)."""
        return ok / total if total else 0.0


def expected_rows() -> dict[str, list[dict[str, str]]]:
    """Rows of expected.tsv grouped by file name, in file order."""
    out: dict[str, list[dict[str, str]]] = {}
    with (SISIMAI / "expected.tsv").open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["file"], []).append(row)
    return out


def score() -> Scores:
    """Parse every corpus email and compare with Sisimai's expectations."""
    s = Scores()
    for name, rows in expected_rows().items():
        sample = load_path(SISIMAI / "emails" / name)
        start = time.perf_counter()
        bounce = parse_bounce(sample)
        s.seconds += time.perf_counter() - start
        s.messages += 1
        found = bounce.recipients if bounce else ()
        for row in rows:
            s.rows += 1
            i = int(row["index"]) - 1
            got = found[i] if i < len(found) else None
            if got is not None and "@" in got.recipient:
                s.recipients_ok += 1
            else:
                s.misses.append(f"recipient {name}#{i + 1}: got {got and got.recipient!r}")
            want = row["status"]
            if PSEUDO.fullmatch(want):
                s.pseudo += 1
            elif want:
                s.status_compared += 1
                if got is not None and got.status == want:
                    s.status_ok += 1
                else:
                    s.misses.append(f"status {name}#{i + 1}: want {want}, got {got and got.status}")
            if row["status_class"]:
                s.perm_compared += 1
                if got is not None and got.permanent == (row["status_class"] == "permanent"):
                    s.perm_ok += 1
                else:
                    s.misses.append(f"permanence {name}#{i + 1}: got {got and got.permanent}")
            if got is not None and row["reason"] in SISIMAI_REASONS.get(got.category, ()):
                s.category_ok += 1
            else:
                s.misses.append(
                    f"category {name}#{i + 1}: want {row['reason']}, got {got and got.category}"
                )
    return s


def markdown(s: Scores) -> str:
    """The agreement figures as a Markdown table."""
    lines = [
        "| Agreement with Sisimai (sisimai-dev) | Matched | Compared | Rate |",
        "| --- | ---: | ---: | ---: |",
        f"| DSN status code, exact (excl. {s.pseudo} pseudo 5.0.9xx rows) | {s.status_ok} "
        f"| {s.status_compared} | {s.rate(s.status_ok, s.status_compared):.1%} |",
        f"| Permanent vs transient | {s.perm_ok} | {s.perm_compared} "
        f"| {s.rate(s.perm_ok, s.perm_compared):.1%} |",
        f"| Category (mapped to Sisimai reasons) | {s.category_ok} | {s.rows} "
        f"| {s.rate(s.category_ok, s.rows):.1%} |",
        f"| Failed recipient found (an address at its place) | {s.recipients_ok} | {s.rows} "
        f"| {s.rate(s.recipients_ok, s.rows):.1%} |",
    ]
    return "\n".join(lines)
