"""The engine stays UI-free, the import contracts hold, and everything lives under `mailtriage`."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("checks", "widgets", "tui")


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return out.stdout.strip()


def test_importing_the_engine_leaves_textual_out() -> None:
    code = (
        "import sys, pkgutil, importlib, mailtriage.checks as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'mailtriage.checks.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual'\n"
        "       or m.startswith(('mailtriage.widgets', 'mailtriage.tui'))]\n"
        "print(','.join(bad))\n"
    )
    assert _run(code) == ""


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the test dependencies"
    out = subprocess.run([exe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower().replace("0 broken", "")


def test_first_paint_needs_no_dnspython() -> None:
    """Start-up stays fast: DNS, DKIM and crypto libraries load after the first paint.

    The DMARC record and evaluation modules are pure (no DNS, no crypto): findings
    takes its alignment test from them, so they may load early. So is the
    DKIM-Signature reader (``auth.dkimsig``) behind ``Analysis.signatures``.
    """
    code = (
        "import sys, mailtriage.tui.cli, mailtriage.tui.app\n"
        "import mailtriage.tui.screens.dashboard, mailtriage.tui.demo.runtime\n"
        "heavy = ('dns', 'dkim', 'nacl', 'olefile', 'mailtriage.checks.auth.',\n"
        "         'mailtriage.checks.live.plan',\n"
        "         'mailtriage.checks.live.auth', 'mailtriage.checks.live.around',\n"
        "         'mailtriage.checks.live.session',\n"
        "         'mailtriage.checks.dns.resolver', 'mailtriage.checks.dns.zoneserver')\n"
        "pure = ('mailtriage.checks.auth.dmarc', 'mailtriage.checks.auth.dmarc.align',\n"
        "        'mailtriage.checks.auth.dmarc.record', 'mailtriage.checks.auth.dkimsig')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy)\n"
        "                      and m not in pure)))\n"
    )
    assert _run(code) == ""


def test_first_paint_imports_no_ticket_work_or_exports() -> None:
    """Issue 11: the ticket's store and advice, the exports and the playbooks load after it.

    Importing what starts the dashboard loads none of them (``tests/test_first_paint.py``
    checks what the first frame itself needed), and reads no Public Suffix List.
    """
    code = (
        "import sys, mailtriage.tui.cli, mailtriage.tui.app\n"
        "import mailtriage.tui.screens.dashboard, mailtriage.tui.demo.runtime\n"
        "from mailtriage.checks.psl import suffix_list\n"
        "late = ('mailtriage.checks.packet', 'mailtriage.checks.redact',\n"
        "        'mailtriage.checks.escalation', 'mailtriage.checks.guardrails',\n"
        "        'mailtriage.checks.ticket.', 'mailtriage.checks.ticket.snapshot',\n"
        "        'mailtriage.checks.playbook', 'mailtriage.checks.notes', 'tomli_w')\n"
        "found = sorted(m for m in sys.modules if m.startswith(late))\n"
        "found += ['PSL read'] if suffix_list.cache_info().currsize else []\n"
        "print(','.join(found))\n"
    )
    assert _run(code) == ""


def test_offline_report_start_up_loads_no_event_loop_or_process_pool() -> None:
    """Issue 11: ``mailtriage report --offline`` pays no start-up for what it never uses.

    The event loop (with ssl, socket servers, logging), the process pool and the atomic
    writer's tempfile/shutil load only for live checks, ``--jobs N`` and saving config.
    """
    code = (
        "import sys, io, contextlib\n"
        "from mailtriage.tui.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    main(['report', '--json', '--offline', 'tui/demo/blocked.eml'])\n"
        "late = ('asyncio', 'ssl', 'concurrent.futures', 'tempfile', 'logging', 'dns')\n"
        "print(','.join(sorted(m for m in late if m in sys.modules)))\n"
    )
    assert _run(code) == ""


def test_redaction_and_one_sender_comparison_read_no_suffix_list() -> None:
    """Importing the redactor and comparing two copies from one domain leave the PSL unread."""
    code = (
        "from mailtriage.checks.psl import suffix_list\n"
        "import mailtriage.checks.redact\n"
        "from mailtriage.checks.analysis import analyse\n"
        "from mailtriage.checks.diff import compared\n"
        "from mailtriage.tui.demo.runtime import demo_samples\n"
        "a, b = (analyse(s) for s in demo_samples())\n"
        "assert a.sample.from_domain == b.sample.from_domain\n"
        "compared(a, b)\n"
        "print(suffix_list.cache_info().currsize)\n"
    )
    assert _run(code) == "0"


def test_dns_package_does_not_import_dnspython() -> None:
    code = (
        "import sys, mailtriage.checks.dns.model, mailtriage.checks.dns.spec\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'dns'))\n"
    )
    assert _run(code) == ""


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
    return found


def test_no_module_imports_the_old_top_level_names() -> None:
    """Engine and UI are imported as `mailtriage.*` everywhere, tests and scripts included."""
    old = []
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts or "__snapshots__" in path.parts:
            continue
        for line, module in _imports(path):
            if module.split(".")[0] in TOPS:
                old.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    assert old == []


# The engine's face for tui/ and widgets/, by concern. Everything else in checks/
# (route, verdicts, bounce, message parsing, DKIM/ARC/DMARC, findings...) is reached
# through these. One facade module is not possible: first paint must not load the
# live modules (dnspython, dkimpy), so the live run keeps its own entry modules.
UI_ENTRY_POINTS = {
    # shared values and helpers
    "mailtriage.checks.model",
    "mailtriage.checks.text",
    "mailtriage.checks.atomic",
    # a sample in, its analysis out
    "mailtriage.checks.message.loader",
    "mailtriage.checks.message.mbox",  # list an mbox, load message N (the picker)
    "mailtriage.checks.analysis",
    # what is built from analyses
    "mailtriage.checks.diff",
    "mailtriage.checks.suspect",
    "mailtriage.checks.playbook",
    "mailtriage.checks.notes",
    # the ticket: its content, its store, the snapshot of the analysis it keeps
    "mailtriage.checks.ticket.model",
    "mailtriage.checks.ticket.store",
    "mailtriage.checks.ticket.snapshot",
    "mailtriage.checks.ticket.merge",  # two sessions on one ticket (`mailtriage serve`)
    # the ticket's guard rails and escalation triggers
    "mailtriage.checks.escalation",
    "mailtriage.checks.guardrails",
    "mailtriage.checks.packet",  # the vendor case packet (`mailtriage packet`)
    "mailtriage.checks.explain",
    "mailtriage.checks.redact",
    "mailtriage.checks.report.build",
    "mailtriage.checks.report.jsonform",
    "mailtriage.checks.report.summary",  # the `report --summary` counts
    "mailtriage.checks.msgtrace.load",
    # the live run (loaded after the first paint)
    "mailtriage.checks.live.run",
    "mailtriage.checks.live.plan",
    "mailtriage.checks.live.auth",
    "mailtriage.checks.live.around",
    "mailtriage.checks.live.agreement",
    "mailtriage.checks.live.session",
    # DNS wiring and the `spf` command
    "mailtriage.checks.dns.spec",  # the --resolver address, checked before anything loads
    "mailtriage.checks.dns.pacing",  # the live loop's hand-overs wait for it to be idle
    "mailtriage.checks.dns.resolver",
    "mailtriage.checks.dns.zoneserver",
    "mailtriage.checks.auth.spf.check",
    "mailtriage.checks.auth.spf.text",
}


def test_ui_reaches_the_engine_only_through_its_entry_points() -> None:
    """tui/ and widgets/ import the engine through a short list of modules, deferred imports too."""
    used: dict[str, list[str]] = {}
    for top in ("tui", "widgets"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for line, module in _imports(path):
                if module.startswith("mailtriage.checks"):
                    used.setdefault(module, []).append(f"{path.relative_to(ROOT)}:{line}")
    outside = {m: where for m, where in used.items() if m not in UI_ENTRY_POINTS}
    assert outside == {}
    assert set(used) == UI_ENTRY_POINTS, "an entry point nobody uses: drop it from the list"


def test_package_list_matches_the_folders() -> None:
    """The explicit setuptools package list names every folder with an __init__.py."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(conf["tool"]["setuptools"]["packages"])
    on_disk = {
        "mailtriage." + ".".join(p.parent.relative_to(ROOT).parts)
        for top in TOPS
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert listed == on_disk
    assert conf["tool"]["setuptools"]["package-dir"] == {f"mailtriage.{t}": t for t in TOPS}
    assert conf["project"]["scripts"]["mailtriage"] == "mailtriage.tui.launch:main"


def test_only_one_top_level_import_name_is_installed() -> None:
    """The installed distribution exposes `mailtriage`, not `checks`/`tui`/`widgets`."""
    code = (
        "import importlib.metadata as md\n"
        "d = md.distribution('mailtriage')\n"
        "names = {str(f).split('/')[0] for f in (d.files or []) if str(f).endswith('.py')}\n"
        "print(sorted(n for n in names if not n.startswith('__editable__')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True
    )
    assert out.stdout.strip() in ("[]", "['mailtriage']"), out.stdout
    found = subprocess.run(
        [sys.executable, "-c", "import mailtriage.tui.cli, mailtriage.checks.analysis"],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert found.returncode == 0, found.stderr
    for top in TOPS:
        gone = subprocess.run(
            [sys.executable, "-c", f"import {top}"], capture_output=True, text=True, cwd="/"
        )
        assert gone.returncode != 0, f"'{top}' is importable as a top-level name"


def test_package_data_is_found_outside_the_repository() -> None:
    """Playbook, demo samples and zones load through `mailtriage.*`, not the working directory."""
    code = (
        "from mailtriage.checks.playbook import load_playbook\n"
        "from mailtriage.tui.demo.runtime import demo_samples\n"
        "assert load_playbook()\n"
        "print(len(demo_samples()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=False
    )
    assert out.returncode == 0 and out.stdout.strip() == "2", out.stderr


def test_later_stages_take_parsed_parts_not_the_raw_sample() -> None:
    """findings() and the connecting IP read parsed parts, not the sample; no id()-keyed memo."""
    import importlib.util
    import typing

    from mailtriage.checks.findings import findings
    from mailtriage.checks.model import Sample
    from mailtriage.checks.route.gateways import sending_ip
    from mailtriage.checks.route.hops import connecting_ip

    for stage in (connecting_ip, sending_ip):
        assert Sample not in typing.get_type_hints(stage).values(), stage.__name__
    from mailtriage.checks.bounce.model import Bounce  # a type hint only in findings (lazy)

    hints = typing.get_type_hints(findings, localns={"Bounce": Bounce})
    assert Sample not in hints.values()
    assert {"hops", "recorded", "verdicts", "bounce", "timeline"} <= hints.keys()
    assert importlib.util.find_spec("mailtriage.checks.memo") is None
