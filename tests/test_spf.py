"""SPF check_host() against hostile zones on a real ZoneServer, plus macro/term units."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator

import pytest
from mailtriage.checks.auth.spf.check import SpfResult, check_host, identity
from mailtriage.checks.auth.spf.macro import MacroContext, SpfSyntaxError, expand
from mailtriage.checks.auth.spf.prefetch import BUDGET
from mailtriage.checks.auth.spf.record import parse_record
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

from tests.spf_zones import txt_rdata

pytestmark = pytest.mark.inprocess_dns

IP = "192.0.2.1"
_LONG = " ".join(f"ip4:198.51.100.{n}" for n in range(60)) + f" ip4:{IP} -all"
_RECORDS = {
    "loop": "v=spf1 include:loop.spf.test -all",
    "redir1": "v=spf1 redirect=redir2.spf.test",
    "redir2": "v=spf1 redirect=redir1.spf.test",
    "many": "v=spf1 " + " ".join(f"a:h{n}.spf.test" for n in range(11)) + " a:ok.spf.test -all",
    "ten": "v=spf1 " + " ".join(f"a:h{n}.spf.test" for n in range(9)) + " a:ok.spf.test -all",
    "voids": "v=spf1 a:nx1.spf.test a:nx2.spf.test a:nx3.spf.test ip4:192.0.2.1 -all",
    "twovoids": "v=spf1 a:nx1.spf.test mx:nx2.spf.test ip4:192.0.2.1 -all",
    "chain": "v=spf1 a:alias.spf.test include:txtalias.spf.test -all",
    "target": "v=spf1 ip4:203.0.113.9 -all",
    "big": "v=spf1 " + _LONG,
    "incbroken": "v=spf1 include:broken.spf.test -all",
    "slow": "v=spf1 mx:hangmx.spf.test -all",
    "early": "v=spf1 ip4:192.0.2.1 include:e1.spf.test include:e2.spf.test include:e3.spf.test"
    " include:e4.spf.test include:e5.spf.test -all",
    "late": "v=spf1 include:e1.spf.test include:e2.spf.test mx:mxs.spf.test -all",
    "exp": "v=spf1 -all exp=why.spf.test",
    "earlya": "v=spf1 a:ok.spf.test include:e1.spf.test include:e2.spf.test"
    " include:e3.spf.test include:e4.spf.test include:e5.spf.test -all",
    "macros": "v=spf1 a:h1.spf.test exists:%{ir}.%{v}._ok.%{d} include:%{l}.spf.test"
    " a:%{p}.spf.test -all",
    "specmacro": "v=spf1 mx:hangmx.spf.test a:%{p}.spf.test exists:%{i}._ok.%{d} -all",
    "uninc": "v=spf1 include:target.spf.test ~all",
    "mxafter": "v=spf1 include:hanginc.spf.test mx:mxs.spf.test mx:bigmx.spf.test -all",
}
ZONE = (
    "\n".join(
        [
            "$ORIGIN spf.test.",
            "$TTL 300",
            "@ IN SOA ns.spf.test. hostmaster.spf.test. 1 3600 600 86400 60",
            *(f"{name} IN TXT {txt_rdata(text)}" for name, text in _RECORDS.items()),
            *(f"h{n} IN A 198.51.100.{n}" for n in range(11)),
            f"ok IN A {IP}",
            'twice IN TXT "v=spf1 -all"',
            'twice IN TXT "v=spf1 +all"',
            "alias IN CNAME alias2",
            "alias2 IN CNAME host",
            f"host IN A {IP}",
            "txtalias IN CNAME target",
            "hangmx IN MX 10 hang1.spf.test.",
            *(f"mxs IN MX {n} m{n}.spf.test." for n in range(5)),
            *(f"m{n} IN A 198.51.100.{50 + n}" for n in range(4)),
            *(f"bigmx IN MX {n} big{n}.spf.test." for n in range(11)),
            f"m4 IN A {IP}",
            *(f'e{n} IN TXT "v=spf1 ip4:203.0.113.{n} a:e{n}host.spf.test ?all"' for n in range(6)),
            'why IN TXT "%{i} is not allowed to send for %{d} (%{S})"',
            *(f'c{n} IN TXT "v=spf1 include:c{n + 1}.spf.test -all"' for n in range(40)),
        ]
    )
    + "\n"
)


def _hang(name: str, rdtype: str) -> bool:
    return name.startswith("hang")


def _servfail(name: str, rdtype: str) -> bool:
    return name.startswith("broken")


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    with ZoneServer({"spf.test": ZONE}, hang=_hang, servfail=_servfail) as running:
        yield running


def _resolver(server: ZoneServer, timeout: float = 1.0, deadline: float = 5.0) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=timeout, deadline=deadline)


async def _check(server: ZoneServer, name: str, ip: str = IP, **kw: object) -> SpfResult:
    domain = f"{name}.spf.test"
    resolver = _resolver(server)
    return await check_host(
        ip, domain, f"user@{domain}", helo="mx.example", resolver=resolver, **kw
    )  # type: ignore[arg-type]


async def test_include_loop_is_permerror_with_bounded_display(server: ZoneServer) -> None:
    got = await _check(server, "loop")
    assert (got.result, got.lookups) == ("permerror", 11)
    nodes = got.tree.walk()
    assert [n.limit for n in nodes if n.limit] == ["lookups"]
    assert any(n.beyond_limit and n.error and "loop" in n.error for n in nodes)


async def test_display_past_the_limit_is_bounded(server: ZoneServer) -> None:
    got = await _check(server, "c0")
    assert (got.result, got.lookups) == ("permerror", 11)
    nodes = got.tree.walk()
    assert sum(n.term.startswith("include:") for n in nodes) == 11 + 20 + 1  # + the stop
    assert "display stopped" in (nodes[-1].error or "")


async def test_redirect_loop_is_permerror(server: ZoneServer) -> None:
    got = await _check(server, "redir1")
    assert (got.result, got.lookups) == ("permerror", 11)
    assert any(n.limit == "lookups" for n in got.tree.walk())


async def test_eleventh_lookup_is_permerror_but_evaluation_goes_on(server: ZoneServer) -> None:
    got = await _check(server, "many")
    assert (got.result, got.lookups, got.explanation) == ("permerror", 11, None)
    assert got.tree.result == "permerror"
    terms = got.tree.children
    assert [t.beyond_limit for t in terms[:10]] == [False] * 10
    assert terms[10].limit == "lookups" and terms[10].beyond_limit
    last = terms[11]
    assert last.term == "a:ok.spf.test" and last.beyond_limit and last.matched
    assert (await _check(server, "ten")).result == "pass"


async def test_third_void_lookup_is_permerror(server: ZoneServer) -> None:
    got = await _check(server, "voids")
    assert (got.result, got.void_lookups) == ("permerror", 3)
    assert got.tree.children[2].limit == "void"
    assert got.tree.children[3].beyond_limit and got.tree.children[3].matched
    two = await _check(server, "twovoids")
    assert (two.result, two.void_lookups, two.lookups) == ("pass", 2, 2)


async def test_cname_chains_for_addresses_and_records(server: ZoneServer) -> None:
    got = await _check(server, "chain")
    assert got.result == "pass"
    other = await _check(server, "chain", ip="203.0.113.9")
    assert other.result == "pass" and other.lookups == 2
    include = other.tree.children[1]
    assert include.children[0].term == "v=spf1 ip4:203.0.113.9 -all"


async def test_oversized_txt_comes_over_tcp(server: ZoneServer) -> None:
    before = len(server.query_log)
    got = await _check(server, "big")
    assert got.result == "pass" and len(got.tree.term) > 1000
    assert any(q.transport == "tcp" for q in server.query_log[before:])


async def test_several_spf_records_are_permerror(server: ZoneServer) -> None:
    got = await _check(server, "twice")
    assert got.result == "permerror" and "2 v=spf1 records" in (got.tree.error or "")


async def test_servfail_is_temperror(server: ZoneServer) -> None:
    assert (await _check(server, "broken")).result == "temperror"
    got = await _check(server, "incbroken")
    assert got.result == "temperror"
    assert got.tree.children[0].children[0].queries[0].rcode == "SERVFAIL"


async def test_timeouts_respect_the_deadline(server: ZoneServer) -> None:
    resolver = _resolver(server, timeout=0.3, deadline=0.6)
    started = time.monotonic()
    got = await check_host(IP, "slow.spf.test", "a@slow.spf.test", resolver=resolver)
    assert got.result == "temperror"
    assert time.monotonic() - started < 1.5
    hung = await check_host(IP, "hang.spf.test", "a@hang.spf.test", resolver=resolver)
    assert hung.result == "temperror"
    assert time.monotonic() - started < 1.5


async def test_speculation_is_bounded_when_the_first_term_matches(server: ZoneServer) -> None:
    before = len(server.query_log)
    got = await _check(server, "early")
    assert (got.result, got.lookups) == ("pass", 0)
    # Look-ahead starts only when evaluation waits for DNS: the ip4 term matched first.
    assert len(server.query_log) - before == 1
    before = len(server.query_log)
    got = await _check(server, "earlya")
    assert (got.result, got.lookups) == ("pass", 1)
    # The TXT and the a lookup, plus at most the budget of look-ahead queries.
    assert len(server.query_log) - before <= 2 + BUDGET


async def test_macro_targets_are_prefetched_but_never_ptr(server: ZoneServer) -> None:
    resolver = _resolver(server, timeout=0.3)
    seen = []
    for speculate in (True, False):
        before = len(server.query_log)
        domain = "specmacro.spf.test"
        got = await check_host(IP, domain, f"user@{domain}", helo="mx.example",
                               resolver=resolver, speculate=speculate)  # fmt: skip
        assert got.result == "temperror"  # the mx term hangs; nothing after it is evaluated
        log = server.query_log[before:]
        assert not [q for q in log if q.rdtype == "PTR" or q.name.startswith("unknown")]
        seen.append(any(q.name == f"{IP}._ok.{domain}" and q.rdtype == "A" for q in log))
        resolver = _resolver(server, timeout=0.3)
    assert seen == [True, False]


async def test_mx_host_addresses_are_prefetched_within_the_mx_limit(server: ZoneServer) -> None:
    resolver = _resolver(server, timeout=0.3)
    before = len(server.query_log)
    got = await check_host(IP, "mxafter.spf.test", "a@mxafter.spf.test", helo="mx.example",
                           resolver=resolver)  # fmt: skip
    assert got.result == "temperror"  # the include hangs; the mx terms are never evaluated
    asked = {(q.name, q.rdtype) for q in server.query_log[before:]}
    # The look-ahead fetched the MX set and then every host's addresses, as the mx
    # term will need them; an MX set over the limit of 10 is not followed.
    assert {(f"m{n}.spf.test", "A") for n in range(5)} <= asked
    assert ("bigmx.spf.test", "MX") in asked
    assert {name for name, _ in asked if name.startswith("big")} == {"bigmx.spf.test"}


async def test_speculation_does_not_change_result_counters_or_tree(server: ZoneServer) -> None:
    for name in ("late", "many", "voids", "loop", "chain", "exp", "uninc", "macros", "earlya"):
        for ip in (IP, "203.0.113.2"):
            fast = await _check(server, name, ip=ip)
            slow = await _check(server, name, ip=ip, speculate=False)
            assert fast == slow, name


async def test_mx_hosts_are_resolved_concurrently() -> None:
    with ZoneServer({"spf.test": ZONE}, delay=0.1) as slow:
        resolver = _resolver(slow, timeout=2.0)
        started = time.monotonic()
        got = await check_host(IP, "late.spf.test", "a@late.spf.test", resolver=resolver)
        elapsed = time.monotonic() - started
    assert (got.result, got.lookups, got.void_lookups) == ("pass", 5, 2)
    # one at a time: TXT, 2 include TXTs, 2 e-host lookups, MX, 5 hosts = 11 x 0.1 s;
    # with look-ahead and concurrent MX hosts about 4 rounds
    assert elapsed < 0.9


async def test_explanation_and_include_results(server: ZoneServer) -> None:
    got = await _check(server, "exp")
    assert got.result == "fail"
    assert (
        got.explanation == "192.0.2.1 is not allowed to send for exp.spf.test (user%40exp.spf.test)"
    )
    soft = await _check(server, "uninc")
    assert soft.result == "softfail" and soft.tree.children[0].result == "fail"


async def test_ipv4_mapped_ipv6_client(server: ZoneServer) -> None:
    assert (await _check(server, "target", ip="::ffff:203.0.113.9")).result == "pass"
    assert (await _check(server, "target", ip="2001:db8::1")).result == "fail"


def test_identity_uses_postmaster() -> None:
    assert identity("", "mx.example.org") == ("mx.example.org", "postmaster@mx.example.org")
    assert identity("@example.net", "h") == ("example.net", "postmaster@example.net")
    assert identity("<a@b.example>", "h") == ("b.example", "a@b.example")


def test_macro_transformers_and_escaping() -> None:
    ctx = MacroContext(
        ipaddress.ip_address("192.0.2.3"), "strong-bad@email.example.com", "email.example.com",
        "mx.example.org",
    )  # fmt: skip
    assert expand("%{ir}.%{v}._spf.%{d2}", ctx) == "3.2.0.192.in-addr._spf.example.com"
    assert expand("%{lr-}.%{l1r-}", ctx) == "bad.strong.strong"
    assert expand("%{o1r}%%%_%-", ctx) == "email% %20"
    assert expand("%{S}", ctx) == "strong-bad%40email.example.com"
    six = MacroContext(ipaddress.ip_address("2001:db8::cb01"), "a@b.example", "b.example", "h")
    assert expand("%{ir}", six).startswith("1.0.B.C.0.0.0.0")
    for bad in ("%{x}", "%{d0}", "%", "%{c}", "%a"):
        with pytest.raises(SpfSyntaxError):
            expand(bad, ctx)
    assert expand("%{c} %{r}", ctx, exp=True) == "192.0.2.3 unknown"


@pytest.mark.parametrize(
    "record",
    ["v=spf1 a:foo", "v=spf1 ip4:1.2.3.4/33", "v=spf1 mx//129", "v=spf1 frob", "v=spf1 -all\t",
     "v=spf1 redirect=a.example redirect=b.example", "v=spf1 include:", "v=spf1 a/024"],
)  # fmt: skip
def test_syntax_errors(record: str) -> None:
    with pytest.raises(SpfSyntaxError):
        parse_record(record)


def test_dual_cidr_and_unknown_modifier() -> None:
    record = parse_record("v=spf1 a:mail.example.com/24//64 mx/30 foo=%{d}.bar -all")
    a, mx = record.terms[0], record.terms[1]
    assert (a.arg, a.cidr4, a.cidr6) == ("mail.example.com", 24, 64)
    assert (mx.arg, mx.cidr4, mx.cidr6) == (None, 30, 128)
    assert record.terms[2].is_modifier and record.redirect is None
