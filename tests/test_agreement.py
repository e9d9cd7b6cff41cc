"""Recorded-then vs live-now, with real DNS answers from a real server."""

from __future__ import annotations

import re

import pytest
from mailtriage.checks.analysis import analyse
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.agreement import Agreement, compare
from mailtriage.checks.live.auth import live_auth
from mailtriage.checks.live.plan import LiveSpec, plan, run, run_all
from mailtriage.checks.message.authres import parse_header
from mailtriage.checks.message.loader import load_bytes
from mailtriage.checks.model import Header
from mailtriage.tui.demo.runtime import demo_samples

from tests.test_liveauth import demo_bytes
from tests.tui_support import DEMO_ZONES


async def _agreements(server: ZoneServer, which: int):  # type: ignore[no-untyped-def]
    a = analyse(demo_samples()[which])
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
    live = [r async for r in run_all(plan(a.sample), resolver)]
    return {g.method: g for g in compare(a.recorded, live)}


async def test_demo_then_and_now_agree() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        blocked = await _agreements(srv, 0)
        delivered = await _agreements(srv, 1)
    assert blocked["dkim"].agrees is True and delivered["dkim"].agrees is True
    assert blocked["dmarc"].agrees is True  # p=quarantine then and now
    assert blocked["dmarc"].recorded.startswith("fail")
    assert blocked["spf"].agrees is None  # record fetched, not evaluated against the IP


@pytest.fixture
def edited_zones() -> dict[str, str]:
    """The demo zones after the sender rotated its key and tightened DMARC."""
    zones = {p.stem: p.read_text() for p in DEMO_ZONES.glob("*.zone")}
    fab = zones["fabrikam.example"]
    fab = re.sub(r"selector1\._domainkey.*?\)\n", "", fab, flags=re.S)
    zones["fabrikam.example"] = fab.replace("p=quarantine", "p=reject")
    return zones


async def test_rotated_key_and_edited_policy_disagree(edited_zones: dict[str, str]) -> None:
    with ZoneServer(zones=edited_zones) as srv:
        delivered = await _agreements(srv, 1)
    dkim, dmarc = delivered["dkim"], delivered["dmarc"]
    assert dkim.agrees is False and dkim.live == "missing"
    assert "rotated" in dkim.note
    assert dmarc.agrees is False and dmarc.live == "p=reject"
    assert "p=quarantine" in dmarc.note and "edited" in dmarc.note


async def test_failed_lookup_cannot_tell() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES, servfail=lambda name, rdtype: True) as srv:
        delivered = await _agreements(srv, 1)
    assert delivered and all(g.agrees is None for g in delivered.values())


_SOA = "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
POLICY_ZONES = {
    "bogus.example": _SOA + '_dmarc IN TXT "v=DMARC1; p=bogus; rua=mailto:d@bogus.example"\n',
    "upper.example": _SOA + '_dmarc IN TXT "v=DMARC1; P=Reject"\n',
    "twice.example": _SOA + '_dmarc IN TXT "v=DMARC1; p=reject; p=none"\n',
    "linked.example": _SOA + '_dmarc IN TXT "v=DMARC1; p=none"\n',
}


async def _dmarc_row(server: ZoneServer, recorded: str) -> Agreement:
    """The record-level DMARC row for one recorded Authentication-Results (no full re-check)."""
    header = Header("Authentication-Results", recorded, recorded, 0)
    domain = recorded.rpartition("header.from=")[2]
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
    live = await run(LiveSpec("dmarc", domain), resolver)
    (row,) = [g for g in compare([parse_header(header)], [live]) if g.method == "dmarc"]
    return row


async def test_live_policy_is_the_one_the_dmarc_parser_reads() -> None:
    """Today's policy comes from parse_record, the DMARC record parser, not a raw p= tag.

    p=bogus with a rua=: receivers act as if p=none (RFC 7489 section 6.6.3), and the
    live row's summary already said "policy none"; the comparison read "p=bogus" and
    called the record edited. ``P=Reject`` now shows as the policy word, ``reject``.
    """
    with ZoneServer(zones=POLICY_ZONES) as srv:
        bogus = await _dmarc_row(srv, "mx.example.net; dmarc=fail (p=NONE dis=NONE) "
                                      "header.from=bogus.example")  # fmt: skip
        upper = await _dmarc_row(srv, "mx.example.net; dmarc=pass (p=REJECT) "
                                      "header.from=upper.example")  # fmt: skip
        twice = await _dmarc_row(srv, "mx.example.net; dmarc=pass (p=REJECT) "
                                      "header.from=twice.example")  # fmt: skip
    assert (bogus.live, bogus.agrees, bogus.note) == ("p=none", True, "Same policy then and now.")
    assert (upper.live, upper.agrees) == ("p=reject", True)  # was "p=Reject"
    assert (twice.live, twice.agrees) == ("p=reject", True)  # the first p= counts, as before


async def test_recorded_policy_is_read_as_the_full_recheck_reads_it() -> None:
    """LinkedIn records ``dmarc=fail (p=none; dis=none)``; the policy then is ``none``.

    The record-level row split words and read "none;", so it called the record
    edited ("p=none; then, p=none now"); the full re-check's row read "none". Both
    rows now use one reader (agreelive.recorded_policy).
    """
    with ZoneServer(zones=POLICY_ZONES) as srv:
        row = await _dmarc_row(srv, "mail516.prod.linkedin.com; dmarc=fail (p=none; dis=none) "
                                    "header.from=linked.example")  # fmt: skip
    assert (row.recorded, row.live, row.agrees) == ("fail (p=none)", "p=none", True)


# --- Recorded then vs a full live re-check (mailtriage.checks.live.auth) --------------------------


async def _with_auth(server: ZoneServer, raw: bytes):  # type: ignore[no-untyped-def]
    a = analyse(load_bytes(raw, "test"))
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)
    auth = await live_auth(a, resolver)
    return {g.method: g for g in compare(a.recorded, auth=auth)}


async def test_demo_live_recheck_agrees_everywhere() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        blocked = await _with_auth(srv, demo_bytes("blocked"))
        delivered = await _with_auth(srv, demo_bytes("delivered"))
    for rows in (blocked, delivered):
        assert set(rows) == {"spf", "dkim", "dmarc"}
        assert all(g.agrees is True for g in rows.values()), rows
    assert blocked["dmarc"].recorded == "fail (p=quarantine)"
    assert blocked["dmarc"].live == (
        "fail: no aligned identity (SPF billingcloud.example, DKIM billingcloud.example) "
        "(p=quarantine)"
    )
    assert blocked["spf"].live == "pass for billingcloud.example from 203.0.113.45"
    assert delivered["dkim"].recorded == "pass (d=fabrikam.example, s=selector1)"


async def test_live_recheck_explains_rotated_key_and_edited_policy(
    edited_zones: dict[str, str],
) -> None:
    with ZoneServer(zones=edited_zones) as srv:
        rows = await _with_auth(srv, demo_bytes("delivered"))
    dkim, dmarc, spf = rows["dkim"], rows["dmarc"], rows["spf"]
    assert dkim.agrees is False and dkim.live == "permerror: key not found"
    assert "rotated or removed" in dkim.note and "ago" in dkim.note
    assert dmarc.agrees is False and dmarc.live.endswith("(p=reject)")
    assert "p=quarantine then" in dmarc.note and "edited" in dmarc.note
    assert spf.agrees is True


async def test_live_recheck_spots_an_spf_record_that_no_longer_covers_the_ip() -> None:
    zones = {p.stem: p.read_text() for p in DEMO_ZONES.glob("*.zone")}
    zones["fabrikam.example"] = zones["fabrikam.example"].replace(
        "include:spf.protection.outlook.com", "ip4:192.0.2.0/24"
    )
    with ZoneServer(zones=zones) as srv:
        rows = await _with_auth(srv, demo_bytes("delivered"))
    spf, dmarc = rows["spf"], rows["dmarc"]
    assert spf.agrees is False and spf.live == "fail for fabrikam.example from 198.51.100.90"
    assert "changed" in spf.note and "198.51.100.90" in spf.note
    assert dmarc.agrees is True  # DKIM still aligns, so DMARC still passes


async def test_check_written_behind_the_gateway_is_explained() -> None:
    raw = demo_bytes("delivered")
    start = raw.index(b"Authentication-Results: mx0a-00123401.pphosted.com")
    end = raw.index(b"X-Proofpoint-GUID:", start)
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        rows = await _with_auth(srv, raw[:start] + raw[end:])
    spf = rows["spf"]
    assert spf.recorded.startswith("fail") and spf.agrees is False
    assert "192.0.2.18" in spf.note and "behind a filtering gateway" in spf.note
    assert rows["dkim"].agrees is True  # Microsoft's header.d without header.s still matches


async def test_headers_only_sample_explains_the_dkim_body_hash() -> None:
    head = demo_bytes("blocked").split(b"\n\n", 1)[0] + b"\n"
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        rows = await _with_auth(srv, head)
    assert rows["dkim"].agrees is False
    assert "no body" in rows["dkim"].note


async def test_live_recheck_failing_dns_cannot_tell() -> None:
    with ZoneServer(zone_dir=DEMO_ZONES, servfail=lambda name, rdtype: True) as srv:
        rows = await _with_auth(srv, demo_bytes("delivered"))
    assert rows and all(g.agrees is None for g in rows.values())


async def test_recorded_arc_is_compared_with_the_live_chain() -> None:
    raw = demo_bytes("blocked").replace(
        b"header.from=fabrikam.example\n", b"header.from=fabrikam.example;\n\tarc=none\n", 1
    )
    with ZoneServer(zone_dir=DEMO_ZONES) as srv:
        rows = await _with_auth(srv, raw)
    assert rows["arc"].recorded == "none" and rows["arc"].live == "none"
    assert rows["arc"].agrees is True
