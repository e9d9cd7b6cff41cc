"""Throughput benchmark: messages per second of ``mailtriage report --json --offline``.

Over the sisimai corpus (``shared/corpora/sisimai-dev/emails/*.eml``, the list
repeated ``--repeat`` times, 20 by default) it measures:

1. the floor: Python's own parser on the same files (read the file,
   ``email.message_from_bytes(data, policy=email.policy.default)``, then
   ``str()`` of every header value), in this process;
2. the full offline analysis in this process, warm (load, analyse, report,
   ``json.dumps``), as time per message;
3. the real CLI, ``mailtriage report --json --offline FILES...``, one process,
   wall time from spawn to exit (start-up included), output lines counted;
4. the same CLI with ``--jobs 2``.

Runs are interleaved (so drift on the machine hits every case alike), after one
uncounted warm-up of each; the table shows the median of ``--runs`` (default 5).
It prints a Markdown table for the README. Goals: >= 250 msg/s per process with
the full offline analysis, >= 500 msg/s with ``--jobs 2``.

Run: ``.venv/bin/python tests/benchmarks/throughput.py [--repeat 20] [--runs 5]``
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "sisimai-dev" / "emails"
CLI = Path(sys.executable).parent / "mailtriage"


def floor(files: list[Path]) -> float:
    """Seconds for the stdlib parser to read every header of every file."""
    start = time.perf_counter()
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for _k, v in msg.items():
            str(v)
    return time.perf_counter() - start


def in_process(files: list[Path]) -> float:
    """Seconds for the full offline report of every file in this process (warm)."""
    from mailtriage.checks.analysis import analyse
    from mailtriage.checks.message.loader import load_path
    from mailtriage.checks.report.build import offline_report

    start = time.perf_counter()
    for path in files:
        json.dumps(offline_report(analyse(load_path(path))), ensure_ascii=False)
    return time.perf_counter() - start


def cli(files: list[Path], jobs: int) -> float:
    """Wall seconds of the real CLI over ``files``; checks one output line per file."""
    argv = [str(CLI), "report", "--json", "--offline", "--jobs", str(jobs), *map(str, files)]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what a user sees: bytecode cached
    start = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, check=True, env=env)
    took = time.perf_counter() - start
    lines = out.stdout.count(b"\n")
    if lines != len(files):
        raise RuntimeError(f"{lines} output lines for {len(files)} files: {out.stderr[-300:]!r}")
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=20, help="times the file list is repeated")
    p.add_argument("--runs", type=int, default=5, help="counted runs of each case")
    args = p.parse_args()
    corpus = sorted(CORPUS.glob("*.eml"))
    if not corpus:
        sys.exit(f"corpus not found: {CORPUS}")
    files = corpus * args.repeat
    load = os.getloadavg()[0]  # other work on the machine skews every number
    cases: list[tuple[str, Callable[[], float]]] = [
        ("floor: stdlib parser, all headers (in-process)", lambda: floor(files)),
        ("full offline report, in-process (warm)", lambda: in_process(files)),
        ("`mailtriage report --json --offline`, 1 process", lambda: cli(files, 1)),
        ("`mailtriage report --json --offline --jobs 2`", lambda: cli(files, 2)),
    ]
    for _, run in cases:  # warm caches and .pyc files; not counted
        run()
    times: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(args.runs):
        for name, run in cases:
            times[name].append(run())
    n = len(files)
    print(
        f"{len(corpus)} sisimai messages x {args.repeat} = {n} per run; "
        f"median of {args.runs} interleaved runs; {os.cpu_count()} CPUs; "
        f"Python {sys.version.split()[0]}; load average before: {load:.2f}\n"
    )
    print("| case | msg/s | ms per message | runs (s) |")
    print("| --- | ---: | ---: | --- |")
    for name, t in times.items():
        med = statistics.median(t)
        print(f"| {name} | {n / med:,.0f} | {med / n * 1000:.2f} | "
              f"{', '.join(f'{x:.2f}' for x in t)} |")  # fmt: skip
    print("\nCLI times are wall time from spawn to exit, Python start-up included.")


if __name__ == "__main__":
    main()
