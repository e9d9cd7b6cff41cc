"""The ``hops`` list of the JSON report carries every hop field, delays, systems, TLS and skew."""

from __future__ import annotations

import json
from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.report.build import offline_report
from mailtriage.checks.report.jsonform import to_json

SAMPLES = Path(__file__).resolve().parent / "samples"
KEYS = {
    "from", "by", "with", "id", "for", "ip", "date", "delay_seconds", "system", "tls",
    "tls_version", "tls_cipher", "via", "skew",
}  # fmt: skip


def test_o365_fixture_hops_in_the_report():
    a = analyse(load_path(SAMPLES / "o365_delivered.eml"))
    hops = json.loads(json.dumps(offline_report(a)))["hops"]
    assert [set(h) for h in hops] == [KEYS] * 3
    first, second, last = hops
    assert first["from"] == "out-25.mail.vendor.example" and first["ip"] == "198.51.100.25"
    assert first["by"] == "BN8NAM12FT041.mail.protection.outlook.com"
    assert first["with"] == "Microsoft SMTP Server" and first["id"] == "15.20.7362.20"
    assert first["date"] == "2024-03-05T14:02:09+00:00" and first["delay_seconds"] is None
    assert (first["system"], first["tls"], first["tls_version"]) == (
        "Microsoft EOP",
        True,
        "TLSv1.2",
    )
    assert first["via"] == "Frontend Transport" and first["skew"] is False
    assert [h["delay_seconds"] for h in hops] == [None, 1.0, 1.0]
    assert [h["system"] for h in (second, last)] == ["Exchange Online", "Exchange Online"]
    summary = to_json(a.timeline)
    assert summary["gateway"] == "Microsoft EOP" and summary["gateway_hop"] == 1
    assert summary["total_seconds"] == 2.0 and summary["verdict"].startswith("2s from the first")


def test_skewed_and_undated_hops_in_the_report():
    raw = (
        b"Received: from b (b [192.0.2.2]) by c.example with ESMTPS; Mon, 1 Jan 2024 10:00:00 "
        b"+0000\n"
        b"Received: from a (a [192.0.2.1]) by b.example with SMTP\n"
        b"Received: from x (x [192.0.2.3]) by a.example (Postfix) with ESMTP id Q; "
        b"Mon, 1 Jan 2024 10:00:42 +0000\n"
        b"From: a@b.example\n\nbody\n"
    )
    hops = offline_report(analyse(load_bytes(raw, "t")))["hops"]
    assert [h["delay_seconds"] for h in hops] == [None, None, -42.0]
    assert [h["skew"] for h in hops] == [False, False, True]
    assert [h["date"] for h in hops][1] is None
    assert [h["system"] for h in hops] == ["Postfix", None, None]
    assert [h["tls"] for h in hops] == [False, False, True]
