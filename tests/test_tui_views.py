"""Pilot tests for the route pane, decoded verdicts, the explain box and trace import."""

from __future__ import annotations

from pathlib import Path

from mailtriage.tui.screens.explain import ExplainScreen
from mailtriage.tui.screens.open_sample import OpenSampleScreen
from mailtriage.tui.screens.trace_view import TraceScreen
from mailtriage.tui.screens.verdicts import VerdictsScreen
from mailtriage.widgets.hops_pane import HopsPane
from textual.widgets import Input, Static, TextArea

from tests.tui_support import live_done, make_app, wait_for

DEMO_TRACE = Path(__file__).resolve().parent / "samples" / "trace" / "demo_trace.csv"


def shown(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(Static).render())


async def test_route_pane_narrow_and_wide() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("5")
        route = app.screen.query_one("#route")
        assert route.has_class("active") and route.display
        assert not app.screen.query_one("#sample").display
        panes = list(app.screen.query(HopsPane))
        assert all(p.hops for p in panes)
        await pilot.press("1")
        assert app.screen.query_one("#sample").has_class("active")
    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        assert not app.screen.query_one("#route").display
        await pilot.press("5")
        assert app.screen.query_one("#route").display
        assert not app.screen.query_one("#sample").display
        assert app.screen.query_one("#auth").display  # the other panes stay
        await pilot.press("1")
        assert app.screen.query_one("#sample").display


async def test_verdicts_view_decodes_both_samples() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("v")
        assert isinstance(app.screen, VerdictsScreen)
        text = shown(app)
        assert "X-Proofpoint-Spam-Details" in text and "X-Forefront-Antispam-Report" in text
        assert "quarantine_dmarc" in text
        await pilot.press("v")
        assert not isinstance(app.screen, VerdictsScreen)


async def test_explain_box_follows_the_paste() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("e")
        assert isinstance(app.screen, ExplainScreen)
        app.screen.query_one(TextArea).text = "554 5.7.0 Blocked - see ipcheck.proofpoint.com"
        await pilot.pause()
        text = str(app.screen.query_one("#explained", Static).render())
        assert "554" in text and "reputation" in text.lower()
        app.screen.query_one(TextArea).text = "Cleared (but bounced by destination)"
        await pilot.pause()
        text = str(app.screen.query_one("#explained", Static).render())
        assert "Proofpoint Essentials filter status" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ExplainScreen)


async def test_trace_import_matches_samples(tmp_path: Path) -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("m")
        assert isinstance(app.screen, OpenSampleScreen)
        app.screen.query_one(Input).value = str(DEMO_TRACE)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TraceScreen))
        text = shown(app)
        assert "A · " in text and "B · " in text and "Delivered" in text
        await pilot.press("escape")
        dash = app.screen
        assert dash.trace is not None
        # A file that is not a trace: one-line error, the old trace stays.
        bad = tmp_path / "x.csv"
        bad.write_bytes(b"a,b\n1,2\n")
        dash.import_trace(str(bad))
        await pilot.pause(0.5)
        assert dash.trace is not None and not isinstance(app.screen, TraceScreen)


async def test_shift_m_imports_another_trace_with_the_last_path_filled_in() -> None:
    app = make_app(offline=True)
    app.initial_trace = str(DEMO_TRACE)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app) and app.screen.trace is not None)
        await pilot.press("M")
        assert isinstance(app.screen, OpenSampleScreen)
        assert app.screen.query_one(Input).value == str(DEMO_TRACE)
        await pilot.press("escape")
        await pilot.press("m")
        assert isinstance(app.screen, TraceScreen)
