"""Vendor verdict headers: recognition, field splitting, meaning and quarantine signals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.report.build import offline_report
from mailtriage.checks.verdicts import (
    find_verdicts,
    key_first,
    quarantine_signal,
    split_fields,
    unknown_headers,
)

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
BASE = "From: a@sender.example\nTo: b@rcpt.example\nSubject: t\nMessage-ID: <1@sender.example>\n"


def _sample(extra: str) -> Sample:
    return load_bytes((BASE + extra.rstrip("\n") + "\n\nbody\n").encode(), "test")


def test_blocked_demo_proofpoint_quarantine() -> None:
    s = load_path(DEMO / "blocked.eml")
    found = {v.name: v for v in find_verdicts(s)}
    details = found["X-Proofpoint-Spam-Details"]
    assert details.vendor == "Proofpoint"
    assert details.get("rule") == "quarantine_dmarc"
    assert details.get("policy") == "default"
    assert "quarantine" in details.meaning
    assert {v.vendor for v in found.values()} == {"Proofpoint"}
    signal = quarantine_signal(find_verdicts(s))
    assert signal is not None and "quarantine_dmarc" in signal


def test_delivered_demo_microsoft_fields() -> None:
    s = load_path(DEMO / "delivered.eml")
    found = {v.name: v for v in find_verdicts(s)}
    report = found["X-Forefront-Antispam-Report"]
    assert report.vendor == "Microsoft"
    assert report.get("CIP") == "192.0.2.18"
    assert report.get("SFV") == "NSPM"
    assert report.get("SCL") == "1"
    assert "not spam" in report.meaning
    assert found["X-Microsoft-Antispam"].get("BCL") == "0"
    assert "Inbox" in found["X-Microsoft-Antispam-Mailbox-Delivery"].meaning
    assert [(f.key, f.value) for f in found["X-MS-Exchange-Organization-SCL"].fields] == [
        ("SCL", "1")
    ]
    assert found["X-Proofpoint-Spam-Details"].get("rule") == "notspam"
    assert found["X-MS-Exchange-Organization-AuthAs"].get("AuthAs") == "Anonymous"
    assert (report.verdict, found["X-Proofpoint-Spam-Details"].verdict) == ("not spam", "not spam")
    assert quarantine_signal(find_verdicts(s)) is None


@pytest.mark.parametrize(
    ("header", "vendor"),
    [
        ("X-Mimecast-Spam-Score: 4", "Mimecast"),
        ("X-Mimecast-MFC-AGG-ID: abc123", "Mimecast"),
        ("X-Gm-Message-State: AOJu0Yx", "Google"),
        ("X-Google-Smtp-Source: AGHT+IE", "Google"),
        ("X-Spam-Status: No, score=-0.1 required=5.0", "SpamAssassin"),
        ("X-Spam-Score: 1.2", "SpamAssassin"),
        ("X-Barracuda-Spam-Score: 0.50", "Barracuda"),
        ('X-IronPort-AV: E=Sophos;i="6.04,1";d="scan\'208"', "Cisco"),
        ("X-Sophos-Spam-Verdict: clean", "Sophos"),
        ("X-Zone-Spam-Status: No, score=2.9", "other"),
        ("X-Virus-Scanned: amavisd-new", "other"),
    ],
)
def test_vendor_recognition(header: str, vendor: str) -> None:
    found = find_verdicts(_sample(header))
    assert [v.vendor for v in found] == [vendor]
    assert found[0].meaning


def test_unrelated_headers_are_not_verdicts() -> None:
    s = _sample("X-Mailer: Thing 1.0\nX-MS-Exchange-AntiSpam-MessageData-0: abc\nList-Id: x\n")
    assert find_verdicts(s) == ()


def test_split_fields_forms() -> None:
    assert split_fields("CIP:2001:db8::1;SFV:SPM;SCL:6;") == (
        ("CIP", "2001:db8::1"),
        ("SFV", "SPM"),
        ("SCL", "6"),
    )
    assert split_fields("Yes, score=7.2 required=5.0 tests=BAYES_99,URIBL") == (
        ("status", "Yes"),
        ("score", "7.2"),
        ("required", "5.0"),
        ("tests", "BAYES_99,URIBL"),
    )
    assert split_fields("Policy=Default;Similar Internal Domain=false") == (
        ("Policy", "Default"),
        ("Similar Internal Domain", "false"),
    )
    assert split_fields("  ") == ()
    assert split_fields("plain words") == (("value", "plain words"),)
    assert split_fields("x" * 100_000)[0][1] == "x" * 4000


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ("X-Spam-Flag: YES", "X-Spam-Flag"),
        ("X-Spam-Status: Yes, score=9.9 required=5.0", "spam"),
        ("X-Forefront-Antispam-Report: CIP:198.51.100.7;SFV:SPM;SCL:5;", "SFV:SPM"),
        ("X-Forefront-Antispam-Report: CIP:198.51.100.7;SFV:NSPM;SCL:6;", "SCL 6"),
        ("X-MS-Exchange-Organization-SCL: 9", "9"),
        ("X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;dest:J;", "Junk"),
        ("X-Proofpoint-Spam-Details: rule=spam policy=strict score=95", "rule spam"),
        ("X-Barracuda-Spam-Status: Yes, SCORE=9.0 using global scores", "spam"),
    ],
)
def test_quarantine_signals(header: str, needle: str) -> None:
    signal = quarantine_signal(find_verdicts(_sample(header)))
    assert signal is not None and needle in signal


@pytest.mark.parametrize(
    "header",
    [
        "X-Spam-Flag: NO",
        "X-Spam-Status: No, score=0.2 required=5.0",
        "X-MS-Exchange-Organization-SCL: -1",
        "X-Proofpoint-Spam-Details: rule=inbound_notspam policy=inbound score=0",
        "X-Proofpoint-Spam-Details: rule=safe policy=default score=0",
        "X-Forefront-Antispam-Report: SFV:SKN;SCL:-1;",
    ],
)
def test_no_quarantine_signal(header: str) -> None:
    assert quarantine_signal(find_verdicts(_sample(header))) is None


def test_hostile_values_are_capped() -> None:
    huge = ";".join(f"K{i}:{'x' * 50}" for i in range(2000))
    s = _sample(f"X-Forefront-Antispam-Report: {huge}\nX-Spam-Status: \x1b[31mYes\x00, score=a=b=c")
    found = find_verdicts(s)
    assert len(found[0].raw) <= 4000
    assert len(found[0].fields) <= 64
    assert found[1].vendor == "SpamAssassin"
    quarantine_signal(find_verdicts(s))  # must not raise


def test_key_first_orders_decisions_first() -> None:
    names = ["X-Proofpoint-GUID", "X-Proofpoint-Spam-Details", "X-Proofpoint-GUID"]
    assert key_first(names) == ["X-Proofpoint-Spam-Details", "X-Proofpoint-GUID"]


def test_blocked_demo_verdict_word_and_fields() -> None:
    details = next(
        v
        for v in find_verdicts(load_path(DEMO / "blocked.eml"))
        if v.name == "X-Proofpoint-Spam-Details"
    )
    assert details.verdict == "quarantined"
    assert [(f.key, f.value) for f in details.fields[:3]] == [
        ("rule", "quarantine_dmarc"), ("policy", "default"), ("score", "100"),
    ]  # fmt: skip
    assert all(f.meaning for f in details.fields)
    assert "high" in details.fields[2].meaning  # score 100 on the 0-100 scale


def test_report_verdicts_block_shape() -> None:
    report = offline_report(analyse(load_path(DEMO / "delivered.eml")))
    rows = {r["header"]: r for r in report["verdicts"]}
    json.dumps(report["verdicts"])
    ff = rows["X-Forefront-Antispam-Report"]
    assert set(ff) == {"vendor", "header", "raw", "verdict", "meaning", "fields"}
    assert (ff["vendor"], ff["verdict"]) == ("Microsoft", "not spam")
    sfv = next(f for f in ff["fields"] if f["key"] == "SFV")
    assert sfv == {"key": "SFV", "value": "NSPM", "meaning": "spam filtering verdict: not spam"}
    assert all(set(f) == {"key", "value", "meaning"} for r in rows.values() for f in r["fields"])
    box = rows["X-Microsoft-Antispam-Mailbox-Delivery"]
    assert box["verdict"] == "inbox" and "delivered to the Inbox" in box["meaning"]
    assert rows["X-Proofpoint-GUID"]["verdict"] is None


def test_unknown_headers_lists_unrecognised_x_headers_only() -> None:
    s = _sample(
        "X-Mailer: Thing 1.0\nX-Originating-IP: [192.0.2.1]\nX-MS-Has-Attach: yes\n"
        "X-MS-Exchange-Organization-ExpirationStartTime: 1 Jan\nX-Mailgun-Sid: abc\n"
        "X-Proofpoint-GUID: g\nX-Zone-Spam-Status: No\nX-Custom-Tracker: \x1b[31mred\n"
    )
    assert unknown_headers(s) == (("X-Mailgun-Sid", "abc"), ("X-Custom-Tracker", "\x1b[31mred"))
    assert unknown_headers(load_path(DEMO / "blocked.eml")) == (("X-BC-Account", "fabrikam-00417"),)
    many = _sample("".join(f"X-Thing-{i}: {'v' * 5000}\n" for i in range(100)))
    listed = unknown_headers(many)
    assert len(listed) == 64 and all(len(v) == 1000 for _, v in listed)


def test_one_severity_table_covers_only_decision_words() -> None:
    """The diff and the guard rails rank verdicts from one table (checks/verdicts/model.py)."""
    from mailtriage.checks import guardrails, suspect
    from mailtriage.checks.verdicts.model import SEVERITY, STOPPED_OUTCOMES, VERDICT_WORDS

    assert set(SEVERITY) | STOPPED_OUTCOMES <= set(VERDICT_WORDS)
    assert not set(SEVERITY) & STOPPED_OUTCOMES
    assert suspect.SEVERITY is SEVERITY
    # What the guard rails call stopping: every verdict worse than clean, and the outcomes.
    assert {w for w, n in SEVERITY.items() if n} | STOPPED_OUTCOMES == guardrails.STOPPING
    # A verdict to confirm with the sender first outranks every other stopping verdict.
    assert all(guardrails._RANK[w] == 3 for w in guardrails._CONFIRM_FIRST)
