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


def test_google_arc_is_read_by_the_one_tag_list_and_results_readers() -> None:
    """Google's ARC fields are read as the ARC verifier reads them (checks/taglist.py for
    ARC-Seal and ARC-Message-Signature, checks/message/authres.py for
    ARC-Authentication-Results), not by a splitter of their own.

    Before, the decoder lower-cased tag names, so ``D=google.com`` passed as Google's
    seal although tag names are case-sensitive (RFC 6376 "DomainKeys Identified Mail
    (DKIM) Signatures" section 3.2, https://www.rfc-editor.org/rfc/rfc6376, whose tag
    list ARC uses: RFC 8617 section 4.1); and an authserv-id with its version
    (RFC 8601 section 2.2, ``authserv-id [CFWS authres-version]``) was not seen as
    Google's.
    """
    assert decode("ARC-Seal", "i=1; a=rsa-sha256; cv=none; D=google.com; s=arc") is None
    seal = decode("ARC-Seal", "i=2; a=rsa-sha256; cv=pass; d=google.com; s=arc-20160816")
    assert seal is not None and seal.get("cv") == "pass" and "i=2" in seal.meaning
    results = decode(
        "ARC-Authentication-Results",
        "i=1; mx.google.com 1; spf=pass (google.com: domain of a@example.com; said so) "
        "smtp.mailfrom=a@example.com; dmarc=PASS header.from=example.com",
    )
    assert results is not None  # before: None (the version was read into the authserv-id)
    assert results.get("authserv-id") == "mx.google.com" and results.get("dmarc") == "pass"
    assert "spf=pass, dmarc=pass" in results.meaning


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
