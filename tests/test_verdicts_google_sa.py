"""Google and SpamAssassin headers.

The X-Spam-Report block starts as in a public lore.kernel.org list post
filtered at bombadil.infradead.org (2020); its first rule line was cut in the
archive excerpt, so the listed IP and the two following rows (standard
SpamAssassin rules with their stock descriptions) are filled in. Other
SpamAssassin values are real ones from the Sisimai corpus and public list mail. Google's X-Gm-Spam /
X-Gm-Phishy flags have no public documentation; their fixtures are the two
values Gmail is seen to stamp (0 and 1).
"""

from __future__ import annotations

import pytest
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.verdicts import decode, find_verdicts, quarantine_signal

REPORT = (
    "SpamAssassin version 3.4.4 on bombadil.infradead.org summary: Content analysis details: "
    "(0.2 points) pts rule name description ---- ---------------------- "
    "-------------------------------------------------- -0.0 RCVD_IN_DNSWL_NONE RBL: Sender "
    "listed at https://www.dnswl.org/, no trust [3.4.5.6 listed in list.dnswl.org] 0.0 "
    "SPF_HELO_NONE SPF: HELO does not publish an SPF Record 0.2 HEADER_FROM_DIFFERENT_DOMAINS "
    "From and EnvelopeFrom 2nd level mail domains are different"
)


def test_spam_report_rules_with_points() -> None:
    got = decode("X-Spam-Report", REPORT)
    assert got is not None and got.vendor == "SpamAssassin"
    assert [(f.key, f.value) for f in got.fields] == [
        ("RCVD_IN_DNSWL_NONE", "-0.0"),
        ("SPF_HELO_NONE", "0.0"),
        ("HEADER_FROM_DIFFERENT_DOMAINS", "0.2"),
    ]
    assert got.fields[1].meaning == "0.0 points: SPF: HELO does not publish an SPF Record"
    assert "biggest: HEADER_FROM_DIFFERENT_DOMAINS 0.2" in got.meaning


@pytest.mark.parametrize(
    ("name", "value", "verdict", "needle"),
    [
        ("X-Spam-Status", "Yes, score=7.2 required=5.0 tests=BAYES_99 autolearn=spam", "spam",
         "score 7.2 against threshold 5.0"),
        ("X-Spam-Status", "No, hits=0.1 required=5.0 tagged_above=-999", "not spam", "score 0.1"),
        ("X-Spam-Flag", "YES", "spam", "YES = the filter called it spam"),
        ("X-Spam-Level", "*******", None, "at least 7"),
        ("X-Spam-Level", "", None, "score below 1"),
        ("X-Spam-Score", "0.2 (/)", None, "spam score 0.2 (/)"),
        ("X-Spam-Checker-Version", "SpamAssassin 3.4.6 (2021-04-09) on lindbergh.monkeyblade.net",
         None, "lindbergh.monkeyblade.net"),
    ],
)  # fmt: skip
def test_spamassassin_headers(name: str, value: str, verdict: str | None, needle: str) -> None:
    got = decode(name, value)
    assert got is not None and got.vendor == "SpamAssassin"
    assert got.verdict == verdict and needle in got.meaning
    assert all(f.meaning != "not documented" for f in got.fields)


@pytest.mark.parametrize(
    ("name", "value", "verdict", "flagged"),
    [
        ("X-Gm-Spam", "0", "not spam", False),
        ("X-Gm-Spam", "1", "spam", True),
        ("X-Gm-Phishy", "1", "phish", True),
        ("X-Gm-Phishy", "maybe", None, False),
    ],
)
def test_gmail_flags(name: str, value: str, verdict: str | None, flagged: bool) -> None:
    got = decode(name, value)
    assert got is not None and got.vendor == "Google" and got.verdict == verdict
    text = f"From: a@b.example\n{name}: {value}\n\nb\n"
    assert (quarantine_signal(find_verdicts(load_bytes(text.encode(), "t"))) is not None) is flagged


def test_google_arc_only_when_google_sealed() -> None:
    other = decode(
        "ARC-Seal", "i=1; a=rsa-sha256; t=1; cv=none; d=microsoft.com; s=arcselector9901"
    )
    assert other is None
    mine = decode("ARC-Seal", "i=1; a=rsa-sha256; t=1; cv=none; d=google.com; s=arc-20160816; b=x")
    assert mine is not None and mine.get("s") == "arc-20160816"
    assert decode("ARC-Authentication-Results", "i=1; mx.microsoft.com 1; spf=pass") is None
    assert decode("X-Received", "by 10.0.0.1 for x; Mon, 1 Jan 2024") is None
    original = decode("X-Google-Original-From", "Ann <ann@example.com>")
    assert original is not None and "Google Groups" in original.meaning
