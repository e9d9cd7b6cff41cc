"""The engine stays UI-free, and the import contracts hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_checks_leaves_textual_out() -> None:
    code = (
        "import sys, pkgutil, importlib, checks\n"
        "for m in pkgutil.walk_packages(checks.__path__, 'checks.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'widgets', 'tui')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the test dependencies"
    out = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower().replace("0 broken", "")


def test_first_paint_needs_no_dnspython() -> None:
    """Start-up stays fast: DNS, DKIM and crypto libraries load after the first paint."""
    code = (
        "import sys, tui.cli, tui.app, tui.screens.dashboard, tui.demo.runtime\n"
        "heavy = ('dns', 'dkim', 'nacl', 'checks.spf', 'checks.dkim', 'checks.dmarc')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""
