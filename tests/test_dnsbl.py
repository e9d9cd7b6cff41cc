"""DNSBL lookups against real ZoneServer zones named like the public lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.dnsbl import check_dnsbl, dnsbl_name
from mailtriage.checks.live.dnsblcodes import meaning

SOA = "@ IN SOA ns1.lists.example. hostmaster.lists.example. 1 3600 600 86400 60\n"
SOA += "@ IN NS ns1.lists.example.\n"
V6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"  # 2001:db8::1
ZONES = {
    "zen.spamhaus.org": SOA
    + (
        '2.0.0.127 IN A 127.0.0.2\n2.0.0.127 IN TXT "test entry"\n'
        "5.113.0.203 IN A 127.0.0.4\n5.113.0.203 IN A 127.0.0.11\n"
        '5.113.0.203 IN TXT "https://check.spamhaus.example/query/ip/203.0.113.5"\n'
        "6.113.0.203 IN A 127.255.255.254\n"
        f"{V6} IN A 127.0.0.3\n"
    ),
    "b.barracudacentral.org": SOA + "5.113.0.203 IN A 127.0.0.2\n",
    "bl.spamcop.net": SOA + "7.113.0.203 IN A 127.0.0.2\n",
    "rbl.lists.example": SOA + ("5.113.0.203 IN A 127.0.0.42\n8.113.0.203 IN A 192.0.2.1\n"),
    "broken.lists.example": SOA,
}


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    fail = lambda name, rdtype: name.endswith("broken.lists.example")  # noqa: E731
    with ZoneServer(zones=ZONES, servfail=fail) as srv:
        yield srv


@pytest.fixture
def res(server: ZoneServer) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)


ALL = ("zen.spamhaus.org", "b.barracudacentral.org", "bl.spamcop.net", "rbl.lists.example")


async def test_no_zones_no_queries(res: Resolver) -> None:
    assert await check_dnsbl("203.0.113.5", [], res) == ()
    assert res.log == ()


async def test_listed_with_codes_and_reasons(res: Resolver) -> None:
    got = {r.zone: r for r in await check_dnsbl("203.0.113.5", ALL, res)}
    zen = got["zen.spamhaus.org"]
    assert zen.status == "listed" and zen.query == "5.113.0.203.zen.spamhaus.org"
    assert zen.codes == ("127.0.0.11", "127.0.0.4")
    assert "PBL" in zen.meanings[0] and "XBL" in zen.meanings[1]
    assert zen.reason is not None and "203.0.113.5" in zen.reason
    assert "Barracuda" in got["b.barracudacentral.org"].meanings[0]
    assert got["bl.spamcop.net"].status == "not-listed"
    other = got["rbl.lists.example"]
    assert other.status == "listed" and other.meanings == ("listed (127.0.0.42)",)
    assert other.reason is None
    assert "not listed" in got["bl.spamcop.net"].summary


async def test_spamcop_code(res: Resolver) -> None:
    (got,) = await check_dnsbl("203.0.113.7", ["BL.SpamCop.net."], res)
    assert got.status == "listed" and "SpamCop" in got.meanings[0]


async def test_public_resolver_refusal_is_not_a_listing(res: Resolver) -> None:
    (got,) = await check_dnsbl("203.0.113.6", ["zen.spamhaus.org"], res)
    assert got.status == "refused" and "public or open resolvers" in got.meanings[0]
    assert len(got.answers) == 1  # no TXT lookup for a refusal


async def test_answer_outside_loopback_is_an_error(res: Resolver) -> None:
    (got,) = await check_dnsbl("203.0.113.8", ["rbl.lists.example"], res)
    assert got.status == "error" and "rewrite NXDOMAIN" in got.meanings[0]


async def test_servfail_is_an_error(res: Resolver) -> None:
    (got,) = await check_dnsbl("203.0.113.5", ["broken.lists.example"], res)
    assert got.status == "error" and "SERVFAIL" in got.summary


async def test_rfc5782_test_entry(res: Resolver) -> None:
    (got,) = await check_dnsbl("127.0.0.2", ["zen.spamhaus.org"], res)
    assert got.status == "listed" and got.reason == "test entry"


async def test_ipv6_nibbles(res: Resolver) -> None:
    assert dnsbl_name("2001:db8::1", "zen.spamhaus.org") == f"{V6}.zen.spamhaus.org"
    (got,) = await check_dnsbl("IPv6:2001:db8::1", ["zen.spamhaus.org"], res)
    assert got.status == "listed" and "CSS" in got.meanings[0]


def test_meanings() -> None:
    assert "DROP" in meaning("key123.zen.dq.spamhaus.net", "127.0.0.9")
    assert meaning("zen.spamhaus.org", "127.0.0.99") == "listed (127.0.0.99)"
    assert meaning("dnsbl.example", "127.0.0.2") == "listed (127.0.0.2)"


def test_bad_ip_raises() -> None:
    with pytest.raises(ValueError):
        dnsbl_name("not-an-ip", "zen.spamhaus.org")
