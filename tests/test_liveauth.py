"""Live re-check of a sample's authentication against a real DNS server on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

from mailtriage.checks.analysis import analyse
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.auth import LiveAuth, live_auth, sending_helo
from mailtriage.checks.message.loader import load_bytes

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
DEMO_ZONES = DEMO / "zones"


def demo_bytes(name: str) -> bytes:
    """The raw bytes of a bundled demo sample (``blocked`` or ``delivered``)."""
    return (DEMO / f"{name}.eml").read_bytes()


async def check(server: ZoneServer, raw: bytes, deadline: float = 5.0) -> LiveAuth:
    """Load ``raw``, analyse it and re-check it against ``server``."""
    a = analyse(load_bytes(raw, "test"))
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=deadline)
    return await live_auth(a, resolver)


async def test_blocked_demo_passes_spf_and_dkim_but_fails_dmarc() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        la = await check(srv, demo_bytes("blocked"))
    assert la.spf is not None and la.spf.result == "pass"
    assert la.spf_inputs == (
        "203.0.113.45", "billingcloud.example", "bounce@billingcloud.example",
        "smtp-out3.billingcloud.example",
    )  # fmt: skip
    assert [(s.domain, s.selector, s.result) for s in la.dkim] == [
        ("billingcloud.example", "bc1", "pass")
    ]
    assert la.arc is not None and la.arc.result == "none"
    assert la.dmarc is not None and la.dmarc.result == "fail"
    assert la.dmarc.policy == "quarantine" and la.dmarc.aligned_by == ()
    assert la.dmarc_record is not None and la.dmarc_record.policy_domain == "fabrikam.example"
    assert la.notes == () and la.has_body


async def test_delivered_demo_passes_through_the_outlook_include() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        la = await check(srv, demo_bytes("delivered"))
    assert la.spf is not None and la.spf.result == "pass"
    assert la.spf_inputs is not None and la.spf_inputs[:3] == (
        "198.51.100.90", "fabrikam.example", "invoices@fabrikam.example",
    )  # fmt: skip
    matched = [n.term for n in la.spf.tree.walk() if n.matched and n.kind == "mechanism"]
    assert "include:spf.protection.outlook.com" in matched
    assert la.spf.lookups == 1
    assert [(s.selector, s.result) for s in la.dkim] == [("selector1", "pass")]
    assert la.dmarc is not None and la.dmarc.result == "pass"
    assert set(la.dmarc.aligned_by) == {"spf:fabrikam.example", "dkim:fabrikam.example"}
    assert la.message_date is not None and la.checked_at is not None


async def test_helo_comes_from_the_hop_of_the_connecting_ip() -> None:
    a = analyse(load_bytes(demo_bytes("blocked"), "test"))
    assert sending_helo(a) == "smtp-out3.billingcloud.example"


async def test_bounce_checks_postmaster_at_helo() -> None:
    raw = demo_bytes("blocked").replace(b"Return-Path: <bounce@billingcloud.example>",
                                        b"Return-Path: <>")  # fmt: skip
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        la = await check(srv, raw)
    assert la.spf_inputs is not None
    assert la.spf_inputs[1:3] == (
        "smtp-out3.billingcloud.example", "postmaster@smtp-out3.billingcloud.example",
    )  # fmt: skip
    assert la.spf is not None and la.spf.result == "none"
    assert any("bounce" in n for n in la.notes)


async def test_no_connecting_ip_means_no_spf_with_a_note() -> None:
    raw = re.sub(rb"(?ms)^Received:.*?(?=^\S)", b"", demo_bytes("blocked"))
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        la = await check(srv, raw)
    assert la.spf is None and la.spf_inputs is None
    assert any(n.startswith("SPF not evaluated") and "IP" in n for n in la.notes)
    assert la.dkim and la.dkim[0].result == "pass"  # DKIM does not need the route
    assert la.dmarc is not None and la.dmarc.result == "fail"


async def test_headers_only_sample_fails_body_hash_and_says_why() -> None:
    head = demo_bytes("delivered").split(b"\n\n", 1)[0] + b"\n"
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        la = await check(srv, head)
    assert not la.has_body
    assert any("Headers-only" in n and "body" in n for n in la.notes)
    assert la.dkim[0].reason == "body_hash_mismatch"


async def test_hanging_dns_gives_temperror_within_the_deadline() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES, hang=lambda name, rdtype: True) as srv:
        la = await check(srv, demo_bytes("delivered"), deadline=1.5)
    assert la.spf is not None and la.spf.result == "temperror"
    assert la.dkim[0].result == "temperror"
    assert la.dmarc is not None and la.dmarc.result == "temperror"
    assert any("deadline" in n for n in la.notes)
