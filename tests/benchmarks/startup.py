"""Start-up benchmark: process start to first full paint of ``mailtriage --demo``.

Each command runs in a real pseudo-terminal (160x45). The clock starts just before
the process is spawned and stops when the terminal output contains the text that
only the fully painted screen shows (for mailtriage: the demo subject in the sample
pane and the checklist pane; for the baseline: its fourth pane). Median of 5 runs,
beside a bare Textual app with four empty panes, in the same run (interleaved,
after one uncounted warm-up run of each).

Run: ``.venv/bin/python tests/benchmarks/startup.py``
"""

from __future__ import annotations

import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def time_to_paint(argv: list[str], markers: list[bytes], limit: float = 30.0) -> float:
    """Seconds from spawn until every marker has appeared in the terminal output."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update(TERM="xterm-256color", COLUMNS="160", LINES="45")
        # Measure what a user sees from the second start on: bytecode cached. (Some
        # shells here set PYTHONDONTWRITEBYTECODE, which would recompile every module
        # of the app on every start while Textual's own are precompiled by pip.)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.execv(argv[0], argv)
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    seen = b""
    try:
        while time.perf_counter() - start < limit:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if all(m in seen for m in markers):
                    return time.perf_counter() - start
        raise RuntimeError(f"no full paint within {limit}s: {argv}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main(runs: int = 5) -> None:
    demo = [str(BIN / "mailtriage"), "--demo"]
    bare = [sys.executable, str(HERE / "bare_app.py")]
    cases = [
        ("bare Textual app, 4 empty panes", bare, [b"checklist-ready"]),
        ("mailtriage --demo", demo, [b"INV-20944", b"Checklist"]),
    ]
    for name, argv, markers in cases:  # warm caches, write .pyc files; not counted
        print(f"{name:34} first start {time_to_paint(argv, markers) * 1000:7.0f} ms (not counted)")
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(runs):  # interleaved, so drift on the machine hits both alike
        for name, argv, markers in cases:
            times[name].append(time_to_paint(argv, markers))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:34} median {medians[name] * 1000:7.0f} ms  "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in t)})")
    ratio = medians["mailtriage --demo"] / medians["bare Textual app, 4 empty panes"]
    print(f"ratio {ratio:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
