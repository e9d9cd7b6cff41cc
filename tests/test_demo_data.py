"""The demo samples and zones: they parse cleanly, every live check resolves, DKIM verifies.

DNS goes to a real ZoneServer on 127.0.0.1 serving tui/demo/zones; nothing is mocked.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path

import dkim
import dns.message
import dns.query
import dns.rdatatype
import pytest
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.plan import plan, run
from mailtriage.checks.message.authres import parse_auth_results, summary
from mailtriage.checks.message.loader import load_path
from mailtriage.checks.model import Sample
from mailtriage.checks.route.hops import connecting_ip, parse_hops
from mailtriage.checks.verdicts import find_verdicts, microsoft_cip

DEMO = Path(__file__).resolve().parents[1] / "tui" / "demo"
ZONES = DEMO / "zones"
DOC_NETS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "127.0.0.0/8")
]


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    with ZoneServer(zone_dir=ZONES) as srv:
        yield srv


def _sample(name: str) -> Sample:
    return load_path(DEMO / f"{name}.eml")


@pytest.mark.parametrize("name", ["blocked", "delivered"])
def test_sample_parses_without_problems(name: str) -> None:
    s = _sample(name)
    assert s.problems == ()
    assert s.from_[0].addr == "invoices@fabrikam.example"
    assert s.to[0].domain == "northwind.example"
    assert s.message_id and s.subject and s.subject.startswith("Invoice INV-")
    assert s.date is not None and (s.date.year, s.date.month, s.date.day) == (2026, 11, 23)
    assert s.envelope_to == ("ap@northwind.example",)
    assert [p.filename for p in s.parts if p.disposition == "attachment"] == [
        f"{s.subject.split()[1]}.pdf"
    ]
    for r in parse_auth_results(s):
        assert r.problems == ()
    for hop in parse_hops(s):
        assert hop.problems == ()
        assert hop.date is not None


def test_blocked_story() -> None:
    s = _sample("blocked")
    assert s.envelope_from == "bounce@billingcloud.example"
    assert summary(parse_auth_results(s)) == {"spf": "pass", "dkim": "pass", "dmarc": "fail"}
    hops = parse_hops(s)
    assert len(hops) == 3
    gateway_hop = next(h for h in hops if (h.by_host or "").endswith("pphosted.com"))
    assert gateway_hop.from_ip == "203.0.113.45"
    assert not any("outlook.com" in (h.by_host or "") for h in hops)


def test_delivered_story() -> None:
    s = _sample("delivered")
    assert s.envelope_from == "invoices@fabrikam.example"
    res = parse_auth_results(s)
    pp = [r for r in res if r.authserv_id == "mx0a-00123401.pphosted.com"]
    assert [(m.method, m.result) for m in pp[0].methods] == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
    ]
    ms = [r for r in res if r.header == "Authentication-Results" and not r.authserv_id]
    assert ms[0].method("spf").result == "fail"  # type: ignore[union-attr]
    assert ms[0].method("compauth").result == "pass"  # type: ignore[union-attr]
    hops = parse_hops(s)
    assert 7 <= len(hops) <= 9
    assert (
        connecting_ip(parse_auth_results(s), hops, microsoft_cip(find_verdicts(s))) == "192.0.2.18"
    )  # what Exchange Online saw: Proofpoint


@pytest.mark.parametrize("name", ["blocked", "delivered"])
def test_only_reserved_addresses(name: str) -> None:
    s = _sample(name)
    text = (DEMO / f"{name}.eml").read_text()
    ips = [h.from_ip for h in parse_hops(s) if h.from_ip]
    ips += re.findall(r"(?:client-ip=|CIP:|sender IP is |\[|\()([0-9a-fA-F:.%]+)[;)\]]", text)
    ips = [ip.split("%")[0] for ip in ips if "." in ip or ":" in ip]
    assert len(ips) >= 3
    for ip in ips:
        assert any(ipaddress.ip_address(ip) in net for net in DOC_NETS), ip
    addrs = [a.addr for a in (*s.from_, *s.to)] + [*s.envelope_to, s.return_path or ""]
    addrs += re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", s.first("Reply-To") or "")
    for addr in addrs:
        assert addr.endswith(".example"), addr


@pytest.mark.parametrize("name", ["blocked", "delivered"])
async def test_every_planned_live_check_resolves(server: ZoneServer, name: str) -> None:
    resolver = Resolver(["127.0.0.1"], port=server.port, timeout=2.0, deadline=10.0)
    specs = plan(_sample(name))
    assert {s.kind for s in specs} >= {"spf", "dmarc", "dkim", "mx"}
    for spec in specs:
        result = await run(spec, resolver)
        assert result.status == "found", (spec, result.summary)


def _dnsfunc(server: ZoneServer):  # type: ignore[no-untyped-def]
    def get_txt(name: bytes, timeout: float = 5) -> bytes | None:
        query = dns.message.make_query(name.decode(), dns.rdatatype.TXT)
        response = dns.query.tcp(query, "127.0.0.1", port=server.port, timeout=timeout)
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(next(iter(rrset)).strings)
        return None

    return get_txt


@pytest.mark.parametrize("name", ["blocked", "delivered"])
def test_dkim_signature_verifies(server: ZoneServer, name: str) -> None:
    raw = (DEMO / f"{name}.eml").read_bytes()
    assert dkim.verify(raw, dnsfunc=_dnsfunc(server))
    assert dkim.verify(raw.replace(b"\n", b"\r\n"), dnsfunc=_dnsfunc(server))


def test_dkim_fails_when_body_is_altered(server: ZoneServer) -> None:
    raw = (DEMO / "delivered.eml").read_bytes().replace(b"USD 4,812.50", b"USD 9,812.50")
    assert not dkim.verify(raw, dnsfunc=_dnsfunc(server))


def test_zones_have_soa_ns_and_no_private_key() -> None:
    files = sorted(ZONES.glob("*.zone"))
    assert {f.stem for f in files} == {
        "fabrikam.example",
        "billingcloud.example",
        "northwind.example",
        "spf.protection.outlook.com",
        "pphosted.com",
        "outbound.protection.outlook.com",
        "113.0.203.in-addr.arpa",
        "100.51.198.in-addr.arpa",
    }
    for f in files:
        text = f.read_text()
        assert " SOA" in text and " NS" in text
    for f in DEMO.rglob("*"):
        if f.is_file():
            assert b"PRIVATE KEY" not in f.read_bytes()


def test_zone_records_tell_the_story(server: ZoneServer) -> None:
    def txt(name: str) -> list[str]:
        q = dns.message.make_query(name, dns.rdatatype.TXT)
        r = dns.query.tcp(q, "127.0.0.1", port=server.port, timeout=2)
        return [b"".join(rd.strings).decode() for rrset in r.answer for rd in rrset]

    assert "v=spf1 include:spf.protection.outlook.com -all" in txt("fabrikam.example")
    assert any("p=quarantine" in t for t in txt("_dmarc.fabrikam.example"))
    assert any("p=none" in t for t in txt("_dmarc.billingcloud.example"))
    assert any("p=reject" in t for t in txt("_dmarc.northwind.example"))
    assert "v=spf1 ip4:203.0.113.0/24 -all" in txt("billingcloud.example")
    assert any("198.51.100.0/25" in t for t in txt("spf.protection.outlook.com"))
    assert txt("selector2._domainkey.fabrikam.example")[0].startswith("v=DKIM1; k=rsa; p=MIIB")
