"""The ticket in the dashboard: samples, ticks and the form saved as you work, resumed later."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mailtriage.checks.ticket.store import TicketStore
from mailtriage.tui.tickets import load_samples, open_store
from textual.widgets import Input

from tests.tui_support import TestApp, wait_for

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / "tests" / "fixtures" / "pairs" / "01-esp-dkim-unaligned-dmarc-fail"


def _app(ticket_id: str = "T-1", samples: list[object] | None = None) -> TestApp:
    store = open_store()
    ticket, created = store.open(ticket_id)
    if samples is None:
        samples, _ = load_samples(ticket)
    app = TestApp(samples, offline=True, ticket=ticket, store=store)  # type: ignore[arg-type]
    app.ticket_created = created
    return app


async def test_ticket_keeps_samples_ticks_and_form_across_restarts() -> None:
    app = _app(samples=[str(PAIR / "a.eml"), str(PAIR / "b.eml")])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        # A new ticket opens its form on the ticket type first.
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "kind"
        await pilot.press("escape")
        await pilot.press("4", "down", "space")  # tick a checklist item by hand
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        await pilot.press(*"Contoso")
        await pilot.press("tab", *"ann")
        await pilot.press("escape")
        assert app.ticket is not None and app.ticket.affected.customer == "Contoso"
        await pilot.press("q")
    saved = open_store().load("T-1")
    assert saved.affected.customer == "Contoso" and saved.affected.user == "ann"
    assert [s.slot for s in saved.samples] == ["A", "B"]
    assert saved.samples[0].path == str(PAIR / "a.eml") and len(saved.samples[0].sha256) == 64
    assert len(saved.ticks) == 1 and saved.snapshot.layer == "authentication"

    again = _app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = again.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        assert screen.ticked == saved.ticked
        assert "T-1" in str(screen.query_one("#title").render())
        await pilot.press("i")
        await wait_for(pilot, lambda: again.screen.__class__.__name__ == "TicketScreen")
        assert again.screen.query_one("#customer", Input).value == "Contoso"


async def test_unticking_removes_the_tick_and_swap_swaps_the_ticket() -> None:
    app = _app("T-2", samples=[str(PAIR / "a.eml"), str(PAIR / "b.eml")])
    app.ticket_created = False
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        await pilot.press("4", "down", "space", "space")
        await pilot.press("s")
        await pilot.pause()
        assert app.ticket is not None and app.ticket.ticks == ()
        assert app.ticket.sample("A").path.endswith("b.eml")  # type: ignore[union-attr]
        await pilot.press("q")
    assert open_store().load("T-2").sample("B").path.endswith("a.eml")  # type: ignore[union-attr]


async def test_starting_a_ticket_from_inside_the_app(tmp_path: Path) -> None:
    app = TestApp([str(PAIR / "a.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: screen.analyses[0] is not None)
        await pilot.press("i", *"INC42", "enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        await pilot.press("escape", "q")
    ticket = open_store().load("INC42")
    assert ticket.sample("A") is not None and ticket.snapshot.findings


async def test_a_bad_ticket_id_is_one_line_and_the_prompt_comes_back() -> None:
    app = TestApp([str(PAIR / "a.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i", *"#4471 Acme", "enter")
        await pilot.pause()
        assert app.ticket is None and app.is_running
        # The prompt is back with what was typed: the next keys do not switch panes.
        assert app.screen.query_one("#path", Input).value == "#4471 Acme"
        await pilot.press(*["backspace"] * 10, *"INC4471", "enter")
        await wait_for(pilot, lambda: app.ticket is not None)
        assert app.ticket is not None and app.ticket.id == "INC4471"


async def test_export_list_opens_notes_and_switches_format() -> None:
    app = _app("T-3", samples=[str(PAIR / "a.eml"), str(PAIR / "b.eml")])
    app.ticket_created = False
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        await pilot.press("x")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExportScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        assert app.screen.suffix == ".md"  # type: ignore[attr-defined]
        await pilot.press("f")
        assert app.screen.suffix == ".txt"  # type: ignore[attr-defined]
        await pilot.press("c")


def test_tickets_and_saved_exports_follow_the_environment(_private_ticket_store: Path) -> None:
    from mailtriage.tui.config import data_dir

    assert isinstance(open_store(), TicketStore)
    assert open_store().dir == _private_ticket_store / "tickets"
    assert data_dir() == _private_ticket_store  # notes are saved under data_dir() / "notes"


async def test_an_explanation_is_kept_with_the_ticket() -> None:
    app = _app("T-4", samples=[str(PAIR / "a.eml")])
    app.ticket_created = False
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExplainScreen")
        reply = "550 5.7.1 Service unavailable; client host blocked"
        app.screen.query_one("TextArea").insert(reply)
        await pilot.press("ctrl+k", "escape", "q")
    (kept,) = open_store().load("T-4").kept
    assert kept.text.startswith("550 5.7.1") and kept.result


async def test_explain_without_a_ticket_offers_no_keep() -> None:
    app = TestApp([str(PAIR / "a.eml")], offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ExplainScreen")
        assert app.screen.check_action("keep", ()) is False


async def test_whole_ticket_flow_paste_msg_diff_ticks_fix_exports_resume(tmp_path: Path) -> None:
    """Issue 10's flow: paste A, open B from a .msg, step the diff, tick, fix, export, resume."""
    from textual import events

    from tests.msg_support import build_msg

    raw_a = (PAIR / "a.eml").read_text()
    pasted = raw_a.split("\n\n", 1)[0].replace("\n", "\r\n")  # headers only, CRLF, as copied
    head_b = (PAIR / "b.eml").read_text().split("\n\n", 1)[0] + "\n"
    msg = tmp_path / "delivered.msg"
    msg.write_bytes(build_msg(headers=head_b, subject="Payroll"))

    app = _app("T-100", samples=[])
    async with app.run_test(size=(80, 24)) as pilot:
        dash = app.screen_stack[0]
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        await pilot.press("escape")  # the type can be chosen later
        await pilot.press("p")
        app.post_message(events.Paste(pasted))
        await wait_for(pilot, lambda: dash.analyses[0] is not None)
        await pilot.press("b", *str(msg), "enter")
        await wait_for(pilot, lambda: dash.analyses[1] is not None)
        await pilot.press("3", "right_square_bracket", "right_square_bracket")
        await pilot.press("4", "down", "space", "down", "space")
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        form = app.screen
        form.query_one("#fix", Input).value = "asked the sender to sign with d=brightline-payroll"
        form.query_one("#verification", Input).value = "resent 10:40 UTC, delivered to Inbox"
        form.query_one("#volume", Input).value = "3 messages, 1 user"
        form.query_one("#verified").value = "yes"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("x", "n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        notes = app.screen.text  # type: ignore[attr-defined]
        assert "asked the sender to sign" in notes and "resent 10:40 UTC" in notes
        await pilot.press("c", "escape", "x", "p")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        packet = app.screen.text  # type: ignore[attr-defined]
        assert "Send to:" in packet and "Readiness:" in packet
        assert app.clipboard.startswith("# mailtriage ticket notes")
        await pilot.press("escape", "q")

    saved = open_store().load("T-100")
    assert saved.sample("A").pasted == pasted  # type: ignore[union-attr]
    assert saved.sample("B").path == str(msg)  # type: ignore[union-attr]
    assert len(saved.ticks) == 2 and saved.verified_ok is True
    assert saved.snapshot.layer == "authentication"

    again = _app("T-100")
    async with again.run_test(size=(80, 24)) as pilot:
        dash = again.screen_stack[0]
        await wait_for(pilot, lambda: all(dash.analyses))
        assert dash.analyses[0].sample.source.startswith("pasted into A")
        assert dash.analyses[1].sample.source == str(msg)
        assert dash.ticked == saved.ticked
        assert dash.comparison is not None and dash.comparison.suspect_layer == "authentication"
        await pilot.press("n")
        await wait_for(pilot, lambda: again.screen.__class__.__name__ == "NotesScreen")
        assert "resent 10:40 UTC" in again.screen.text  # type: ignore[attr-defined]


async def test_redacted_packet_and_samples_keep_no_original_address(tmp_path: Path) -> None:
    from mailtriage.checks.message.loader import load_path

    app = _app("T-5", samples=[str(PAIR / "a.eml"), str(PAIR / "b.eml")])
    app.ticket_created = False
    app.config = replace(app.config, notes_dir=str(tmp_path))
    originals = set()
    for name in ("a.eml", "b.eml"):
        s = load_path(PAIR / name)
        originals |= {x.addr for x in (*s.from_, *s.to)} | {s.envelope_from or ""}
    originals.discard("")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        await pilot.press("x", "d")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        text = app.screen.text  # type: ignore[attr-defined]
        assert "Send to:" in text and "no longer verify" in text
        assert not [o for o in originals if o in text]
        await pilot.press("escape", "x", "c")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
    written = sorted(tmp_path.glob("T-5-redacted-*.eml"))
    assert [p.name.split("-")[3] for p in written] == ["a", "b"]
    for p in written:
        data = p.read_text("latin-1")
        assert not [o for o in originals if o in data]


async def test_title_says_when_the_ticket_needs_escalation_or_a_guard_rail() -> None:
    app = _app("T-6", samples=[str(PAIR / "a.eml"), str(PAIR / "b.eml")])
    app.ticket_created = False
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.screen_stack[0]
        await wait_for(pilot, lambda: all(screen.analyses))
        title = screen.query_one("#title")
        assert "guard rail" not in str(title.render())
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        app.screen.query_one("#fix", Input).value = "whitelist the whole brightline domain"
        await pilot.pause()
        assert "security" in str(app.screen.query_one("#advice").render())
        await pilot.press("escape")
        await pilot.pause()
        assert "(escalation advised, broad allow)" in str(title.render())


async def test_an_export_key_does_not_also_act_on_the_export_it_opens(tmp_path: Path) -> None:
    app = _app("T-7", samples=[str(PAIR / "a.eml")])
    app.ticket_created = False
    app.config = replace(app.config, notes_dir=str(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen_stack[0].analyses[0] is not None)
        await pilot.press("x", "c")  # c picks "redacted samples"; it must not also copy
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        await pilot.pause()
        assert not any("copied" in n.message for n in app._notifications)


async def test_a_msg_sample_is_redacted_from_its_transport_headers(tmp_path: Path) -> None:
    from tests.msg_support import build_msg

    head_b = (PAIR / "b.eml").read_text().split("\n\n", 1)[0] + "\n"
    msg = tmp_path / "delivered.msg"
    msg.write_bytes(build_msg(headers=head_b, subject="Payroll"))
    app = _app("T-8", samples=[str(PAIR / "a.eml"), str(msg)])
    app.ticket_created = False
    app.config = replace(app.config, notes_dir=str(tmp_path / "notes"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: all(app.screen_stack[0].analyses))
        await pilot.press("x", "c")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NotesScreen")
        assert "transport headers only" in app.screen.text  # type: ignore[attr-defined]
    (b,) = (tmp_path / "notes").glob("T-8-redacted-b-*.eml")
    data = b.read_bytes()
    assert b"Received:" in data and b"brightline-payroll" not in data
