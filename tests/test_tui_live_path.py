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
