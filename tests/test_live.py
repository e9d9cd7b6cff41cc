"""Live checks (plan, SPF, DMARC, MX, DKIM) against the test zones on a real server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailtriage.checks.auth.dkim import read_signature
from mailtriage.checks.auth.keys import key_bits
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.plan import LiveResult, LiveSpec, plan, run, run_all
from mailtriage.checks.model import Address, Header, Sample
from mailtriage.checks.taglist import parse_tags

ZONES = Path(__file__).resolve().parent / "zones"
#: A valid ed25519 public key (32 bytes).
ED25519 = "y55ncLqmDg1DFA7yFy9VJdnAx6XytfFhRYwTemHOPE0="


def sample(headers: list[tuple[str, str]] = (), **fields: object) -> Sample:  # type: ignore[assignment]
    hs = tuple(Header(name, value, value, i) for i, (name, value) in enumerate(headers))
    return Sample(source="test", headers=hs, **fields)  # type: ignore[arg-type]


def addr(text: str) -> Address:
    return Address("", text, text.rpartition("@")[2].lower())


# --- tag lists and planning -------------------------------------------------------------


def test_parse_tags() -> None:
    tags = parse_tags(" v=1; a=rsa-sha256;\r\n d=example.com ; s = sel1;; b=abc\r\n def ;")
    assert tags.names == ("v", "a", "d", "s", "b")
    assert tags.get("d") == "example.com" and tags.get("s") == "sel1"
    assert tags.get("b") == "abc\r\n def" and tags.problems == ()
    junk = parse_tags("v=1; v=2; novalue; 9x=1; =x")
    assert junk.get("v") == "1" and len(junk.problems) == 4
    assert parse_tags("P=Reject", lower_names=True).get("p") == "Reject"
    assert parse_tags("\x00" * 10_000).tags == ()


def test_plan_orders_and_deduplicates() -> None:
    dkim = "v=1; a=rsa-sha256; d=Example.com; s=sel1; h=from; bh=x; b=y"
    s = sample(
        [("DKIM-Signature", dkim), ("DKIM-Signature", dkim), ("DKIM-Signature", "d=esp.example")],
        from_=(addr("ann@example.com"),),
        to=(addr("bob@example.net"),),
        envelope_from="bounce+123@mail.example.com",
        envelope_to=("BOB@Example.NET",),
    )
    assert [(p.kind, p.domain, p.selector) for p in plan(s)] == [
        ("spf", "mail.example.com", None),
        ("spf", "example.com", None),
        ("dmarc", "example.com", None),
        ("dkim", "example.com", "sel1"),
        ("mx", "example.net", None),
    ]
    assert all(p.why for p in plan(s))


def test_plan_same_domain_recipient_from_to_and_junk() -> None:
    s = sample(
        [("DKIM-Signature", "d=exa mple.com; s=ok"), ("DKIM-Signature", "d=example.com; s=a b")],
        from_=(addr("ann@example.com"),),
        to=(addr("bob@bücher.example"),),
        envelope_from="<ann@example.com>",
    )
    specs = plan(s)
    assert [(p.kind, p.domain) for p in specs] == [
        ("spf", "example.com"),
        ("dmarc", "example.com"),
        ("mx", "xn--bcher-kva.example"),
    ]
    assert "From" in specs[0].why
    assert plan(sample(envelope_from="<>", from_=(addr("nobody"),))) == ()


def test_plan_looks_up_the_key_the_verifier_would_use() -> None:
    """plan() reads d=/s= with the verifier's reader (read_signature), so the live key row
    asks for the key the DKIM verification asks for, and skips what names no key."""
    folded = (
        "v=1; a=rsa-sha256; c=relaxed/relaxed; d=Mail.Example.COM.;\r\n s=Sel1; h=from :\r\n"
        " to; bh=AAAA; b=AAAA"
    )
    spaced = "v=1; a=rsa-sha256; d=example.com; s=go od; h=from; bh=AAAA; b=AAAA"
    s = sample([("DKIM-Signature", folded), ("DKIM-Signature", spaced)])
    keys = [f"{p.selector}._domainkey.{p.domain}" for p in plan(s) if p.kind == "dkim"]
    assert keys == [read_signature(folded).key_name] == ["sel1._domainkey.mail.example.com"]
    assert read_signature(spaced).key_name == ""  # no FWS inside s=: it names no key


def test_live_spec_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        LiveSpec("ptr", "example.com")


# --- SPF -----------------------------------------------------------------------------------


async def test_spf(resolver: Resolver) -> None:
    found = await run(LiveSpec("spf", "example.com"), resolver)
    assert found.status == "found" and found.warnings == ()
    assert found.records == ("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all",)
    assert found.summary.startswith("SPF record: v=spf1") and len(found.answers) == 1
    missing = await run(LiveSpec("spf", "nospf.example.com"), resolver)
    assert missing.status == "missing" and "no SPF record" in missing.summary
    many = await run(LiveSpec("spf", "multispf.example.com"), resolver)
    assert many.status == "found" and len(many.records) == 2
    assert "more than one SPF record: permerror" in many.warnings
    assert any("+all" in w for w in many.warnings)
    nx = await run(LiveSpec("spf", "nothing.example.com"), resolver)
    assert nx.status == "missing" and "NXDOMAIN" in nx.summary


@pytest.mark.parametrize(
    ("name", "plus_all", "why"),
    [
        ("upper", True, "v=spf1 +ALL: mechanism names are case-insensitive"),
        ("bare", True, "v=spf1 a all: no qualifier means +"),
        # The old check looked at the last word only and missed these two:
        ("exp", True, "v=spf1 all exp=...: all is not the last word, but it is the all"),
        ("first", True, "v=spf1 all -all: evaluation stops at the first all (RFC 7208 5.1)"),
        ("minus", False, "v=spf1 -all"),
        ("soft", False, "v=spf1 ~all"),
        ("neutral", False, "v=spf1 ?all: neutral for everyone, nobody passes"),
        ("redirect", False, "v=spf1 redirect=...: the other record decides"),
        # ...and warned here, though receivers return permerror (nobody passes):
        ("broken", False, "v=spf1 ip4:192.0.2.0/33 +all: a syntax error anywhere"),
    ],
)
async def test_spf_plus_all_is_read_by_the_spf_parser(
    live_resolver: Resolver, name: str, plus_all: bool, why: str
) -> None:
    """The +all warning comes from parse_record (the evaluator's parser), not the last word."""
    got = await run(LiveSpec("spf", f"{name}.spfcases.example"), live_resolver)
    assert got.status == "found", why
    assert any("+all" in w for w in got.warnings) is plus_all, why
    broken = [w for w in got.warnings if "does not parse" in w]
    assert bool(broken) is (name == "broken"), why
    if broken:
        assert broken == [
            "the record does not parse (CIDR length over 32 in 'ip4:192.0.2.0/33'): "
            "SPF fails with permerror"
        ]


# --- DMARC ---------------------------------------------------------------------------------


async def test_dmarc_at_the_domain(resolver: Resolver) -> None:
    result = await run(LiveSpec("dmarc", "example.com"), resolver)
    # The record's warnings come from parse_record, as in the DMARC evaluation.
    assert result.status == "found"
    assert result.warnings == (
        "pct= is removed in DMARCbis (RFC 9989); older receivers still use it",
    )
    assert result.summary == (
        "DMARC policy reject; applied to 50% of failing mail; DKIM alignment strict, "
        "SPF alignment relaxed; reports to mailto:dmarc@example.com"
    )


async def test_dmarc_falls_back_to_org_domain(resolver: Resolver) -> None:
    result = await run(LiveSpec("dmarc", "sub.example.com"), resolver)
    assert result.status == "found"
    assert [a.name for a in result.answers] == ["_dmarc.sub.example.com", "_dmarc.example.com"]
    assert "inherited from example.com" in result.summary and "sp=quarantine" in result.summary


@pytest.mark.inprocess_dns
async def test_dmarc_asks_the_org_domain_without_waiting_for_the_domain() -> None:
    # Issue 11: both names are known from the start (the org domain comes from the Public
    # Suffix List), so the org domain's record is asked at once: here the domain's own
    # lookup never answers, yet the org domain's query has reached the server.
    asked: list[tuple[str, str]] = []

    def hang(name: str, rdtype: str) -> bool:
        asked.append((name.lower().rstrip("."), rdtype))
        return name.lower().rstrip(".") == "_dmarc.sub.example.com"

    with ZoneServer(zone_dir=ZONES, hang=hang) as server:
        r = Resolver(["127.0.0.1"], port=server.port, timeout=0.3, deadline=2.0)
        result = await run(LiveSpec("dmarc", "sub.example.com"), r)
    assert result.status == "error"  # the domain's own answer decides: a lookup failure
    assert [a.name for a in result.answers] == ["_dmarc.sub.example.com"]
    assert ("_dmarc.example.com", "TXT") in asked


async def test_dmarc_missing_and_broken(resolver: Resolver) -> None:
    missing = await run(LiveSpec("dmarc", "example.net"), resolver)
    assert missing.status == "missing" and len(missing.answers) == 1
    deep = await run(LiveSpec("dmarc", "host.example.net"), resolver)
    assert deep.status == "missing" and "_dmarc.example.net" in deep.summary
    bad = await run(LiveSpec("dmarc", "example.org"), resolver)
    assert bad.status == "found" and bad.summary.startswith("DMARC policy none;")
    text = " | ".join(bad.warnings)
    for fragment in ("p=bogus", "pct=150", "unknown tag color=", "with rua= present"):
        assert fragment in text


async def test_dmarc_two_records_mean_no_policy(resolver: Resolver) -> None:
    """RFC 7489 section 6.6.3: when more than one record remains, no policy applies.

    The live row used to call this "found" (first record) while the DMARC
    evaluation said "none"; both now use the one discovery code.
    """
    twice = await run(LiveSpec("dmarc", "twice.example.org"), resolver)
    assert twice.status == "missing" and twice.records == ()
    assert twice.summary == (
        "2 DMARC records at _dmarc.twice.example.org: receivers use none, "
        "so no DMARC policy applies"
    )
    assert any("receivers use none of them" in w for w in twice.warnings)


LIVE_ZONES = {
    "tailspin.example": (
        "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
        '_dmarc IN TXT "v=DMARC1; p=bogus"\n'
        '_dmarc.reports IN TXT "v=DMARC1; p=reject; rua=mailto:a@tailspin.example, bad"\n'
    ),
    "keys.example": "\n".join(
        [
            "@ IN SOA ns1 hostmaster 1 3600 600 86400 60",
            "@ IN NS ns1",
            "ns1 IN A 192.0.2.53",
            f'web._domainkey IN TXT "v=DKIM1; k=ed25519; s=web; p={ED25519}"',
            f'spaced._domainkey IN TXT "v=DKIM1; k=ed25519; t=s : y; p={ED25519}"',
            f'tls._domainkey IN TXT "v=DKIM1; k=ed25519; s=tlsrpt; p={ED25519}"',
            'nop._domainkey IN TXT "v=DKIM1; k=rsa"',
            f'v2._domainkey IN TXT "v=DKIM2; k=ed25519; p={ED25519}"',
            "",
        ]
    ),
    "spfcases.example": "\n".join(
        [
            "@ IN SOA ns1 hostmaster 1 3600 600 86400 60",
            "@ IN NS ns1",
            "ns1 IN A 192.0.2.53",
            'upper IN TXT "v=spf1 +ALL"',
            'bare IN TXT "v=spf1 a all"',
            'exp IN TXT "v=spf1 all exp=explain.spfcases.example"',
            'first IN TXT "v=spf1 all -all"',
            'minus IN TXT "v=spf1 -all"',
            'soft IN TXT "v=spf1 ~all"',
            'neutral IN TXT "v=spf1 ?all"',
            'redirect IN TXT "v=spf1 redirect=minus.spfcases.example"',
            'broken IN TXT "v=spf1 ip4:192.0.2.0/33 +all"',
            "",
        ]
    ),
}


@pytest.fixture(scope="module")
def live_resolver() -> Iterator[Resolver]:
    with ZoneServer(zones=LIVE_ZONES) as srv:
        yield Resolver(["127.0.0.1"], port=srv.port, timeout=1.0, deadline=5.0)


async def test_dmarc_invalid_record_means_no_policy(live_resolver: Resolver) -> None:
    """RFC 7489 section 6.6.3: no valid p= and no rua= means DMARC MUST NOT be applied.

    The live row used to say "found" (policy none) where the evaluation said "none".
    """
    bad = await run(LiveSpec("dmarc", "tailspin.example"), live_resolver)
    assert bad.status == "missing" and bad.records == ()
    assert bad.summary == (
        "the DMARC record at _dmarc.tailspin.example has no valid p= and no rua=: "
        "no DMARC policy applies"
    )
    assert any("p=bogus" in w for w in bad.warnings)


async def test_dmarc_reports_only_to_valid_uris(live_resolver: Resolver) -> None:
    got = await run(LiveSpec("dmarc", "reports.tailspin.example"), live_resolver)
    assert got.status == "found"
    assert got.summary.endswith("; reports to mailto:a@tailspin.example")
    assert any("'bad' is not a URI" in w for w in got.warnings)


# --- MX ------------------------------------------------------------------------------------


async def test_mx(resolver: Resolver) -> None:
    found = await run(LiveSpec("mx", "example.com"), resolver)
    assert found.records == ("10 mx1.example.com.", "20 mx2.example.com.", "30 backup.example.net.")
    assert "mx1.example.com (10), mx2.example.com (20)" in found.summary
    none = await run(LiveSpec("mx", "example.net"), resolver)
    assert none.status == "missing" and "no MX: mail falls back to the A record" in none.summary
    nx = await run(LiveSpec("mx", "nothing.example.com"), resolver)
    assert nx.status == "missing" and "no MX: mail falls back to the A record" in nx.summary
    null = await run(LiveSpec("mx", "nullmx.example.com"), resolver)
    assert null.status == "found" and "null MX" in null.summary and null.warnings


# --- DKIM ----------------------------------------------------------------------------------


async def test_dkim_keys(resolver: Resolver) -> None:
    rsa = await run(LiveSpec("dkim", "example.com", "sel1"), resolver)
    assert rsa.status == "found" and "RSA key" in rsa.summary and "2048 bits" in rsa.summary
    assert rsa.warnings == ()
    ed = await run(LiveSpec("dkim", "example.com", "ed"), resolver)
    assert "ED25519" in ed.summary and "256 bits" in ed.summary
    weak = await run(LiveSpec("dkim", "example.com", "weak"), resolver)
    assert "768 bits" in weak.summary
    assert any("1024" in w for w in weak.warnings) and any("t=y" in w for w in weak.warnings)


async def test_dkim_revoked_and_missing(resolver: Resolver) -> None:
    revoked = await run(LiveSpec("dkim", "example.com", "old"), resolver)
    assert revoked.status == "found" and "revoked" in revoked.summary
    assert any("revoked" in w for w in revoked.warnings)
    missing = await run(LiveSpec("dkim", "example.com", "nope"), resolver)
    assert missing.status == "missing" and "nope._domainkey.example.com" in missing.summary
    no_selector = await run(LiveSpec("dkim", "example.com"), resolver)
    assert no_selector.status == "error" and no_selector.answers == ()


async def test_dkim_key_for_another_service(live_resolver: Resolver) -> None:
    """RFC 6376 section 3.6.1: s= lists the service types; a key not for email is unusable.

    The live row used to ignore s=; it now reads the key with describe_key, as the
    verifier does (``*``, ``email`` and RFC 8460's ``tlsrpt`` are accepted).
    """
    web = await run(LiveSpec("dkim", "keys.example", "web"), live_resolver)
    assert web.status == "found" and "256 bits" in web.summary
    assert any("is not for email (s=web)" in w for w in web.warnings)
    tls = await run(LiveSpec("dkim", "keys.example", "tls"), live_resolver)
    assert tls.status == "found" and tls.warnings == ()


async def test_dkim_testing_flag_with_spaces(live_resolver: Resolver) -> None:
    """RFC 6376 section 3.6.1: t= is a colon-separated list; ``t=s : y`` has the y flag.

    The live row split t= on ":" without stripping, so it missed " y".
    """
    got = await run(LiveSpec("dkim", "keys.example", "spaced"), live_resolver)
    assert got.status == "found"
    assert any("testing mode (t=y)" in w for w in got.warnings)


async def test_dkim_key_record_without_p(live_resolver: Resolver) -> None:
    """RFC 6376 section 3.6.1: p= is required; a v=DKIM1 record without it holds no key."""
    got = await run(LiveSpec("dkim", "keys.example", "nop"), live_resolver)
    assert got.status == "missing"
    assert got.summary == (
        "no DKIM key at nop._domainkey.keys.example (the key record there has no p= tag): "
        "signatures with s=nop fail"
    )


async def test_dkim_key_of_another_version_keeps_its_size(live_resolver: Resolver) -> None:
    got = await run(LiveSpec("dkim", "keys.example", "v2"), live_resolver)
    assert got.status == "found" and "ED25519 key found" in got.summary
    assert "256 bits" in got.summary
    assert any("has v=DKIM2, not DKIM1" in w for w in got.warnings)


def test_key_bits_on_junk() -> None:
    assert key_bits("rsa", "!!!")[0] is None
    assert key_bits("rsa", "QUJD")[1] == "p= does not hold an RSA public key"
    assert key_bits("ed25519", "QUJD")[0] is None
    assert key_bits("dsa", "QUJD")[1] is not None


# --- failures and concurrency (in-process server hooks) --------------------------------------


@pytest.mark.inprocess_dns
async def test_lookup_failures_are_errors(zone_resolver: Resolver) -> None:
    servfail = await run(LiveSpec("spf", "broken.example.com"), zone_resolver)
    assert servfail.status == "error" and "SERVFAIL" in servfail.summary
    start = time.monotonic()
    hung = await run(LiveSpec("dmarc", "hang.example.com"), zone_resolver)
    assert hung.status == "error" and "TIMEOUT" in hung.summary
    assert time.monotonic() - start < 1.8
    dkim = await run(LiveSpec("dkim", "broken.example.com", "s1"), zone_resolver)
    assert dkim.status == "error" and "SERVFAIL" in dkim.summary


@pytest.mark.inprocess_dns
async def test_run_all_is_concurrent_and_yields_as_completed() -> None:
    with ZoneServer(zone_dir=ZONES, delay=0.3, hang=lambda n, t: n.startswith("hang.")) as slow:
        res = Resolver(["127.0.0.1"], port=slow.port, timeout=1.0, deadline=5.0)
        specs = [
            LiveSpec("spf", "hang.example.com"),
            LiveSpec("spf", "example.com"),
            LiveSpec("mx", "example.com"),
            LiveSpec("dkim", "example.com", "sel1"),
        ]
        start = time.monotonic()
        results: list[LiveResult] = [r async for r in run_all(specs, res)]
        assert time.monotonic() - start < 1.6
        assert results[-1].spec == specs[0] and results[-1].status == "error"
        assert {r.spec for r in results[:3]} == set(specs[1:])


@pytest.mark.inprocess_dns
async def test_run_all_closed_early_cancels_the_rest(zone_resolver: Resolver) -> None:
    specs = [LiveSpec("mx", "example.com"), LiveSpec("spf", "hang.example.com")]
    start = time.monotonic()
    stream = run_all(specs, zone_resolver)
    first = await anext(stream)
    await stream.aclose()
    assert first.spec == specs[0] and time.monotonic() - start < 0.5
    await asyncio.sleep(0)
