"""Received parsing against public corpora: MHA's expected fields, and real messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.route.hops import parse_hops

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
MHA = CORPORA / "mha-vectors" / "mha_dev_vectors.json"
COMMENT = re.compile(r"\((.*)\)")


def test_mha_every_field():
    if not MHA.exists():
        pytest.skip(f"corpus file absent: {MHA}")
    for chain in json.loads(MHA.read_text())["received_chains"]:
        raw = "\n".join(chain["headers_in_message_order_topmost_first"]) + "\nFrom: a@b.example\n"
        hops = parse_hops(load_bytes(raw.encode(), chain["name"]))
        for h, e in zip(hops, chain["expected_hops_oldest_first"], strict=True):
            assert h.index == e["hop"] - 1
            assert h.id == e.get("id") and h.via == e.get("via")
            assert h.for_addr == (e["for"].strip("<>") if "for" in e else None)
            assert h.date is not None and round(h.date.timestamp() * 1000) == e["dateNum"]
            if "from" in e:
                assert h.from_host == e["from"].split()[0]
                assert h.from_ip == COMMENT.search(e["from"]).group(1)  # type: ignore[union-attr]
            assert h.by_host == e["by"].split()[0]
            with_text = e.get("with", "")
            assert h.with_proto == (with_text.split(" (")[0] or None)
            for field in (e["by"], with_text):  # MHA keeps comments; the hop keeps them as notes
                if m := COMMENT.search(field):
                    assert m.group(1) in h.notes
            if "version=" in with_text:
                version, cipher = re.findall(r"(?:version|cipher)=([^,)]+)", with_text)
                assert h.tls is True and h.tls_cipher == cipher
                assert h.tls_version == version.replace("TLS1_", "TLSv1.")


def test_real_messages_parse_and_counts(capsys):  # type: ignore[no-untyped-def]
    files = sorted((CORPORA / "sisimai-dev").rglob("*.eml")) + sorted(
        (CORPORA / "headers-mailauth").glob("*.eml")
    )
    if not files:
        pytest.skip(f"corpora not found under {CORPORA}")
    hops = dated = with_ip = named = tls = 0
    for path in files:
        s = load_path(path)
        route = parse_hops(s)
        tl = analyse(s).timeline
        assert len(route) == len(s.all("received")) == len(tl.delays) == len(tl.systems)
        assert tl.verdict
        hops += len(route)
        dated += sum(h.date is not None for h in route)
        with_ip += sum(h.from_ip is not None for h in route)
        named += sum(name is not None for name in tl.systems)
        tls += sum(h.tls is True for h in route)
    with capsys.disabled():
        print(
            f"\n{len(files)} messages, {hops} hops: {dated} dated, {with_ip} with an IP, "
            f"{named} with a system, {tls} over TLS"
        )
    assert hops >= 100
    assert dated >= 0.95 * hops and with_ip >= 0.5 * hops and named >= 0.8 * hops


def test_known_real_routes():
    authtest = CORPORA / "headers-mailauth" / "authtest.eml"
    if not authtest.exists():
        pytest.skip(f"corpus file absent: {authtest}")
    s = load_path(authtest)
    tl = analyse(s).timeline
    assert tl.systems == ("Postfix", "Google", "Google")
    assert (tl.gateway, tl.gateway_index, tl.handoff_index) == ("Google", 1, None)
    assert tl.delays == (None, 16.0, 0.0) and tl.total_seconds == 16.0
    o365 = CORPORA / "sisimai-dev" / "emails" / "lhost-office365-04.eml"
    if o365.exists():
        tl = analyse(load_path(o365)).timeline
        assert tl.systems[-3:] == ("Microsoft EOP", "Microsoft EOP", "Exchange Online")
        assert tl.gateway == "Microsoft EOP"
