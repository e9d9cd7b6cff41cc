"""``mailtriage report``: the headless, scriptable analysis (JSON Lines with --json).

Samples are read one at a time as they are reached, so a batch of thousands of
files runs in one process in bounded memory. A sample that cannot be read prints
a one-line error to stderr and the batch goes on; the exit status is then 2.
Output streams in input order. ``--jobs N`` spreads the files over N worker
processes (see :func:`mailtriage.tui.report_jobs.run_parallel`); ``--jobs 1`` is the
in-process path.
With live DNS each worker runs its own lookups; ``--demo`` (two bundled samples
and an in-process DNS server) always runs in this process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Generator, Iterator, Sequence

from mailtriage.checks.dns.model import DnsError
from mailtriage.checks.message.loader import SampleError, read_stdin
from mailtriage.tui.args import VersionAction, add_common, fail, nameserver_for
from mailtriage.tui.config import ConfigError, load_config, make_resolver
from mailtriage.tui.report_jobs import (
    Item,
    Outcome,
    Settings,
    chunk_size,
    render,
    run_parallel,
    run_serial,
)

MAX_JOBS = 64


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= n <= MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"give 1 to {MAX_JOBS} (this machine has {os.cpu_count()} CPUs)"
        )
    return n


def report_parser() -> argparse.ArgumentParser:
    """Parser for ``mailtriage report``."""
    p = argparse.ArgumentParser(
        prog="mailtriage report",
        description="Analyse samples without the dashboard. With --json, print one JSON "
        "object per sample per line (JSON Lines), in the order the samples were named.",
    )
    p.add_argument("samples", nargs="*", metavar="SAMPLE", help="sample files; '-' reads stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="analyse in N worker processes (default 1: this process); output order is "
        "unchanged, and with live DNS each worker runs its own lookups",
    )
    add_common(p)
    p.add_argument("--version", action=VersionAction, nargs=0, help="print the version and exit")
    return p


def _items(paths: Sequence[str], stdin: bytes | None) -> Iterator[Item]:
    for path in paths:
        if path != "-":
            yield path
        elif stdin is not None:
            yield ("-", stdin)


def _emit(batches: Generator[list[Outcome], None, None], as_json: bool) -> int:
    """Print each outcome as it comes (lines to stdout, errors to stderr).

    JSON Lines are UTF-8 whatever the locale; the text summary uses the terminal's
    encoding, with escapes for what it cannot show.
    """
    status = 0
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    encoding = "utf-8" if as_json else (sys.stdout.encoding or "utf-8")
    with contextlib.closing(batches):
        for batch in batches:
            for line, error in batch:
                if line is None:
                    (out or sys.stdout).flush()  # keep stdout and stderr in input order
                    status = fail(error or "unknown error")
                elif out is None:
                    sys.stdout.write(line + "\n")
                else:
                    out.write((line + "\n").encode(encoding, "backslashreplace"))
            (out or sys.stdout).flush()
    return status


def run_report(argv: Sequence[str]) -> int:
    """Run ``mailtriage report``; returns the exit status."""
    args = report_parser().parse_args(argv)
    try:
        config = load_config()
        nameserver = nameserver_for(args.resolver, config.resolver)
    except (ConfigError, DnsError) as exc:
        return fail(str(exc))
    if args.samples.count("-") > 1:
        return fail("stdin ('-') can be given only once")
    demo = None
    if args.demo and not args.samples:
        from mailtriage.tui.demo.runtime import DemoDns

        demo = DemoDns()
        nameserver = nameserver if args.resolver else demo.nameserver()
    elif not args.samples:
        return fail("name at least one sample (or use --demo)")
    settings = Settings(
        as_json=args.json,
        offline=args.offline or (config.offline and demo is None),
        nameserver=nameserver,
        config=config,
    )
    try:
        if not settings.offline:
            make_resolver(nameserver, config)  # a bad resolver setup stops before any work
        return _report(args.samples, args.jobs, settings, demo is not None)
    except DnsError as exc:
        return fail(str(exc))
    finally:
        if demo:
            demo.stop()


def _report(paths: Sequence[str], jobs: int, settings: Settings, demo: bool) -> int:
    status = 0
    if demo:
        from mailtriage.tui.demo.runtime import demo_samples

        return _emit(([render(s, settings)] for s in demo_samples()), settings.as_json)
    stdin = None
    if "-" in paths:
        try:
            stdin = read_stdin()
        except SampleError as exc:
            status = fail(str(exc))
    items = _items(paths, stdin)
    if jobs == 1 or len(paths) == 1:
        return _emit(run_serial(items, settings), settings.as_json) or status
    from concurrent.futures.process import BrokenProcessPool

    chunk = chunk_size(len(paths), jobs, settings.offline)
    try:
        batches = run_parallel(items, settings, min(jobs, len(paths)), chunk)
        return _emit(batches, settings.as_json) or status
    except BrokenProcessPool:
        return fail("a worker process stopped unexpectedly (out of memory?); output is incomplete")
