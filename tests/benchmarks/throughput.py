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
4. the same CLI with ``--jobs 2``;
5. the machine's own ceiling for two processes: a CPU-bound Python loop run
   twice in one process, then once in each of two processes at the same time
   (on two idle cores the ratio is 2.0; other work on the machine lowers it).

Runs are interleaved (so drift on the machine hits every case alike), after one
uncounted warm-up of each; the table shows the median of ``--runs`` (default 5),
then each ratio beside its floor or ceiling from the same run. Goals: one process
at least 1.5 x the parser floor; ``--jobs 2`` at least 1.8 x one process.

``--scale N`` (default 10000; 0 skips it) then writes N messages (the corpus
cycled) into a temporary folder of .eml files and into one temporary mbox, and
runs the CLI over each with ``--jobs 1`` and ``--jobs 2``, at N/10 and at N
messages: wall time, messages/s and peak resident memory (``ru_maxrss`` of the
CLI process from ``wait4``; with ``--jobs 2`` that is the parent, and the
largest worker is measured through ``RUSAGE_CHILDREN`` of a wrapper process).

Run: ``.venv/bin/python tests/benchmarks/throughput.py [--repeat 20] [--runs 5] [--scale 10000]``
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
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


def _spin(n: int = 8_000_000) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_serial() -> float:
    """Seconds for the CPU-bound loop twice, one after the other, in one process."""
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    p = ctx.Process(target=lambda: (_spin(), _spin()))
    p.start()
    p.join()
    return time.perf_counter() - start


def cpu_parallel() -> float:
    """Seconds for the same loop once in each of two processes at the same time."""
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    procs = [ctx.Process(target=_spin) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return time.perf_counter() - start


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MAILTRIAGE_CONFIG"] = os.devnull + ".toml"  # no user config
    return env


# A wrapper that runs the CLI and reports the peak RSS of it and of its largest worker.
_WRAP = """
import os, resource, subprocess, sys, time
start = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
lines = sum(1 for _ in p.stdout)
err = p.stderr.read()
_, status, usage = os.wait4(p.pid, 0)
took = time.perf_counter() - start
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest descendant
print(took, lines, usage.ru_maxrss, workers, os.waitstatus_to_exitcode(status), err[-300:])
"""


def scaled(paths: list[str], jobs: int) -> tuple[float, int, int, int]:
    """Run the CLI over ``paths``: (wall seconds, output lines, parent KB, largest child KB)."""
    argv = [str(CLI), "report", "--json", "--offline", "--jobs", str(jobs), *paths]
    out = subprocess.run(
        [sys.executable, "-c", _WRAP, *argv], capture_output=True, text=True, env=_env()
    )
    took, lines, parent, child, rc, *err = out.stdout.split(" ", 5)
    if rc != "0":
        raise RuntimeError(f"exit {rc}: {err} {out.stderr[-500:]}")
    return float(took), int(lines), int(parent), int(child)


def write_inputs(corpus: list[Path], n: int, where: Path) -> tuple[Path, Path]:
    """N messages (the corpus cycled) as a folder of .eml files and as one mbox."""
    folder = where / f"folder-{n}"
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"  # an export's day folders
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:06d}.eml").write_bytes(corpus[i % len(corpus)].read_bytes())
    box = where / f"quarantine-{n}.mbox"
    with box.open("wb") as f:
        for i in range(n):
            data = corpus[i % len(corpus)].read_bytes().replace(b"\r\n", b"\n")
            if data.startswith(b"From "):  # already an mbox of one: drop its envelope line
                data = data.split(b"\n", 1)[1]
            body = b"\n".join(b">" + x if x.startswith(b"From ") else x for x in data.split(b"\n"))
            f.write(b"From quarantine@example.com Mon Jan  5 10:00:00 2026\n")
            f.write(body.rstrip(b"\n") + b"\n\n")
    return folder, box


def scale_table(corpus: list[Path], n: int, floor_rate: float) -> None:
    """Throughput and peak memory at n/10 and n messages, folder and mbox, 1 and 2 jobs.

    Each row's rate is also given as a multiple of the parser floor measured above
    (``floor_rate`` messages/s), and a ``--jobs 2`` row's as a multiple of the
    ``--jobs 1`` row above it: at scale the fixed start-up weighs less.
    """
    print(f"\nAt scale (one run each; {os.cpu_count()} CPUs; load average before: "
          f"{os.getloadavg()[0]:.2f}):\n")  # fmt: skip
    print("| input | messages | jobs | wall (s) | msg/s | x floor | x jobs 1 "
          "| peak RSS, CLI process | largest of it and its workers |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="mailtriage-scale-") as tmp:
        for count in (n // 10, n):
            folder, box = write_inputs(corpus, count, Path(tmp))
            for label, path in (("folder of .eml", folder), ("one mbox", box)):
                one = 0.0
                for jobs in (1, 2):
                    took, lines, parent, child = scaled([str(path)], jobs)
                    if lines != count:
                        raise RuntimeError(f"{lines} lines for {count} messages in {path}")
                    worker = f"{child / 1024:.0f} MB"
                    one = one or took
                    vs_one = f"{one / took:.2f}" if jobs > 1 else "-"
                    print(f"| {label} | {count:,} | {jobs} | {took:.2f} | {count / took:,.0f} | "
                          f"{count / took / floor_rate:.2f} | {vs_one} | "
                          f"{parent / 1024:.0f} MB | {worker} |")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=20, help="times the file list is repeated")
    p.add_argument("--runs", type=int, default=5, help="counted runs of each case")
    p.add_argument("--scale", type=int, default=10000, help="messages for the scale run (0: none)")
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
        ("CPU-bound loop x 2, one process", cpu_serial),
        ("CPU-bound loop x 2, two processes at once", cpu_parallel),
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
    for name, t in list(times.items())[:4]:  # the CPU-bound loop is in the ratios below
        med = statistics.median(t)
        print(f"| {name} | {n / med:,.0f} | {med / n * 1000:.2f} | "
              f"{', '.join(f'{x:.2f}' for x in t)} |")  # fmt: skip
    print("\nCLI times are wall time from spawn to exit, Python start-up included.\n")
    med = {name: statistics.median(t) for name, t in times.items()}
    names = list(med)
    floor_s, warm_s, one_s, two_s, cpu1, cpu2 = (med[x] for x in names)
    print("| ratio | measured | beside (same run) | goal |")
    print("| --- | ---: | ---: | --- |")
    print(f"| one process, in-process (no start-up) / parser floor (msg/s) | "
          f"{floor_s / warm_s:.2f} | 1.00 (the floor) | >= 1.5 |")  # fmt: skip
    print(f"| one process, CLI (start-up included) / parser floor (msg/s) | {floor_s / one_s:.2f} "
          f"| 1.00 (the floor) | >= 1.5 |")  # fmt: skip
    print(f"| `--jobs 2` / one process (msg/s) | {one_s / two_s:.2f} | {cpu1 / cpu2:.2f} "
          f"(two processes / one, CPU-bound loop: the machine's ceiling) | >= 1.8 |")  # fmt: skip
    per_run = [a / b for a, b in zip(times[names[2]], times[names[3]], strict=True)]
    ceil_run = [a / b for a, b in zip(times[names[4]], times[names[5]], strict=True)]
    print(f"\nPer run, `--jobs 2` / one process: {', '.join(f'{x:.2f}' for x in per_run)}; "
          f"machine ceiling: {', '.join(f'{x:.2f}' for x in ceil_run)}")  # fmt: skip
    if args.scale:
        scale_table(corpus, args.scale, n / floor_s)


if __name__ == "__main__":
    main()
