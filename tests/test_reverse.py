"""Reverse DNS and FCrDNS against a real ZoneServer serving reverse zones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.reverse import parse_ip, reverse_dns

SOA = "@ IN SOA ns1.sender.example. hostmaster.sender.example. 1 3600 600 86400 60\n"
SOA += "@ IN NS ns1.sender.example.\n"
V6_ORIGIN = "8.b.d.0.1.0.0.2.ip6.arpa"
V6_OWNER = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"  # 2001:db8::25
ZONES = {
    "113.0.203.in-addr.arpa": SOA
    + (
        "10 IN PTR mail.sender.example.\n"
        "11 IN PTR liar.sender.example.\n"
        "12 IN PTR mail.sender.example.\n12 IN PTR Other.Sender.Example.\n"
        "13 IN PTR gone.sender.example.\n"
        "14 IN PTR x.broken.example.\n"
    ),
    V6_ORIGIN: SOA + f"{V6_OWNER} IN PTR mail6.sender.example.\n",
    "sender.example": SOA
    + (
        "ns1 IN A 203.0.113.53\n"
        "mail IN A 203.0.113.10\nmail IN A 203.0.113.12\n"
        "liar IN A 198.51.100.7\n"
        "other IN A 203.0.113.12\n"
        "mail6 IN AAAA 2001:db8:0:0::25\n"
    ),
    "broken.example": SOA + "x IN A 203.0.113.14\n",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    fail = lambda name, rdtype: name.endswith("broken.example") or name.startswith("99.")  # noqa: E731
    with ZoneServer(zones=ZONES, servfail=fail) as srv:
        yield srv


@pytest.fixture
def res(server: ZoneServer) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)


async def test_forward_confirmed(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.10", res)
    assert got.reverse_name == "10.113.0.203.in-addr.arpa"
    assert (got.status, got.ptr_names, got.confirmed) == (
        "ok", ("mail.sender.example",), ("mail.sender.example",)
    )  # fmt: skip
    assert got.fcrdns and "forward-confirmed" in got.summary


async def test_ptr_that_does_not_point_back(res: Resolver) -> None:
    got = await reverse_dns("[203.0.113.11]", res)
    assert got.ptr_names == ("liar.sender.example",) and not got.fcrdns
    assert "does not resolve back" in got.summary


async def test_two_ptr_names_both_confirmed(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.12", res)
    assert set(got.confirmed) == {"mail.sender.example", "other.sender.example"}
    assert any("2 PTR records" in w for w in got.warnings)


async def test_ptr_name_without_address(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.13", res)
    assert got.status == "ok" and not got.fcrdns and not got.warnings


async def test_forward_lookup_failure_is_a_warning(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.14", res)
    assert not got.fcrdns and any("SERVFAIL" in w for w in got.warnings)


async def test_no_ptr(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.200", res)
    assert got.status == "no-ptr" and "no PTR" in got.summary


async def test_reverse_lookup_failure(res: Resolver) -> None:
    got = await reverse_dns("203.0.113.99", res)
    assert got.status == "error" and got.warnings


async def test_ipv6_nibbles(res: Resolver) -> None:
    got = await reverse_dns("IPv6:2001:DB8::25", res)
    assert got.reverse_name == f"{V6_OWNER}.{V6_ORIGIN}"
    assert got.ip == "2001:db8::25" and got.confirmed == ("mail6.sender.example",)


async def test_ipv4_mapped_ipv6_is_ipv4(res: Resolver) -> None:
    got = await reverse_dns("::ffff:203.0.113.10", res)
    assert got.ip == "203.0.113.10" and got.fcrdns


def test_bad_ip_raises() -> None:
    with pytest.raises(ValueError):
        parse_ip("mail.example.com")
