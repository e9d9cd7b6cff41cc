"""``mailtriage spf`` and ``mailtriage dns``: the DNS side of a ticket, without a sample.

``spf IP DOMAIN`` evaluates SPF for one connecting IP and prints the evaluation
tree; ``dns DOMAIN`` prints the domain's SPF tree (walked with an address that
matches nothing, so every term and lookup shows), its DMARC record, its MX and
the DKIM keys of the selectors given.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from mailtriage.checks.dns.spec import DnsError
from mailtriage.checks.text import json_text, printable
from mailtriage.tui.args import EXIT_DNS, VersionAction, fail, nameserver_for
from mailtriage.tui.config import ConfigError, load_config, make_resolver

NOTHING_MATCHES = "0.0.0.0"
ANSWERED = ("NOERROR", "NXDOMAIN", "NODATA")
"""Response codes that are an answer; anything else (TIMEOUT, SERVFAIL...) is a failure."""


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"mailtriage {prog}", description=description)
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument("--resolver", metavar="HOST[:PORT]", help="DNS server to ask")
    p.add_argument("--demo", action="store_true", help="ask the bundled demo DNS server")
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def _resolver(args: argparse.Namespace) -> tuple[Any, Any]:
    """Return (resolver, demo server or None); raises ConfigError/DnsError."""
    config = load_config()
    demo = None
    server = nameserver_for(args.resolver, config.resolver)
    if args.demo and not args.resolver:
        from mailtriage.tui.demo.runtime import DemoDns

        demo = DemoDns()
        server = demo.nameserver()
    return make_resolver(server, config), demo


def _log(resolver: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": e.name,
            "type": e.rdtype,
            "rcode": e.rcode,
            "answers": list(e.answers),
            "rtt_ms": round(e.rtt_ms, 1),
        }
        for e in resolver.log
    ]


async def _spf(args: argparse.Namespace, resolver: Any) -> str:
    from mailtriage.checks.auth.spf.check import check_host
    from mailtriage.checks.auth.spf.text import render_text, result_json

    sender = args.sender or f"postmaster@{args.domain}"
    res = await check_host(args.ip, args.domain, sender, helo=args.helo or "", resolver=resolver)
    if args.json:
        out = {
            "ip": args.ip,
            "domain": args.domain,
            "sender": sender,
            "helo": args.helo,
            **result_json(res),
            "dns_log": _log(resolver),
        }
        return json_text(out)
    return "\n".join(printable(line) for line in render_text(res, args.ip, sender).splitlines())


async def _dns(args: argparse.Namespace, resolver: Any) -> str:
    from mailtriage.checks.auth.spf.check import check_host
    from mailtriage.checks.auth.spf.text import render_text, result_json
    from mailtriage.checks.live.plan import LiveSpec, run

    specs = [LiveSpec("dmarc", args.domain), LiveSpec("mx", args.domain)]
    specs += [LiveSpec("dkim", args.domain, s) for s in args.selector]
    spf_task = asyncio.ensure_future(
        check_host(NOTHING_MATCHES, args.domain, f"postmaster@{args.domain}", resolver=resolver)
    )
    found = await asyncio.gather(*(run(s, resolver) for s in specs))
    spf = await spf_task
    if args.json:
        return json_text(
            {
                "domain": args.domain,
                "spf": {"walked_with": NOTHING_MATCHES, **result_json(spf)},
                "checks": [
                    {
                        "kind": r.spec.kind,
                        "selector": r.spec.selector,
                        "status": r.status,
                        "summary": r.summary,
                        "records": list(r.records),
                        "warnings": list(r.warnings),
                    }
                    for r in found
                ],
                "dns_log": _log(resolver),
            }
        )
    lines = [f"== {args.domain}", "SPF tree (walked with an address that matches nothing):"]
    lines += ["  " + line for line in render_text(spf, NOTHING_MATCHES, "-").splitlines()[1:]]
    lines.append(f"  {spf.lookups} DNS-costing terms of 10 allowed, {spf.void_lookups} void of 2")
    for r in found:
        what = r.spec.kind.upper() + (f" {r.spec.selector}" if r.spec.selector else "")
        lines.append(f"{what}: {r.status} · {r.summary}")
        lines += [f"  warning: {w}" for w in r.warnings]
    return "\n".join(printable(line) for line in lines)


def dns_failures(resolver: Any) -> list[str]:
    """The queries of this run that got no answer, e.g. ``"TXT fabrikam.example TIMEOUT"``."""
    failed = [e for e in resolver.log if e.rcode not in ANSWERED]
    return list(dict.fromkeys(f"{e.rdtype} {e.name} {e.rcode}" for e in failed))


def run_lookup(command: str, argv: Sequence[str]) -> int:
    """Run ``mailtriage spf`` or ``mailtriage dns``; returns the exit status.

    0 when every lookup was answered (whatever the SPF result: pass, fail...), 1 when
    a DNS lookup failed (SPF ``temperror``, a timeout or SERVFAIL: the answer is not
    final; try again or ask another resolver), 2 on a usage error.
    """
    if command == "spf":
        p = _parser("spf", "Evaluate SPF (RFC 7208) for a connecting IP and print the tree.")
        p.add_argument("ip", help="the connecting IP address")
        p.add_argument("domain", help="the domain to check (MAIL FROM or HELO domain)")
        p.add_argument("--sender", help="the MAIL FROM address (default postmaster@DOMAIN)")
        p.add_argument("--helo", help="the HELO/EHLO name the client gave")
    else:
        p = _parser("dns", "Show a domain's SPF tree, DMARC record, MX and DKIM keys.")
        p.add_argument("domain")
        p.add_argument(
            "--selector",
            action="append",
            default=[],
            metavar="S",
            help="a DKIM selector to fetch (repeatable)",
        )
    args = p.parse_args(argv)
    try:
        resolver, demo = _resolver(args)
    except (ConfigError, DnsError) as exc:
        return fail(str(exc))
    try:
        out = asyncio.run(_spf(args, resolver) if command == "spf" else _dns(args, resolver))
    except ValueError as exc:  # e.g. not an IP address
        return fail(str(exc).splitlines()[0])
    finally:
        if demo:
            demo.stop()
    print(out)
    failed = dns_failures(resolver)
    if failed:
        more = f" +{len(failed) - 3} more" if len(failed) > 3 else ""
        fail_text = "; ".join(failed[:3]) + more
        why = f"mailtriage: DNS lookups failed ({fail_text}): the answer is not final"
        print(printable(why, 500), file=sys.stderr)
        return EXIT_DNS
    return 0
