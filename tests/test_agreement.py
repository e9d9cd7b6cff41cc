"""Recorded-then vs live-now, with real DNS answers from a real server."""

from __future__ import annotations

import re

import pytest

from checks.agreement import compare
from checks.analysis import analyse
from checks.dns import Resolver
from checks.live import plan, run_all
from checks.zoneserver import ZoneServer
from tests.tui_support import DEMO_ZONES
from tui.demo.runtime import demo_samples


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
