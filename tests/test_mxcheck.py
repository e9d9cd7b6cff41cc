"""MX versus Received gateway, against a real ZoneServer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer
from mailtriage.checks.live.mx import compare, mx_vs_gateway, vendor_of

SOA = "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
ZONES = {
    "contoso.example": SOA
    + (
        "@ IN MX 20 mxb-00123.gslb.pphosted.com.\n"
        "@ IN MX 10 mxa-00123.gslb.pphosted.com.\n"
        "m365 IN MX 0 m365-contoso-example.mail.protection.outlook.com.\n"
        "own IN MX 10 mx1.contoso.example.\nmx1 IN A 192.0.2.25\n"
        "nomail IN MX 0 .\n"
        "twonull IN MX 0 .\ntwonull IN MX 10 .\n"
        "mixed IN MX 0 .\nmixed IN MX 10 mx1.contoso.example.\n"
        "bare IN A 192.0.2.26\n"
    ),
    "broken.example": SOA,
}


@pytest.fixture(scope="module")
def server() -> Iterator[ZoneServer]:
    with ZoneServer(zones=ZONES, servfail=lambda n, t: n.endswith("broken.example")) as srv:
        yield srv


@pytest.fixture
def res(server: ZoneServer) -> Resolver:
    return Resolver(["127.0.0.1"], port=server.port, timeout=1.0, deadline=5.0)


async def test_same_host(res: Resolver) -> None:
    got = await mx_vs_gateway("Contoso.Example.", ["MXA-00123.gslb.pphosted.com."], res)
    assert [h for _, h in got.mx_hosts] == [
        "mxa-00123.gslb.pphosted.com", "mxb-00123.gslb.pphosted.com"
    ]  # fmt: skip
    assert [p for p, _ in got.mx_hosts] == [10, 20]
    assert got.matched is True and got.matches[0].how == "same host"


async def test_same_vendor(res: Resolver) -> None:
    got = await mx_vs_gateway("contoso.example", ["mx0a-00123.pphosted.com"], res)
    assert got.matched and got.matches[0].how == "same vendor (Proofpoint)"
    eop = "BN8NAM11FT045.mail.protection.outlook.com"
    got = await mx_vs_gateway("m365.contoso.example", [eop], res)
    assert got.matched and "Microsoft" in got.matches[0].how


async def test_gateway_bypassed(res: Resolver) -> None:
    got = await mx_vs_gateway("contoso.example", ["us-smtp-1.mimecast.com"], res)
    assert got.matched is False and "MX bypassed or changed" in got.summary


async def test_same_domain(res: Resolver) -> None:
    got = await mx_vs_gateway("own.contoso.example", ["mx2.contoso.example"], res)
    assert got.matched and got.matches[0].how == "same domain"


async def test_no_gateways_lists_mx_only(res: Resolver) -> None:
    got = await mx_vs_gateway("own.contoso.example", [], res)
    assert got.matched is None and got.summary == "MX of own.contoso.example: mx1.contoso.example"


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("nomail.contoso.example", "null-mx"),
        ("bare.contoso.example", "no-mx"),
        ("ghost.contoso.example", "no-domain"),
        ("broken.example", "error"),
    ],
)
async def test_statuses(res: Resolver, domain: str, status: str) -> None:
    got = await mx_vs_gateway(domain, ["mx.google.com"], res)
    assert got.status == status and got.matched is None


def test_vendors() -> None:
    assert compare("mx.google.com", ["aspmx.l.google.com"]).how == "same vendor (Google)"
    assert vendor_of("eu-smtp-inbound-1.mimecast.com.") == "Mimecast"
    assert vendor_of("mail.example.com") is None
    assert compare("mx.other.example", ["mx.contoso.example"]).mx is None


@pytest.mark.parametrize(
    ("domain", "null"),
    [
        ("nomail.contoso.example", True),
        ("twonull.contoso.example", True),
        ("mixed.contoso.example", False),
        ("own.contoso.example", False),
    ],
)
async def test_one_mx_reader_and_one_null_mx_rule(res: Resolver, domain: str, null: bool) -> None:
    """MX records are read by one parser (checks/dns/model.py parse_mx, is_null_mx).

    Before, the MX-versus-gateway check called two root records (``0 .`` and ``10 .``)
    a null MX while the live MX row listed them as two hosts with empty names. RFC 7505
    ("A "Null MX" No Service Resource Record for Domains That Accept No Mail",
    https://www.rfc-editor.org/rfc/rfc7505) section 3: the null MX's exchange is the
    root; with only root records there is no host to deliver to.
    """
    from mailtriage.checks.live.model import LiveSpec
    from mailtriage.checks.live.records import run_mx as run

    check = await mx_vs_gateway(domain, [], res)
    row = await run(LiveSpec("mx", domain), res)
    assert (check.status == "null-mx") is null
    assert ("null MX" in row.summary) is null  # before: False for twonull
    assert bool(row.warnings) is null


def test_parse_mx() -> None:
    from mailtriage.checks.dns.model import MxRecord, parse_mx, parse_mx_records

    assert parse_mx("10 MX1.Example.COM.") == MxRecord(10, "mx1.example.com")
    assert parse_mx("0 .") == MxRecord(0, ".") and parse_mx("0 .").is_root
    assert parse_mx("x") == MxRecord(65535, ".") and parse_mx("") == MxRecord(65535, ".")
    assert [r.host for r in parse_mx_records(["20 b.", "10 c.", "10 a."])] == ["a", "c", "b"]
