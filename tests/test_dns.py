"""The async Resolver against a real authoritative server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from mailtriage.checks.dns.resolver import DnsAnswer, DnsError, Flights, QueryLogEntry, Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

ZONES = Path(__file__).resolve().parent / "zones"


async def test_a_txt_mx_records(resolver: Resolver) -> None:
    a = await resolver.query("example.com", "A")
    assert (a.rcode, a.records, a.error, a.cached) == ("NOERROR", ("192.0.2.10",), None, False)
    assert a.rtt_ms > 0
    txt = await resolver.query("example.com", "txt")
    assert txt.rdtype == "TXT"
    assert sorted(txt.records)[1].startswith("v=spf1 ip4:192.0.2.0/24")
    mx = await resolver.query("example.com.", "MX")
    assert sorted(mx.records) == [
        "10 mx1.example.com.",
        "20 mx2.example.com.",
        "30 backup.example.net.",
    ]


async def test_multi_string_and_binary_txt(resolver: Resolver) -> None:
    multi = await resolver.query("multi.example.com", "TXT")
    assert multi.records == ("first part, second part",)
    binary = await resolver.query("binary.example.com", "TXT")
    assert binary.records == ("ok\ufffd",)


async def test_cname(resolver: Resolver) -> None:
    direct = await resolver.query("www.example.com", "CNAME")
    assert direct.records == ("example.com.",)
    chased = await resolver.query("alias.example.com", "A")
    assert chased.records == ("192.0.2.10",)
    across = await resolver.query("offsite.example.com", "A")
    assert across.records == ("198.51.100.7",)


async def test_nxdomain_nodata_refused(resolver: Resolver) -> None:
    assert (await resolver.query("nothing.example.com", "A")).rcode == "NXDOMAIN"
    assert (await resolver.query("dangling.example.com", "A")).rcode == "NXDOMAIN"
    nodata = await resolver.query("example.com", "AAAA")
    assert (nodata.rcode, nodata.records) == ("NODATA", ())
    assert (await resolver.query("_domainkey.example.com", "TXT")).rcode == "NODATA"
    refused = await resolver.query("example.invalid", "A")
    assert refused.rcode == "REFUSED" and "REFUSED" in (refused.error or "")


async def test_large_txt_falls_back_to_tcp(resolver: Resolver) -> None:
    big = await resolver.query("big.example.com", "TXT")
    assert big.rcode == "NOERROR"
    assert big.records == ("".join(c * 240 for c in "abcdef"),)


async def test_bad_input_is_an_error_not_an_exception(resolver: Resolver) -> None:
    for name, rdtype in [("a..b", "A"), ("x" * 70 + ".com", "A"), ("example.com", "NOPE")]:
        answer = await resolver.query(name, rdtype)
        assert answer.rcode == "ERROR" and answer.error


async def test_cache_hits(resolver: Resolver) -> None:
    first = await resolver.query("mx1.example.com", "A")
    again = await resolver.query("MX1.Example.COM.", "a")
    assert not first.cached and again.cached
    assert again.records == first.records and again.name == "MX1.Example.COM."
    nx1 = await resolver.query("gone.example.com", "A")
    nx2 = await resolver.query("gone.example.com", "A")
    assert (nx1.cached, nx2.cached, nx2.rcode) == (False, True, "NXDOMAIN")
    resolver.clear_cache()
    assert not (await resolver.query("mx1.example.com", "A")).cached


async def test_log_and_listener(resolver: Resolver) -> None:
    seen: list[QueryLogEntry] = []
    resolver.add_listener(seen.append)
    resolver.add_listener(lambda entry: 1 / 0)  # a broken listener changes nothing
    before = time.time()
    await resolver.query("example.com", "A")
    await resolver.query("example.com", "A")
    await resolver.query("nothing.example.com", "TXT")
    log = resolver.log
    assert log == tuple(seen)
    assert [(e.name, e.rdtype, e.rcode, e.cached) for e in log] == [
        ("example.com", "A", "NOERROR", False),
        ("example.com", "A", "NOERROR", True),
        ("nothing.example.com", "TXT", "NXDOMAIN", False),
    ]
    assert log[0].answers == ("192.0.2.10",)
    assert all(e.started_at >= before - 1 and e.rtt_ms >= 0 for e in log)
    resolver.remove_listener(seen.append)
    await resolver.query("mx2.example.com", "A")
    assert len(seen) == 3 and len(resolver.log) == 4


async def test_deadline_stops_further_queries(dns_server) -> None:
    res = Resolver(["127.0.0.1"], port=dns_server.port, timeout=1.0, deadline=0.2)
    assert (await res.query("example.com", "A")).rcode == "NOERROR"
    await asyncio.sleep(0.25)
    late = await res.query("mx1.example.com", "A")
    assert late.rcode == "DEADLINE" and late.records == () and "deadline" in (late.error or "")
    assert (await res.query("example.com", "A")).cached  # the cache still answers
    res.restart_deadline()
    assert (await res.query("mx1.example.com", "A")).rcode == "NOERROR"
    assert [e.rcode for e in res.log] == ["NOERROR", "DEADLINE", "NOERROR", "NOERROR"]


def test_parse_spec() -> None:
    assert Resolver.parse_spec("192.0.2.1") == ("192.0.2.1", 53)
    assert Resolver.parse_spec(" 127.0.0.1:5353 ") == ("127.0.0.1", 5353)
    assert Resolver.parse_spec("[::1]:5353") == ("::1", 5353)
    assert Resolver.parse_spec("[2001:db8::1]") == ("2001:db8::1", 53)
    assert Resolver.parse_spec("::1") == ("::1", 53)
    for bad in ["dns.example.com", "1.2.3.4:0", "1.2.3.4:99999", "1.2.3.4:x", "[::1", "[::1]x"]:
        with pytest.raises(DnsError):
            Resolver.parse_spec(bad)


def test_configuration_errors() -> None:
    with pytest.raises(DnsError):
        Resolver(["resolver.example.com"])
    with pytest.raises(DnsError):
        Resolver([])
    with pytest.raises(DnsError):
        Resolver(["127.0.0.1"], timeout=0)
    try:
        system = Resolver()
    except DnsError as exc:  # no /etc/resolv.conf here: the error says so
        assert "resolv.conf" in str(exc)
    else:
        assert system.nameservers


def test_answer_is_frozen() -> None:
    answer = DnsAnswer("example.com", "A", "NOERROR", (), 1.0)
    with pytest.raises(AttributeError):
        answer.rcode = "NXDOMAIN"  # type: ignore[misc]
    assert answer.ok and not DnsAnswer("x", "A", "TIMEOUT", (), 1.0).ok


@pytest.mark.inprocess_dns
async def test_timeout_on_hanging_name(zone_resolver: Resolver) -> None:
    start = time.monotonic()
    answer = await zone_resolver.query("hang.example.com", "A")
    elapsed = time.monotonic() - start
    assert answer.rcode == "TIMEOUT" and answer.error
    assert 0.9 <= elapsed < 1.6


@pytest.mark.inprocess_dns
async def test_deadline_caps_query_lifetime(zone_server: ZoneServer) -> None:
    res = Resolver(["127.0.0.1"], port=zone_server.port, timeout=2.0, deadline=0.4)
    start = time.monotonic()
    assert (await res.query("hang.example.com", "TXT")).rcode == "TIMEOUT"
    assert time.monotonic() - start < 0.9
    assert (await res.query("example.com", "A")).rcode == "DEADLINE"


@pytest.mark.inprocess_dns
async def test_servfail(zone_resolver: Resolver) -> None:
    answer = await zone_resolver.query("broken.example.com", "TXT")
    assert answer.rcode == "SERVFAIL" and "SERVFAIL" in (answer.error or "")
    assert not (await zone_resolver.query("broken.example.com", "TXT")).cached


@pytest.mark.inprocess_dns
async def test_tcp_fallback_seen_by_server(
    zone_server: ZoneServer, zone_resolver: Resolver
) -> None:
    await zone_resolver.query("big.example.com", "TXT")
    mine = [q.transport for q in zone_server.query_log if q.name == "big.example.com"]
    assert mine[-2:] == ["udp", "tcp"]


@pytest.mark.inprocess_dns
async def test_single_flight_sends_one_query() -> None:
    with ZoneServer(zone_dir=ZONES, delay=0.2) as slow:
        res = Resolver(["127.0.0.1"], port=slow.port, timeout=2.0, deadline=5.0)
        answers = await asyncio.gather(*(res.query("mx2.example.com", "A") for _ in range(3)))
        assert slow.queries == 1
        assert [a.cached for a in answers] == [False, True, True]
        assert {a.records for a in answers} == {("192.0.2.12",)}
        assert all(a.rtt_ms >= 150 for a in answers)
        assert len(res.log) == 3
        await res.query("mx2.example.com", "A")
        assert slow.queries == 1


async def test_two_runs_sharing_flights_send_one_query_for_both() -> None:
    """The two copies' runs ask the same name at once: one query answers both.

    The joining run logs it as shared (a live answer of that moment), not as cached; each
    run keeps its own cache, and resolvers without shared flights each send their own.
    """
    with ZoneServer(zone_dir=ZONES, delay=0.2) as slow:
        flights = Flights()
        a, b = (
            Resolver(["127.0.0.1"], port=slow.port, timeout=2.0, deadline=5.0, flights=flights)
            for _ in range(2)
        )
        first, second, again = await asyncio.gather(
            a.query("mx2.example.com", "A"),
            b.query("mx2.example.com", "A"),
            b.query("MX2.example.com.", "a"),
        )
        assert slow.queries == 1
        assert first.records == second.records == again.records == ("192.0.2.12",)
        assert [(e.cached, e.shared) for e in a.log] == [(False, False)]
        # b's second ask of it, while it is in flight, is b's own repeat: cached
        assert sorted((e.cached, e.shared) for e in b.log) == [(False, True), (True, False)]
        assert (await b.query("mx2.example.com", "A")).cached  # now in b's own cache
        assert slow.queries == 1
        alone = [Resolver(["127.0.0.1"], port=slow.port, timeout=2.0) for _ in range(2)]
        await asyncio.gather(*(r.query("mx1.example.com", "A") for r in alone))
        assert slow.queries == 3
        assert not any(e.shared for r in alone for e in r.log)


async def test_shared_flights_never_mix_servers() -> None:
    """A lookup in flight to one server is not joined by a resolver asking another."""
    flights = Flights()
    with ZoneServer(zone_dir=ZONES, delay=0.1) as one, ZoneServer(zone_dir=ZONES) as other:
        r1, r2 = (
            Resolver(["127.0.0.1"], port=s.port, timeout=2.0, flights=flights) for s in (one, other)
        )
        await asyncio.gather(r1.query("example.com", "A"), r2.query("example.com", "A"))
        assert (one.queries, other.queries) == (1, 1)
        assert not any(e.shared for e in (*r1.log, *r2.log))


def test_backend_is_the_requested_one(dns_server) -> None:
    wanted = os.environ.get("MAILTRIAGE_TEST_DNS", "").strip().lower()
    assert isinstance(dns_server, ZoneServer) == (wanted != "nsd")
