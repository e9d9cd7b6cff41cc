"""SPF benchmark: a typical business domain's policy over a slow authoritative server.

The zone models a company using Microsoft 365, Google Workspace and two ESPs
(include depth 3, 9 DNS-costing terms); every answer of the local ZoneServer is
delayed by 50 ms. The client address matches nothing, so the whole tree is
evaluated. Reported: wall time per check_host() and its ratio to the critical
path (the longest chain of lookups that depend on each other, times 50 ms),
with look-ahead on and off; with ``pyspf`` importable, pyspf on the same server.

Run: ``.venv/bin/python tests/benchmarks/spf_bench.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from checks.dns import Resolver
from checks.spf import check_host
from checks.zoneserver import ZoneServer

DELAY = 0.05
CLIENT = "203.0.113.77"
DOMAIN = "contoso.example"
#: name -> SPF record; the include tree is 3 levels deep below the domain.
POLICIES = {
    DOMAIN: "v=spf1 include:spf.protection.outlook.com include:_spf.google.com"
    " include:sendgrid.net include:mailgun.org -all",
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
    "mailgun.org": "v=spf1 include:_spf.mailgun.org ~all",
    "_spf.mailgun.org": "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22"
    " include:_spf.eu.mailgun.org ~all",
    "_spf.eu.mailgun.org": "v=spf1 ip4:185.250.236.0/22 ip4:141.193.32.0/23 ~all",
}
#: Dependent lookups in a row: domain TXT -> mailgun.org -> _spf.mailgun.org -> _spf.eu.
CRITICAL_PATH = 4


def zones() -> dict[str, str]:
    """One zone per registrable domain, each with an SOA."""
    out: dict[str, list[str]] = {}
    for name, text in POLICIES.items():
        origin = ".".join(name.split(".")[-2:])
        lines = out.setdefault(origin, [f"$ORIGIN {origin}.", "$TTL 300",
                                         "@ IN SOA ns hostmaster 1 3600 600 86400 60"])  # fmt: skip
        lines.append(f'{name}. IN TXT "{text}"')
    return {origin: "\n".join(lines) + "\n" for origin, lines in out.items()}


async def one(port: int, speculate: bool) -> tuple[float, str, int]:
    resolver = Resolver(["127.0.0.1"], port=port, timeout=2.0, deadline=10.0)
    started = time.perf_counter()
    got = await check_host(CLIENT, DOMAIN, f"billing@{DOMAIN}", helo="mx.contoso.example",
                           resolver=resolver, speculate=speculate)  # fmt: skip
    return time.perf_counter() - started, got.result, got.lookups


def pyspf_time(port: int) -> float | None:
    """pyspf's wall time on the same server, or ``None`` when it is not installed."""
    try:
        import dns.resolver
        import spf  # type: ignore[import-not-found]
    except ImportError:
        return None
    local = dns.resolver.Resolver(configure=False)
    local.nameservers, local.port = ["127.0.0.1"], port
    dns.resolver.default_resolver = local
    started = time.perf_counter()
    result = spf.check2(i=CLIENT, s=f"billing@{DOMAIN}", h="mx.contoso.example")
    elapsed = time.perf_counter() - started
    print(f"  pyspf result: {result[0]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    floor = CRITICAL_PATH * DELAY
    with ZoneServer(zones(), delay=DELAY) as server:
        for label, speculate in (("look-ahead", True), ("sequential", False)):
            runs = [asyncio.run(one(server.port, speculate)) for _ in range(args.rounds)]
            wall = statistics.median(r[0] for r in runs)
            result, lookups = runs[0][1], runs[0][2]
            print(f"{label:>11}: {wall * 1000:6.0f} ms median of {args.rounds}  result={result}"
                  f" lookups={lookups}  ratio to critical path ({CRITICAL_PATH} x 50 ms):"
                  f" {wall / floor:.2f}")  # fmt: skip
        other = pyspf_time(server.port)
        if other is not None:
            print(f"{'pyspf':>11}: {other * 1000:6.0f} ms  ratio {other / floor:.2f}")


if __name__ == "__main__":
    main()
