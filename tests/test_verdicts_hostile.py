"""Hostile values for every header name any vendor module claims: never raise, stay capped.

Values: terminal escapes and NUL bytes, bidi overrides, lone surrogates, 100 KB
runs with and without separators, numbers that overflow, empty strings. Every
meaning line must stay free of control characters (sample text is quoted through
``printable``); raw values are kept verbatim up to the 4,000-character cap.
"""

from __future__ import annotations

import re
import time

import pytest
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.verdicts import (
    VERDICT_WORDS,
    decode,
    find_verdicts,
    microsoft_placement,
    quarantine_signal,
    unknown_headers,
)
from mailtriage.checks.verdicts.registry import MODULES

NAMES = sorted(
    {name for mod in MODULES for name in mod.EXACT}
    | {prefix + "zz-extra" for mod in MODULES for prefix, _ in mod.PREFIXES}
)
#: Names whose decoder may decline a value that is not theirs (not Google's ARC, etc.).
MAY_DECLINE = {"x-received", "arc-seal", "arc-message-signature", "arc-authentication-results"}
HOSTILE = [
    "",
    "   ",
    "\x1b[31mred\x1b[0m\x00;SFV:\x1bSPM;SCL:\x009;dest:\x1bJ;",
    "rule=\x1b]0;pwn\x07 policy=\u202egnp score=\x00",
    "\ud800\udfff=;=:;:=",
    "A" * 100_000,
    "K:V;" * 25_000,
    "k=v " * 25_000,
    "1.0 RULE_X desc " * 7_000,
    "-" * 100_000,
    "9" * 5_000 + "-" + "9" * 5_000,
    "nan",
    "1e999",
    "x=" + "=" * 10_000,
    ";" * 50_000,
    "i=1; " + "d=google.com; " * 5_000,
    "by 2002:: with SMTP id " + "x" * 50_000,
    "Policy=" + "a=b;" * 20_000,
    "1.0 " + "QUJD" * 10_000 + " " + "!" * 10_000,
]
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.mark.parametrize("name", NAMES)
def test_every_claimed_header_survives_hostile_values(name: str) -> None:
    start = time.perf_counter()
    for value in HOSTILE:
        got = decode(name, value)
        if got is None:
            assert name in MAY_DECLINE, (name, value[:40])
            continue
        assert got.raw == value[:4000]
        assert "could not be decoded" not in got.meaning, (name, value[:40])  # decoder raised
        assert len(got.fields) <= 64
        assert got.verdict is None or got.verdict in VERDICT_WORDS
        assert not _CONTROL.search(got.meaning), (name, got.meaning)
        for f in got.fields:
            assert len(f.key) <= 100 and len(f.value) <= 1000
            assert f.meaning and not _CONTROL.search(f.meaning), (name, f.meaning)
    assert time.perf_counter() - start < 1.0, name


def test_hostile_message_through_every_entry_point() -> None:
    lines = [f"{name}: {value[:3000]}" for name in NAMES for value in HOSTILE[2:5]]
    lines += [f"X-Unknown-{i}: \x1b[2J{'z' * 2000}" for i in range(200)]
    text = "From: a@b.example\nSubject: t\n" + "\n".join(lines) + "\n\nbody\n"
    s = load_bytes(text.encode("utf-8", "surrogatepass"), "hostile")
    start = time.perf_counter()
    found = find_verdicts(s)
    quarantine_signal(find_verdicts(s))
    microsoft_placement(find_verdicts(s))
    listed = unknown_headers(s)
    assert time.perf_counter() - start < 2.0
    assert len(found) > len(NAMES)
    assert len(listed) == 64


def test_no_separator_values_keep_everything_raw() -> None:
    for name in ("X-Forefront-Antispam-Report", "X-Proofpoint-Spam-Details", "X-Spam-Status"):
        got = decode(name, "NOSEPARATORSATALL" * 10)
        assert got is not None and got.raw == "NOSEPARATORSATALL" * 10
        assert got.verdict is None
