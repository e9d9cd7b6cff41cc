"""``mailtriage report``: the headless, scriptable analysis (JSON Lines with --json).

The named inputs (files, folders, mailboxes, stdin; see
:mod:`mailtriage.tui.report_inputs`) expand lazily into samples, each read when it
is reached, so a batch of any size runs in bounded memory. Output streams in input
order. An input that cannot be read or analysed gives a one-line error on stderr
and, with --json, an error record ``{"source", "error"}`` in its place; the batch
goes on and the exit status is then 2. ``--jobs N`` spreads the samples over N
worker processes (see :func:`mailtriage.tui.report_jobs.run_parallel`); ``--jobs 1``
is the in-process path. With live DNS each worker runs its own lookups; ``--demo``
(two bundled samples and an in-process DNS server) always runs in this process.

On a terminal, stderr shows a progress bar (:mod:`mailtriage.tui.progress`); when
stderr is not a terminal nothing extra is written. ``--summary`` ends the run with
the counts of :mod:`mailtriage.checks.report.summary`: as a table on stdout in
text mode; with --json as a last line ``{"summary": {...}}`` on stdout and the
table on stderr (stdout stays pure JSON Lines for a pipeline).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from collections.abc import Generator, Sequence

from mailtriage.checks.dns.spec import DnsError
from mailtriage.checks.message.loader import SampleError, read_stdin
from mailtriage.checks.report.summary import Summary
from mailtriage.checks.text import json_text, printable
from mailtriage.tui.args import VersionAction, add_common, fail, nameserver_for
from mailtriage.tui.config import ConfigError, load_config, make_resolver
from mailtriage.tui.progress import Progress, progress_for
from mailtriage.tui.report_inputs import Inputs, count
from mailtriage.tui.report_jobs import (
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
    p.add_argument(
        "samples",
        nargs="*",
        metavar="SAMPLE",
        help="sample files, folders (searched for .eml, .msg, .txt and .mbox), mailboxes "
        "(every message; FILE#N for one); '-' reads stdin",
    )
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    p.add_argument(
        "--summary",
        action="store_true",
        help="end with counts per layer, bounce category and gateway and the top reasons "
        "(with --json: a last {\"summary\": ...} line, and the table on stderr)",
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is only ever drawn when stderr is a terminal)",
    )
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


class _Run:
    """Writes outcomes as they come: lines to stdout, errors to stderr, counts kept."""

    def __init__(self, settings: Settings, progress: Progress, summary: Summary | None) -> None:
        self.settings = settings
        self.progress = progress
        self.summary = summary
        self.status = 0
        self._out = getattr(sys.stdout, "buffer", None)
        self._encoding = settings.encoding
        try:
            self._stdout_tty = progress.active and sys.stdout.isatty()
        except (AttributeError, ValueError):
            self._stdout_tty = False

    def write(self, line: str) -> None:
        self.write_bytes((line + "\n").encode(self._encoding, "backslashreplace"))

    def write_bytes(self, data: bytes) -> None:
        if self._out is None:
            sys.stdout.write(data.decode(self._encoding))
        else:
            self._out.write(data)

    def flush(self) -> None:
        (self._out or sys.stdout).flush()

    def emit(self, batches: Generator[list[Outcome], None, None]) -> int:
        """Print each outcome as it comes; returns the exit status so far."""
        sys.stdout.flush()
        with contextlib.closing(batches):
            for batch in batches:
                if self._stdout_tty:
                    self.progress.clear()
                for line, error, facts in batch:
                    if line is not None:
                        self.write_bytes(line)
                    if error is not None:
                        self.flush()  # keep stdout and stderr in input order
                        self.progress.clear()
                        self.status = fail(error)
                    if self.summary is not None:
                        if error is None and facts is not None:
                            self.summary.add(facts)
                        elif error is not None:
                            self.summary.errors += 1
                self.flush()
                self.progress.advance(len(batch))
        return self.status


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
        summary=args.summary,
        # JSON Lines are UTF-8 whatever the locale; the text report uses the terminal's
        # encoding, with escapes for what it cannot show.
        encoding="utf-8" if args.json else (sys.stdout.encoding or "utf-8"),
    )
    try:
        if not settings.offline:
            make_resolver(nameserver, config)  # a bad resolver setup stops before any work
        run = _Run(
            settings,
            progress_for(sys.stderr, not args.no_progress),
            Summary() if args.summary else None,
        )
        return _report(args.samples, args.jobs, run, demo is not None)
    except DnsError as exc:
        return fail(str(exc))
    finally:
        if demo:
            demo.stop()


def _report(paths: Sequence[str], jobs: int, run: _Run, demo: bool) -> int:
    settings = run.settings
    if demo:
        from mailtriage.tui.demo.runtime import demo_samples

        run.progress.total = 2
        run.emit([render(s, settings)] for s in demo_samples())
        return _finish(run, None)
    stdin: bytes | SampleError | None = None
    if "-" in paths:
        try:
            stdin = read_stdin()
        except SampleError as exc:
            stdin = exc
    inputs = Inputs(paths, stdin)
    if run.progress.active:
        _count_in_background(run.progress, paths, stdin)
    if jobs == 1:
        run.emit(run_serial(inputs, settings))
        return _finish(run, inputs)
    from concurrent.futures.process import BrokenProcessPool

    try:
        run.emit(run_parallel(inputs, settings, jobs, chunk_size(settings.offline)))
    except BrokenProcessPool:
        run.progress.clear()
        return fail("a worker process stopped unexpectedly (out of memory?); output is incomplete")
    return _finish(run, inputs)


def _count_in_background(
    progress: Progress, paths: Sequence[str], stdin: bytes | SampleError | None
) -> None:
    """Count the items for the bar's total while the work runs (a second, cheap pass)."""

    def work() -> None:
        with contextlib.suppress(Exception):  # the bar then just shows no total
            progress.total = count(paths, stdin)

    threading.Thread(target=work, name="report-count", daemon=True).start()


def _finish(run: _Run, inputs: Inputs | None) -> int:
    """The end of a run: the bar's last line, the note on skipped entries, the summary."""
    run.progress.finish()
    if inputs is not None and inputs.skipped:
        first = printable(inputs.first_skipped or "", 200)
        one = inputs.skipped == 1
        what = "entry that is not a sample" if one else "entries that are not samples"
        print(
            f"mailtriage: note: skipped {inputs.skipped:,} folder {what}"
            f" (not .eml, .msg, .txt or .mbox, hidden, or a link to a folder), first: {first}",
            file=sys.stderr,
        )
    summary = run.summary
    if summary is not None:
        summary.skipped = inputs.skipped if inputs is not None else 0
        if run.settings.as_json:
            run.write(json_text({"summary": summary.to_json()}))
            run.flush()
            print(summary.text(), file=sys.stderr)
        else:
            run.write("")
            run.write(summary.text())
            run.flush()
    return run.status
