"""Recorded authentication parsing: Authentication-Results, ARC-A-R, Received-SPF."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from mailtriage.checks.message.authres import (
    group_by_authserv,
    parse_auth_results,
    parse_header,
    summary,
)
from mailtriage.checks.message.loader import load_bytes, load_path
from mailtriage.checks.model import AuthResults, Header

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
MAILAUTH = CORPORA / "headers-mailauth"


def ar(value: str, name: str = "Authentication-Results", index: int = 0) -> AuthResults:
    return parse_header(Header(name, value, " ".join(value.split()), index))


def problems(r: AuthResults) -> list[str]:
    return [p.message for p in r.problems]


def test_rfc8601_basic_with_version_comments_and_reason():
    r = ar(
        'mx.example.org 1; dkim=pass (good (nested) comment) reason="key ok; fine" '
        'header.d=example.com header.i=@example.com header.b="abc+/="; '
        "spf=fail (not permitted) smtp.mailfrom=a=b@x.example; dmarc=fail header.from=example.com"
    )
    assert r.authserv_id == "mx.example.org"
    assert [(m.method, m.result) for m in r.methods] == [
        ("dkim", "pass"),
        ("spf", "fail"),
        ("dmarc", "fail"),
    ]
    dkim = r.methods[0]
    assert dkim.reason == "key ok; fine"
    assert dkim.props == (
        ("header.d", "example.com"),
        ("header.i", "@example.com"),
        ("header.b", "abc+/="),
    )
    assert r.methods[1].reason == "not permitted"
    assert r.methods[1].prop("SMTP.MAILFROM") == "a=b@x.example"
    assert r.method("dmarc") is not None and r.method("arc") is None
    assert r.problems == ()
    assert dkim.raw.startswith("dkim=pass (good") and dkim.raw.endswith('"abc+/="')


def test_none_as_only_result():
    r = ar("example.org 1; none")
    assert r.authserv_id == "example.org" and r.methods == () and r.problems == ()


def test_method_version_and_policy_props():
    r = ar("mx.example; dkim/1=PASS header.d=x.example; iprev=pass policy.iprev=192.0.2.9 (h.x)")
    assert [(m.method, m.result) for m in r.methods] == [("dkim", "pass"), ("iprev", "pass")]
    assert r.methods[1].prop("policy.iprev") == "192.0.2.9"


def test_microsoft_forms_without_authserv_id():
    r = ar(
        "spf=pass (sender IP is 40.107.1.2) smtp.mailfrom=contoso.com; dkim=pass (signature was "
        "verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;"
        "compauth=pass reason=100"
    )
    assert r.authserv_id == ""
    assert summary((r,)) == {"spf": "pass", "dkim": "pass", "dmarc": "pass", "compauth": "pass"}
    assert r.method("spf").reason == "sender IP is 40.107.1.2"  # type: ignore[union-attr]
    dmarc = r.method("dmarc")
    assert dmarc is not None and dmarc.prop("action") == "none"
    assert dmarc.prop("header.from") == "contoso.com"
    assert r.method("compauth").reason == "100"  # type: ignore[union-attr]
    assert r.problems == ()


def test_microsoft_not_signed_and_fail():
    r = ar(
        "dkim=none (message not signed) header.d=none;dmarc=none action=none "
        "header.from=fabrikam.example;"
    )
    assert [(m.method, m.result) for m in r.methods] == [("dkim", "none"), ("dmarc", "none")]
    assert r.method("dkim").reason == "message not signed"  # type: ignore[union-attr]
    r2 = ar(
        "spf=fail (sender IP is 1.2.3.4) smtp.mailfrom=x.example; dkim=fail (body hash did "
        "not verify) header.d=x.example;dmarc=fail action=quarantine header.from=x.example;"
        "compauth=fail reason=000"
    )
    assert summary((r2,)) == {"spf": "fail", "dkim": "fail", "dmarc": "fail", "compauth": "fail"}
    assert r2.method("dmarc").prop("action") == "quarantine"  # type: ignore[union-attr]


def test_microsoft_bare_domain_between_methods():
    r = ar(
        "spf=pass (sender IP is 104.47.124.246) smtp.helo=APC01.outbound.example; outlook.com; "
        "dkim=none (message not signed) header.d=none;outlook.com; dmarc=pass action=none "
        "header.from=outlook.com;"
    )
    assert r.authserv_id == "outlook.com"
    assert [m.method for m in r.methods] == ["spf", "dkim", "dmarc"]
    assert r.problems == ()


def test_arc_authentication_results_instance():
    r = ar(
        "i=2; mx.google.com; dkim=pass header.i=@zonevs.eu header.s=oct2016; "
        "arc=pass (i=1 spf=pass spfdomain=zone.ee)",
        name="ARC-Authentication-Results",
    )
    assert r.header == "ARC-Authentication-Results"
    assert r.instance == 2 and r.authserv_id == "mx.google.com"
    assert r.method("arc").reason == "i=1 spf=pass spfdomain=zone.ee"  # type: ignore[union-attr]
    missing = ar("mx.example; spf=pass", name="arc-authentication-results")
    assert missing.instance is None and "ARC instance i= missing" in problems(missing)
    assert missing.header == "ARC-Authentication-Results"


def test_received_spf_forms():
    r = ar(
        "Pass (mx.ethereal.email: domain of a.example designates 141.193.32.12 as permitted "
        "sender) receiver=mx.ethereal.email; identity=mailfrom; client-ip=141.193.32.12 "
        "helo=m32-12.eu.mailgun.net; envelope-from=<bounce+x=y@a.example>",
        name="Received-SPF",
    )
    assert r.header == "Received-SPF" and r.authserv_id == "mx.ethereal.email"
    spf = r.methods[0]
    assert (spf.method, spf.result) == ("spf", "pass")
    assert spf.prop("client-ip") == "141.193.32.12"
    assert spf.prop("helo") == "m32-12.eu.mailgun.net"
    assert spf.prop("envelope-from") == "bounce+x=y@a.example"
    assert spf.prop("identity") == "mailfrom"
    assert r.problems == ()
    google = ar(
        "neutral (google.com: 209.85.220.41 is neither) client-ip=209.85.220.41;", "received-spf"
    )
    assert google.authserv_id == "google.com" and google.methods[0].result == "neutral"
    bare = ar(
        "none (domain of x.example does not designate permitted sender hosts)", "Received-SPF"
    )
    assert bare.authserv_id == "" and bare.methods[0].result == "none" and bare.problems == ()


def test_oddities_become_problems():
    yahoo = ar(
        "mta.yahoo.example from=amazonses.com; domainkeys=neutral (no sig); "
        "from=amazonses.com; dkim=neutral (no sig)"
    )
    assert yahoo.authserv_id == "mta.yahoo.example"
    assert [m.method for m in yahoo.methods] == ["domainkeys", "dkim"]
    assert len(yahoo.problems) == 2
    assert all(p.where == "Authentication-Results #1" for p in yahoo.problems)
    glued = ar("x.example; spf=pass smtp.mailfrom=a dkim=pass header.d=y (unclosed")
    assert [m.method for m in glued.methods] == ["spf", "dkim"]
    assert "unclosed comment" in problems(glued)
    assert any("missing ';'" in m for m in problems(glued))
    odd = ar("x.example; spf=maybe")
    assert odd.methods[0].result == "maybe" and "unrecognised result" in problems(odd)[0]
    assert problems(ar("")) == ["no results recorded (not even 'none')"]
    assert problems(ar("no-equals-here", "Received-SPF")) == [
        "unrecognised SPF result 'no-equals-here'"
    ]


def test_garbage_never_raises():
    rng = random.Random(7)
    alphabet = 'ab =;()"\\.@/\t\n1i' + "\x00\x1b\u202e"
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        for name in ("Authentication-Results", "ARC-Authentication-Results", "Received-SPF"):
            r = ar(value, name)
            assert isinstance(r.methods, tuple)


def test_parse_auth_results_order_grouping_and_summary():
    data = (
        b"ARC-Authentication-Results: i=1; mx.a.example; spf=fail smtp.mailfrom=x.example\n"
        b"Authentication-Results: mx.a.example; spf=pass smtp.mailfrom=x.example; dkim=fail\n"
        b"Received-SPF: softfail (relay.b.example: transitional) client-ip=192.0.2.1\n"
        b"Authentication-Results: relay.b.example; dkim=pass header.d=x.example; dmarc=pass\n"
        b"Authentication-Results: mx.a.example; arc=none\n"
        b"From: a@x.example\n"
    )
    sample = load_bytes(data, "t")
    results = parse_auth_results(sample)
    assert [(r.header, r.index) for r in results] == [
        ("ARC-Authentication-Results", 0),
        ("Authentication-Results", 1),
        ("Received-SPF", 2),
        ("Authentication-Results", 3),
        ("Authentication-Results", 4),
    ]
    assert [p.where for r in results for p in r.problems] == []
    groups = group_by_authserv(results)
    assert list(groups) == ["mx.a.example", "relay.b.example"]
    assert [r.index for r in groups["mx.a.example"]] == [0, 1, 4]
    assert summary(results) == {"spf": "fail", "dkim": "fail", "dmarc": "pass", "arc": "none"}
    assert summary(()) == {}


def _mailauth(name: str) -> tuple[AuthResults, ...]:
    path = MAILAUTH / name
    if not path.exists():
        pytest.skip(f"corpus file absent: {path}")
    return parse_auth_results(load_path(path))


def test_mailauth_corpus_parses_without_raising():
    files = sorted(MAILAUTH.glob("*.eml"))
    if not files:
        pytest.skip(f"corpus not found: {MAILAUTH}")
    total = 0
    for path in files:
        results = parse_auth_results(load_path(path))
        total += len(results)
        for r in results:
            assert r.problems == (), (path.name, r.raw, r.problems)
    assert total >= 20


def test_mailauth_arc_fail_values():
    results = _mailauth("arc-fail.eml")
    top = next(r for r in results if r.header == "Authentication-Results")
    assert top.authserv_id == "mx.google.com"
    assert [(m.method, m.result) for m in top.methods] == [
        ("dkim", "pass"),
        ("dkim", "pass"),
        ("arc", "pass"),
        ("spf", "neutral"),
        ("dmarc", "fail"),
    ]
    assert top.methods[1].prop("header.i") == "@srs3.zonevs.eu"
    assert top.method("dmarc").reason == "p=REJECT sp=REJECT dis=NONE arc=pass"  # type: ignore[union-attr]
    assert top.method("spf").prop("smtp.mailfrom") == (  # type: ignore[union-attr]
        "andris+caf_=andris.reinman=gmail.com@tr.ee"
    )
    arcs = [r for r in results if r.header == "ARC-Authentication-Results"]
    assert [r.instance for r in arcs] == [2, 1]
    assert arcs[1].method("spf").prop("smtp.mailfrom") == "andris@zone.ee"  # type: ignore[union-attr]
    spfs = [r for r in results if r.header == "Received-SPF"]
    assert [r.methods[0].prop("client-ip") for r in spfs] == ["209.85.220.41", "217.146.68.193"]
    assert [r.authserv_id for r in spfs] == ["google.com", "google.com"]


def test_mailauth_message2_and_message4_values():
    m2 = _mailauth("message2.eml")
    assert [r.header for r in m2] == ["Authentication-Results", "Received-SPF", "Received-SPF"]
    assert m2[0].authserv_id == "mx.ethereal.email"
    assert m2[0].method("spf").prop("smtp.mailfrom") == "mail.projectpending.com"  # type: ignore[union-attr]
    assert [r.methods[0].prop("identity") for r in m2[1:]] == ["mailfrom", "helo"]
    assert [r.methods[0].result for r in m2[1:]] == ["pass", "none"]
    m4 = _mailauth("message4.eml")
    dkim = m4[0].method("dkim")
    assert dkim is not None and dkim.reason == "1024-bit key; insecure key"
    assert dkim.prop("header.d") == "out.srv.dev"
    assert summary(m4) == {"dkim": "pass", "dkim-adsp": "none", "dkim-atps": "neutral"}


def test_mailauth_zbimi_dmarc():
    results = _mailauth("zbimi.eml")
    assert summary(results) == {"dkim": "pass", "spf": "pass", "dmarc": "pass"}
    dmarc = results[0].method("dmarc")
    assert dmarc is not None and dmarc.prop("header.from") == "zone.ee"
    assert dmarc.reason == "p=REJECT sp=REJECT dis=NONE"
