"""SVG snapshots of every screen at 80x24 and 160x45 (pytest-textual-snapshot).

Regenerate after an intended UI change with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui_support import demo_server, demo_ticket, live_done, make_app, wait_for

SIZES = [(80, 24), (160, 45)]
DEMO_TRACE = Path(__file__).resolve().parents[1] / "tui" / "demo" / "trace.csv"
PASTED = "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.45"


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    # Answers take 20 ms: the two copies' runs, started together, always find each
    # other's lookups in flight (the DNS log shows them as shared, run after run).
    srv = demo_server(delay=0.02)
    yield srv
    srv.stop()


def settled(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: live_done(pilot.app))
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [(), ("2",), ("3",), ("4",), ("5",), ("right_square_bracket",) * 2],
    ids=["sample", "auth", "diff", "checklist", "route", "diff-step"],
)
def test_dashboard(snap_compare, server, size, keys) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(server=server), terminal_size=size, run_before=settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_one_sample(snap_compare, server, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_app().initial_samples[:1], server)
    assert snap_compare(app, terminal_size=size, run_before=settled("3"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [("a",), ("l",), ("n",), ("t",), ("v",), ("e",), ("p",)],
    ids=["open", "dnslog", "notes", "spftree", "verdicts", "explain", "paste"],
)
def test_screens(snap_compare, server, size, keys) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(server=server), terminal_size=size, run_before=settled(*keys))


def _trace_loaded(pilot) -> bool:  # type: ignore[no-untyped-def]
    return live_done(pilot.app) and pilot.app.screen.trace is not None


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trace(snap_compare, server, size) -> None:  # type: ignore[no-untyped-def]
    """The demo trace imported at start, then shown with m."""
    app = make_app(server=server)
    app.initial_trace = str(DEMO_TRACE)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: _trace_loaded(pilot))
        await pilot.press("m")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_explain_pasted(snap_compare, server, size) -> None:  # type: ignore[no-untyped-def]
    """The explain box after a Proofpoint rejection is pasted."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: live_done(pilot.app))
        await pilot.press("e")
        await pilot.pause(0.1)
        pilot.app.screen.query_one("TextArea").text = PASTED
        await pilot.pause(0.2)

    assert snap_compare(make_app(server=server), terminal_size=size, run_before=run_before)


BOUNCE = Path(__file__).resolve().parent / "samples" / "bounce-proofpoint.eml"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bounce_sample(snap_compare, size) -> None:  # type: ignore[no-untyped-def]
    """A bounce in slot A: the original's Message-ID first, the bounce's own second."""
    from mailtriage.checks.message.loader import load_bytes
    from mailtriage.widgets.sample_pane import SamplePane

    bounce = load_bytes(BOUNCE.read_bytes(), "bounce-proofpoint.eml")
    app = make_app([bounce, make_app().initial_samples[1]], offline=True)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settled("1")(pilot)
        pilot.app.screen.query_one(SamplePane).scroll_to(y=11, animate=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mbox_picker(snap_compare, size, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mailtriage.tui.screens.mbox_picker import MboxPickerScreen

    monkeypatch.chdir(Path(__file__).parent / "samples")  # a short path, the same on any machine

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MboxPickerScreen))
        await pilot.pause(0.2)

    app = make_app(["two_messages.mbox"], offline=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_drop_offer(snap_compare, server, size, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file that landed in the --watch folder, offered with w."""
    from mailtriage.tui.messages import FileDropped
    from mailtriage.tui.screens import drop_offer

    monkeypatch.setattr(drop_offer, "describe", lambda _path: "5120 bytes, saved 10:29:58 UTC")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_for(pilot, lambda: live_done(pilot.app))
        pilot.app.screen.post_message(FileDropped("/srv/drop/Undeliverable Invoice INV-77.msg"))
        await pilot.pause(0.1)
        pilot.app.clear_notifications()
        await pilot.press("w")
        await pilot.pause(0.2)

    assert snap_compare(make_app(server=server), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "keys",
    [("i",), ("x",), ("x", "p"), ("x", "u"), ("x", "r"), ("x", "n", "f"), ("x", "d")],
    ids=["ticket-form", "export-list", "packet", "escalation", "runbook", "notes-text", "redacted"],
)
def test_ticket_screens(snap_compare, server, size, keys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The demo ticket's form (guard rail on a domain-wide allow) and what leaves the tool."""
    app = make_app(server=server, ticket=demo_ticket(), store_dir=tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))
