"""The console script starts with the garbage collector paused, and only it does.

Issue 11, first paint: ``mailtriage.tui.launch`` pauses the cyclic collector while
the command's modules load and :func:`mailtriage.tui.gc_pause.settle` freezes what
was loaded and resumes collection (tests/benchmarks/startup.py measures the effect;
nothing here is timed).
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from mailtriage.tui import gc_pause

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "tui" / "demo" / "blocked.eml")


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_console_script_pauses_while_loading_then_collects_again() -> None:
    code = (
        "import gc, sys, io, contextlib\n"
        "seen = []\n"
        "import mailtriage.tui.report_cmd as rc\n"  # loaded first, so patchable
        "real = rc.run_report\n"
        "def spy(argv):\n"
        "    seen.append(gc.isenabled())\n"
        "    return real(argv)\n"
        "rc.run_report = spy\n"
        f"sys.argv = ['mailtriage', 'report', '--json', '--offline', {SAMPLE!r}]\n"
        "from mailtriage.tui import launch\n"
        "before = gc.isenabled()\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = launch.main()\n"
        "print(before, seen, gc.isenabled(), gc.get_freeze_count() > 1000, code)\n"
    )
    # Collecting before the run (settled after the imports), frozen, and on at the end.
    assert _run(code) == "True [True] True True 0"


def test_calling_cli_main_leaves_the_collector_alone() -> None:
    code = (
        "import gc, io, contextlib\n"
        "from mailtriage.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['report', '--json', '--offline', {SAMPLE!r}])\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n"
    )
    assert _run(code) == "True 0"


def test_pause_is_undone_once_and_only_when_it_paused() -> None:
    code = (
        "import gc\n"
        "from mailtriage.tui import gc_pause\n"
        "gc.disable()\n"
        "gc_pause.pause(); gc_pause.settle()\n"  # someone else's pause: not ours to end
        "a = gc.isenabled()\n"
        "gc.enable()\n"
        "gc_pause.pause(); b = gc.isenabled(); gc_pause.settle(); gc_pause.settle()\n"
        "print(a, b, gc.isenabled())\n"
    )
    assert _run(code) == "False False True"


def test_every_subcommand_runs_with_the_collector_on() -> None:
    """A long-running command (``serve``) must never run with collection paused."""
    code = (
        "import gc, sys\n"
        "import mailtriage.tui.cli as cli\n"
        "real = cli._subcommand\n"
        "seen = {}\n"
        "def spy(name):\n"
        "    real(name)  # imports its module, as the real one does\n"
        "    return lambda args: seen.setdefault(name, gc.isenabled()) and 0\n"
        "cli._subcommand = spy\n"
        "from mailtriage.tui import launch\n"
        "names = ['report', 'diff', 'tickets', 'ticket', 'packet', 'redact', 'serve', 'spf',\n"
        "         'dns']\n"
        "for name in names:\n"
        "    sys.argv = ['mailtriage', name]\n"
        "    launch.main()\n"
        "print(all(seen[n] for n in names), len(seen))\n"
    )
    assert _run(code) == "True 9"


def test_loaded_objects_are_frozen_once_per_process() -> None:
    gc_pause.freeze_loaded()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[i] for i in range(100)]  # objects made after the freeze (tracked lists)
    gc_pause.freeze_loaded()  # a second app in the same process does not freeze its own
    assert gc.get_freeze_count() == frozen
    del later
