"""The vendor table (checks.vendors): one place for vendors' hosts and products.

The table replaced six lists that disagreed (route/gateways.py, route/systems.py,
route/timeline.py + timewords.py, live/mx.py, bounce/gateways.py). The tests
below pin the table's shape, the fixes where the old lists disagreed (each
naming the public document the host name comes from), that no other engine
module spells a vendor host, and that a gateway row is all a new gateway needs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from mailtriage.checks.bounce.dialects import dialect
from mailtriage.checks.bounce.gateways import PP_NOTE
from mailtriage.checks.bounce.microsoft import CODES, CONTEXT, DELIST
from mailtriage.checks.bounce.vendors import matches
from mailtriage.checks.live.mx import compare, vendor_of
from mailtriage.checks.route.gateways import find_gateway, gateway_at, gateway_product
from mailtriage.checks.route.hops import Hop, parse_received
from mailtriage.checks.route.systems import classify
from mailtriage.checks.route.timeline import build_timeline
from mailtriage.checks.vendors import (
    VENDORS,
    by_key,
    by_name,
    fact,
    gateway_vendor,
    host_vendor,
    sandbox_name,
    text_pattern,
    with_role,
)

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "checks"
DATE = "; Mon, 1 Jan 2024 10:00:00 +0000"
FROM = "from mail.sender.example (mail.sender.example [203.0.113.9]) "


# --- the table itself -------------------------------------------------------------------


def test_rows_are_unique_and_suffixes_are_plain_lower_case_names() -> None:
    assert len({v.key for v in VENDORS}) == len(VENDORS)
    assert len({v.name for v in VENDORS}) == len(VENDORS)
    suffixes = [s for v in VENDORS for s in v.all_hosts]
    assert len(set(suffixes)) == len(suffixes), "a host suffix belongs to one product"
    for s in suffixes:
        assert re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", s), s
    for v in VENDORS:
        assert all(m == m.lower() for m in v.bounce_marks), v.key
        assert v.role != "gateway" or v.gateway_hosts, f"{v.key}: a gateway needs its MX hosts"


def test_lookups() -> None:
    assert by_key("proofpoint").name == "Proofpoint"
    assert by_name("Proofpoint Essentials") is by_key("proofpoint-essentials")
    assert by_name("Postfix") is by_key("postfix") and by_name("Nope") is None
    assert by_name(None) is None
    with pytest.raises(KeyError):
        by_key("nope")
    assert gateway_vendor("MX1-US1.PPE-HOSTED.COM.") is by_key("proofpoint-essentials")
    assert gateway_vendor("pphosted.com.example") is None and gateway_vendor("com") is None
    # Longest suffix wins: EOP's gateway host is inside Exchange Online's outlook.com.
    assert host_vendor("x.mail.protection.outlook.com") is by_key("microsoft-eop")
    assert host_vendor("x.prod.outlook.com") is by_key("exchange-online")
    assert host_vendor("email-smtp.eu-west-1.amazonaws.com") is by_key("amazon-ses")
    assert host_vendor("mail.example.com") is None
    # exact-case "PPS" left out; ppops.net since the host table learnt it (below)
    assert text_pattern("proofpoint") == r"pphosted\.com|ppops\.net|proofpoint"
    assert sandbox_name("Mimecast") == "Mimecast Attachment Protect"
    assert sandbox_name("Forcepoint") == "Forcepoint's attachment sandbox"


def test_third_party_gateways_are_the_gateway_rows() -> None:
    """The third-party filtering services (the two-copy decision's "gateway passed")."""
    old = {
        "Proofpoint",
        "Proofpoint Essentials",
        "Mimecast",
        "Cisco Secure Email",
        "Barracuda",
        "Sophos",
        "Trend Micro",
        "Symantec",
        "Forcepoint",
    }
    assert old == {v.name for v in with_role("gateway")}


# --- where the old lists disagreed: the union wins ---------------------------------------


def test_forcepoint_mx_is_the_same_vendor() -> None:
    """Forcepoint was only in the gateway table; the MX check did not know it.

    Host names: Forcepoint Email Security Cloud, "DNS records and service IP
    addresses" (customer MX record DNS entries, and out.mailcontrol.com, all under
    mailcontrol.com); in.mailcontrol.com is the inbound name MX survey tools match.
    """
    assert vendor_of("in.mailcontrol.com") == "Forcepoint"  # before: None
    # before: "same domain" (only the registrable domain matched)
    assert compare("in.mailcontrol.com", ["out.mailcontrol.com"]).how == "same vendor (Forcepoint)"
    assert gateway_product("in.mailcontrol.com") == "Forcepoint"  # unchanged


def test_trend_micro_japan_region_in_the_mx_check() -> None:
    """tmes.trendmicro.co.jp was in the gateway table only; the MX check knew .com and .eu.

    Host names: Trend Micro Email Security, MX records per service region
    (in.tmes.trendmicro.com, in.tmes.trendmicro.eu, in.tmes.trendmicro.co.jp...).
    """
    assert vendor_of("in.tmes.trendmicro.co.jp") == "Trend Micro"  # before: None
    got = compare("in.tmes.trendmicro.co.jp", ["tmes.trendmicro.co.jp"])
    assert got.how == "same vendor (Trend Micro)"  # before: "same domain"


def test_microsoft_hosts_are_one_vendor_in_the_mx_check() -> None:
    """The MX check knew outlook.com and protection.outlook.com; the hop naming also knew
    office365.com, exchangelabs.com (Exchange Online) and hotmail.com (Outlook.com).

    Host names: Microsoft, "Microsoft 365 URLs and IP address ranges" (Exchange
    Online: outlook.office365.com, *.protection.outlook.com) and "Mail flow best
    practices for Exchange Online, Microsoft 365, and Office 365" (MX
    <domain>.mail.protection.outlook.com); *.prod.exchangelabs.com and hotmail.com
    were already in route/systems.py.
    """
    for host in ("outlook.office365.com", "exchangelabs.com", "hotmail.com"):
        assert vendor_of(host) == "Microsoft 365", host  # before: None
    assert vendor_of("contoso-com.mail.protection.outlook.com") == "Microsoft 365"  # unchanged


def test_sophos_barracuda_google_domains_in_the_mx_check() -> None:
    """The hop naming knew sophos.com, barracuda.com and gmail.com; the MX check did not.

    Host names: already in route/systems.py; the vendors' own domains (Sophos
    Email MX records under prod.hydra.sophos.com; Barracuda Email Security
    Service under barracudanetworks.com; Gmail's gmail.com).
    """
    assert vendor_of("sophos.com") == "Sophos"  # before: None (only hydra.sophos.com)
    assert vendor_of("barracuda.com") == "Barracuda"  # before: None
    assert vendor_of("gmail.com") == "Google"  # before: None


def test_exchange_bounce_dialect_knows_eop_hosts() -> None:
    """The Microsoft bounce context knew "protection.outlook"; the dialect markers did not.

    Host names: Microsoft, "Microsoft 365 URLs and IP address ranges" (*.protection.outlook.com).
    """
    text = "remote server: bn8nam12ft041.mail.protection.outlook"
    assert CONTEXT.search(text)
    assert dialect(text) == "Exchange/Office 365 NDR"  # before: None


def test_ppops_net_is_a_proofpoint_host_everywhere() -> None:
    """ppops.net was only a Proofpoint bounce marker; the host table did not know it.

    Host names: Proofpoint on Demand's own Received lines, "from pps.filterd
    (m<id>.ppops.net [127.0.0.1]) by mx0a-<id>.pphosted.com" (tui/demo/*.eml).
    """
    assert host_vendor("m0123401.ppops.net") is by_key("proofpoint")  # before: None
    assert vendor_of("m0123401.ppops.net") == "Proofpoint"  # before: None
    # before: "no match" (pphosted.com and ppops.net were unrelated)
    assert compare("mx0a-001.pphosted.com", ["m0001.ppops.net"]).how == "same vendor (Proofpoint)"
    hop = parse_received(f"from pps.filterd (m0001.ppops.net [127.0.0.1]) by m0001.ppops.net "
                         f"(8.18.1.2/8.18.1.2) with ESMTP id 1{DATE}")  # fmt: skip
    assert classify(hop) == ("Proofpoint", False)  # before: ("Sendmail", False)
    assert gateway_product("m0001.ppops.net") is None  # not an inbound gateway (MX) host
    text = "550 5.7.1 rejected by m0123401.ppops.net"
    assert dialect(text) == "Proofpoint"  # unchanged
    found = matches(text, "m0123401.ppops.net", None)
    assert [r.vendor for r in found] == ["Proofpoint"]  # before: [] (only the dialect knew it)


def test_docomo_hosts_are_one_vendor_in_route_and_mx() -> None:
    """docomo.ne.jp was only in the NTT docomo bounce rule; hop naming and the MX check did
    not know it.

    Host names: NTT docomo mail, addresses and mail servers under docomo.ne.jp (MX
    mfsmax.docomo.ne.jp, the Remote-MTA of sisimai's rhost-nttdocomo-03.eml).
    """
    hop = parse_received(f"{FROM}by mfsmax.docomo.ne.jp with ESMTP id 1{DATE}")
    assert classify(hop) == ("NTT docomo", False)  # before: (None, False)
    assert vendor_of("mfsmax.docomo.ne.jp") == "NTT docomo"  # before: None
    # before: "same domain"
    assert compare("mfsmax.docomo.ne.jp", ["mfsmin.docomo.ne.jp"]).how == "same vendor (NTT docomo)"
    rule = matches("550 Unknown user", "mfsmax.docomo.ne.jp", None)
    assert [r.vendor for r in rule] == ["NTT docomo"]  # unchanged


def test_named_facts_come_from_the_rows() -> None:
    """Hosts and web addresses that readers used to spell, read from the rows now; the
    readers behave as before."""
    assert fact("exchange-online", "domain") == "outlook.com"
    assert fact("google", "domain") == "google.com"
    assert fact("google-groups", "domain") == "googlegroups.com"
    assert fact("proofpoint", "reputation_site") == "ipcheck.proofpoint.com"
    assert fact("microsoft-eop", "reputation_site") == "sender.office.com"
    assert fact("google", "help_site") == "support.google.com/mail"
    assert fact("exchange-online", "submission_host") == "smtp.office365.com"
    with pytest.raises(ValueError):
        fact("mimecast", "domain")  # an empty fact would match every text
    assert "ipcheck.proofpoint.com" in PP_NOTE and "(sender.office.com)" in DELIST
    assert "through smtp.office365.com must use port 587" in CODES["5.7.57"][1]
    assert [r.vendor for r in matches("see https://ipcheck.proofpoint.com/?ip=1", None, None)] == [
        "Proofpoint"
    ]
    gmail = "550-5.1.1 see https://support.google.com/mail/?p=NoSuchUser x - gsmtp"
    assert "Gmail" in [r.vendor for r in matches(gmail, None, None)]
    assert [r.vendor for r in matches("550 refused", None, "googlegroups.com")] == ["Google Groups"]
    assert matches("550 refused", None, "googlegroups.com.example") == ()


# --- one place for vendor hosts -----------------------------------------------------------

# Host literals outside the table that are not vendor knowledge, with the reason. Empty:
# findings.py's authserv-id test, the notes naming smtp.office365.com, sender.office.com
# and ipcheck.proofpoint.com, and the Gmail, Google Groups and NTT docomo bounce rules
# all read the table now.
ALLOWED: set[tuple[str, str]] = set()
# Vendor host labels that never mean anything but a host.
HOST_WORDS = (
    "pphosted",
    "ppe-hosted",
    "ppops",
    "iphmx",
    "trendmicro",
    "forcepoint",
    "mailcontrol",
    "messagelabs",
    "exchangelabs",
    "barracudanetworks",
)


def _table_hosts() -> set[str]:
    """Every host, domain and web address the table spells (host-shaped bounce marks too)."""
    named = {
        s
        for v in VENDORS
        for s in (v.domain, v.reputation_site, v.help_site, v.submission_host)
        if s
    }
    marks = {m for v in VENDORS for m in v.bounce_marks if re.fullmatch(r"[a-z0-9@.-]+\.[a-z]+", m)}
    return {s for v in VENDORS for s in v.all_hosts} | named | marks


TABLE_HOSTS = _table_hosts()


def _literals(path: Path) -> list[str]:
    """String constants of a module, docstrings and other bare string statements left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in bare
    ]


def _offences(rel: str, literal: str) -> set[str]:
    text = literal.lower().replace("\\", "")  # regex escapes: r"pphosted\.com"
    if rel.startswith("verdicts/") and text.startswith("x-"):
        return set()  # a vendor's header name, e.g. "x-trendmicro-"
    found = {
        s for s in TABLE_HOSTS if re.search(rf"(?<![a-z0-9-]){re.escape(s)}(?![a-z0-9-])", text)
    }
    found |= {w for w in HOST_WORDS if w in text}
    return {s for s in found if (rel, s) not in ALLOWED}


def test_only_the_vendor_table_spells_vendor_hosts() -> None:
    offences = []
    for path in sorted(CHECKS.rglob("*.py")):
        rel = path.relative_to(CHECKS).as_posix()
        if rel == "vendors.py":
            continue
        for literal in _literals(path):
            offences.extend(f"{rel}: {s!r} in {literal[:60]!r}" for s in _offences(rel, literal))
    assert offences == []


def test_the_scan_would_see_a_second_table() -> None:
    assert _offences("route/gateways.py", r"pphosted\.com|proofpoint") >= {"pphosted.com"}
    assert _offences("live/mx.py", "eu-smtp-inbound-1.mimecast.com") == {"mimecast.com"}
    assert _offences("route/timeline.py", "tmes-sg.trendmicro.com") >= {"trendmicro"}
    assert _offences("verdicts/trendmicro.py", "x-trendmicro-") == set()
    assert _offences("findings.py", "outlook.com") == {"outlook.com"}  # before: allowed
    assert _offences("bounce/microsoft.py", "through smtp.office365.com") >= {"office365.com"}
    assert _offences("bounce/vendors.py", r"gsmtp|support\.google\.com/mail") >= {
        "support.google.com/mail"
    }
    assert _offences("bounce/vendors.py", r"^googlegroups\.com$") == {"googlegroups.com"}
    assert _offences("bounce/vendors.py", r"docomo\.ne\.jp") == {"docomo.ne.jp"}
    assert _offences("bounce/gateways.py", "see ipcheck.proofpoint.com") == {
        "ipcheck.proofpoint.com"
    }
    assert _offences("bounce/detect.py", "m0001.ppops.net") >= {"ppops.net"}
    assert _offences("bounce/microsoft.py", "portal (sender.office.com)") == {"sender.office.com"}
    assert _offences("route/hops.py", "mail.example.com") == set()


def test_vendor_table_imports_only_the_standard_library() -> None:
    tree = ast.parse((CHECKS / "vendors.py").read_text(encoding="utf-8"))
    imported = {
        (n.module or "") if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert imported <= {"__future__", "ipaddress", "re", "dataclasses", "typing"}


def _module_graph() -> dict[str, set[str]]:
    """Engine module -> engine modules it imports anywhere (deferred and type-only too)."""
    mods: dict[str, Path] = {}
    for path in CHECKS.rglob("*.py"):
        parts = path.relative_to(CHECKS).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        mods[".".join(("mailtriage.checks", *parts))] = path
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                deps |= {n.module} & mods.keys()
                deps |= {f"{n.module}.{a.name}" for a in n.names} & mods.keys()
            elif isinstance(n, ast.Import):
                deps |= {a.name for a in n.names} & mods.keys()
        graph[name] = deps
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m not in seen:
            seen.add(m)
            todo.extend(graph[m])
    return False


def test_no_import_cycle_through_the_route_modules_or_the_table() -> None:
    """timewords.py is folded into timeline.py: the two imported each other."""
    graph = _module_graph()
    assert "mailtriage.checks.route.timewords" not in graph
    mine = [m for m in graph if m.startswith("mailtriage.checks.route.")]
    mine += ["mailtriage.checks.vendors", "mailtriage.checks.live.mx"]
    mine += [f"mailtriage.checks.bounce.{m}" for m in ("gateways", "dialects", "microsoft")]
    assert [m for m in mine if _reaches(graph, m, m)] == []


# --- adding a gateway vendor touches one row -------------------------------------------------


def _hop(by: str, minute: int, index: int) -> Hop:
    return parse_received(
        f"{FROM}by {by} with ESMTPS id {index}; Mon, 1 Jan 2024 10:{minute:02d}:00 +0000", index
    )


@pytest.mark.parametrize(
    ("vendor", "host"),
    [(v, h) for v in VENDORS for h in v.gateway_hosts],
    ids=lambda x: getattr(x, "key", x),
)
def test_every_gateway_row_reaches_every_consumer(vendor, host) -> None:  # type: ignore[no-untyped-def]
    """A row's gateway host is enough for the gateway lookup, the hop system, the
    timeline split and sandbox wording, and the MX comparison: nothing else to edit."""
    gw = f"mx1.{host}"
    hops = (_hop("mail.sender.example", 0, 0), _hop(gw, 1, 1), _hop("mbx.corp.example", 9, 2))
    assert gateway_product(gw) == vendor.name
    assert find_gateway(hops) == (vendor.name, gw)
    assert classify(hops[1]) == (vendor.name, True)
    tl = build_timeline(hops, has_attachments=True)
    assert (tl.gateway, tl.gateway_index, tl.stage, tl.sandbox) == (vendor.name, 1, "inside", True)
    assert sandbox_name(vendor.name) in tl.verdict
    assert vendor_of(gw) == vendor.company
    assert compare(gw, [f"mx2.{host}"]).how == f"same vendor ({vendor.company})"
    third = gateway_at(hops, third_party=True)
    assert third == ((1, vendor) if vendor.role == "gateway" else None)


@pytest.mark.parametrize(
    ("vendor", "word"),
    [(v, w) for v in VENDORS for w in v.words],
    ids=lambda x: getattr(x, "key", x),
)
def test_every_comment_word_names_its_row(vendor, word) -> None:  # type: ignore[no-untyped-def]
    hop = parse_received(f"{FROM}by gw.corp.example ({word}) with ESMTP id 1{DATE}")
    assert classify(hop) == (vendor.name, False)


def test_a_comment_word_alone_makes_no_gateway() -> None:
    """One gateway rule (route/gateways.py hop_gateway): only the receiving host decides.

    Before, the timeline counted a hop whose comment named a gateway vendor
    (``(PPS)``, ``IronPort``) as the gateway, while the gateway lookup (findings, diff,
    MX check) did not: the same sample had a gateway in one pane and none in another.
    Now the comment still names the hop's system, and no place calls it the gateway.
    """
    for v in with_role("gateway"):
        for word in v.words:
            hops = (
                _hop("mail.sender.example", 0, 0),
                parse_received(f"{FROM}by gw.corp.example ({word}) with ESMTP id 1{DATE}", 1),
            )
            assert classify(hops[1]) == (v.name, False), word
            assert build_timeline(hops).gateway is None, word  # before: v.name
            assert find_gateway(hops) is None and gateway_at(hops, third_party=True) is None
