"""Received hops and the connecting IP."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailtriage.checks.message.authres import parse_auth_results
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.route.hops import (
    MAX_HOPS,
    MAX_RECEIVED_TEXT,
    Hop,
    connecting_ip,
    is_public,
    parse_hops,
    parse_received,
    valid_ip,
)
from mailtriage.checks.verdicts import find_verdicts, microsoft_cip

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
MHA = CORPORA / "mha-vectors" / "mha_dev_vectors.json"
SAMPLES = Path(__file__).resolve().parent / "samples"


def hop(value: str) -> Hop:
    return parse_received(" ".join(value.split()))


def test_postfix_with_ipv6_literal_and_tls_comment():
    h = hop(
        "from mail.example.com (mail.example.com [IPv6:2001:db8::1]) "
        "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
        "(No client certificate requested) by mx.example.net (Postfix) with ESMTP id 4ABC "
        "for <a@example.net>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
    )
    assert (h.from_host, h.from_ip, h.from_rdns) == (
        "mail.example.com",
        "2001:db8::1",
        "mail.example.com",
    )
    assert (h.by_host, h.with_proto, h.id, h.for_addr) == (
        "mx.example.net",
        "ESMTP",
        "4ABC",
        "a@example.net",
    )
    assert h.tls is True
    assert h.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert h.date_raw == "Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
    assert h.problems == ()


def test_plain_esmtp_is_not_tls_and_unknown_is_none():
    assert (
        hop("from a (a [192.0.2.1]) by b with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000").tls
        is False
    )
    assert hop("from a (a [192.0.2.1]) by b id 1; Mon, 1 Jan 2024 10:00:00 +0000").tls is None
    assert hop("from a by b with ESMTPSA id 1; Mon, 1 Jan 2024 10:00:00 +0000").tls is True


def test_exchange_frontend_transport():
    h = hop(
        "from out-25.mail.vendor.example (198.51.100.25) by "
        "BN8NAM12FT041.mail.protection.outlook.com (10.13.182.150) with Microsoft SMTP "
        "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
        "15.20.7362.20 via Frontend Transport; Tue, 5 Mar 2024 14:02:09 +0000"
    )
    assert h.from_ip == "198.51.100.25"
    assert h.by_host == "BN8NAM12FT041.mail.protection.outlook.com"
    assert h.with_proto == "Microsoft SMTP Server"
    assert h.id == "15.20.7362.20" and h.via == "Frontend Transport"
    assert h.tls is True


def test_google_internal_by_ipv6():
    h = hop(
        "by 2002:a05:6a10:9e8c:b0:4d3:f0f7:c8d4 with SMTP id m12csp123456pxb; "
        "Mon, 1 Jan 2024 10:00:00 -0800 (PST)"
    )
    assert h.from_host is None and h.from_ip is None
    assert h.by_host == "2002:a05:6a10:9e8c:b0:4d3:f0f7:c8d4"
    assert h.id == "m12csp123456pxb"
    assert h.date is not None and h.date.utcoffset().total_seconds() == -8 * 3600  # type: ignore[union-attr]


def test_proofpoint_and_exim_and_qmail():
    pp = hop(
        "from mx.sender.example (mx.sender.example [198.51.100.7]) by mx0a-00123.pphosted.com "
        "(8.17.1.19/8.17.1.19) with ESMTPS id 3abc-1 (version=TLSv1.2 "
        "cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT) for <x@y.example>; "
        "Mon, 1 Jan 2024 10:00:00 +0000"
    )
    assert (pp.from_ip, pp.by_host, pp.id, pp.for_addr, pp.tls) == (
        "198.51.100.7",
        "mx0a-00123.pphosted.com",
        "3abc-1",
        "x@y.example",
        True,
    )
    exim = hop(
        "from [192.0.2.1] (helo=foo) by host.example with esmtpsa (TLS1.3) tls "
        "TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@b>) id 1abc-000 for c@d.example; "
        "Mon, 01 Jan 2024 10:00:00 +0100"
    )
    assert (exim.from_host, exim.from_ip, exim.with_proto, exim.id) == (
        "[192.0.2.1]",
        "192.0.2.1",
        "esmtpsa",
        "1abc-000",
    )
    assert exim.for_addr == "c@d.example"
    qmail = hop("(qmail 1234 invoked by uid 89); 1 Jan 2020 10:00:00 -0000")
    assert qmail.from_host is None and qmail.by_host is None
    assert qmail.date == datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
    assert [p.message for p in qmail.problems] == [
        "Received date has no time zone; UTC assumed",
        "no 'from' or 'by' clause",
    ]


def test_missing_or_bad_date_and_no_semicolon():
    missing = hop("from unknown (HELO x) (203.0.113.5) by y.example with SMTP")
    assert missing.date is None and missing.date_raw is None
    assert missing.from_ip == "203.0.113.5"
    assert [p.message for p in missing.problems] == ["no date"]
    bad = hop("from a by b; not a date")
    assert bad.date is None and bad.date_raw == "not a date"
    assert "Received date could not be parsed" in [p.message for p in bad.problems]
    nosemi = hop("from a (a [192.0.2.3]) by b with SMTP Mon, 1 Jan 2024 10:00:00 +0000")
    assert nosemi.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert nosemi.with_proto == "SMTP"


def test_garbage_never_raises():
    rng = random.Random(3)
    alphabet = "from by with id for via ([]);:.\t\n 12345abc@<>\x00\x1b"
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        parse_received(value, 0)


def test_many_received_fields_keep_the_newest():
    """Padding at the bottom (sender side) cannot push the receiving side's hops out."""
    fields = "".join(
        f"Received: from h{i}.example (h{i}.example [192.0.2.{i % 250 + 1}]) by mx.example "
        f"with ESMTP id q{i}; Mon, 1 Jan 2024 10:00:00 +0000\n"
        for i in reversed(range(400))
    )
    hops = parse_hops(load_bytes(f"{fields}From: a@b.example\n\nbody\n".encode(), "many"))
    assert len(hops) == MAX_HOPS
    assert (hops[0].from_host, hops[-1].from_host) == ("h100.example", "h399.example")
    assert [h.index for h in hops] == list(range(MAX_HOPS))
    assert any("100 older Received fields not parsed" in p.message for p in hops[0].problems)
    assert not any("not parsed" in p.message for h in hops[1:] for p in h.problems)


def test_huge_received_fields_stop_at_the_text_budget():
    # 450 hostile 8 KB values took about 3 s to tokenise before the budget.
    value = "from x (" + ";" * 8000
    data = "".join(f"Received: {value}{i}\n" for i in range(450)) + "From: a@b.example\n\n"
    hops = parse_hops(load_bytes(data.encode(), "huge"))
    assert 0 < len(hops) <= MAX_RECEIVED_TEXT // 8000 + 1
    assert any("older Received fields not parsed" in p.message for p in hops[0].problems)


def test_ip_helpers():
    assert valid_ip("[IPv6:2001:DB8::1]") == "2001:db8::1"
    assert valid_ip("999.1.1.1") is None and valid_ip(None) is None
    assert is_public("8.8.8.8") and not is_public("10.0.0.1") and not is_public("127.0.0.1")
    # documentation ranges stand in for real senders in samples and tickets
    assert is_public("192.0.2.1") and is_public("2001:db8::5")
    assert not is_public("::ffff:10.0.0.1") and is_public("2a01:111:f400::1")


def test_mha_received_chain_vectors():
    if not MHA.exists():
        pytest.skip(f"corpus file absent: {MHA}")
    data = json.loads(MHA.read_text())
    for chain in data["received_chains"]:
        raw = "\n".join(chain["headers_in_message_order_topmost_first"]) + "\nFrom: a@b.example\n"
        sample = load_bytes(raw.encode(), chain["name"])
        hops = parse_hops(sample)
        expected = chain["expected_hops_oldest_first"]
        assert len(hops) == len(expected)
        for h, e in zip(hops, expected, strict=True):
            assert h.index == e["hop"] - 1
            assert h.from_host == e["from"].split()[0]
            assert h.by_host == e["by"].split()[0]
            assert h.id == e.get("id")
            assert h.via == e.get("via")
            assert h.with_proto == (e["with"].split(" (")[0] if "with" in e else None)
            assert h.for_addr == (e["for"].strip("<>") if "for" in e else None)
            assert h.date is not None and int(h.date.timestamp() * 1000) == e["dateNum"]
            ip = e["from"].split("(")[1].rstrip(")")
            assert h.from_ip == ip
        assert hops[2].tls is True and hops[1].tls is False


def _seen_ip(s: Sample, hops: tuple[Hop, ...] | None = None) -> str | None:
    """connecting_ip from the parsed parts, as analyse() feeds it."""
    hops = parse_hops(s) if hops is None else hops
    return connecting_ip(parse_auth_results(s), hops, microsoft_cip(find_verdicts(s)))


def test_mha_forefront_cip_is_connecting_ip():
    if not MHA.exists():
        pytest.skip(f"corpus file absent: {MHA}")
    data = json.loads(MHA.read_text())
    for vector in data["forefront_antispam_report"]:
        header = vector["header"].encode()
        sample = load_bytes(b"From: a@b.example\n" + header + b"\n", vector["name"])
        cip = vector.get("expected_fields", {}).get("CIP", {}).get("value")
        if cip:
            assert _seen_ip(sample) == cip


def test_connecting_ip_priorities():
    received = (
        b"Received: from relay.internal (relay.internal [10.0.0.5]) by mx2.corp.example with ESMTP;"
        b" Mon, 1 Jan 2024 10:00:02 +0000\n"
        b"Received: from mail.sender.example (mail.sender.example [93.184.216.34]) by "
        b"mx1.corp.example with ESMTPS; Mon, 1 Jan 2024 10:00:01 +0000\n"
        b"Received: from laptop (dsl.example [81.2.69.160]) by mail.sender.example with ESMTPSA;"
        b" Mon, 1 Jan 2024 10:00:00 +0000\n"
        b"From: a@sender.example\n"
    )
    spf = b"Received-SPF: pass (mx1.corp.example: ok) client-ip=192.0.2.55;\n"
    ffr = b"X-Forefront-Antispam-Report: CIP:192.0.2.66;CTRY:US;SFV:NSPM;\n"
    arh = b"Authentication-Results: mx1.corp.example; iprev=pass policy.iprev=192.0.2.77\n"

    def cip(data: bytes) -> str | None:
        s = load_bytes(data, "t")
        return _seen_ip(s)

    assert cip(spf + ffr + arh + received) == "192.0.2.55"
    assert cip(ffr + arh + received) == "192.0.2.66"
    assert cip(arh + received) == "192.0.2.77"
    assert cip(b"Authentication-Results: x; spf=pass smtp.remote-ip=[192.0.2.88]\n" + received) == (
        "192.0.2.88"
    )
    # Fallback: oldest public hop, skipping the authenticated submission hop.
    assert cip(received) == "93.184.216.34"
    assert cip(b"From: a@b.example\nSubject: x\n") is None


def test_o365_fixture_hops():
    s = load_path(SAMPLES / "o365_delivered.eml")
    hops = parse_hops(s)
    assert [h.index for h in hops] == [0, 1, 2]
    assert hops[0].from_ip == "198.51.100.25" and hops[0].via == "Frontend Transport"
    assert hops[-1].by_host == "BY5PR11MB4321.namprd11.prod.outlook.com"
    assert all(h.tls for h in hops)
    assert [h.date.second for h in hops if h.date] == [9, 10, 11]
    assert _seen_ip(s, hops) == "198.51.100.25"


def test_corpora_hops_never_raise_and_known_values():
    files = sorted((CORPORA / "sisimai-dev").rglob("*.eml")) + sorted(
        (CORPORA / "headers-mailauth").glob("*.eml")
    )
    if not files:
        pytest.skip(f"corpora not found under {CORPORA}")
    for path in files:
        s = load_path(path)
        hops = parse_hops(s)
        assert len(hops) == len(s.all("received"))
        _seen_ip(s, hops)
    authtest = CORPORA / "headers-mailauth" / "authtest.eml"
    if authtest.exists():
        s = load_path(authtest)
        hops = parse_hops(s)
        assert hops[0].from_ip == "127.0.0.1" and hops[0].by_host == "uvn-67-33.tll01.zonevs.eu"
        assert hops[1].from_ip == "217.146.67.33"
        assert _seen_ip(s, hops) == "217.146.67.33"
