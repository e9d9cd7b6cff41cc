"""Pilot tests: the real app, real samples, a real DNS server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from mailtriage.checks.message.loader import load_path
from mailtriage.tui.messages import LiveAnswered
from mailtriage.tui.screens.dns_log import DnsLogScreen
from mailtriage.tui.screens.notes import NotesScreen
from mailtriage.tui.screens.open_sample import OpenSampleScreen
from mailtriage.widgets.checklist_pane import ChecklistPane
from mailtriage.widgets.pane import Pane
from textual.widgets import Static

from tests.tui_support import ROOT, demo_server, live_done, make_app, wait_for

HOSTILE = (
    b"From: Mallory <m@evil.example>\r\nTo: v@northwind.example\r\n"
    b"Subject: [bold red]x[/] \x1b[2J\x1b]0;pwned\x07 nul\x00end\r\n"
    b"Message-ID: <hostile@evil.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n"
)


def body_text(app, pane_id: str) -> str:  # type: ignore[no-untyped-def]
    pane = app.screen.query_one(f"#{pane_id}", Pane)
    return str(pane.query_one(".pane--body", Static).render())


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    srv = demo_server()
    yield srv
    srv.stop()


async def test_one_sample_80x24_tabs(server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_app().initial_samples[:1], server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        screen = app.screen
        assert screen.has_class("narrow")
        assert "INV-20944" in body_text(app, "sample") or "Invoice" in body_text(app, "sample")
        await pilot.press("3")  # hidden panes are built when shown
        assert "One sample loaded" in body_text(app, "diff")
        await pilot.press("2")
        assert screen.query_one("#auth").has_class("active")
        assert not screen.query_one("#sample").has_class("active")


async def test_two_samples_160x45_workers_fill_auth(server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(server=server)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        screen = app.screen
        assert not screen.has_class("narrow")
        for run in screen.runs:
            assert run.specs and len(run.results) == len(run.specs)
            assert all(r.status == "found" for r in run.results.values())
            assert run.queries > 0
        auth = body_text(app, "auth")
        assert "Recorded then" in auth and "Live now" in auth
        assert "v=spf1" in auth
        diff = body_text(app, "diff")
        assert "Differs in:" in diff and "authentication" in diff


async def test_hung_resolver_never_blocks_ui() -> None:
    hung = demo_server(hang=lambda name, rdtype: True)
    try:
        app = make_app(server=hung, timeout=3.0, deadline=5.0)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: bool(app.screen.runs[0].specs))
            await pilot.press("2")
            assert "pending" in body_text(app, "auth")
            await pilot.press("3")
            # The key was handled while every lookup is still waiting on the server.
            assert app.screen.query_one("#diff").has_class("active")
            assert app.screen.runs[0].status == "running"
            await wait_for(pilot, lambda: live_done(app), timeout=10)
            results = list(app.screen.runs[0].results.values())
            assert results and all(r.status == "error" for r in results)
            assert all(a.rcode in ("TIMEOUT", "DEADLINE") for r in results for a in r.answers)
            await pilot.press("2")
            assert "error" in body_text(app, "auth")
    finally:
        hung.stop()


async def test_live_rows_do_not_wait_for_each_other() -> None:
    # Only the SPF record of the blocked sample's sender hangs: the SPF row and the
    # auth re-check wait for it, reverse DNS and the other rows must not.
    hung = demo_server(hang=lambda name, rdtype: (name, rdtype) == ("billingcloud.example", "TXT"))
    try:
        app = make_app(server=hung, timeout=2.0, deadline=4.0)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.runs[0].around is not None)
            run = app.screen.runs[0]
            assert run.auth is None and run.status == "running"
            assert run.around is not None and run.around.reverse is not None
            assert run.around.reverse.status == "ok"
            assert [s.kind for s in run.pending()] == ["spf"]
            await wait_for(pilot, lambda: live_done(app), timeout=10)
            assert app.screen.runs[0].auth is not None
    finally:
        hung.stop()


async def test_escape_cancels_live_checks() -> None:
    hung = demo_server(hang=lambda name, rdtype: True)
    try:
        app = make_app(server=hung, timeout=30, deadline=60)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: bool(app.screen.runs[0].specs))
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert [r.status for r in app.screen.runs] == ["cancelled", "cancelled"]
            await pilot.press("2")
            assert "cancelled" in body_text(app, "auth")
            assert all(r.specs for r in app.screen.runs)  # the rows stay, marked cancelled
    finally:
        hung.stop()


async def test_stale_results_are_dropped(server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(server=server)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        screen = app.screen
        old = screen.runs[0]
        result = next(iter(old.results.values()))
        await pilot.press("r")
        await wait_for(pilot, lambda: live_done(app))
        assert screen.runs[0].run_id != old.run_id
        before = dict(screen.runs[0].results)
        screen.post_message(LiveAnswered(0, old.run_id, result))
        await pilot.pause(0.1)
        assert screen.runs[0].results == before


async def test_checklist_ticks_and_evidence(server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(server=server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("4")
        pane = app.screen.query_one(ChecklistPane)
        assert pane.has_focus
        auto = [s for s in pane.states if s.auto_done]
        assert auto and any(s.evidence and "@" in s.evidence for s in auto)
        manual = next(s for s in pane.states if not s.auto_done)
        pane.highlighted = pane.get_option_index(manual.item.id)
        await pilot.press("space")
        assert manual.item.id in app.screen.ticked
        await pilot.press("space")
        assert manual.item.id not in app.screen.ticked


async def test_hostile_subject_is_literal(tmp_path: Path) -> None:
    path = tmp_path / "hostile.eml"
    path.write_bytes(HOSTILE)
    app = make_app([load_path(path)])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.screen.analyses[0] is not None)
        text = body_text(app, "sample")
        assert "[bold red]x[/]" in text
        assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
        await pilot.pause(0.2)
        screen_text = "".join(s.text for s in app.screen._compositor.render_strips())
        assert "[bold red]x[/]" in screen_text
        assert not any(ch in screen_text for ch in "\x1b\x00\x07")
    assert path.read_bytes() == HOSTILE


async def test_open_sample_and_swap(tmp_path: Path) -> None:
    path = tmp_path / "hostile.eml"
    path.write_bytes(HOSTILE)
    app = make_app(make_app().initial_samples[:1])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.analyses[0] is not None)
        await pilot.press("b")
        assert isinstance(app.screen, OpenSampleScreen)
        await pilot.press(*str(path))
        await pilot.press("enter")
        dash = app.screen_stack[0]
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        assert dash.analyses[1].sample.message_id == "hostile@evil.example"
        await pilot.press("s")
        assert dash.analyses[0].sample.message_id == "hostile@evil.example"


async def test_an_unopenable_first_sample_leaves_slot_a_empty() -> None:
    """`mailtriage MISSING DELIVERED`: the delivered copy stays B (the CLI passes None for A)."""
    delivered = make_app().initial_samples[1]
    app = make_app([None, delivered])
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        assert dash.analyses[0] is None


async def test_open_bad_file_says_why(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    app = make_app(make_app().initial_samples[:1])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b", *str(junk), "enter")
        await pilot.pause(0.5)
        assert app.screen_stack[0].analyses[1] is None
        assert any("Cannot open" in (n.title or "") for n in app._notifications)


async def test_palette_runs_actions(server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(server=server)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        first = app.screen.analyses[0].sample.message_id
        await pilot.press("ctrl+p")
        await pilot.press(*"Swap samples")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen.analyses[1].sample.message_id == first


async def test_dns_log_and_notes(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(server=server, notes_dir=str(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("l")
        assert isinstance(app.screen, DnsLogScreen)
        assert "_dmarc.fabrikam.example" in str(app.screen.query_one(Static).render())
        await pilot.press("escape")
        await pilot.press("n")
        assert isinstance(app.screen, NotesScreen)
        assert app.screen.text.count("Message-ID:") == 2
        await pilot.press("s")
        saved = list(tmp_path.iterdir())
        assert len(saved) == 1 and saved[0].read_text() == app.screen.text
        await pilot.press("escape")
        assert not isinstance(app.screen, NotesScreen)


async def test_sample_reloads_when_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "pasted.txt"
    path.write_bytes(HOSTILE)
    app = make_app([str(path)])
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        await pilot.pause(0.5)  # let the watcher start
        path.write_bytes(HOSTILE.replace(b"hostile@evil.example", b"edited@evil.example"))
        await wait_for(
            pilot,
            lambda: dash.analyses[0].sample.message_id == "edited@evil.example",
            timeout=10,
        )


async def test_every_binding_has_a_palette_entry_and_description() -> None:
    from mailtriage.tui.commands import ActionCommands
    from mailtriage.tui.screens.dashboard import DashboardScreen
    from textual.binding import Binding

    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)):
        provider = ActionCommands(app.screen)
        titles = {title for title, *_ in provider._entries()}
        for node in (DashboardScreen, type(app).__mro__[1]):
            for b in node.BINDINGS:
                assert isinstance(b, Binding) and b.description and b.tooltip
                assert b.tooltip in titles, b.tooltip


async def test_pane_keys_quit_and_copy_notes() -> None:
    app = make_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        for key, pane in [("3", "diff"), ("1", "sample"), ("4", "checklist"), ("2", "auth")]:
            await pilot.press(key)
            assert app.screen.query_one(f"#{pane}").has_class("active")
        await pilot.press("a")
        assert isinstance(app.screen, OpenSampleScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, OpenSampleScreen)
        await pilot.press("n", "c")
        assert app.clipboard == app.screen.text
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_live_evaluation_and_spf_tree(server) -> None:  # type: ignore[no-untyped-def]
    from mailtriage.tui.screens.spf_tree import SpfTreeScreen

    app = make_app(server=server)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: live_done(app))
        blocked, delivered = (run.auth for run in app.screen.runs)
        assert blocked is not None and delivered is not None
        assert blocked.spf is not None and blocked.spf.result == "pass"
        assert blocked.dmarc is not None and blocked.dmarc.result == "fail"
        assert delivered.dmarc is not None and delivered.dmarc.result == "pass"
        auth = body_text(app, "auth")
        assert "Evaluated now" in auth and "203.0.113.45" in auth
        await pilot.press("t")
        assert isinstance(app.screen, SpfTreeScreen)
        text = str(app.screen.query_one(Static).render())
        assert "SPF pass for 203.0.113.45" in text and "ip4:203.0.113.0/24  matched" in text
        assert "include:spf.protection.outlook.com  matched => pass" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, SpfTreeScreen)


async def test_swap_restarts_workers_for_the_sample_now_in_each_slot(
    server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.eml", tmp_path / "b.eml"
    a.write_bytes(HOSTILE)
    b.write_bytes(HOSTILE.replace(b"hostile@", b"other@"))
    app = make_app([str(a), str(b)], server)
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen
        await wait_for(pilot, lambda: live_done(app))
        await pilot.press("s")
        await wait_for(pilot, lambda: live_done(app))
        assert dash.analyses[0].sample.message_id == "other@evil.example"
        assert [r.status for r in dash.runs] == ["done", "done"]
        await pilot.pause(0.5)  # watchers restarted for the new slots
        b.write_bytes(HOSTILE.replace(b"hostile@", b"edited@"))
        await wait_for(
            pilot, lambda: dash.analyses[0].sample.message_id == "edited@evil.example", timeout=10
        )
        assert dash.analyses[1].sample.message_id == "hostile@evil.example"


async def test_hostile_method_name_is_neutralised(tmp_path: Path) -> None:
    p = tmp_path / "ar.eml"
    p.write_bytes(
        HOSTILE.replace(
            b"Message-ID:",
            b"Authentication-Results: mx.example; spf=pass; x\x1b[5mevil=pass\r\nMessage-ID:",
        )
    )
    app = make_app([load_path(p)])
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.screen.analyses[0] is not None)
        await pilot.pause(0.2)
        screen_text = "".join(s.text for s in app.screen._compositor.render_strips())
        assert "\x1b" not in screen_text


async def test_title_line_names_both_samples_on_one_line_at_80_columns() -> None:
    """Long sample paths never wrap the title out of sight: folder/file, cut with an ellipsis,
    and the offline mode comes first so it is never the part that is cut."""
    from textual.widgets import Static

    pair = ROOT / "tests" / "fixtures" / "pairs-heldout" / "02-postfix-ndr-exo-5-7-509-ipv6"
    app = make_app([str(pair / "a.eml"), str(pair / "b.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: all(app.screen.analyses))
        title = app.screen.query_one("#title", Static)
        shown = "".join(s.text for s in title.render_lines(title.region.reset_offset))
        assert shown.startswith(" mailtriage · offline · 02-postfix-ndr-exo-5-7-509-ipv6/a.eml")
        assert "tests/fixtures" not in shown
