"""SPF benchmark: check_host() over a slow authoritative server, beside pyspf and checkdmarc.

Two zones are served by one local ZoneServer that delays every answer by 50 ms:

* ``typical``: a business domain on Microsoft 365, Google Workspace and two
  ESPs (9 DNS-costing terms, include depth 3);
* ``at-limit``: exactly 10 DNS-costing terms (among them an ``mx`` and two void
  lookups, one ``a`` and one macro ``exists``), include depth 4.

The client address matches nothing, so every tree is evaluated to its ``-all``.
The critical path of a zone is computed from its records (see
:func:`critical_path`): the longest chain of lookups where each one needs the
previous answer. Reported per tool: median wall time and its ratio to
(critical path x 50 ms). pyspf and checkdmarc resolve one query at a time
through dnspython pointed at the same server; each is skipped with a note when
it is not importable.

Run: ``.venv/bin/python tests/benchmarks/spf_bench.py [--rounds N]`` (the ``bench``
extra installs pyspf and checkdmarc).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from mailtriage.checks.auth.spf.addr import client_ip, shorten
from mailtriage.checks.auth.spf.evaluate import Evaluator
from mailtriage.checks.auth.spf.macro import MacroContext, expand
from mailtriage.checks.auth.spf.record import parse_record
from mailtriage.checks.dns.resolver import Resolver
from mailtriage.checks.dns.zoneserver import ZoneServer

DELAY = 0.05
CLIENT = "203.0.113.77"
HELO = "mx.sender.example"
SOA = "@ IN SOA ns hostmaster 1 3600 600 86400 60"

#: zone label -> (domain, {name: SPF record}). Shapes modelled on real providers.
SCENARIOS: dict[str, tuple[str, dict[str, str]]] = {}
_SHARED = {
    "spf.protection.outlook.com": "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14"
    " ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 -all",
    "_spf.google.com": "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com"
    " include:_netblocks3.google.com ~all",
    "_netblocks.google.com": "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19"
    " ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ~all",
    "_netblocks2.google.com": "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36"
    " ip6:2607:f8b0:4000::/36 ~all",
    "_netblocks3.google.com": "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20"
    " ip4:108.177.96.0/19 ~all",
    "sendgrid.net": "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ~all",
}
SCENARIOS["typical"] = ("contoso.example", {
    "contoso.example": "v=spf1 include:spf.protection.outlook.com include:_spf.google.com"
    " include:sendgrid.net include:mailgun.org -all",
    **_SHARED,
    "mailgun.org": "v=spf1 include:_spf.mailgun.org ~all",
    "_spf.mailgun.org": "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22"
    " include:_spf.eu.mailgun.org ~all",
    "_spf.eu.mailgun.org": "v=spf1 ip4:185.250.236.0/22 ip4:141.193.32.0/23 ~all",
})  # fmt: skip
#: 10 terms: mx, a (void: NXDOMAIN), 3 includes of 1, the 4-deep helpdesk chain, exists (void).
SCENARIOS["at-limit"] = ("fabrikam.example", {
    "fabrikam.example": "v=spf1 mx a:relay-old.fabrikam.example"
    " include:spf.protection.outlook.com include:sendgrid.net include:_spf.salesforce.com"
    " include:mail.ticketdesk.example exists:%{i}._allow.fabrikam.example -all",
    **_SHARED,
    "_spf.salesforce.com": "v=spf1 ip4:13.108.0.0/14 ip4:136.146.0.0/15 ip4:161.71.0.0/17 ~all",
    "mail.ticketdesk.example": "v=spf1 include:_spf.ticketdesk.example ~all",
    "_spf.ticketdesk.example": "v=spf1 ip4:192.161.144.0/20 include:_eu.ticketdesk.example ~all",
    "_eu.ticketdesk.example": "v=spf1 ip4:185.12.80.0/22 include:_relay.ticketdesk.example ~all",
    "_relay.ticketdesk.example": "v=spf1 ip4:188.172.128.0/20 ip6:2a05:d018::/36 ~all",
})  # fmt: skip
#: The issue's shape: the typical domain's includes, then ``mx`` (two MX hosts whose
#: addresses must be fetched), then the ip4 term that matches the client, last.
SCENARIOS["mx-late"] = ("woodgrove.example", {
    "woodgrove.example": "v=spf1 include:spf.protection.outlook.com include:_spf.google.com"
    " include:sendgrid.net include:mailgun.org mx ip4:203.0.113.0/24 -all",
    **_SHARED,
    "mailgun.org": SCENARIOS["typical"][1]["mailgun.org"],
    "_spf.mailgun.org": SCENARIOS["typical"][1]["_spf.mailgun.org"],
    "_spf.eu.mailgun.org": SCENARIOS["typical"][1]["_spf.eu.mailgun.org"],
})  # fmt: skip
#: ``a`` (implicit and explicit) after the includes, matching ip4 last.
SCENARIOS["a-late"] = ("tailspin.example", {
    "tailspin.example": "v=spf1 include:spf.protection.outlook.com include:_spf.google.com"
    " include:mailgun.org a a:relay.tailspin.example ip4:203.0.113.0/24 -all",
    **_SHARED,
    "mailgun.org": SCENARIOS["typical"][1]["mailgun.org"],
    "_spf.mailgun.org": SCENARIOS["typical"][1]["_spf.mailgun.org"],
    "_spf.eu.mailgun.org": SCENARIOS["typical"][1]["_spf.eu.mailgun.org"],
})  # fmt: skip
#: ``exists`` with macros, in the top record and in an included one (where %{d} is
#: the included domain); the last exists matches (a per-IP allow list).
SCENARIOS["exists"] = ("adatum.example", {
    "adatum.example": "v=spf1 include:_spf.google.com include:_spf.adatum.example"
    " exists:%{i}._allow.%{d} -all",
    **_SHARED,
    "_spf.adatum.example": "v=spf1 exists:%{ir}.%{v}._spf.%{d} include:_relay.%{d2} ~all",
    "_relay.adatum.example": "v=spf1 ip4:198.51.100.0/26 exists:%{i}._hosts.%{o} ~all",
})  # fmt: skip
#: A chain of redirects, each record adding one more dependent step; mx at the end.
SCENARIOS["redirect-chain"] = ("litware.example", {
    "litware.example": "v=spf1 ip4:198.51.100.0/28 redirect=_spf1.litware.example",
    **_SHARED,
    "_spf1.litware.example": "v=spf1 include:_spf.google.com redirect=_spf2.litware.example",
    "_spf2.litware.example": "v=spf1 a:out.litware.example redirect=_spf3.litware.example",
    "_spf3.litware.example": "v=spf1 mx ip4:203.0.113.0/24 -all",
})  # fmt: skip
#: Every target a macro: %{d} and %{d2} includes, %{l} and %{o} hosts, %{ir}.%{v} exists.
SCENARIOS["macro-targets"] = ("proseware.example", {
    "proseware.example": "v=spf1 include:_spf.%{d} a:%{l}.senders.%{d} mx:%{o}"
    " exists:%{ir}.%{v}._spf.%{d} include:_esp.%{d} ip4:203.0.113.0/24 -all",
    "_spf.proseware.example": "v=spf1 include:_out.%{d2} ip4:198.51.100.64/26 ~all",
    "_out.proseware.example": "v=spf1 a:%{h} ip4:198.51.100.128/26 ~all",
    "_esp.proseware.example": "v=spf1 include:sendgrid.net redirect=_esp2.%{d2}",
    "_esp2.proseware.example": "v=spf1 mx:mail.%{d2} ~all",
    "sendgrid.net": _SHARED["sendgrid.net"],
})  # fmt: skip
#: Non-TXT records: owner -> [(type, rdata)].
EXTRA = {
    "fabrikam.example": [("MX", "0 fabrikam-example.mail.protection.outlook.com.")],
    "fabrikam-example.mail.protection.outlook.com": [("A", "52.101.68.10"), ("A", "52.101.68.11")],
    "woodgrove.example": [("MX", "10 mx1.woodgrove.example."), ("MX", "20 mx2.woodgrove.example.")],
    "mx1.woodgrove.example": [("A", "198.51.100.21")],
    "mx2.woodgrove.example": [("A", "198.51.100.22")],
    "tailspin.example": [("A", "198.51.100.31")],
    "relay.tailspin.example": [("A", "198.51.100.32"), ("A", "198.51.100.33")],
    "203.0.113.77._allow.adatum.example": [("A", "127.0.0.2")],
    "out.litware.example": [("A", "198.51.100.41")],
    "_spf3.litware.example": [("MX", "10 mx1.litware.example."), ("MX", "20 mx2.litware.example.")],
    "mx1.litware.example": [("A", "198.51.100.42")],
    "mx2.litware.example": [("A", "198.51.100.43")],
    "billing.senders.proseware.example": [("A", "198.51.100.51")],
    "proseware.example": [("MX", "10 mx1.proseware.example."), ("MX", "20 mx2.proseware.example.")],
    "mx1.proseware.example": [("A", "198.51.100.52")],
    "mx2.proseware.example": [("A", "198.51.100.53")],
    "mx.sender.example": [("A", "198.51.100.54")],
    "mail.proseware.example": [("MX", "10 mx3.proseware.example.")],
    "mx3.proseware.example": [("A", "198.51.100.55")],
}


def _terms(record: str, domain: str) -> list[tuple[str, str]]:
    """``(kind, target)`` of each DNS-costing term, macros expanded as the evaluator does."""
    out = []
    for term in parse_record(record).terms:
        if not term.counts or (term.name == "redirect" and parse_record(record).catch_all):
            continue
        target = domain if term.arg is None else shorten(expand(term.arg, _context(domain)))
        out.append(("include" if term.name == "redirect" else term.name, target.lower()))
    return out


def _context(domain: str) -> MacroContext:
    return MacroContext(client_ip(CLIENT), f"billing@{SENDER_DOMAIN[0]}", domain, HELO)


#: The domain whose policy is being measured (``%{o}`` and ``%{s}`` come from it).
SENDER_DOMAIN = [""]


def critical_path(name: str, policies: dict[str, str]) -> int:
    """Round trips on the longest chain of dependent lookups, starting with ``name``'s TXT.

    Once a record is in, all of its terms can be queried at once, so a record
    costs 1 plus its most expensive term: an include or redirect costs the
    target's own critical path, ``mx`` and ``ptr`` cost 2 (the MX or PTR answer,
    then the addresses of its hosts), ``a`` and ``exists`` cost 1.
    """
    cost = {"a": 1, "exists": 1, "mx": 2, "ptr": 2}
    steps = [
        critical_path(t, policies) if k == "include" else cost[k]
        for k, t in _terms(policies[name], name)
    ]
    return 1 + max(steps, default=0)


def include_depth(name: str, policies: dict[str, str]) -> int:
    """How many includes (or redirects) deep the tree below ``name`` goes."""
    inner = [include_depth(t, policies) for k, t in _terms(policies[name], name) if k == "include"]
    return 1 + max(inner) if inner else 0


def zones(policies: dict[str, str]) -> dict[str, str]:
    """One zone text per registrable domain (last two labels), each with an SOA."""
    records = [(n, "TXT", _txt(text)) for n, text in policies.items()]
    records += [(n, t, d) for n, rrs in EXTRA.items() for t, d in rrs]
    out: dict[str, list[str]] = {}
    for name, rdtype, rdata in records:
        origin = ".".join(name.split(".")[-2:])
        lines = out.setdefault(origin, [f"$ORIGIN {origin}.", "$TTL 300", SOA])
        lines.append(f"{name}. IN {rdtype} {rdata}")
    return {origin: "\n".join(lines) + "\n" for origin, lines in out.items()}


def _txt(text: str) -> str:
    return " ".join(f'"{text[i : i + 250]}"' for i in range(0, len(text), 250))


#: A timed run: seconds, and what it found as (result, lookups, voids).
Run = tuple[float, tuple[str, int, int]]


#: Speculative queries the look-ahead sent in the last run of :func:`ours`.
SPECULATED = [0]


def ours(port: int, domain: str, speculate: bool) -> Run:
    """check_host()'s evaluator (the bench reads how many queries it speculated)."""

    async def go() -> Run:
        resolver = Resolver(["127.0.0.1"], port=port, timeout=2.0, deadline=10.0)
        started = time.perf_counter()
        evaluator = Evaluator(resolver, client_ip(CLIENT), f"billing@{domain}", HELO,
                              "unknown", speculate)  # fmt: skip
        result, _, _ = await evaluator.run(domain)
        SPECULATED[0] = evaluator.spec.sent
        return time.perf_counter() - started, (result, evaluator.lookups, evaluator.voids)

    return asyncio.run(go())


def _dnspython(port: int) -> Any:
    import dns.resolver

    local = dns.resolver.Resolver(configure=False)
    local.nameservers, local.port = ["127.0.0.1"], port
    local.timeout, local.lifetime = 2.0, 10.0
    return local


def pyspf_runner(port: int) -> Callable[[str], Run] | str:
    """pyspf uses dnspython's default resolver, so that is pointed at the server."""
    try:
        import dns.resolver
        import spf  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError as exc:
        return f"pyspf not importable ({exc}); skipped"
    dns.resolver.default_resolver = _dnspython(port)

    def run(domain: str) -> Run:
        started = time.perf_counter()
        query = spf.query(i=CLIENT, s=f"billing@{domain}", h=HELO)
        result = query.check()[0]
        return time.perf_counter() - started, (result, query.lookups, query.void_lookups)

    return run


def checkdmarc_runner(port: int) -> Callable[[str], Run] | str:
    """checkdmarc's check_spf() takes a dnspython ``resolver=``; its record cache is cleared."""
    try:
        from checkdmarc import utils  # type: ignore[import-not-found, import-untyped, unused-ignore]
        from checkdmarc.spf import check_spf  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        return f"checkdmarc not importable ({exc}); skipped"

    def run(domain: str) -> Run:
        utils.DNS_CACHE.clear()
        resolver = _dnspython(port)
        started = time.perf_counter()
        got = check_spf(domain, resolver=resolver, timeout=10.0)
        elapsed = time.perf_counter() - started
        verdict = "valid" if got.get("valid") else f"invalid: {got.get('error')}"
        return elapsed, (verdict, got.get("dns_lookups") or 0, got.get("void_dns_lookups") or 0)

    return run


def measure(
    server: ZoneServer, rounds: int, run: Callable[[str], Run], domain: str
) -> tuple[float, tuple[str, int, int], float]:
    """Median seconds, the first run's findings, and mean DNS queries served per run."""
    before = server.queries
    runs = [run(domain) for _ in range(rounds)]
    served = (server.queries - before) / rounds
    return statistics.median(r[0] for r in runs), runs[0][1], served


def agreement(tool: str, found: tuple[str, int, int], first: tuple[str, int, int] | None) -> str:
    """Whether a tool's findings match the first tool's (checkdmarc: lookup count only)."""
    if first is None:
        return "reference"
    if tool == "checkdmarc":
        # A linter: no client address, so no result, and macro terms are not resolved.
        same = found[0] == "valid" and found[1] == first[1]
        return "lookups agree" if same else "MISMATCH (lookup count or validity)"
    return "agrees" if found == first else "MISMATCH"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    merged: dict[str, str] = {}
    for _, policies in SCENARIOS.values():
        merged.update(policies)
    rows, notes = [], []
    with ZoneServer(zones(merged), delay=DELAY) as server:
        tools: dict[str, Callable[[str], Run] | str] = {
            "ours, look-ahead": lambda d: ours(server.port, d, True),
            "ours, one at a time": lambda d: ours(server.port, d, False),
            "pyspf": pyspf_runner(server.port),
            "checkdmarc": checkdmarc_runner(server.port),
        }
        for v in tools.values():
            if isinstance(v, str):
                print(f"SKIP: {v}")
        for label, (domain, policies) in SCENARIOS.items():
            SENDER_DOMAIN[0] = domain
            depth = critical_path(domain, policies)
            floor = depth * DELAY
            cells = [f"{label} ({domain})", f"{include_depth(domain, policies)}", f"{depth}"]
            first: tuple[str, int, int] | None = None
            for name, tool in tools.items():
                if isinstance(tool, str):
                    cells.append("n/a")
                    continue
                wall, found, served = measure(server, args.rounds, tool, domain)
                spec = f", {SPECULATED[0]} spec" if name == "ours, look-ahead" else ""
                cells.append(f"{wall * 1000:.0f} ms, {wall / floor:.2f}x, {served:.0f} q{spec}")
                verdict = agreement(name, found, first)
                notes.append(f"- {label}, {name}: result {found[0]},"
                             f" {found[1]} lookups, {found[2]} void; {verdict}")  # fmt: skip
                first = first or found
            rows.append(cells)
    head = ["zone", "include depth", "critical path (x 50 ms)", *tools]
    print(f"| {' | '.join(head)} |\n|{'---|' * len(head)}")
    for cells in rows:
        print(f"| {' | '.join(cells)} |")
    print(f"\nCells: median wall time of {args.rounds} runs, ratio to critical path x 50 ms,"
          " DNS queries served per run.\n")  # fmt: skip
    print("\n".join(notes))


if __name__ == "__main__":
    main()
