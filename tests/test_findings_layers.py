"""Findings from bounces, verdicts and the route, and the checklist items they tick."""

from __future__ import annotations

from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.findings import likely_layer
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import LAYERS
from mailtriage.checks.playbook import bounce, downstream, layer

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tui" / "demo"

DSN = (
    b"From: MAILER-DAEMON@mx.example.net\r\nTo: sender@example.org\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    b"Message-ID: <dsn1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
    b"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.example.net\r\n\r\n"
    b"Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"Remote-MTA: dns; mail.example.com\r\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n"
    b"--B--\r\n"
)


def _sample(headers: str) -> bytes:
    base = (
        "From: a@example.org\r\nTo: b@example.com\r\nSubject: s\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <x@example.org>\r\n"
    )
    return (headers + base + "\r\nbody\r\n").encode()


def test_demo_blocked_sample_names_its_layer_with_evidence() -> None:
    a = analyse(load_path(DEMO / "blocked.eml"))
    assert a.layer == "authentication"
    top = next(f for f in a.findings if f.layer == a.layer)
    assert "dmarc=fail" in top.evidence and top.next_step
    assert any(f.layer == "quarantine/release" for f in a.findings)
    assert all(f.layer in LAYERS for f in a.findings)


def test_bounce_finding_carries_the_reply_and_the_layer() -> None:
    s = load_bytes(DSN, "dsn.eml")
    found = analyse(s).findings
    assert likely_layer(found) == "downstream/mailbox"
    f = found[0]
    assert f.severity == "high" and "550 5.1.1" in f.evidence and "recipient unknown" in f.title
    # A bounce has no Authentication-Results of its own: that is not a finding.
    assert not any("not recorded" in x.title for x in found)
    assert bounce((analyse(s),), ()) == (True, "550 5.1.1 recipient unknown")
    done, evidence = layer((analyse(s),), ())
    assert done and evidence and evidence.startswith("downstream/mailbox")


def test_spam_verdict_overridden_into_the_inbox_is_a_policy_finding() -> None:
    s = load_bytes(
        _sample(
            "X-Forefront-Antispam-Report: CIP:192.0.2.1;CTRY:US;SFV:SPM;SCL:6;CAT:SPM;DIR:INB\r\n"
            "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;ENG:(1)\r\n"
        ),
        "s.eml",
    )
    titles = {(f.layer, f.title) for f in analyse(s).findings}
    assert ("policy", "Microsoft judged it spam yet put it in the Inbox") in titles
    done, evidence = downstream((analyse(s),), ())
    assert done and evidence and "Inbox" in evidence


def test_slow_route_and_clock_skew_are_findings() -> None:
    hops = (
        "Received: from b.example.net (b.example.net [192.0.2.2]) by c.example.com with ESMTPS"
        " id 3; Mon, 23 Nov 2026 09:40:00 +0000\r\n"
        "Received: from a.example.org (a.example.org [192.0.2.1]) by b.example.net with ESMTPS"
        " id 2; Mon, 23 Nov 2026 09:39:00 +0000\r\n"
        "Received: from x.example.org (x.example.org [192.0.2.9]) by a.example.org with ESMTP"
        " id 1; Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    )
    found = analyse(load_bytes(_sample(hops), "slow.eml")).findings
    assert any(f.title.startswith("Delivery took 40 min") for f in found)
    skewed = hops.replace("09:40:00", "09:30:00")
    found = analyse(load_bytes(_sample(skewed), "skew.eml")).findings
    assert any(f.title.startswith("Clock skew") and f.severity == "info" for f in found)


def test_a_bounce_is_compared_through_the_original_it_returned() -> None:
    from mailtriage.checks.diff import compared

    bounce = analyse(load_path(ROOT / "tests" / "samples" / "bounce-proofpoint.eml"))
    original = bounce.original
    assert original is not None and original.sample.subject == "Invoice INV-20951 from Fabrikam"
    assert original.sample.source.endswith("(returned original)")
    delivered = analyse(load_path(DEMO / "delivered.eml"))
    (a, b), notes = compared(bounce, delivered)
    assert a is original and b is delivered
    assert notes == ["A is a bounce: compared here is the original it returned."]
    # A bounce without the original's headers is compared as it is, with a warning.
    dsn = analyse(load_bytes(DSN, "dsn.eml"))
    assert dsn.original is None
    (a, _), notes = compared(dsn, delivered)
    assert a is dsn and "without the original's headers" in notes[0]
