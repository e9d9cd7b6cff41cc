"""The first frame shows the samples; what it does not show is computed after it.

Issue 11, part 1: the dashboard's first frame carries real content (no empty panes
followed by a second layout), and the checklist, the playbooks, the ticket store,
the snapshot, the exports and the live checks all wait until after that frame.
These tests look at the first frame the app hands to its terminal (``App._display``)
and never time anything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mailtriage.widgets.pane import Pane
from textual.app import App

from tests.tui_support import make_app

ROOT = Path(__file__).resolve().parents[1]


def _first_display(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, int]]:
    """Record each pane's built width and body text when the dashboard first reaches the screen."""
    seen: dict[str, dict[str, int]] = {}
    original = App._display

    def display(self: App[object], screen: object, renderable: object) -> None:
        if not seen and renderable is not None and type(screen).__name__ == "DashboardScreen":
            for pane in screen.query(Pane):  # type: ignore[attr-defined]
                seen[pane.id or "?"] = {
                    "width": pane._built_width,
                    "lines": len(pane._body.plain.splitlines()),
                }
        original(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "_display", display)
    return seen


@pytest.mark.parametrize("size", [(160, 45), (80, 24), (121, 35), (161, 46), (120, 40)])
async def test_first_frame_is_built_at_the_width_the_layout_gives(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The panes on screen are filled before the first layout, at their real width.

    A wrong guess of the layout (``DashboardScreen._expect_sizes`` mirrors app.tcss)
    would cost a second layout and frame before the samples show: this fails then.
    """
    first = _first_display(monkeypatch)
    app = make_app(offline=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        wide = not screen.has_class("narrow")
        on_screen = ["sample", "auth", "diff"] if wide else ["sample"]
        for pane_id in on_screen:
            pane = screen.query_one(f"#{pane_id}", Pane)
            assert first[pane_id]["lines"] > 3, (pane_id, first[pane_id])  # real content
            assert first[pane_id]["width"] == pane._built_width, (pane_id, size)


def _modules_at_first_frame(setup: str) -> list[str]:
    """Engine modules loaded when a fresh process's dashboard first reaches the screen."""
    code = (
        "import asyncio, sys\n"
        "from textual.app import App\n"
        "from mailtriage.tui.app import MailtriageApp\n"
        "from mailtriage.tui.demo.runtime import demo_samples\n"
        "seen = []\n"
        "original = App._display\n"
        "def display(self, screen, renderable):\n"
        "    if not seen and renderable is not None and "
        "type(screen).__name__ == 'DashboardScreen':\n"
        "        seen.append(set(sys.modules))\n"
        "    original(self, screen, renderable)\n"
        "App._display = display\n"
        f"{setup}\n"
        "async def main():\n"
        "    async with app.run_test(size=(160, 45)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
        "from mailtriage.checks.psl import suffix_list\n"
        "late = ('mailtriage.checks.packet', 'mailtriage.checks.redact',\n"
        "        'mailtriage.checks.escalation', 'mailtriage.checks.guardrails',\n"
        "        'mailtriage.checks.playbook', 'mailtriage.checks.notes',\n"
        "        'mailtriage.checks.ticket.snapshot', 'mailtriage.checks.live.plan',\n"
        "        'mailtriage.checks.msgtrace', 'dns', 'dkim',\n"
        "        'mailtriage.checks.message.outlook_msg', 'mailtriage.checks.dns.model',\n"
        "        'textual.widgets._tabs', 'json', 'encodings.idna', 'importlib.resources',\n"
        "        'mailtriage.checks.bounce.model', 'mailtriage.checks.auth.dmarc.evaluate',\n"
        "        'mailtriage.checks.auth.dmarc.record', 'mailtriage.checks.live.agreement')\n"
        "if '--no-store' in sys.argv:  # a ticket needs its store; without one it waits\n"
        "    late += ('mailtriage.checks.ticket.', 'tomli_w')\n"
        "print(','.join(sorted(m for m in seen[0] if m.startswith(late))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *(["--no-store"] if "store" not in setup else [])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return [m for m in out.stdout.strip().split(",") if m]


def test_first_frame_waits_for_nothing_it_does_not_show() -> None:
    """The demo's first frame loads no playbook, export, ticket store, trace or DNS module."""
    setup = (
        "app = MailtriageApp(list(demo_samples()), offline=True, "
        "trace=str(__import__('mailtriage.tui.demo.runtime', fromlist=['x'])"
        ".demo_trace_path()))"
    )
    assert _modules_at_first_frame(setup) == []


def test_first_frame_of_a_ticket_waits_for_its_advice(tmp_path: Path) -> None:
    """With a ticket open, escalation triggers and guard rails still come after the first frame."""
    setup = (
        "from mailtriage.checks.ticket.store import TicketStore\n"
        f"store = TicketStore({str(tmp_path)!r})\n"
        "ticket, _ = store.open('T-1')\n"
        "ticket = __import__('dataclasses').replace(ticket, fix='allow *@fabrikam.example')\n"
        "app = MailtriageApp(list(demo_samples()), offline=True, ticket=ticket, store=store)"
    )
    assert _modules_at_first_frame(setup) == []


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_only_the_sample_pane_ever_takes_the_focus_at_start(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The sample pane has the focus from the first frame, without passing through the tabs.

    Textual would focus the first focusable widget (the tab bar) and the dashboard then
    moved it: two restyles before the first frame.
    """
    from textual.widget import Widget

    focused: list[str] = []
    original = Widget._on_focus

    def on_focus(self: Widget, event: object) -> None:
        focused.append(self.id or type(self).__name__)
        original(self, event)  # type: ignore[arg-type]

    monkeypatch.setattr(Widget, "_on_focus", on_focus)
    app = make_app(offline=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "sample"
    assert focused == ["sample"]


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_refresh_after_the_first_frame_does_not_compare_or_build_again(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The two copies are compared once at start, and the sample pane built once for them."""
    from mailtriage.tui.screens import dashboard
    from mailtriage.widgets.sample_pane import SamplePane

    calls = {"compared": 0, "sample": 0}
    compared, show = dashboard.compared, SamplePane.show

    def counted(*args: object, **kwargs: object) -> object:
        calls["compared"] += 1
        return compared(*args, **kwargs)  # type: ignore[arg-type]

    def shown(self: SamplePane, *args: object, **kwargs: object) -> None:
        calls["sample"] += 1
        show(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard, "compared", counted)
    monkeypatch.setattr(SamplePane, "show", shown)
    app = make_app(offline=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.pause()
        assert not screen.refresh_pending  # type: ignore[attr-defined]
        assert screen.query_one("#checklist").option_count > 0  # the full refresh ran
    assert calls == {"compared": 1, "sample": 1}


async def test_the_tab_bar_is_made_only_when_the_terminal_is_narrow() -> None:
    """A wide terminal never mounts the tab bar (ten widgets) nor loads its module's classes.

    Narrowed later, the screen mounts the bar on the active pane and the tabs switch
    panes as they do on a terminal that started narrow.
    """
    from textual.widgets import Tabs

    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query(Tabs)
        await pilot.press("3")  # the diff pane, with no tab bar to follow it
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        tabs = screen.query_one(Tabs)
        assert screen.has_class("narrow") and tabs.display
        assert tabs.active == "tab-diff"
        await pilot.press("2")
        await pilot.pause()
        assert tabs.active == "tab-auth" and screen.query_one("#auth").display
        assert not screen.query_one("#diff").display
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert not tabs.display and screen.query_one("#diff").display


def test_a_wide_first_frame_loads_no_tab_bar() -> None:
    """The wide dashboard's first frame does without Textual's tabs module."""
    code = (
        "import asyncio, sys\n"
        "from mailtriage.tui.app import MailtriageApp\n"
        "from mailtriage.tui.demo.runtime import demo_samples\n"
        "app = MailtriageApp(list(demo_samples()), offline=True)\n"
        "async def main():\n"
        "    async with app.run_test(size=(160, 45)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
        "print('textual.widgets._tabs' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_each_pane_on_screen_is_built_once_for_the_first_frame(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The body built to see whether a scrollbar shows is the one the first frame shows."""
    builds: dict[str, int] = {}
    shown: list[dict[str, int]] = []
    original_build, original_display = Pane._build_rows, App._display

    def build_rows(self: Pane, width: int) -> object:
        builds[self.id or "?"] = builds.get(self.id or "?", 0) + 1
        return original_build(self, width)

    def display(self: App[object], screen: object, renderable: object) -> None:
        if not shown and renderable is not None and type(screen).__name__ == "DashboardScreen":
            shown.append(dict(builds))
        original_display(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(Pane, "_build_rows", build_rows)
    monkeypatch.setattr(App, "_display", display)
    app = make_app(offline=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
    wide = size[0] >= 120
    assert shown[0] == ({"sample": 1, "auth": 1, "diff": 1} if wide else {"sample": 1})


async def test_narrowing_keeps_the_focused_pane_and_widening_moves_focus_off_the_tabs() -> None:
    """Narrowed, the screen shows the pane that has the focus (moved there by tab or a
    click, not only by the number keys); widened while the tab bar has the focus (it hides
    then), the focus goes to the active pane."""
    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("4")
        screen.query_one("#auth").focus()  # as a click or shift+tab would
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.active_pane == "auth"  # type: ignore[attr-defined]
        assert screen.query_one("#auth").display and not screen.query_one("#checklist").display
        assert screen.query_one("#pane-tabs").active == "tab-auth"  # type: ignore[attr-defined]
        screen.query_one("#pane-tabs").focus()
        await pilot.pause()
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "auth"
