"""Pilot tests for dashboard defects a new user found (issue 9, item 5).

Each test drives the real app (real samples, a real DNS server on 127.0.0.1 where
live checks matter) and failed before its fix.
"""

from __future__ import annotations

import pytest
from mailtriage.widgets.pane import Pane
from textual.widgets import Static

from tests.tui_support import demo_server, live_done, make_app, wait_for


def body_text(app, pane_id: str) -> str:  # type: ignore[no-untyped-def]
    pane = app.screen_stack[0].query_one(f"#{pane_id}", Pane)
    return str(pane.query_one(".pane--body", Static).render())


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(s.text for s in app.screen._compositor.render_strips())


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    srv = demo_server()
    yield srv
    srv.stop()


# ---- 1. a pane shown for the first time after another pane was scrolled ------------------
async def test_pane_first_shown_after_a_scroll_is_built_80x24() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("down")  # scrolls the sample pane
        await pilot.pause(0.1)
        await pilot.press("2")
        await pilot.pause(0.2)
        assert "Recorded then" in body_text(app, "auth")
        assert "Recorded then" in screen_text(app)


async def test_route_first_shown_after_a_scroll_is_built_160x45() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("1", "pagedown", "down")
        await pilot.pause(0.1)
        await pilot.press("5")
        await pilot.pause(0.2)
        assert "Received by" in body_text(app, "route-0")
        assert "Received by" in screen_text(app)
