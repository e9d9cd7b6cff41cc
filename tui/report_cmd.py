"""``mailtriage report``: the headless, scriptable analysis (JSON Lines with --json)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from checks.analysis import analyse
from checks.dns import DnsError
from checks.loader import SampleError, load_path, load_stdin
from checks.model import Sample
from checks.report import full_report
from tui.cli import EXIT_USAGE, VersionAction, add_common, fail, nameserver_for
from tui.config import Config, ConfigError, load_config, make_resolver


def report_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage report``."""
    p = argparse.ArgumentParser(
        prog="mailtriage report",
        description="Analyse samples without the dashboard. With --json, print one JSON "
        "object per sample per line (JSON Lines).",
    )
    p.add_argument("samples", nargs="*", metavar="SAMPLE", help="sample files; '-' reads stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    add_common(p)
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def _text(rep: dict[str, Any]) -> str:
    lines = [f"== {rep['source']}"]
    for key in ("message_id", "subject", "date", "envelope_from", "connecting_ip", "likely_layer"):
        lines.append(f"  {key}: {rep[key]}")
    for r in rep["auth"]["recorded"]:
        methods = ", ".join(f"{m['method']}={m['result']}" for m in r["methods"])
        lines.append(f"  recorded at {r['authserv_id'] or '?'} ({r['header']}): {methods}")
    for kind, results in (rep["auth"]["live"] or {}).items():
        for res in results:
            lines.append(f"  live {kind} {res['domain']}: {res['status']} · {res['summary']}")
    for f in rep["findings"]:
        lines.append(f"  [{f['severity']}] {f['layer']}: {f['title']}")
    for p in rep["problems"]:
        lines.append(f"  could not parse {p['where']}: {p['message']}")
    # The report is for a terminal: neutralise control characters from the sample.
    from checks.text import printable

    return "\n".join(printable(line) for line in lines)


async def _run(
    samples: Sequence[Sample],
    nameserver: tuple[str, int] | None,
    offline: bool,
    as_json: bool,
    config: Config,
) -> int:
    status = 0
    for sample in samples:
        resolver = None
        if not offline:
            resolver = make_resolver(nameserver, config)
        try:
            rep = await full_report(analyse(sample), resolver, config.dnsbl_zones)
        except Exception as exc:  # one bad sample must not stop a batch
            status = fail(f"{sample.source}: analysis failed ({type(exc).__name__}: {exc})")
            continue
        print(json.dumps(rep, ensure_ascii=False) if as_json else _text(rep), flush=True)
    return status


def run_report(argv: Sequence[str]) -> int:
    """Run ``mailtriage report``; returns the exit status."""
    args = report_parser().parse_args(argv)
    try:
        config = load_config()
        nameserver = nameserver_for(args.resolver, config.resolver)
    except (ConfigError, DnsError) as exc:
        return fail(str(exc))
    status = 0
    samples: list[Sample] = []
    for path in args.samples:
        try:
            samples.append(load_stdin() if path == "-" else load_path(path))
        except SampleError as exc:
            status = fail(str(exc))
    demo = None
    if args.demo and not args.samples:
        from tui.demo.runtime import DemoDns, demo_samples

        demo = DemoDns()
        samples = list(demo_samples())
        nameserver = nameserver if args.resolver else demo.nameserver()
    elif not args.samples:
        return fail("name at least one sample (or use --demo)")
    try:
        status = (
            asyncio.run(
                _run(
                    samples,
                    nameserver,
                    args.offline or (config.offline and demo is None),
                    args.json,
                    config,
                )
            )
            or status
        )
    except DnsError as exc:
        return fail(str(exc))
    finally:
        if demo:
            demo.stop()
    sys.stdout.flush()
    return status or (EXIT_USAGE if not samples else 0)
