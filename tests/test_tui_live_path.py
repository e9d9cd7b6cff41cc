"""The dashboard's live path (issue 11): what the first run waits for, and cancelling.

The first run's rows must not wait for work that can be done before it: reading the
Public Suffix List (the DMARC and MX rows need it) happens once, in the import thread
that starts after the first paint, never on the live checks' loop. The run itself
starts the moment ``start_live`` is called, so Escape must stop it even when the
worker that reads it has not started yet.
"""

from __future__ import annotations

import threading
from typing import Any

from mailtriage.checks import psl

from tests.tui_support import demo_server, live_done, make_app, wait_for


async def test_the_suffix_list_is_read_once_and_not_on_the_live_loop(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    read_in: list[str] = []
    real = psl.PublicSuffixList

    def reading(*args: Any, **kwargs: Any) -> Any:
        read_in.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(psl, "PublicSuffixList", reading)
    psl.suffix_list.cache_clear()
    server = demo_server()
    try:
        app = make_app(server=server)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: live_done(app), timeout=10)
            assert all(r.status == "done" for r in app.screen.runs)
    finally:
        server.stop()
    assert len(read_in) == 1 and read_in[0] != "live-dns", read_in


async def test_cancel_right_after_start_stops_the_run() -> None:
    hung = demo_server(hang=lambda name, rdtype: True)
    try:
        app = make_app(server=hung, timeout=30, deadline=60)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: all(r.status == "running" for r in app.screen.runs))
            screen = app.screen
            screen.start_live(0)  # type: ignore[attr-defined]
            feed = screen._live_feeds[0]  # type: ignore[attr-defined]
            assert screen.cancel_live(0)  # type: ignore[attr-defined]  # before its worker ran
            await wait_for(pilot, lambda: feed.done, timeout=5)
            assert screen.runs[0].status == "cancelled"  # type: ignore[attr-defined]
            assert 0 not in screen._live_feeds  # type: ignore[attr-defined]
    finally:
        hung.stop()


async def test_both_copies_start_together_and_their_first_queries_leave_before_a_paint(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """One import for both slots; then one wait lets both runs' first queries out.

    Both runs start in the same turn of the screen's loop, and before the screen lays
    out and paints the pending rows it waits (10 ms at most) for the live loop to have
    sent every query that needs no earlier answer. The two runs share their lookups in
    flight: the copies' common names are asked once (the other run logs them as shared).
    """
    from mailtriage.tui.screens import dashboard

    imports: list[str] = []
    real_import = dashboard._import_live
    monkeypatch.setattr(dashboard, "_import_live", lambda: (imports.append("x"), real_import()))
    waited_for: list[int] = []  # runs started, each time the screen waits for their queries
    real_let = dashboard.DashboardScreen._let_queries_out

    def let_out(self: dashboard.DashboardScreen) -> None:
        waited_for.append(len(self._live_feeds))
        real_let(self)

    monkeypatch.setattr(dashboard.DashboardScreen, "_let_queries_out", let_out)
    server = demo_server(delay=0.05)  # lookups stay in flight while both runs start
    try:
        app = make_app(server=server)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_for(pilot, lambda: live_done(app), timeout=10)
            screen = app.screen
            assert imports == ["x"] and waited_for == [2]
            a, b = (run.log for run in screen.runs)  # type: ignore[attr-defined]
            assert not any(e.shared for e in a)
            assert {e.name for e in b if e.shared} >= {"fabrikam.example", "northwind.example"}
            sent = server.queries
            screen.action_recheck()  # type: ignore[attr-defined]
            await wait_for(pilot, lambda: live_done(app), timeout=10)
            assert waited_for == [2, 2]
            logs = screen.runs[0].log + screen.runs[1].log  # type: ignore[attr-defined]
            assert server.queries - sent == sum(1 for e in logs if not (e.cached or e.shared))
    finally:
        server.stop()
