"""Start-up benchmark: process start to the first painted screens of ``mailtriage --demo``.

Each command runs in a real pseudo-terminal (160x45). The clock starts just before
the process is spawned and stops when the terminal output contains the text that
only the painted screen shows. Two moments of one ``mailtriage --demo`` start are
timed:

- first paint: the demo subject in the sample pane, the authentication pane's
  recorded results, the diff pane's decision and the checklist pane's frame (what
  the dashboard computes before its first frame);
- every pane filled: the same, and the checklist's first section (the playbooks are
  read and evaluated right after the first frame).

The floor is a bare Textual app with four empty panes (its fourth pane's text), in
the same run: median of N runs (default 5), interleaved, after one uncounted warm-up
run of each (which also writes the bytecode cache, as any second start has, and
the console script's cache of generated dataclass code, kept in a folder of the
run's own).

Run: ``.venv/bin/python tests/benchmarks/startup.py [--runs N] [--before DIR]``

``--before DIR`` adds another build of mailtriage to the same interleaved runs: DIR
holds a ``mailtriage/`` folder whose ``checks``, ``tui`` and ``widgets`` are that
build's (e.g. links into ``git archive`` of an older commit). It starts through that
build's own console entry (``tui/launch.py`` when it has one, else ``cli.main``).
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from fcntl import ioctl
from pathlib import Path

from mailtriage.tui.dataclass_cache import CACHE_ENV

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

FIRST = [b"INV-20944", b"Recorded then", b"Suspect layer", b"Checklist"]
"""What the first frame shows: sample, authentication and diff panes, the checklist's frame."""
FILLED = [*FIRST, b"Fast triage"]
"""And the checklist's first section: every pane filled."""
GOAL = 1.4
CACHE = tempfile.mkdtemp(prefix="mailtriage-startup-")
"""The run's own start-up cache (:mod:`mailtriage.tui.dataclass_cache`), filled by the
first, uncounted start."""


def time_to_paint(
    argv: list[str], moments: dict[str, list[bytes]], limit: float = 30.0
) -> dict[str, float]:
    """Seconds from spawn until each moment's markers have all appeared in the output."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update(TERM="xterm-256color", COLUMNS="160", LINES="45")
        # Measure what a user sees from the second start on: bytecode cached. (Some
        # shells here set PYTHONDONTWRITEBYTECODE, which would recompile every module
        # of the app on every start while Textual's own are precompiled by pip.)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ[CACHE_ENV] = CACHE  # the console script's start-up cache: the run's own
        os.execv(argv[0], argv)
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    seen = b""
    found: dict[str, float] = {}
    try:
        while time.perf_counter() - start < limit:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                now = time.perf_counter() - start
                for name, markers in moments.items():
                    if name not in found and all(m in seen for m in markers):
                        found[name] = now
                if len(found) == len(moments):
                    return found
        raise RuntimeError(f"no full paint within {limit}s: {argv}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def _ms(t: float) -> str:
    return f"{t * 1000:5.0f} ms"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print each median beside the floor, with its ratio."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", metavar="DIR", help="also time the mailtriage build in DIR")
    args = ap.parse_args(argv)
    bare = [sys.executable, str(HERE / "bare_app.py")]
    builds = {"mailtriage --demo": [str(BIN / "mailtriage"), "--demo"]}
    if args.before:
        # The older build's own console entry: its launcher when it has one.
        entry = (
            "from mailtriage.tui.launch import main; sys.argv[1:] = ['--demo']; sys.exit(main())"
            if (Path(args.before) / "mailtriage" / "tui" / "launch.py").exists()
            else "from mailtriage.tui.cli import main; sys.exit(main(['--demo']))"
        )
        code = f"import sys; sys.path.insert(0, {args.before!r}); {entry}"
        builds["before: mailtriage --demo"] = [sys.executable, "-c", code]
    cases: list[tuple[str, list[str], dict[str, list[bytes]]]] = [
        ("floor: bare Textual app, 4 empty panes", bare, {"": [b"checklist-ready"]}),
        *(
            (name, cmd, {"first paint": FIRST, "every pane filled": FILLED})
            for name, cmd in builds.items()
        ),
    ]
    for name, cmd, moments in cases:  # warm caches, write .pyc files; not counted
        first = min(time_to_paint(cmd, moments).values())
        print(f"{name:40} first start {_ms(first)} (not counted)")
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):  # interleaved, so drift on the machine hits both alike
        for name, cmd, moments in cases:
            for moment, t in time_to_paint(cmd, moments).items():
                times.setdefault(f"{name}, {moment}" if moment else name, []).append(t)
    floor_name = cases[0][0]
    floor = statistics.median(times[floor_name])
    for name, ts in times.items():
        median = statistics.median(ts)
        runs = ", ".join(f"{x * 1000:.0f}" for x in ts)
        line = f"{name:58} median {_ms(median)}"
        if name != floor_name:
            line += f"  ratio {median / floor:.2f} (floor {_ms(floor).strip()}, goal <= {GOAL})"
        print(f"{line}\n{'':58} runs: {runs}")


if __name__ == "__main__":
    main()
