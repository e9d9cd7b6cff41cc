"""Hop delays, clock skew, and where the time went (checks.route.timeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.message.mime import has_attachments
from mailtriage.checks.route.gateways import find_gateway
from mailtriage.checks.route.hops import parse_hops
from mailtriage.checks.route.timeline import build_timeline, mha_delay
from mailtriage.checks.text import duration

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
MHA = CORPORA / "mha-vectors" / "mha_dev_vectors.json"

ATTACHMENT = (
    b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\n"
    b"Content-Type: text/plain\n\nhello\n--b1\nContent-Type: application/pdf\n"
    b'Content-Disposition: attachment; filename="inv.pdf"\nContent-Transfer-Encoding: base64\n\n'
    b"JVBERi0xLjQK\n--b1--\n"
)


def sample(*received: str, tail: bytes = b"Subject: t\n\nbody\n"):  # type: ignore[no-untyped-def]
    """A message whose Received fields are given newest (topmost) first."""
    head = "".join(f"Received: {r}\n" for r in received) + "From: a@sender.example\n"
    return load_bytes(head.encode() + tail, "t")


def route(
    inside: str, before: str = "10:00:03", after: str = "10:09:15", internal: str = "10:00:05"
) -> list[str]:
    """Sender -> Proofpoint (two hops) -> Microsoft EOP -> Exchange Online, newest first."""
    return [
        "from BN8PR.namprd11.prod.outlook.com (2603:10b6::1) by "
        f"BN9PR11MB1.namprd11.prod.outlook.com with HTTPS; Mon, 1 Jan 2024 {after} +0000",
        "from mx0a-001234.pphosted.com (148.163.1.1) by BN8NAM12FT041.mail.protection.outlook.com "
        "(10.13.182.150) with Microsoft SMTP Server (version=TLS1_2, cipher=X) id 15.20.7362.20 "
        f"via Frontend Transport; Mon, 1 Jan 2024 {inside} +0000",
        "from pps.filterd (m0001.ppops.net [127.0.0.1]) by mx0a-001234.pphosted.com "
        f"(8.17.1.19/8.17.1.19) with ESMTP id 401A0abc; Mon, 1 Jan 2024 {internal} +0000",
        "from mail.sender.example (mail.sender.example [203.0.113.9]) by mx0a-001234.pphosted.com "
        "(PPS) with ESMTPS id 401A0abc-1 for <u@corp.example>; "
        f"Mon, 1 Jan 2024 {before} +0000",
        "from [10.1.1.5] by mail.sender.example with ESMTPSA id x; Mon, 1 Jan 2024 10:00:00 +0000",
    ]


def test_sandbox_hold_inside_the_gateway_with_attachments():
    s = sample(*route("10:09:12"), tail=ATTACHMENT)
    assert has_attachments(s)
    tl = analyse(s).timeline
    assert tl.systems == (None, "Proofpoint", "Proofpoint", "Microsoft EOP", "Exchange Online")
    assert (tl.gateway, tl.gateway_index, tl.handoff_index) == ("Proofpoint", 1, 3)
    assert tl.delays == (None, 3.0, 2.0, 547.0, 3.0)
    assert tl.total_seconds == 555.0
    assert (tl.before_seconds, tl.inside_seconds, tl.after_seconds) == (3.0, 549.0, 3.0)
    assert tl.stage == "inside" and tl.sandbox
    assert "Proofpoint Attachment Defense" in tl.verdict and "working as set" in tl.verdict
    assert "not a fault" not in tl.verdict  # the diff counts this hold as explaining a delay


def test_same_hold_without_attachments_points_at_the_gateway_log():
    tl = analyse(sample(*route("10:09:12"))).timeline
    assert not tl.has_attachments and tl.stage == "inside" and not tl.sandbox
    assert "no attachments" in tl.verdict and "message log" in tl.verdict


def test_microsoft_header_marks_attachments_on_pasted_headers():
    s = sample(*route("10:09:12"), tail=b"X-MS-Has-Attach: yes\n")
    assert not s.parts and has_attachments(s) and analyse(s).timeline.sandbox


def test_too_long_for_a_sandbox_and_short_scan():
    long = analyse(sample(*route("10:40:00", after="10:40:05"), tail=ATTACHMENT)).timeline
    assert long.stage == "inside" and not long.sandbox and "longer than" in long.verdict
    short = analyse(sample(*route("10:02:00", after="10:02:02"), tail=ATTACHMENT)).timeline
    assert short.stage == "inside" and not short.sandbox and "scanning" in short.verdict


def test_delay_before_gateway_points_at_the_sender():
    tl = analyse(
        sample(*route("11:00:06", before="11:00:03", after="11:00:08", internal="11:00:04"))
    ).timeline
    assert tl.stage == "before" and tl.before_seconds == 3603.0
    assert "sending side" in tl.verdict and "greylisting" in tl.verdict


def test_delay_after_handoff_points_downstream():
    tl = analyse(sample(*route("10:00:09", after="10:30:00"))).timeline
    assert tl.stage == "after" and tl.after_seconds == 1791.0
    assert "downstream" in tl.verdict and "Exchange Online" in tl.verdict


def test_skew_is_kept_negative_and_flagged():
    s = sample(
        "from b (b [192.0.2.2]) by c.example with ESMTP; Mon, 1 Jan 2024 10:05:00 +0000",
        "from a (a [192.0.2.1]) by b.example with ESMTP; Mon, 1 Jan 2024 09:59:18 +0000",
        "from x (x [192.0.2.3]) by a.example with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000",
    )
    tl = analyse(s).timeline
    assert tl.delays == (None, -42.0, 342.0) and tl.skew == (False, True, False)
    assert tl.total_seconds == 300.0
    assert "Clock skew at hop 2" in tl.verdict and "No known filtering gateway" in tl.verdict


def test_missing_dates_measure_from_the_last_dated_hop():
    s = sample(
        "from b (b [192.0.2.2]) by c.example with ESMTP; Mon, 1 Jan 2024 10:02:00 +0000",
        "from a (a [192.0.2.1]) by b.example with ESMTP",
        "from a (a [192.0.2.1]) by b.example with ESMTP; not a date",
        "from x (x [192.0.2.3]) by a.example with ESMTP; Mon, 1 Jan 2024 10:00:00 +0000",
    )
    tl = analyse(s).timeline
    assert tl.delays == (None, None, None, 120.0) and tl.total_seconds == 120.0
    assert tl.verdict == (
        "No known filtering gateway in the route; 2m 00s in all, "
        "the longest wait (2m 00s) before hop 4 received it."
    )


def test_quick_undated_and_backwards_routes():
    quick = analyse(sample(*route("10:00:09", after="10:00:10"))).timeline
    assert (
        quick.verdict.startswith("10s from the first to the last Received hop")
        and quick.stage is None
    )
    one = analyse(sample("from a by b; Mon, 1 Jan 2024 10:00:00 +0000")).timeline
    assert one.total_seconds is None and "cannot be measured" in one.verdict
    none = build_timeline(())
    assert none.delays == () and none.total_seconds is None
    back = analyse(
        sample(
            "from a by b; Mon, 1 Jan 2024 09:00:00 +0000",
            "from x by a; Mon, 1 Jan 2024 10:00:00 +0000",
        )
    ).timeline
    assert back.total_seconds == -3600.0 and back.skew == (False, True)
    assert "run backwards" in back.verdict


def test_a_comment_alone_makes_no_gateway():
    """One gateway rule (route/gateways.py): the receiving host decides, not a comment.

    Before, the timeline took this on-premises ``(PPS)`` hop as the Proofpoint gateway
    (and blamed the time "inside" it) while the gateway lookup that findings, the diff
    and the MX check use said there was none. Now all say none; the hop is still
    named Proofpoint.
    """
    s = sample(
        "from pps.corp.example (pps.corp.example [10.0.0.9]) by exch.corp.example (10.0.0.5) with "
        "Microsoft SMTP Server id 15.1.2507.6; Mon, 1 Jan 2024 10:20:00 +0000",
        "from mail.sender.example (mail.sender.example [203.0.113.9]) by pps.corp.example (PPS) "
        "with ESMTPS id 1; Mon, 1 Jan 2024 10:00:00 +0000",
    )
    a = analyse(s)
    tl = a.timeline
    assert tl.systems == ("Proofpoint", "Exchange on-prem")
    # before: ("Proofpoint", 0, 1) here, while find_gateway said None
    assert (tl.gateway, tl.gateway_index, tl.handoff_index) == (None, None, None)
    assert find_gateway(a.hops) is None
    assert tl.stage is None and "No known filtering gateway" in tl.verdict


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "1 second"), (91, "1 minute 31 seconds"), (991, "16 minutes 31 seconds"),
        (9991, "166 minutes 31 seconds"), (-1, "-1 second"), (-91, "-1 minute 31 seconds"),
        (0.5, "0 seconds"), (-0.5, "0 seconds"), (0.041, "0 seconds"), (90000, "1500 minutes"),
        (None, ""),
    ],
)  # fmt: skip
def test_mha_delay_words(seconds: float | None, text: str):
    assert mha_delay(seconds) == text


def test_compact_durations():
    assert [duration(x) for x in (0, 42, -42, 303, 7800, 190000)] == [
        "0s", "42s", "-42s", "5m 03s", "2h 10m", "2d 4h",
    ]  # fmt: skip


def test_mha_chain_delays_and_total():
    if not MHA.exists():
        pytest.skip(f"corpus file absent: {MHA}")
    for chain in json.loads(MHA.read_text())["received_chains"]:
        raw = "\n".join(chain["headers_in_message_order_topmost_first"]) + "\nFrom: a@b.example\n"
        s = load_bytes(raw.encode(), chain["name"])
        tl = analyse(s).timeline
        expected = chain["expected_hops_oldest_first"]
        assert len(tl.delays) == len(expected) == len(parse_hops(s))
        for delay, e in zip(tl.delays, expected, strict=True):
            assert mha_delay(delay) == e.get("delay", "")
            if e["delaySort"] != -1:
                assert delay is not None and round(delay * 1000) == e["delaySort"]
        assert mha_delay(tl.total_seconds) == chain["expected_total_delay"]
        assert not any(tl.skew)
